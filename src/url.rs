//! Query-string scenarios: `?rate=14000&backoff=fixed&play` opens the
//! playground with those knobs. Every bad parameter becomes a message naming
//! it and its allowed range; the rest of the query still applies.

use crate::knobs::{by_param, Control, Knob, CONTROLS};
use crate::templates::{self, TEMPLATES};
use sim_core::catalogue::{Kind, FIELDS};
use sim_core::Config;
use std::fmt;

/// Speed range of the playground, simulated seconds per wall second.
pub const SPEED_RANGE: (f64, f64) = (1.0, 200.0);

/// What a query string asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UrlSettings {
    /// Knobs after applying the valid parameters to the defaults.
    pub config: Config,
    /// `speed=`, when given and valid.
    pub speed: Option<f64>,
    /// `bench`: run the benchmark instead of the playground.
    pub bench: bool,
    /// `play`: start running at once.
    pub autoplay: bool,
    /// `template=NAME`: the topology the page opens on (index into
    /// `TEMPLATES`); other knobs apply over it.
    pub template: Option<usize>,
    /// The view an `s=` scenario carries (selected service, chart, lesson).
    pub view: crate::share::SharedView,
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
pub fn parse_knob(k: &Knob, text: &str) -> Result<f64, String> {
    k.parse(text)
}

/// Parses a toggle's value: `on`, `off`, `1`, `0`, `true`, `false`, `yes`
/// or `no`; a bare parameter (empty value) means on.
pub use crate::knobs::parse_switch as parse_toggle;

fn parse_speed(text: &str) -> Result<f64, String> {
    let (lo, hi) = SPEED_RANGE;
    match text.trim().parse::<f64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!("\"{text}\" is not a speed; allowed range is {lo} to {hi} (× real time)")),
    }
}

/// The catalogue's seed row: the one field outside the knob panel that the
/// URL carries (the toolbar shows it).
fn seed_param() -> &'static str {
    FIELDS.iter().find(|f| f.kind == Kind::Seed).map_or("seed", |f| f.param)
}

/// Applies one parameter to `s`: the page's own (`bench`, `play`,
/// `speed`), the seed, or any control's catalogue parameter.
fn apply(s: &mut UrlSettings, name: &str, value: &str) -> Result<(), ParamError> {
    let fail = |m: String| error(name, m);
    match name {
        "bench" => s.bench = true,
        "play" => s.autoplay = true,
        "template" => {
            let i = templates::by_param(value.trim())
                .ok_or_else(|| fail(format!("unknown; known templates are {}", template_names())))?;
            // Read first (see `parse_query`), so the other parameters apply over it.
            let mut c = (TEMPLATES[i].build)();
            c.seed = s.config.seed;
            s.config = c;
            s.template = Some(i);
        }
        "s" => {
            // The whole scenario (share.rs); the readable parameters,
            // read after it, override its fields.
            let scenario = crate::share::decode(value.trim()).map_err(|e| fail(e.to_string()))?;
            (s.config, s.speed, s.view) = (scenario.config, Some(scenario.speed), scenario.view);
        }
        "speed" => s.speed = Some(parse_speed(value).map_err(fail)?),
        // Read by `lessons::from_query`: a lesson starts its own run.
        "lesson" | "step" => {}
        // Read by `embed::from_query`: the compact view for an iframe.
        "embed" | "knobs" => {}
        // Read by `compare::from_query`: B's scenario beside A.
        "compare" | "b" => {}
        // Read by `views::View::from_query`: the page to open.
        "view" => drop(crate::views::View::parse(value).map_err(fail)?),
        _ if name == seed_param() => s.config.seed = parse_seed(value).map_err(fail)?,
        _ => {
            let control =
                by_param(name).ok_or_else(|| fail(format!("unknown; {}", known_params(name))))?;
            control.parse_into(&mut s.config, value).map_err(fail)?;
        }
    }
    Ok(())
}

/// Most parameters read from one query; the rest are reported and ignored.
pub const MAX_PARAMS: usize = 256;

/// Most notices one query raises: past it, the last notice counts the rest.
pub const MAX_NOTICES: usize = 8;

/// Longest readable parameter value, characters (`s=` has its own limit,
/// `share::MAX_PARAM_CHARS`); a longer one is refused before it is parsed,
/// so that no notice repeats a huge value.
pub const MAX_VALUE_CHARS: usize = 64;

/// Longest parameter name, characters.
const MAX_NAME_CHARS: usize = 40;

/// Refuses an over-long name or value, naming it by its first characters.
fn too_long(name: &str, value: &str) -> Result<(), ParamError> {
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        let short: String = name.chars().take(MAX_NAME_CHARS).collect();
        return Err(error(
            &format!("{short}…"),
            format!("name is {n} characters long; at most {MAX_NAME_CHARS} allowed"),
        ));
    }
    let (v, max) = (value.chars().count(), if name == "s" || name == "b" { crate::share::MAX_PARAM_CHARS } else { MAX_VALUE_CHARS });
    if v > max {
        return Err(error(name, format!("value is {v} characters long; at most {max} allowed")));
    }
    Ok(())
}

fn template_names() -> String {
    TEMPLATES.iter().map(|t| t.param).collect::<Vec<_>>().join(", ")
}

/// What an unknown parameter's notice says: the known parameters nearest
/// to `name` by edit distance (the knobs are too many to list them all).
fn known_params(name: &str) -> String {
    let others = [seed_param(), "speed", "play", "bench", "template", "lesson", "step", "s", "embed", "knobs", "compare", "b", "view"];
    let mut all: Vec<&str> = CONTROLS.iter().map(Control::param).chain(others).collect();
    all.sort_by_key(|p| (edit_distance(name, p), *p));
    format!("known parameters ({} in all) nearest to it: {}", all.len(), all[..3].join(", "))
}

/// Levenshtein distance over characters, for the "nearest" hint; `name` is
/// at most `MAX_NAME_CHARS` long by the time it gets here.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diag + usize::from(ca != cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Parses a query string over `defaults`. Invalid parameters are reported and
/// skipped; if the combination fails the engine's validation the defaults
/// are kept and that is reported too.
pub fn parse_query(query: &str, defaults: &Config) -> (UrlSettings, Vec<ParamError>) {
    let mut s = UrlSettings { config: defaults.clone(), ..UrlSettings::default() };
    let mut errors = Vec::new();
    // The template first, then the whole scenario (`s=`), so that the
    // readable parameters apply over both (docs/APP.md, "Links").
    let mut all = pairs(query);
    all.sort_by_key(|(name, _)| match name.as_str() {
        "template" => 0,
        "s" => 1,
        _ => 2,
    });
    if all.len() > MAX_PARAMS {
        errors.push(error("(query)", format!("has {} parameters; at most {MAX_PARAMS} are read", all.len())));
        all.truncate(MAX_PARAMS);
    }
    for (name, value) in all {
        if let Err(e) = too_long(&name, &value).and_then(|()| apply(&mut s, &name, &value)) {
            errors.push(e);
        }
    }
    if errors.len() > MAX_NOTICES {
        // A notice each would bury the page; the first ones name the
        // problem, the last says how many more there were.
        let more = errors.len() - (MAX_NOTICES - 1);
        errors.truncate(MAX_NOTICES - 1);
        errors.push(error("(query)", format!("{more} more parameters were refused as well")));
    }
    if let Err(e) = s.config.validate() {
        errors.push(error(e.field(), format!("{e}; using the default scenario")));
        s.config = defaults.clone();
        s.template = None;
        s.view = crate::share::SharedView::default();
    }
    (s, errors)
}

/// `query` with the template parameter added, when a system is open on one.
pub fn with_template(query: &str, template: Option<usize>) -> String {
    let Some(t) = template.and_then(|i| TEMPLATES.get(i)) else { return query.to_string() };
    let sep = if query.is_empty() { '?' } else { '&' };
    format!("{query}{sep}template={}", t.param)
}

/// The query string reproducing `config` (only knobs that differ from
/// `defaults`), for the share link.
pub fn to_query(config: &Config, defaults: &Config, speed: f64) -> String {
    let mut parts: Vec<String> = CONTROLS
        .iter()
        .filter(|x| x.changed(config, defaults))
        .map(|x| format!("{}={}", x.param(), x.url_value(config)))
        .collect();
    if config.seed != defaults.seed {
        parts.push(format!("{}={}", seed_param(), config.seed));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::{app_defaults, SESSION_S};
    use crate::knobs::{knob, knobs, selects, toggles, Group, Knob};
    use crate::testkit::settings;
    use sim_core::{Backoff, LbPolicy};

    #[test]
    fn query_sets_knobs() {
        let s = settings("?rate=14000&backoff=fixed&lb=random&spike=3&spike_start=100&spike_length=20&nodes=8&queue=32&seed=7&speed=50&play");
        let c = &s.config;
        assert_eq!(c.traffic.rate_per_s, 14_000.0);
        assert_eq!(c.client.backoff, Backoff::Fixed);
        assert_eq!(c.balancer.policy, LbPolicy::Random);
        assert_eq!((c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s), (3.0, 100.0, 120.0));
        assert_eq!((c.nodes.count, c.nodes.queue_capacity, c.seed), (8, 32, 7));
        assert_eq!(c.traffic.duration_s, SESSION_S);
        assert_eq!(s.speed, Some(50.0));
        assert!(s.autoplay && !s.bench);
    }

    #[test]
    fn query_errors_name_the_parameter_and_range() {
        let (s, errors) =
            parse_query("?rate=abc&nodes=99&backoff=linear&bogus=1&seed=-3&speed=0&workers=2.5", &app_defaults());
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        let find =
            |p: &str| text.iter().find(|t| t.starts_with(&format!("URL parameter {p}:"))).cloned().unwrap_or_default();
        assert!(find("rate").contains("0 to 50,000 req/s"), "{text:?}");
        assert!(find("nodes").contains("1 to 32 nodes"), "{text:?}");
        assert!(find("backoff").contains("full-jitter"), "{text:?}");
        assert!(find("bogus").contains("known parameters"), "{text:?}");
        assert!(find("seed").contains("whole number"), "{text:?}");
        assert!(find("speed").contains("1 to 200"), "{text:?}");
        assert!(find("workers").contains("whole number"), "{text:?}");
        assert_eq!(errors.len(), 7);
        assert_eq!(s.config, app_defaults(), "bad parameters leave the defaults");
    }

    #[test]
    fn query_decodes_escapes_and_round_trips() {
        let s = settings("?rate=1%2C500&backoff=equal%2Djitter");
        assert_eq!(s.config.traffic.rate_per_s, 1_500.0);
        assert_eq!(s.config.client.backoff, Backoff::EqualJitter);
        let mut c = app_defaults();
        c.traffic.rate_per_s = 14_000.0;
        c.client.timeout_s = 0.25;
        c.nodes.count = 12;
        c.client.backoff = Backoff::Decorrelated;
        c.seed = 5;
        let q = to_query(&c, &app_defaults(), 20.0);
        let back = settings(&q);
        assert_eq!(back.config, c, "{q}");
        assert_eq!(back.speed, Some(20.0));
        assert_eq!(to_query(&app_defaults(), &app_defaults(), 1.0), "");
    }

    #[test]
    fn query_sets_toggles_and_failure_knobs() {
        let s = settings("?crash&health=off&codel=1&lifo=on&memory_mb=250&request_kb=128&warmup_capacity=30&panic_threshold=25&slow_nodes=1&slow_factor=3&lb=p2c&concurrency_limit=100");
        let c = &s.config;
        assert!(c.crash.enabled && !c.health.enabled && c.shedding.codel && c.shedding.adaptive_lifo);
        assert!(!c.shedding.drop_expired && !c.shedding.limit_concurrency);
        assert_eq!((c.crash.memory_limit_mb, c.crash.request_kb), (250.0, 128.0));
        assert_eq!((c.crash.warmup_capacity, c.health.panic_threshold), (0.3, 0.25));
        assert_eq!((c.nodes.slow_count, c.nodes.slow_factor), (1, 3.0));
        assert_eq!((c.balancer.policy, c.shedding.concurrency_limit), (LbPolicy::PowerOfTwo, 100));
    }

    #[test]
    fn query_errors_for_toggles_and_failure_knobs_name_the_range() {
        let (s, errors) =
            parse_query("?crash=maybe&memory_mb=1&lifo_above=2.5&lb=fastest&warmup_capacity=0", &app_defaults());
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        let find =
            |p: &str| text.iter().find(|t| t.starts_with(&format!("URL parameter {p}:"))).cloned().unwrap_or_default();
        assert!(find("crash").contains("on or off"), "{text:?}");
        assert!(find("memory_mb").contains("16 to 65,536 MiB"), "{text:?}");
        assert!(find("lifo_above").contains("whole number"), "{text:?}");
        assert!(find("lb").contains("least-outstanding") && find("lb").contains("p2c"), "{text:?}");
        assert!(find("warmup_capacity").contains("1 to 100 %"), "{text:?}");
        assert_eq!(errors.len(), 5);
        assert_eq!(s.config, app_defaults());
    }

    #[test]
    fn every_new_knob_and_toggle_round_trips_through_the_share_link() {
        let mut c = app_defaults();
        for t in toggles() {
            t.set(&mut c, true);
        }
        for k in knobs().filter(|k| k.gate.is_some() || k.group == Group::Failures) {
            // A value other than the default, inside the range, as a slider gives.
            let v = k.from_position((k.to_position(k.min) + k.to_position(k.max)) / 2.0);
            k.set(&mut c, v);
        }
        c.nodes.slow_count = 2;
        c.nodes.slow_factor = 4.5;
        c.balancer.policy = LbPolicy::LeastOutstanding;
        let q = to_query(&c, &app_defaults(), 1.0);
        for t in toggles() {
            assert!(q.contains(&format!("{}=on", t.param)), "{q}");
        }
        let back = settings(&q);
        assert_eq!(back.config, c, "{q}");
        let mut off = app_defaults();
        off.crash.enabled = true;
        let q = to_query(&app_defaults(), &off, 1.0);
        assert_eq!(q, "?crash=off");
        let (s, errors) = parse_query(&q, &off);
        assert!(errors.is_empty() && !s.config.crash.enabled);
    }

    #[test]
    fn query_sets_cpu_database_and_cache() {
        let s = settings(
            "?cpu&workers=256&cores=16&switch_overhead=0.5&per_inflight_ms=0.2&db=on&pool=20&pool_timeout=250\
             &query_ms=1&db_cores=8&db_serial=5&db_crosstalk=0.1&cache&hot_share=80&ttl=5&recompute_ms=200\
             &coalesce&early_refresh=on&early_beta=2.5",
        );
        let c = &s.config;
        assert!(c.cpu.enabled && c.db.enabled && c.cache.enabled && c.cache.coalesce && c.cache.early_refresh);
        assert_eq!((c.nodes.workers, c.cpu.cores, c.db.pool_size, c.db.cores), (256, 16, 20, 8));
        assert!((c.cpu.switch_overhead - 0.005).abs() < 1e-12 && c.cpu.service_ms_per_inflight == 0.2);
        assert_eq!((c.db.acquire_timeout_ms, c.db.query_ms_mean), (250.0, 1.0));
        assert!((c.db.serial_fraction - 0.05).abs() < 1e-12 && (c.db.crosstalk - 0.001).abs() < 1e-12);
        assert!((c.cache.hot_share - 0.8).abs() < 1e-12);
        assert_eq!((c.cache.ttl_s, c.cache.recompute_ms, c.cache.early_beta), (5.0, 200.0, 2.5));
        let q = to_query(c, &app_defaults(), 1.0);
        assert_eq!(settings(&q).config, *c, "{q}");
        let (_, errors) = parse_query("?pool=0&cores=1000&ttl=x&db=maybe", &app_defaults());
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert!(text[0].contains("pool") && text[0].contains("1 to 1,000 connections"), "{}", text[0]);
        assert!(text[1].contains("cores") && text[1].contains("1 to 256 cores"), "{}", text[1]);
        assert!(text[2].contains("ttl") && text[2].contains("0.1 to 3,600 s"), "{}", text[2]);
        assert!(text[3].contains("db") && text[3].contains("on or off"), "{}", text[3]);
    }

    /// Values a knob's slider gives: its ends, the first steps above the
    /// minimum and a few positions between.
    fn sample_values(k: &Knob) -> Vec<f64> {
        let (lo, hi, step) = k.slider_bounds();
        let mut vs: Vec<f64> =
            [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|f| k.from_position(lo + f * (hi - lo))).collect();
        vs.extend([k.min, k.max, k.from_position(lo + step), k.from_position(lo + 2.0 * step)]);
        vs.sort_by(f64::total_cmp);
        vs.dedup();
        vs
    }

    #[test]
    fn every_knob_alone_round_trips_through_the_share_link() {
        let defaults = app_defaults();
        for k in knobs() {
            let mut round_trips = 0;
            for v in sample_values(k).into_iter().filter(|&v| v != k.get(&defaults)) {
                let mut c = defaults.clone();
                k.set(&mut c, v);
                let q = to_query(&c, &defaults, 1.0);
                assert_eq!(q, format!("?{}={v}", k.param), "{}: only the changed knob is written", k.label);
                let (back, errors) = parse_query(&q, &defaults);
                match c.validate() {
                    Ok(()) => {
                        assert!(errors.is_empty(), "{q}: {errors:?}");
                        assert_eq!(back.config, c, "{q}");
                        assert_eq!(k.get(&back.config), v, "{q}");
                        round_trips += 1;
                    }
                    // A value the engine refuses in this combination (more slow
                    // nodes than nodes, too many events) keeps the defaults.
                    Err(e) => {
                        assert_eq!(errors.len(), 1, "{q}: {errors:?}");
                        assert_eq!(errors[0].param, e.field(), "{q}");
                        assert!(errors[0].message.contains("using the default scenario"), "{q}: {errors:?}");
                        assert_eq!(back.config, defaults, "{q}");
                    }
                }
            }
            assert!(round_trips >= 2, "{}: only {round_trips} values round-trip", k.label);
        }
    }

    #[test]
    fn every_catalogue_parameter_round_trips_through_the_url() {
        let defaults = app_defaults();
        let mut params = Vec::new();
        let ids = FIELDS.iter().map(|f| f.path).chain(crate::knobs::DERIVED.iter().map(|d| d.id));
        for id in ids {
            let mut c = defaults.clone();
            let param = match crate::knobs::control(id) {
                Some(Control::Knob(k)) => {
                    let valid = |v: f64| {
                        let mut t = defaults.clone();
                        k.set(&mut t, v);
                        t.validate().is_ok()
                    };
                    let v = sample_values(k).into_iter().find(|&v| v != k.get(&defaults) && valid(v));
                    k.set(&mut c, v.unwrap_or_else(|| panic!("{}: no valid value off the default", k.label)));
                    k.param
                }
                Some(Control::Toggle(t)) => {
                    t.set(&mut c, !t.get(&defaults));
                    t.param
                }
                Some(Control::Select(s)) => {
                    s.set(&mut c, s.options.iter().copied().find(|&o| o != s.get(&defaults)).unwrap());
                    s.param
                }
                None => match sim_core::catalogue::field(id) {
                    Some(f) if f.kind == Kind::Seed => {
                        c.seed = defaults.seed + 1;
                        f.param
                    }
                    // Rows the panel does not show (the run's duration, the
                    // spike's end, set through its length) are not URL parameters.
                    Some(f) => {
                        assert!(f.ui.is_none(), "{id}");
                        continue;
                    }
                    None => panic!("{id} is neither a control nor a row"),
                },
            };
            let q = to_query(&c, &defaults, 1.0);
            assert!(q.starts_with(&format!("?{param}=")) && !q.contains('&'), "{id}: {q}");
            let (back, errors) = parse_query(&q, &defaults);
            assert!(errors.is_empty(), "{q}: {errors:?}");
            assert_eq!(back.config, c, "{q}");
            params.push(param);
        }
        assert_eq!(params.len(), CONTROLS.len() + 1, "every control and the seed: {params:?}");
    }

    #[test]
    fn every_toggle_alone_round_trips_on_and_off() {
        let defaults = app_defaults();
        for t in toggles() {
            assert!(!t.get(&defaults), "{} is off by default", t.id);
            let mut on = defaults.clone();
            t.set(&mut on, true);
            let q = to_query(&on, &defaults, 1.0);
            assert_eq!(q, format!("?{}=on", t.param));
            assert_eq!(settings(&q).config, on, "{q}");
            assert_eq!(settings(&format!("?{}", t.param)).config, on, "a bare {} means on", t.param);
            // Over defaults that have it on, switching it off is written too.
            let q = to_query(&defaults, &on, 1.0);
            assert_eq!(q, format!("?{}=off", t.param));
            let (back, errors) = parse_query(&q, &on);
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(back.config, defaults, "{q}");
        }
    }

    #[test]
    fn every_select_the_seed_and_the_speed_round_trip() {
        let defaults = app_defaults();
        assert_eq!(
            selects().count(),
            6,
            "retry policy, balancer, traffic shape, service-time shape, probe mode, limit algorithm"
        );
        for s in selects() {
            for &name in s.options {
                let mut c = defaults.clone();
                s.set(&mut c, name);
                let q = to_query(&c, &defaults, 1.0);
                let same = name == s.get(&defaults);
                assert_eq!(q, if same { String::new() } else { format!("?{}={name}", s.param) });
                let (back, errors) = parse_query(&q, &defaults);
                match c.validate() {
                    Ok(()) => assert_eq!((back.config, errors), (c, vec![]), "{q}"),
                    // A shape that multiplies the rate for the rest of a
                    // session can exceed the engine's event cap.
                    Err(e) => {
                        assert_eq!(errors.len(), 1, "{q}: {errors:?}");
                        assert_eq!(errors[0].param, e.field(), "{q}");
                        assert_eq!(back.config, defaults, "{q}");
                    }
                }
            }
        }
        let mut c = defaults.clone();
        c.client.backoff = Backoff::Decorrelated;
        c.balancer.policy = LbPolicy::PowerOfTwo;
        assert_eq!(settings("?backoff=decorrelated&lb=p2c").config, c, "old links keep working");
        for seed in [0, 2, u64::MAX] {
            let mut c = defaults.clone();
            c.seed = seed;
            let q = to_query(&c, &defaults, 1.0);
            assert_eq!(q, format!("?seed={seed}"));
            assert_eq!(settings(&q).config.seed, seed);
        }
        for speed in [SPEED_RANGE.0, 2.5, 100.0, SPEED_RANGE.1] {
            let q = to_query(&defaults, &defaults, speed);
            let back = settings(&q);
            assert_eq!(back.speed, (speed != 1.0).then_some(speed), "{q}");
            assert_eq!(back.config, defaults);
        }
        let (s, errors) = parse_query("?speed=201", &defaults);
        assert_eq!((s.speed, errors.len()), (None, 1));
        assert!(errors[0].to_string().contains("1 to 200"), "{errors:?}");
    }

    #[test]
    fn bench_and_play_are_flags() {
        let s = settings("?bench");
        assert!(s.bench && !s.autoplay && s.speed.is_none());
        assert_eq!(s.config, app_defaults());
        let s = settings("play&bench=");
        assert!(s.bench && s.autoplay);
        assert_eq!(settings("").config, app_defaults());
        assert_eq!(settings("?").config, app_defaults());
    }

    #[test]
    fn an_invalid_combination_keeps_the_defaults_and_names_the_field() {
        // Each parameter is in range, but ten attempts at 50,000 req/s over
        // a session exceed the engine's event cap.
        let (s, errors) = parse_query("?rate=50000&attempts=10&seed=3", &app_defaults());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].param, "traffic.rate_per_s");
        assert!(errors[0].message.ends_with("; using the default scenario"), "{}", errors[0]);
        assert_eq!(s.config, app_defaults(), "the whole query's knobs are dropped, not only the last");
        let (s, errors) = parse_query("?slow_nodes=6", &app_defaults());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].param, "nodes.slow_count");
        assert_eq!(s.config, app_defaults());
        assert!(parse_query("?slow_nodes=6&nodes=8", &app_defaults()).1.is_empty(), "valid with enough nodes");
    }

    #[test]
    fn pairs_decode_escapes_and_keep_malformed_ones() {
        let p = |q: &str| -> Vec<(String, String)> { pairs(q) };
        let own = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        assert_eq!(p("?a=%41&b=x+y&c&&d="), own(&[("a", "A"), ("b", "x y"), ("c", ""), ("d", "")]));
        assert_eq!(p("a=%zz&b=%4&c=100%"), own(&[("a", "%zz"), ("b", "%4"), ("c", "100%")]));
        assert_eq!(p("k%3Dv=1=2"), own(&[("k=v", "1=2")]));
        assert_eq!(p("t=%E2%9C%95"), own(&[("t", "✕")]));
        assert!(p("").is_empty() && p("?").is_empty() && p("&&").is_empty());
    }

    #[test]
    fn parse_toggle_accepts_every_spelling() {
        for on in ["", "on", "1", "true", "yes", "ON", " Yes ", "True"] {
            assert_eq!(parse_toggle(on), Ok(true), "{on:?}");
        }
        for off in ["off", "0", "false", "no", "OFF", " No"] {
            assert_eq!(parse_toggle(off), Ok(false), "{off:?}");
        }
        for bad in ["maybe", "2", "onn", "-"] {
            let e = parse_toggle(bad).unwrap_err();
            assert!(e.contains(&format!("\"{bad}\"")) && e.contains("on or off"), "{e}");
        }
    }

    #[test]
    fn parse_seed_takes_every_u64_and_nothing_else() {
        assert_eq!(parse_seed("0"), Ok(0));
        assert_eq!(parse_seed(" 42 "), Ok(42));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        for bad in ["18446744073709551616", "-1", "1.5", "", "abc", "1,000"] {
            let e = parse_seed(bad).unwrap_err();
            assert!(e.contains("whole number from 0 to 18446744073709551615"), "{bad}: {e}");
        }
    }

    #[test]
    fn parse_knob_checks_range_and_whole_numbers() {
        let (rate, timeout, nodes) =
            (knob("traffic.rate_per_s").unwrap(), knob("client.timeout_s").unwrap(), knob("nodes.count").unwrap());
        assert_eq!(parse_knob(rate, " 12,500 "), Ok(12_500.0));
        assert_eq!(parse_knob(rate, "0"), Ok(0.0));
        assert_eq!(parse_knob(rate, "50000"), Ok(50_000.0));
        assert_eq!(parse_knob(timeout, "0.25"), Ok(0.25));
        let e = parse_knob(rate, "50001").unwrap_err();
        assert!(e.starts_with("50,001 is out of range") && e.ends_with("0 to 50,000 req/s"), "{e}");
        let e = parse_knob(rate, "-1").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        let e = parse_knob(nodes, "2.5").unwrap_err();
        assert!(e.starts_with("2.5 must be a whole number") && e.contains("1 to 32 nodes"), "{e}");
        for bad in ["", "lots", "NaN", "inf", "1e999"] {
            assert!(parse_knob(rate, bad).is_err(), "{bad:?} accepted");
        }
        for k in knobs() {
            assert_eq!(parse_knob(k, &k.min.to_string()), Ok(k.min), "{}", k.label);
            assert_eq!(parse_knob(k, &k.max.to_string()), Ok(k.max), "{}", k.label);
        }
    }
}
