//! What the page exports and imports: the run's report as `brink run`
//! writes it (JSON, CSV: `sim_core::export`, the same code the CLI calls)
//! and the scenario as a TOML file that `brink run --config` reads (the same
//! serde `Config`).

use sim_core::export::{run_report, service_series, write_csv, write_json};
use sim_core::{Config, Simulation};

/// Largest scenario file imported, bytes: a system of 64 services with
/// every field written takes about 200 KB.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// The JSON report of the run so far, as `brink run --indent 2` prints it.
/// The page measures no wall time of its own, so the per-wall-second
/// figures are null, as `brink run` gives them for an unmeasurable run.
pub fn json(sim: &Simulation) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_json(&mut out, &run_report(sim, &[], Some(2), 0.0), Some(2));
    String::from_utf8(out).unwrap_or_default()
}

/// The per-second CSV, as `brink run --format csv` prints it.
pub fn csv(sim: &Simulation) -> String {
    let mut out = Vec::new();
    let _ = write_csv(&mut out, sim.series(), &service_series(sim));
    String::from_utf8(out).unwrap_or_default()
}

/// The scenario as TOML, every field written.
pub fn toml(config: &Config) -> String {
    let head = "# A Brink scenario: run it with `brink run --config FILE`, or import it in the playground.\n";
    // A Config is tables of numbers, strings, booleans and arrays: it always serialises.
    format!("{head}{}", ::toml::to_string(config).unwrap_or_default())
}

/// Reads a scenario file: an error names the line, the column and the
/// field, as `brink run --config` does, or the field and range the engine
/// refuses.
pub fn import(text: &str) -> Result<Config, String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(format!("the file is {} bytes; at most {MAX_IMPORT_BYTES} are read", text.len()));
    }
    let config = ::toml::from_str::<Config>(text).map_err(|e| toml_error(text, e))?;
    config.validate().map_err(|e| format!("{}: {e}", e.field()))?;
    Ok(config)
}

/// One line: `line:column: field: message`.
fn toml_error(text: &str, mut e: ::toml::de::Error) -> String {
    let at = e.span().map(|s| {
        let before = &text[..s.start.min(text.len())];
        (before.matches('\n').count() + 1, before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1)
    });
    e.set_input(None);
    let rendered = e.to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let message = lines.next().unwrap_or("invalid TOML").to_string();
    let key = lines.find_map(|l| l.strip_prefix("in `").and_then(|k| k.strip_suffix('`')));
    let mut out = String::new();
    if let Some((line, col)) = at {
        out.push_str(&format!("line {line}, column {col}: "));
    }
    if let Some(key) = key {
        out.push_str(&format!("{key}: "));
    }
    out.push_str(&message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::TEMPLATES;
    use sim_core::SimTime;

    fn run(config: Config, seconds: u64) -> Simulation {
        let mut sim = Simulation::new(config).unwrap();
        sim.step_until(SimTime::from_secs(seconds));
        sim
    }

    #[test]
    fn toml_round_trips_every_template() {
        for t in TEMPLATES {
            let mut c = (t.build)();
            c.seed = 99;
            if let Some(s) = c.services.get_mut(0) {
                s.nodes.count = 7;
            }
            assert_eq!(import(&toml(&c)), Ok(c), "{}", t.name);
        }
    }

    #[test]
    fn import_errors_name_the_field() {
        let e = import("seed = 1\n[traffic]\nrate_per_s = \"fast\"\n").unwrap_err();
        assert!(e.starts_with("line 3, column 14: traffic.rate_per_s: invalid type"), "{e}");
        let e = import("[nodes]\ncount = 0\n").unwrap_err();
        assert!(e.starts_with("nodes.count:"), "{e}");
        let e = import("[nodes]\nbogus = 1\n").unwrap_err();
        assert!(e.contains("bogus") && e.contains("unknown field"), "{e}");
        assert!(import(&"#".repeat(MAX_IMPORT_BYTES + 1)).unwrap_err().contains("at most 1048576"));
    }

    #[test]
    fn the_report_has_brink_runs_schema() {
        let mut c = (TEMPLATES[1].build)();
        c.traffic.duration_s = 5.0;
        let sim = run(c, 5);
        let v: serde_json::Value = serde_json::from_str(&json(&sim)).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "params",
                "versions",
                "totals",
                "latency_success",
                "queueing",
                "events_processed",
                "wall_s",
                "logical_requests_per_wall_s",
                "events_per_wall_s",
                "series",
                "services"
            ]
        );
        assert_eq!(v["totals"]["offered"], sim.totals().offered);
        let text = csv(&sim);
        assert!(text.lines().next().unwrap().starts_with(&sim_core::export::csv_header()));
        assert_eq!(text.lines().count(), 6);
    }
}
