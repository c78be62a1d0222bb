//! Builds the run's `Config`: defaults, then the TOML scenario file, then the
//! model flags, then each `--set PATH=VALUE` in command-line order; and turns
//! a `ConfigError` into one line that names what to change.

use crate::args::{flag_for_field, shown, store, RunArgs, SetArg, UsageError, MODEL_FLAGS};
use sim_core::catalogue::{self, Scope};
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
        let flag = &MODEL_FLAGS[o.index];
        // A model flag sets the one service of a single-tier scenario; with
        // [[services]] listed, the service must be named.
        if !config.services.is_empty() && catalogue::field(flag.field).is_some_and(|f| f.scope == Scope::Tier) {
            return Err(UsageError(format!(
                "{} {}: this scenario lists services; name one with --set services.NAME.{}=VALUE",
                flag.flag,
                shown(&o.raw),
                flag.field
            )));
        }
        store(&mut config, flag, o.value);
    }
    for s in &args.set {
        apply_set(&mut config, s)?;
    }
    config.validate().map_err(|e| explain(&e, args, file.as_ref()))?;
    Ok(config)
}

/// Applies one `--set` through the catalogue; a bad path or value is one
/// line naming the argument as typed.
fn apply_set(config: &mut Config, s: &SetArg) -> Result<(), UsageError> {
    let fail = |message: String| UsageError(format!("--set {}: {message}", shown(&s.raw)));
    if s.path.starts_with("services.") && config.services.is_empty() {
        let tier = s.path.splitn(3, '.').nth(2).unwrap_or("nodes.workers");
        return Err(fail(format!(
            "{}: this scenario lists no services; set its fields without the prefix, as {tier}",
            s.path
        )));
    }
    catalogue::set_path(config, &s.path, &s.value).map_err(fail)
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

/// Names what to change for a validation error: the last `--set` of the
/// field when there was one (it was applied last), else the flag as typed
/// when it was given, else the file and key when the file set it, else the
/// flag to add.
fn explain(e: &ConfigError, args: &RunArgs, file: Option<&ScenarioFile>) -> UsageError {
    let field = full_path(e);
    let field = field.as_str();
    let reason = reason(e);
    if let Some(s) = args.set.iter().rev().find(|s| s.path == field) {
        return UsageError(format!("--set {}: {reason}", shown(&s.raw)));
    }
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

/// The path of the error's field as `--set` names it: `nodes.count`, or
/// `services.db.nodes.count` and `services.api.calls.db.client.attempts` in
/// a system of services.
fn full_path(e: &ConfigError) -> String {
    match e {
        ConfigError::Service { service, source } => format!("services.{service}.{}", full_path(source)),
        ConfigError::Call { to, source } => format!("calls.{to}.{}", full_path(source)),
        other => other.field().to_string(),
    }
}

/// The error's message without its leading "field" or "field = value",
/// with a note when the range depends on another field.
fn reason(e: &ConfigError) -> String {
    let text = e.to_string();
    let rest = text.strip_prefix(full_path(e).as_str()).unwrap_or(&text);
    let mut reason = match rest.split_once(": ") {
        Some((_, reason)) => reason.to_string(),
        None => text.clone(),
    };
    let mut inner = e;
    while let ConfigError::Service { source, .. } | ConfigError::Call { source, .. } = inner {
        inner = source;
    }
    if let ConfigError::OutOfRange { field: "nodes.service_cv", max, .. } = inner {
        if *max == sim_core::distribution::MAX_UNIFORM_CV {
            reason.push_str(" (1/√3) for the uniform service-time distribution");
        }
    }
    reason
}

/// True if the dotted `field` is set in the file's table. In a system of
/// services, `services.NAME` is the `[[services]]` entry named NAME and
/// `calls.TO` its `[[services.calls]]` entry calling TO.
fn has_key(table: &toml::Table, field: &str) -> bool {
    let mut parts = field.split('.');
    let Some(first) = parts.next() else { return false };
    let mut value = table.get(first);
    let mut previous = first;
    for part in parts {
        value = match value {
            Some(toml::Value::Array(items)) => {
                let key = match previous {
                    "services" => "name",
                    "calls" => "to",
                    _ => return false,
                };
                items.iter().find(|item| item.get(key).and_then(toml::Value::as_str) == Some(part))
            }
            Some(v) => v.get(part),
            None => return false,
        };
        previous = part;
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
    fn set_is_applied_after_the_flags_in_command_line_order() {
        let c =
            build_from("--set nodes.workers=8 --workers 2 --set nodes.workers=9 --set client.backoff=expo").unwrap();
        assert_eq!(c.nodes.workers, 9);
        assert_eq!(c.client.backoff, sim_core::Backoff::Expo);
        let c = build_from("--set nodes.service_dist=constant --set seed=42").unwrap();
        assert_eq!((c.nodes.service_dist.name(), c.seed), ("constant", 42));
    }

    #[test]
    fn set_mistakes_name_the_argument() {
        assert_eq!(
            build_from("--set nodes.workers=many").unwrap_err(),
            "brink: --set nodes.workers=many: nodes.workers = \"many\": expected a whole number from 1 to 100000"
        );
        let e = build_from("--set nodes.wrokers=8").unwrap_err();
        assert!(
            e.starts_with("brink: --set nodes.wrokers=8: nodes.wrokers: no such field;") && e.contains("nodes.workers"),
            "{e}"
        );
        let e = build_from("--set bogus=1").unwrap_err();
        assert!(e.starts_with("brink: --set bogus=1: bogus: no such field"), "{e}");
        let e = build_from("--set services.db.nodes.count=2").unwrap_err();
        assert!(e.starts_with("brink: --set services.db.nodes.count=2: ") && e.contains("lists no services"), "{e}");
    }

    #[test]
    fn validation_errors_name_the_set_that_caused_them() {
        // Each value is in its row's range; together they are not.
        assert_eq!(
            build_from("--set nodes.service_cv=0.9 --set nodes.service_dist=uniform").unwrap_err(),
            "brink: --set nodes.service_cv=0.9: allowed range is 0 to 0.5773502691896258 (1/√3) for the uniform \
             service-time distribution"
        );
        let e = build_from("--service-cv 0.9 --service-dist uniform").unwrap_err();
        assert!(e.starts_with("brink: --service-cv 0.9: allowed range is 0 to 0.577"), "{e}");
        let e = build_from("--set traffic.rate_per_s=1000000 --duration 86400").unwrap_err();
        assert!(e.starts_with("brink: --set traffic.rate_per_s=1000000: this run needs up to"), "{e}");
        let e = build_from("--rate 1000000 --set traffic.duration_s=86400").unwrap_err();
        assert!(e.starts_with("brink: --rate 1000000: this run needs up to"), "{e}");
    }

    /// Two services, `api` calling `db`, as a scenario file says them.
    const SYSTEM: &str = "[traffic]\nduration_s = 1.0\n\
        [[services]]\nname = \"api\"\n[services.nodes]\ncount = 2\n\
        [[services.calls]]\nto = \"db\"\n[services.calls.client]\ntimeout_s = 0.5\n\
        [[services]]\nname = \"db\"\n";

    fn with_system(file: &str, flags: &str) -> Result<Config, String> {
        let dir = std::env::temp_dir().join(format!("brink-scenario-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.toml", flags.len() * 1_000_003 + file.len()));
        std::fs::write(&path, file).unwrap();
        let result = build_from(&format!("--config {} {flags}", path.display()));
        let _ = std::fs::remove_file(&path);
        result.map_err(|e| e.replace(&path.display().to_string(), "FILE"))
    }

    #[test]
    fn a_system_of_services_parses_and_takes_set() {
        let c: Config = toml::from_str(SYSTEM).unwrap();
        assert_eq!(c.services.len(), 2);
        assert_eq!((c.services[0].name.as_str(), c.services[0].calls[0].to.as_str()), ("api", "db"));
        assert_eq!(c.services[0].calls[0].client.timeout_s, 0.5);
        assert!(c.validate().is_ok());

        let c = with_system(SYSTEM, "--set services.db.nodes.count=2 --set services.api.calls.db.client.attempts=5")
            .unwrap();
        assert_eq!((c.services[1].nodes.count, c.services[0].calls[0].client.attempts), (2, 5));
        let c = with_system(SYSTEM, "--set services.api.call_mode=parallel").unwrap();
        assert_eq!(c.services[0].call_mode, sim_core::config::CallMode::Parallel);

        let e = with_system(SYSTEM, "--set services.db.nodes.count=0").unwrap_err();
        assert!(e.starts_with("brink: --set services.db.nodes.count=0: ") && e.contains("from 1 to 1024"), "{e}");
        let e = with_system(SYSTEM, "--set services.web.nodes.count=2").unwrap_err();
        assert!(e.contains("no service named \"web\" (services: api, db)"), "{e}");
        let e = with_system(SYSTEM, "--set nodes.workers=3").unwrap_err();
        assert!(e.contains("services.NAME.nodes.workers"), "{e}");
        let e = with_system(SYSTEM, "--workers 3").unwrap_err();
        assert_eq!(
            e,
            "brink: --workers 3: this scenario lists services; name one with --set services.NAME.nodes.workers=VALUE"
        );
        // Validation of a service's field names the --set, or the file's key.
        let e =
            with_system(SYSTEM, "--set services.db.nodes.service_dist=uniform --set services.db.nodes.service_cv=0.8")
                .unwrap_err();
        assert!(e.starts_with("brink: --set services.db.nodes.service_cv=0.8: allowed range is 0 to 0.577"), "{e}");
        let file = format!("{SYSTEM}[services.nodes]\nservice_dist = \"uniform\"\nservice_cv = 0.8\n");
        let e = with_system(&file, "").unwrap_err();
        assert!(e.starts_with("brink: FILE: services.db.nodes.service_cv = 0.8: allowed range"), "{e}");
    }

    #[test]
    fn dotted_keys_are_found() {
        let t: toml::Table = "seed = 3\n[traffic]\nrate_per_s = 5.0\n".parse().unwrap();
        assert!(has_key(&t, "traffic.rate_per_s"));
        assert!(has_key(&t, "seed"));
        assert!(!has_key(&t, "traffic.duration_s"));
        assert!(!has_key(&t, "nodes.count"));
        let s: toml::Table = SYSTEM.parse().unwrap();
        assert!(has_key(&s, "services.api.nodes.count"));
        assert!(has_key(&s, "services.api.calls.db.client.timeout_s"));
        assert!(!has_key(&s, "services.db.nodes.count"));
        assert!(!has_key(&s, "services.api.calls.db.client.attempts"));
        assert!(!has_key(&s, "services.web.nodes.count"));
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("a = 1\nbb = x\n", 11), (2, 6));
        assert_eq!(line_col("é = 1", 2), (1, 2));
    }
}
