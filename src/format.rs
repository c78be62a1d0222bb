//! Number formatting for labels: short, exact enough, with thousands separators.

/// Rounds `v` to `digits` significant digits, so log-slider positions give
/// round values (10,500 rather than 10,471.28).
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - magnitude);
    (v * factor).round() / factor
}

/// Formats an integer part with thin-space-free comma separators: 12800 → "12,800".
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A knob or counter value for display: thousands separators for large
/// numbers, at most three significant digits for fractions.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 1000.0 || (a.fract() == 0.0 && a < 1e15) {
        return format!("{sign}{}", group_thousands(a.round() as u64));
    }
    let r = round_sig(a, 3);
    let decimals = if r >= 100.0 {
        0
    } else if r >= 10.0 {
        1
    } else if r >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{r:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{sign}{text}")
}

/// Compact axis labels: 12000 → "12k", 1500000 → "1.5M".
pub fn si(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", number(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", number(v / 1e3))
    } else {
        number(v)
    }
}

/// Milliseconds as a latency label: "42 ms", "1.2 s".
pub fn millis(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", number(ms / 1000.0))
    } else {
        format!("{} ms", number(ms))
    }
}

/// Simulated time as shown in the status line: one decimal.
pub fn sim_seconds(s: f64) -> String {
    format!("{s:.1} s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_sig_keeps_significant_digits() {
        assert_eq!(round_sig(10_471.28, 3), 10_500.0);
        assert_eq!(round_sig(-10_471.28, 2), -10_000.0);
        assert_eq!(round_sig(0.012_345, 2), 0.012);
        assert_eq!(round_sig(1_024.0, 2), 1_000.0);
        assert_eq!(round_sig(0.0, 3), 0.0);
        assert!(round_sig(f64::NAN, 3).is_nan());
        assert_eq!(round_sig(f64::INFINITY, 3), f64::INFINITY);
    }

    #[test]
    fn numbers_read_short_with_thousands_separators() {
        for (v, text) in [
            (0.0, "0"),
            (7.0, "7"),
            (999.0, "999"),
            (1_000.0, "1,000"),
            (12_800.0, "12,800"),
            (1_234.56, "1,235"),
            (18_446_744.0, "18,446,744"),
            (-1_500.0, "-1,500"),
            (0.5, "0.5"),
            (0.25, "0.25"),
            (2.5, "2.5"),
            (4.56789, "4.57"),
            (12.345, "12.3"),
            (123.4, "123"),
            (0.001, "0.001"),
            (-0.75, "-0.75"),
        ] {
            assert_eq!(number(v), text, "{v}");
        }
        assert_eq!(number(f64::NAN), "–");
        assert_eq!(number(f64::NEG_INFINITY), "–");
    }

    #[test]
    fn axis_and_latency_labels() {
        assert_eq!(
            (si(0.0), si(999.0), si(12_000.0), si(1_500_000.0)),
            ("0".into(), "999".into(), "12k".into(), "1.5M".into())
        );
        assert_eq!(si(-2_500.0), "-2.5k");
        assert_eq!(
            (millis(42.0), millis(0.25), millis(1_200.0), millis(1_000.0)),
            ("42 ms".into(), "0.25 ms".into(), "1.2 s".into(), "1 s".into())
        );
        assert_eq!(
            (sim_seconds(0.0), sim_seconds(4.56789), sim_seconds(3600.0)),
            ("0.0 s".into(), "4.6 s".into(), "3600.0 s".into())
        );
    }
}
