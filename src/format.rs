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
