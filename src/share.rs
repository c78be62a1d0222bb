//! The whole scenario in one URL parameter: `?s=<version>.<payload>`.
//!
//! The readable parameters of `url.rs` carry the common knobs; `s=` carries
//! everything else the page needs to reproduce a run: the full sim-core
//! [`Config`] (services, calls and their client policies, faults, every
//! field, through serde, so a field added to the engine needs no edit here),
//! the speed, the selected service, the chart view and the lesson.
//!
//! Version 1's payload is `base64url(deflate(json(Scenario)))`, without
//! padding. The framing (version prefix, base64url) is written here; the
//! compression is `miniz_oxide`'s raw DEFLATE (RFC 1951), pure Rust.
//! Each version keeps its own decoding path, so links made today keep
//! opening after the format changes (a frozen version-1 string is tested).
//!
//! Limits (documented in docs/APP.md): the `s=` value may be at most
//! [`MAX_PARAM_CHARS`] characters, and it may inflate to at most
//! [`MAX_INFLATED_BYTES`] bytes, so a small link cannot expand into a
//! huge allocation (a "zip bomb").

use crate::state::AppState;
use crate::url::{parse_query, to_query, with_template, SPEED_RANGE};
use serde::{Deserialize, Serialize};
use sim_core::Config;
use std::fmt;

/// The version this build writes.
pub const VERSION: u32 = 1;

/// Every version this build opens, oldest first.
pub const VERSIONS: &[u32] = &[1];

/// Longest `s=` value accepted, characters. A three-service system with
/// faults takes under 1,500; browsers and servers accept URLs of 8 KB to
/// 2 MB, so 16 KiB leaves room without letting a page be fed megabytes.
pub const MAX_PARAM_CHARS: usize = 16 * 1024;

/// Largest inflated payload accepted, bytes (a JSON scenario of a
/// three-service system is about 6 KB).
pub const MAX_INFLATED_BYTES: usize = 256 * 1024;

/// What the page shows besides the knobs (selected service, charted
/// service, lesson and step): kept in a shared link so that it opens on the
/// same view. Not a page of the app (`views::View` is that).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SharedView {
    /// The service whose knobs the panel shows (0, the entry, by default).
    pub selected_service: usize,
    /// The service the charts show; `None` charts the whole system.
    pub chart_service: Option<usize>,
    /// The lesson open, by name, for a lesson helper to fill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// The lesson's step, counted from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson_step: Option<u32>,
}

/// Everything a link reproduces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The engine's whole configuration, seed included.
    pub config: Config,
    /// Simulated seconds per wall second.
    #[serde(default = "one")]
    pub speed: f64,
    /// The view.
    #[serde(default)]
    pub view: SharedView,
}

fn one() -> f64 {
    1.0
}

/// Why an `s=` value could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// Longer than [`MAX_PARAM_CHARS`].
    TooLong(usize),
    /// No `<version>.` prefix, or a version this build does not know.
    Version(String),
    /// Not base64url.
    Encoding(usize),
    /// Not valid DEFLATE data, truncated, or larger than
    /// [`MAX_INFLATED_BYTES`] once inflated.
    Compression(&'static str),
    /// The JSON inside does not describe a scenario (serde's message).
    Content(String),
    /// A scenario whose config the engine refuses (the field and range).
    Invalid(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = "a link made by Brink's \"Copy link\"";
        match self {
            ShareError::TooLong(n) => write!(f, "is {n} characters long; at most {MAX_PARAM_CHARS} are allowed"),
            ShareError::Version(v) => {
                write!(f, "version \"{}\" unknown; allowed versions are {} ({allowed})", clip(v), versions())
            }
            ShareError::Encoding(at) => write!(f, "character {at} is not base64url (A-Z a-z 0-9 - _); use {allowed}"),
            ShareError::Compression(why) => write!(f, "{why}; use {allowed}"),
            ShareError::Content(why) => write!(f, "does not describe a scenario ({}); use {allowed}", clip(why)),
            ShareError::Invalid(why) => write!(f, "{why}"),
        }
    }
}

/// At most 80 characters of `s`, so a notice never carries a whole parameter.
fn clip(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn versions() -> String {
    VERSIONS.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// The `s=` value for `scenario`, in the current version.
pub fn encode(scenario: &Scenario) -> String {
    // A Config holds numbers, strings and vectors only: it always serialises.
    let json = serde_json::to_vec(scenario).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{VERSION}.{}", base64url_encode(&packed))
}

/// The scenario in an `s=` value, of any version this build knows.
pub fn decode(value: &str) -> Result<Scenario, ShareError> {
    let n = value.chars().count();
    if n > MAX_PARAM_CHARS {
        return Err(ShareError::TooLong(n));
    }
    let (version, payload) = value.split_once('.').ok_or_else(|| ShareError::Version(value.to_string()))?;
    match version.parse::<u32>() {
        Ok(1) => decode_v1(payload),
        _ => Err(ShareError::Version(version.to_string())),
    }
}

/// Version 1: base64url, raw DEFLATE, JSON of [`Scenario`]; the config is
/// validated and the view checked against it.
fn decode_v1(payload: &str) -> Result<Scenario, ShareError> {
    let packed = base64url_decode(payload)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED_BYTES).map_err(|e| {
        ShareError::Compression(match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => "inflates to more than 256 KiB",
            miniz_oxide::inflate::TINFLStatus::FailedCannotMakeProgress => "is truncated",
            _ => "is not compressed scenario data",
        })
    })?;
    let s: Scenario = serde_json::from_slice(&json).map_err(|e| ShareError::Content(e.to_string()))?;
    s.config.validate().map_err(|e| ShareError::Invalid(format!("{}: {e}", e.field())))?;
    let (lo, hi) = SPEED_RANGE;
    if !(lo..=hi).contains(&s.speed) {
        return Err(ShareError::Invalid(format!("speed {} is out of range; allowed range is {lo} to {hi}", s.speed)));
    }
    let services = s.config.services.len().max(1);
    for (name, i) in [("selected service", Some(s.view.selected_service)), ("chart service", s.view.chart_service)] {
        if let Some(i) = i.filter(|&i| i >= services) {
            return Err(ShareError::Invalid(format!("{name} {i} is out of range; allowed 0 to {}", services - 1)));
        }
    }
    Ok(s)
}

/// The query string reproducing the page: readable parameters for the
/// knobs the catalogue names (`url::to_query`), the template, and `s=` with
/// the whole scenario whenever those do not already say everything.
pub fn state_query(state: &AppState) -> String {
    let view = SharedView {
        selected_service: state.selected_service,
        chart_service: state.chart_service,
        ..SharedView::default()
    };
    link_query(&state.config, &state.defaults, state.speed, state.template, &view)
}

/// [`state_query`] from its parts.
pub fn link_query(config: &Config, defaults: &Config, speed: f64, template: Option<usize>, view: &SharedView) -> String {
    let readable = with_template(&to_query(config, defaults, speed), template);
    let (back, errors) = parse_query(&readable, defaults);
    if errors.is_empty() && back.config == *config && back.view == *view {
        return readable;
    }
    let s = encode(&Scenario { config: config.clone(), speed, view: view.clone() });
    let sep = if readable.is_empty() { '?' } else { '&' };
    format!("{readable}{sep}s={s}")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        // A chunk of k bytes gives k + 1 characters.
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding (trailing `=` tolerated); the error
/// is the position of the first character outside the alphabet, or the
/// length when one character is left over.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, ShareError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in text.bytes().enumerate() {
        let v = ALPHABET.iter().position(|&a| a == c).ok_or(ShareError::Encoding(i))? as u32;
        acc = (acc << 6 | v) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if text.len() % 4 == 1 {
        return Err(ShareError::Encoding(text.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;
    use crate::knobs::{knobs, selects, toggles, Target};
    use crate::templates::{call, service, TEMPLATES};
    use sim_core::rng::Stream;
    use sim_core::Backoff;

    /// A three-service system with values of its own on every service and
    /// call edge, a fault and a view.
    fn custom() -> Scenario {
        // Built here, not from a template, so that a template's change
        // leaves the frozen link's scenario as it was.
        let mut c = app_defaults();
        let mut gateway = service("gateway", 4, 32);
        gateway.calls.push(call("api", 2, 1.0));
        let mut api = service("api", 4, 32);
        api.calls.push(call("database", 2, 0.5));
        c.services = vec![gateway, api, service("database", 2, 32)];
        c.seed = 4242;
        c.traffic.rate_per_s = 3_300.0;
        c.services[0].nodes.count = 5;
        c.services[1].nodes.service_ms_mean = 7.5;
        c.services[2].nodes.workers = 12;
        c.services[0].calls[0].client.attempts = 4;
        c.services[0].calls[0].client.backoff = Backoff::Decorrelated;
        c.services[1].calls[0].client.timeout_s = 0.2;
        c.validate().unwrap();
        let view =
            SharedView { selected_service: 2, chart_service: Some(1), lesson: Some("storm".into()), lesson_step: Some(3) };
        Scenario { config: c, speed: 25.0, view }
    }

    #[test]
    fn a_custom_system_round_trips() {
        let s = custom();
        let v = encode(&s);
        assert!(v.starts_with("1.") && v.len() < 3_000, "{} chars", v.len());
        assert!(v[2..].bytes().all(|b| ALPHABET.contains(&b)), "URL-safe: {v}");
        assert_eq!(decode(&v), Ok(s));
    }

    /// Written by `encode` in version 1 for [`custom`] with the lesson
    /// fields empty. It must keep decoding to the same scenario (a new
    /// engine field with a serde default leaves it valid).
    const FROZEN_V1: &str = include_str!("share_v1.txt");

    #[test]
    fn a_frozen_version_1_link_still_opens() {
        let mut want = custom();
        want.view.lesson = None;
        want.view.lesson_step = None;
        // Written before probes could be requests: its health checks keep
        // the model of the time (sim-core's serde default for old files).
        let legacy = sim_core::config::ProbeMode::legacy();
        want.config.health.probe_mode = legacy;
        for s in &mut want.config.services {
            s.health.probe_mode = legacy;
        }
        assert_eq!(decode(FROZEN_V1.trim()), Ok(want));
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let mut r = Stream::new(1, "share-test");
        for n in 0..70usize {
            let bytes: Vec<u8> = (0..n).map(|_| r.next_u64() as u8).collect();
            let t = base64url_encode(&bytes);
            assert_eq!(t.len(), (n * 4).div_ceil(3), "{n}");
            assert_eq!(base64url_decode(&t).unwrap(), bytes, "{n}");
        }
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
        assert_eq!(base64url_decode("A"), Err(ShareError::Encoding(1)));
        assert_eq!(base64url_decode("AB+C"), Err(ShareError::Encoding(2)));
    }

    #[test]
    fn bad_values_are_named_errors_never_panics() {
        let good = encode(&custom());
        let cases: Vec<(String, &str)> = vec![
            ("".into(), "version"),
            ("abc".into(), "version"),
            ("9.AAAA".into(), "allowed versions are 1"),
            ("-1.AAAA".into(), "allowed versions are 1"),
            ("1.<script>".into(), "base64url"),
            ("1.".into(), "truncated"),
            (good[..good.len() / 2].into(), "truncated"),
            (format!("1.{}", "A".repeat(MAX_PARAM_CHARS)), "at most 16384"),
            (format!("1.{}", base64url_encode(&miniz_oxide::deflate::compress_to_vec(b"{\"x\":1}", 6))), "scenario"),
            (format!("1.{}", base64url_encode(&miniz_oxide::deflate::compress_to_vec(b"[1,2", 6))), "scenario"),
        ];
        for (v, want) in cases {
            let e = decode(&v).expect_err(&v).to_string();
            assert!(e.contains(want), "{v:.60}: {e}");
            assert!(e.chars().count() < 400, "notices stay short: {e}");
        }
        // Every corrupted byte of a good value is refused or decodes to a valid scenario.
        let mut r = Stream::new(2, "share-corrupt");
        for _ in 0..300 {
            let mut b = good.clone().into_bytes();
            let i = 2 + r.below((b.len() - 2) as u32) as usize;
            b[i] = ALPHABET[r.below(64) as usize];
            if let Ok(s) = decode(std::str::from_utf8(&b).unwrap()) {
                assert!(s.config.validate().is_ok());
            }
        }
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        // 1 MB of spaces compresses to about a kilobyte.
        let mut json = b"{\"config\":{}, \"speed\":1".to_vec();
        json.extend(std::iter::repeat_n(b' ', 1 << 20));
        json.push(b'}');
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        let v = format!("1.{}", base64url_encode(&packed));
        assert!(v.len() < MAX_PARAM_CHARS, "{}", v.len());
        assert_eq!(decode(&v), Err(ShareError::Compression("inflates to more than 256 KiB")));
    }

    #[test]
    fn out_of_range_contents_name_the_field() {
        let mut s = custom();
        s.config.services[1].nodes.count = 0;
        let e = decode(&encode(&s)).unwrap_err().to_string();
        assert!(e.contains("nodes.count"), "{e}");
        let mut s = custom();
        s.speed = 1e9;
        assert!(decode(&encode(&s)).unwrap_err().to_string().contains("1 to 200"));
        let mut s = custom();
        s.view.chart_service = Some(3);
        assert!(decode(&encode(&s)).unwrap_err().to_string().contains("allowed 0 to 2"));
    }

    /// A random scenario: a template, then random slider values for random
    /// knobs, switches and selects at the top level, a service or a call.
    fn random_scenario(r: &mut Stream) -> Scenario {
        let mut c = (TEMPLATES[r.below(TEMPLATES.len() as u32) as usize].build)();
        c.seed = r.next_u64();
        let targets = |c: &Config, r: &mut Stream| -> Target {
            let i = r.below(c.services.len().max(1) as u32) as usize;
            match c.services.get(i) {
                None => Target::TOP,
                Some(s) if !s.calls.is_empty() && r.below(2) == 0 => {
                    Target::call(i, r.below(s.calls.len() as u32) as usize)
                }
                Some(_) => Target::service(i),
            }
        };
        for k in knobs() {
            if r.below(3) == 0 {
                let (lo, hi, _) = k.slider_bounds();
                let t = targets(&c, r);
                k.set_at(&mut c, t, k.from_position(r.uniform_between(lo, hi)));
            }
        }
        for t in toggles() {
            let at = targets(&c, r);
            t.set_at(&mut c, at, r.below(4) == 0);
        }
        for s in selects() {
            let at = targets(&c, r);
            s.set_at(&mut c, at, s.options[r.below(s.options.len() as u32) as usize]);
        }
        let n = c.services.len().max(1) as u32;
        let view = SharedView {
            selected_service: r.below(n) as usize,
            chart_service: (r.below(2) == 0).then(|| r.below(n) as usize),
            lesson: None,
            lesson_step: None,
        };
        Scenario { config: c, speed: (r.uniform_between(1.0, 200.0) * 10.0).round() / 10.0, view }
    }

    #[test]
    fn links_say_everything_and_stay_readable() {
        let d = app_defaults();
        assert_eq!(link_query(&d, &d, 1.0, None, &SharedView::default()), "");
        let mut c = d.clone();
        c.traffic.rate_per_s = 9_000.0;
        assert_eq!(link_query(&c, &d, 5.0, None, &SharedView::default()), "?rate=9000&speed=5");
        let s = custom();
        let q = link_query(&s.config, &d, s.speed, Some(1), &s.view);
        assert!(q.starts_with("?rate=3300&seed=4242&speed=25&template=") && q.contains("&s=1."), "{q}");
        let (back, errors) = parse_query(&q, &d);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!((back.config, back.speed, back.view), (s.config.clone(), Some(25.0), s.view));
        // A readable parameter overrides the scenario's field.
        let (back, _) = parse_query(&format!("{q}&rate=100"), &d);
        assert_eq!(back.config.traffic.rate_per_s, 100.0);
        assert_eq!(back.config.services, s.config.services);
    }

    #[test]
    fn malformed_queries_give_short_notices_and_the_defaults() {
        let d = app_defaults();
        let huge = "9".repeat(100_000);
        let (s, errors) = parse_query(&format!("?rate={huge}&{huge}=1&s=1.{huge}"), &d);
        assert_eq!(s.config, d);
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].starts_with("URL parameter s:") && text[0].contains("at most 16384"), "{text:?}");
        assert!(text[1].starts_with("URL parameter rate:") && text[1].contains("at most 64 allowed"), "{text:?}");
        assert!(text[2].contains("name is 100000 characters long; at most 40 allowed"), "{text:?}");
        let many: Vec<String> = (0..500).map(|i| format!("x{i}=1")).collect();
        let (_, errors) = parse_query(&many.join("&"), &d);
        assert_eq!(errors.len(), crate::url::MAX_NOTICES);
        assert!(errors.last().unwrap().to_string().contains("more parameters were refused"));
        assert!(errors[0].to_string().contains(&format!("at most {} are read", crate::url::MAX_PARAMS)));
        // Random bytes, escapes and fragments of good links: never a panic,
        // always a valid config, every notice short.
        let good = link_query(&custom().config, &d, 2.0, None, &SharedView::default());
        let pieces = ["s=", "1.", "%", "%00", "&", "=", "rate=", "NaN", "-1", "1e999", "<script>", "template=", "play"];
        let mut r = Stream::new(3, "share-fuzz");
        for case in 0..500 {
            let mut q = String::new();
            for _ in 0..r.below(12) {
                match r.below(3) {
                    0 => q.push_str(pieces[r.below(pieces.len() as u32) as usize]),
                    1 => q.push(char::from_u32(r.below(0x3000)).unwrap_or('x')),
                    _ => {
                        let a = r.below(good.len() as u32) as usize;
                        q.push_str(good.get(a..(a + 40).min(good.len())).unwrap_or(""));
                    }
                }
            }
            let (s, errors) = parse_query(&q, &d);
            assert!(s.config.validate().is_ok(), "case {case}: {q:?}");
            for e in errors {
                assert!(e.to_string().chars().count() < 1_200, "case {case}: {q:?}: {e}");
            }
        }
    }

    /// Safe to embed (docs/APP.md): no source of the app reads the host page,
    /// listens for messages or writes markup from a string.
    #[test]
    fn the_app_never_reads_its_host_or_writes_markup() {
        // Each split in two, so that this test does not find itself.
        let banned = [
            ["parent", "()"],
            [".top", "()"],
            ["open", "er"],
            ["\"mess", "age\""],
            ["inner_", "html"],
            ["outer_", "html"],
        ];
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        let mut files = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for [a, b] in banned {
                        assert!(!text.contains(&format!("{a}{b}")), "{} uses {a}{b}", path.display());
                    }
                    files += 1;
                }
            }
        }
        assert!(files > 20, "{files} files");
    }

    #[test]
    fn random_scenarios_round_trip() {
        let mut r = Stream::new(11, "share-property");
        let mut checked = 0;
        for case in 0..300 {
            let s = random_scenario(&mut r);
            if s.config.validate().is_err() {
                continue;
            }
            let v = encode(&s);
            assert!(v.len() <= MAX_PARAM_CHARS);
            assert_eq!(decode(&v).as_ref(), Ok(&s), "case {case} (stream seed 11)");
            let q = link_query(&s.config, &app_defaults(), s.speed, None, &s.view);
            let (back, errors) = parse_query(&q, &app_defaults());
            assert!(errors.is_empty(), "case {case}: {errors:?}");
            assert_eq!((&back.config, back.view), (&s.config, s.view.clone()), "case {case}: {q}");
            checked += 1;
        }
        assert!(checked > 100, "only {checked} valid random scenarios");
    }
}
