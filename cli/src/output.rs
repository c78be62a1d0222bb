//! The run's output: the reference program's JSON report, or a per-second CSV.
//! The formatting lives in `sim_core::export`, shared with the app's export
//! buttons, so that both write the same documents.

pub use sim_core::export::{run_report, service_series, write_csv, write_json};
