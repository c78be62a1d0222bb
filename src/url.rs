//! Query-string scenarios: `?rate=14000&backoff=fixed&play` opens the
//! playground with those knobs. Every bad parameter becomes a message naming
//! it and its allowed range; the rest of the query still applies.

use crate::format::number;
use crate::knobs::{KnobId, ToggleId, KNOBS, TOGGLES};
use sim_core::{Backoff, Config, LbPolicy};
use std::fmt;

/// Speed range of the playground, simulated seconds per wall second.
pub const SPEED_RANGE: (f64, f64) = (1.0, 200.0);

/// What a query string asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlSettings {
    /// Knobs after applying the valid parameters to the defaults.
    pub config: Config,
    /// `speed=`, when given and valid.
    pub speed: Option<f64>,
    /// `bench`: run the benchmark instead of the playground.
    pub bench: bool,
    /// `play`: start running at once.
    pub autoplay: bool,
}

/// One parameter that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's name as written in the URL.
    pub param: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "URL parameter {}: {}", self.param, self.message)
    }
}

/// Decodes `%XX` escapes and `+` as a space; malformed escapes stay as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits `?a=1&b` into decoded `(name, value)` pairs; a bare name has value "".
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn error(param: &str, message: String) -> ParamError {
    ParamError { param: param.to_string(), message }
}

/// Parses a seed: a whole number from 0 to `u64::MAX`.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("\"{}\" is not a seed; use a whole number from 0 to {}", text.trim(), u64::MAX))
}

/// Parses a knob value and checks it against the app's range.
pub fn parse_knob(id: KnobId, text: &str) -> Result<f64, String> {
    let k = id.knob();
    let range = format!("allowed range is {} to {} {}", number(k.min), number(k.max), k.unit);
    let v: f64 = text.trim().replace(',', "").parse().map_err(|_| format!("\"{text}\" is not a number; {range}"))?;
    if !k.in_range(v) {
        return Err(format!("{} is out of range; {range}", number(v)));
    }
    if k.integer && v.fract() != 0.0 {
        return Err(format!("{} must be a whole number; {range}", number(v)));
    }
    Ok(v)
}

/// Parses a toggle's value: `on`, `off`, `1`, `0`, `true`, `false`, `yes`
/// or `no`; a bare parameter (empty value) means on.
pub fn parse_toggle(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "on" | "1" | "true" | "yes" => Ok(true),
        "off" | "0" | "false" | "no" => Ok(false),
        _ => Err(format!("\"{text}\" is not a switch position; use on or off (also 1/0, true/false, yes/no)")),
    }
}

fn parse_speed(text: &str) -> Result<f64, String> {
    let (lo, hi) = SPEED_RANGE;
    match text.trim().parse::<f64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!("\"{text}\" is not a speed; allowed range is {lo} to {hi} (× real time)")),
    }
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|&x| name(x)).collect::<Vec<_>>().join(", ")
}

/// Applies one parameter to `s`.
fn apply(s: &mut UrlSettings, name: &str, value: &str) -> Result<(), ParamError> {
    let fail = |m: String| error(name, m);
    match name {
        "bench" => s.bench = true,
        "play" => s.autoplay = true,
        "speed" => s.speed = Some(parse_speed(value).map_err(fail)?),
        "seed" => s.config.seed = parse_seed(value).map_err(fail)?,
        "backoff" => {
            s.config.client.backoff = Backoff::from_name(value).ok_or_else(|| {
                fail(format!("\"{value}\" is not a retry policy; use one of {}", names(&Backoff::ALL, Backoff::name)))
            })?
        }
        "lb" => {
            s.config.balancer.policy = LbPolicy::from_name(value).ok_or_else(|| {
                fail(format!(
                    "\"{value}\" is not a balancer policy; use one of {}",
                    names(&LbPolicy::ALL, LbPolicy::name)
                ))
            })?
        }
        _ => {
            if let Some(id) = ToggleId::from_param(name) {
                id.set(&mut s.config, parse_toggle(value).map_err(fail)?);
                return Ok(());
            }
            let id = KnobId::from_param(name)
                .ok_or_else(|| fail(format!("unknown; known parameters are {}", known_params())))?;
            id.set(&mut s.config, parse_knob(id, value).map_err(fail)?);
        }
    }
    Ok(())
}

fn known_params() -> String {
    let mut all: Vec<&str> = KNOBS.iter().map(|k| k.param).collect();
    all.extend(TOGGLES.iter().map(|t| t.param));
    all.extend(["backoff", "lb", "seed", "speed", "play", "bench"]);
    all.join(", ")
}

/// Parses a query string over `defaults`. Invalid parameters are reported and
/// skipped; if the combination fails the engine's validation the defaults
/// are kept and that is reported too.
pub fn parse_query(query: &str, defaults: &Config) -> (UrlSettings, Vec<ParamError>) {
    let mut s = UrlSettings { config: defaults.clone(), speed: None, bench: false, autoplay: false };
    let mut errors = Vec::new();
    for (name, value) in pairs(query) {
        if let Err(e) = apply(&mut s, &name, &value) {
            errors.push(e);
        }
    }
    if let Err(e) = s.config.validate() {
        errors.push(error(e.field(), format!("{e}; using the default scenario")));
        s.config = defaults.clone();
    }
    (s, errors)
}

/// The query string reproducing `config` (only knobs that differ from
/// `defaults`), for the share link.
pub fn to_query(config: &Config, defaults: &Config, speed: f64) -> String {
    let mut parts: Vec<String> = KNOBS
        .iter()
        .filter(|k| k.id.get(config) != k.id.get(defaults))
        .map(|k| format!("{}={}", k.param, k.id.get(config)))
        .collect();
    parts.extend(
        TOGGLES
            .iter()
            .filter(|t| t.id.get(config) != t.id.get(defaults))
            .map(|t| format!("{}={}", t.param, if t.id.get(config) { "on" } else { "off" })),
    );
    if config.client.backoff != defaults.client.backoff {
        parts.push(format!("backoff={}", config.client.backoff.name()));
    }
    if config.balancer.policy != defaults.balancer.policy {
        parts.push(format!("lb={}", config.balancer.policy.name()));
    }
    if config.seed != defaults.seed {
        parts.push(format!("seed={}", config.seed));
    }
    if speed != 1.0 {
        parts.push(format!("speed={speed}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}
