//! Comparing two runs' totals (A and B): the rows `brink compare` prints and
//! the playground's compare view shows, computed once here so that both give
//! the same numbers. The inputs are two reports as `export::run_report`
//! writes them (`{"totals": {key: count}, …}`).

use serde_json::{json, Map, Value};

/// One total of both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The total's key, as in the report (`offered`, `goodput`, …).
    pub key: String,
    /// A's count.
    pub a: u64,
    /// B's count.
    pub b: u64,
}

impl Row {
    /// B − A (negative when B counted fewer).
    pub fn diff(&self) -> i128 {
        self.b as i128 - self.a as i128
    }

    /// B / A; `None` when A is 0.
    pub fn ratio(&self) -> Option<f64> {
        (self.a != 0).then(|| self.b as f64 / self.a as f64)
    }

    /// The ratio as the table prints it: three decimals, "-" when A is 0.
    pub fn ratio_text(&self) -> String {
        self.ratio().map_or_else(|| "-".to_string(), |r| format!("{r:.3}"))
    }
}

/// The keys of both reports' totals: A's in order, then any only B has
/// (a mechanism's counter is left out of a report when zero).
fn total_keys<'a>(a: &'a Value, b: &'a Value) -> Vec<&'a str> {
    let keys = |v: &'a Value| v["totals"].as_object().into_iter().flat_map(|m| m.keys().map(String::as_str));
    let mut out: Vec<&str> = keys(a).collect();
    for k in keys(b) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// A total of a report, 0 when it is left out.
fn total(report: &Value, key: &str) -> u64 {
    report["totals"][key].as_u64().unwrap_or(0)
}

/// One row per total of either report, A's keys first.
pub fn rows(a: &Value, b: &Value) -> Vec<Row> {
    total_keys(a, b).into_iter().map(|k| Row { key: k.to_string(), a: total(a, k), b: total(b, k) }).collect()
}

/// `{key: b − a}` over every total of either report.
pub fn diff_totals(a: &Value, b: &Value) -> Value {
    let diff: Map<String, Value> = rows(a, b).into_iter().map(|r| (r.key.clone(), json!(r.diff()))).collect();
    Value::Object(diff)
}

/// The text table: one row per total with A, B, B − A and B / A ("-" when
/// A is 0), columns aligned.
pub fn table(a: &Value, b: &Value) -> String {
    let rows: Vec<[String; 5]> = rows(a, b)
        .into_iter()
        .map(|r| [r.key.clone(), r.a.to_string(), r.b.to_string(), r.diff().to_string(), r.ratio_text()])
        .collect();
    let header = ["total", "A", "B", "B - A", "B / A"].map(String::from);
    let widths: Vec<usize> =
        (0..5).map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_covers_the_keys_of_both_and_can_be_negative() {
        let a = json!({"totals": {"offered": 10, "goodput": 8}});
        let b = json!({"totals": {"offered": 10, "goodput": 5, "crashes": 2}});
        assert_eq!(diff_totals(&a, &b), json!({"offered": 0, "goodput": -3, "crashes": 2}));
        let t = table(&a, &b);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].starts_with("total") && lines[0].ends_with("B / A"), "{t}");
        let words = |i: usize| lines[i].split_whitespace().collect::<Vec<_>>();
        assert_eq!(words(2), ["goodput", "8", "5", "-3", "0.625"], "{t}");
        assert_eq!(words(3), ["crashes", "0", "2", "2", "-"], "{t}");
    }

    #[test]
    fn rows_carry_difference_and_ratio() {
        let a = json!({"totals": {"offered": 4, "goodput": 0}});
        let b = json!({"totals": {"offered": 5}});
        let r = rows(&a, &b);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].diff(), r[0].ratio(), r[0].ratio_text().as_str()), (1, Some(1.25), "1.250"));
        assert_eq!((r[1].diff(), r[1].ratio()), (0, None));
        assert!(rows(&a, &a).iter().all(|r| r.diff() == 0));
    }
}
