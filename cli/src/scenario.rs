//! Builds the run's `Config`: defaults, then the TOML scenario file, then the
//! flags; and turns a `ConfigError` into one line that names what to change.

use crate::args::{flag_for_field, shown, store, RunArgs, UsageError, MODEL_FLAGS};
use sim_core::{Config, ConfigError};

/// The scenario file as read, kept to tell which keys it set.
struct ScenarioFile {
    path: String,
    table: toml::Table,
}

/// The validated configuration for `args`. Nothing is simulated or allocated
/// beyond the configuration itself.
pub fn build(args: &RunArgs) -> Result<Config, UsageError> {
    let (mut config, file) = match args.config_path.as_deref() {
        Some(path) => {
            let (config, file) = read_file(path)?;
            (config, Some(file))
        }
        None => (Config::default(), None),
    };
    for o in &args.model.overrides {
        store(&mut config, &MODEL_FLAGS[o.index], o.value);
    }
    config.validate().map_err(|e| explain(&e, args, file.as_ref()))?;
    Ok(config)
}

/// Reads and deserialises the scenario file. It is parsed a second time as a
/// plain table only to know which keys it sets, for error messages.
fn read_file(path: &str) -> Result<(Config, ScenarioFile), UsageError> {
    let text = std::fs::read_to_string(path).map_err(|e| UsageError(format!("--config {}: {e}", shown(path))))?;
    let config = toml::from_str::<Config>(&text).map_err(|e| toml_error(path, &text, e))?;
    let table = text.parse::<toml::Table>().map_err(|e| toml_error(path, &text, e))?;
    Ok((config, ScenarioFile { path: path.to_string(), table }))
}

/// One line for a TOML error: the file, the line and column, the key path
/// when toml knows it, and toml's message.
fn toml_error(path: &str, text: &str, mut e: toml::de::Error) -> UsageError {
    let at = e.span().map(|s| line_col(text, s.start));
    // Without its input, toml renders just the message and "in `a.b`" for
    // the key path, which is what a one-line error wants.
    e.set_input(None);
    let rendered = e.to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let message = lines.next().unwrap_or("invalid TOML").to_string();
    let key = lines.find_map(|l| l.strip_prefix("in `").and_then(|k| k.strip_suffix('`')));
    let mut out = path.to_string();
    if let Some((line, col)) = at {
        out.push_str(&format!(":{line}:{col}"));
    }
    if let Some(key) = key {
        out.push_str(&format!(": {key}"));
    }
    UsageError(format!("{out}: {message}"))
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Names what to change for a validation error: the flag as typed when it was
/// given, else the file and key when the file set it, else the flag to add.
fn explain(e: &ConfigError, args: &RunArgs, file: Option<&ScenarioFile>) -> UsageError {
    let field = e.field();
    let reason = reason(e);
    let flag = flag_for_field(field);
    let given = flag.and_then(|f| args.model.overrides.iter().rev().find(|o| MODEL_FLAGS[o.index].flag == f.flag));
    if let Some(o) = given {
        return UsageError(format!("{} {}: {reason}", MODEL_FLAGS[o.index].flag, shown(&o.raw)));
    }
    if let Some(file) = file.filter(|f| has_key(&f.table, field)) {
        return UsageError(format!("{}: {e}", file.path));
    }
    match flag {
        Some(f) => UsageError(format!("{}: {reason}", f.flag)),
        None => UsageError(e.to_string()),
    }
}

/// The error's message without its leading "field" or "field = value".
fn reason(e: &ConfigError) -> String {
    let text = e.to_string();
    let rest = text.strip_prefix(e.field()).unwrap_or(&text);
    match rest.split_once(": ") {
        Some((_, reason)) => reason.to_string(),
        None => text.clone(),
    }
}

/// True if the dotted `field` is set in the file's table.
fn has_key(table: &toml::Table, field: &str) -> bool {
    let mut parts = field.split('.');
    let Some(first) = parts.next() else { return false };
    let mut value = table.get(first);
    for part in parts {
        value = value.and_then(|v| v.get(part));
    }
    value.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::tests::parse_run;

    fn build_from(flags: &str) -> Result<Config, String> {
        build(&parse_run(flags)?).map_err(|e| e.to_string())
    }

    #[test]
    fn range_errors_name_the_flag_as_typed() {
        assert_eq!(build_from("--rate -1").unwrap_err(), "brink: --rate -1: allowed range is 0 to 1000000 req/s");
        assert_eq!(build_from("--rate nan").unwrap_err(), "brink: --rate nan: must be a finite number");
        assert_eq!(build_from("--timeout-s inf").unwrap_err(), "brink: --timeout-s inf: must be a finite number");
        assert_eq!(
            build_from("--service-ms 0").unwrap_err(),
            "brink: --service-ms 0: allowed range is 0.001 to 600000 ms"
        );
    }

    #[test]
    fn event_cap_names_rate() {
        let e = build_from("--rate 1000000 --duration 86400").unwrap_err();
        assert!(e.starts_with("brink: --rate 1000000: this run needs up to"), "{e}");
        let e = build_from("--duration 86400 --attempts 100").unwrap_err();
        assert!(e.starts_with("brink: --rate: this run needs up to"), "{e}");
    }

    #[test]
    fn flags_override_defaults() {
        let c = build_from("--rate 14000 --queue 5000 --backoff fixed").unwrap();
        assert_eq!(c.traffic.rate_per_s, 14000.0);
        assert_eq!(c.nodes.queue_capacity, 5000);
        assert_eq!(c.client.backoff, sim_core::Backoff::Fixed);
        assert_eq!(c.nodes.count, 4);
    }

    #[test]
    fn dotted_keys_are_found() {
        let t: toml::Table = "seed = 3\n[traffic]\nrate_per_s = 5.0\n".parse().unwrap();
        assert!(has_key(&t, "traffic.rate_per_s"));
        assert!(has_key(&t, "seed"));
        assert!(!has_key(&t, "traffic.duration_s"));
        assert!(!has_key(&t, "nodes.count"));
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("a = 1\nbb = x\n", 11), (2, 6));
        assert_eq!(line_col("é = 1", 2), (1, 2));
    }
}
