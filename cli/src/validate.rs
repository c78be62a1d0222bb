//! `brink validate`: the engine against theory and published results, as a
//! table (the checks live in `sim_core::validation`, shared with the app).

use crate::args::Checked;
use crate::{output, Failure};
use clap::Args;
use rayon::prelude::*;
use serde_json::{json, Value};
use sim_core::validation::{figure, Expected, Row, CHECKS};
use std::io::{self, BufWriter, Write};

/// What `brink validate --help` says after the flags.
pub const NOTES: &str = "One row per figure compared, named by its law or source: simulated beside\n\
expected, the difference and a pass mark. The checks run in parallel (rayon), each\n\
on fixed seeds. Exits with status 1 when a row fails. See docs/CLI.md.";

/// Everything `brink validate` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct ValidateArgs {
    /// table, or json (an array of rows)
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(parse_format))]
    #[arg(default_value = "table")]
    pub format: ValidateFormat,
}

/// Output of `brink validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidateFormat {
    /// A text table.
    Table,
    /// A JSON array of rows.
    Json,
}

fn parse_format(raw: &str) -> Result<ValidateFormat, String> {
    match raw {
        "table" => Ok(ValidateFormat::Table),
        "json" => Ok(ValidateFormat::Json),
        _ => Err("expected table or json".into()),
    }
}

/// `brink validate`.
pub fn run(a: &ValidateArgs) -> Result<(), Failure> {
    let rows: Vec<Row> = CHECKS.par_iter().map(|c| (c.run)()).collect::<Vec<_>>().into_iter().flatten().collect();
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        ValidateFormat::Table => out.write_all(table(&rows).as_bytes())?,
        ValidateFormat::Json => {
            output::write_json(&mut out, &Value::Array(rows.iter().map(row_json).collect()), Some(1))?
        }
    }
    out.flush()?;
    let failed = rows.iter().filter(|r| !r.passed()).count();
    if failed > 0 {
        return Err(Failure::Runtime(Some(format!("brink: {failed} of {} validation rows failed", rows.len()))));
    }
    Ok(())
}

fn row_json(r: &Row) -> Value {
    let (kind, value, tolerance) = match r.expected {
        Expected::Near { value, tolerance } => ("near", value, Some(tolerance)),
        Expected::Below(b) => ("below", b, None),
        Expected::Above(b) => ("above", b, None),
    };
    json!({
        "check": r.check, "quantity": r.quantity, "unit": r.unit, "simulated": r.simulated,
        "expected": {"kind": kind, "value": value, "tolerance": tolerance},
        "difference": r.difference(), "passed": r.passed(),
    })
}

/// The table, columns aligned.
pub fn table(rows: &[Row]) -> String {
    let header = ["check", "quantity", "simulated", "expected", "difference", "unit", "pass"].map(String::from);
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.check.to_string(),
                r.quantity.clone(),
                figure(r.simulated),
                r.expected.text(),
                figure(r.difference()),
                r.unit.to_string(),
                if r.passed() { "pass" } else { "FAIL" }.to_string(),
            ]
        })
        .collect();
    let widths: Vec<usize> =
        (0..7).map(|i| cells.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if (2..=4).contains(&i) {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    out.push_str(&format!("\n{passed} of {} rows pass\n", rows.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_row_is_marked() {
        let row =
            |simulated| Row { check: "c", quantity: "q".into(), unit: "", simulated, expected: Expected::Below(1.0) };
        let t = table(&[row(0.5), row(2.0)]);
        assert!(t.contains("pass") && t.contains("FAIL") && t.ends_with("1 of 2 rows pass\n"), "{t}");
    }
}
