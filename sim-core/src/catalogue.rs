//! The field catalogue: every number, switch and choice of [`Config`],
//! declared once.
//!
//! A row says where a field lives (its dotted path), what it holds and its
//! allowed range, its unit, a one-sentence description for tooltips and
//! `--help`, whether a running simulation can take a new value at once or
//! needs a reset, which switch must be on for it to matter, and how a slider
//! should show it. Validation, `reconfigure`'s list of changed fields, the
//! CLI's `--set`, and the app's knobs and URL parameters all read these rows,
//! so adding a field is the struct field plus one row here. A test checks
//! that every leaf of a serialised `Config` has a row.
//!
//! Rows come in three scopes. `Root` fields live once per scenario (the seed
//! and the entry traffic). `Client` fields are a client policy: the entry
//! client's (`client.timeout_s`) and, in a system of services, each call
//! edge's. `Tier` fields are what every service has: its nodes, balancer,
//! health checks, shedding, CPU, crash, database and cache settings
//! (`nodes.workers`).

use crate::config::{ClientConfig, Config, ConfigError, ServiceConfig};

/// What a field holds, with its allowed range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A finite real number in `[min, max]`.
    Real {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A whole number in `[min, max]`.
    Whole {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// On or off.
    Switch,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// The 64-bit root seed: any value.
    Seed,
}

/// A field's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// For [`Kind::Real`].
    Real(f64),
    /// For [`Kind::Whole`].
    Whole(u32),
    /// For [`Kind::Switch`].
    Switch(bool),
    /// For [`Kind::Choice`]: one of its names.
    Choice(&'static str),
    /// For [`Kind::Seed`].
    Seed(u64),
}

impl Value {
    /// The value as a real number (a switch is 0 or 1, a choice its index
    /// is not known here and reads as NaN).
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Real(v) => v,
            Value::Whole(v) => v as f64,
            Value::Switch(b) => b as u8 as f64,
            Value::Seed(s) => s as f64,
            Value::Choice(_) => f64::NAN,
        }
    }

    fn real(self) -> f64 {
        self.as_f64()
    }

    fn whole(self) -> u32 {
        match self {
            Value::Whole(v) => v,
            other => other.as_f64().round().clamp(0.0, u32::MAX as f64) as u32,
        }
    }

    fn switch(self) -> bool {
        matches!(self, Value::Switch(true)) || matches!(self, Value::Real(v) if v != 0.0)
    }

    fn name(self) -> &'static str {
        match self {
            Value::Choice(n) => n,
            _ => "",
        }
    }
}

/// When a changed value takes effect in a running simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// At the instant of the change.
    Live,
    /// Only after a reset: the running simulation keeps the old value.
    Reset,
}

/// Where a field's path is rooted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per scenario.
    Root,
    /// A client policy: the entry client's, and each call edge's.
    Client,
    /// Every service's.
    Tier,
}

/// How a slider maps positions to values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Evenly spaced values `step` apart.
    Linear {
        /// Distance between neighbouring positions.
        step: f64,
    },
    /// Logarithmic between `floor` (the smallest positive value) and the
    /// maximum; the first position is the minimum, which may be 0.
    Log {
        /// Smallest positive value on the scale.
        floor: f64,
    },
}

/// How the app shows a numeric field: a sensible part of its allowed range
/// on a slider, and whether a fraction is shown as a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ui {
    /// Smallest slider value, in shown units.
    pub min: f64,
    /// Largest slider value, in shown units.
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// True when the field is a fraction shown as a percentage.
    pub percent: bool,
}

/// Reads and writes one field.
#[derive(Clone, Copy)]
enum Access {
    Root { get: fn(&Config) -> Value, set: fn(&mut Config, Value) },
    Client { get: fn(&ClientConfig) -> Value, set: fn(&mut ClientConfig, Value) },
    Tier { get: fn(&ServiceConfig) -> Value, set: fn(&mut ServiceConfig, Value) },
}

/// One field of the catalogue.
#[derive(Clone, Copy)]
pub struct Field {
    /// Dotted path: from the config root for `Root` and `Client` fields
    /// (`client.timeout_s` is the entry client's), from the service for
    /// `Tier` fields.
    pub path: &'static str,
    /// Where the path is rooted.
    pub scope: Scope,
    /// Short name for a label.
    pub label: &'static str,
    /// Short name for URL parameters.
    pub param: &'static str,
    /// Unit of the stored value ("" for counts and fractions).
    pub unit: &'static str,
    /// One sentence on what the field does to the system.
    pub doc: &'static str,
    /// What it holds and its allowed range.
    pub kind: Kind,
    /// When a change takes effect.
    pub apply: Apply,
    /// Path (same scope) of the switch that must be on for it to matter.
    pub gate: Option<&'static str>,
    /// Slider hints for numeric fields.
    pub ui: Option<Ui>,
    access: Access,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field").field("path", &self.path).field("kind", &self.kind).finish()
    }
}

impl Field {
    /// The field's value in a single-tier config (tier fields read the
    /// top-level sections, client fields the entry client).
    pub fn get(&self, c: &Config) -> Value {
        match self.access {
            Access::Root { get, .. } => get(c),
            Access::Client { get, .. } => get(&c.client),
            Access::Tier { get, .. } => get(&c.single_service()),
        }
    }

    /// Writes `v` into a single-tier config. The value is not checked:
    /// [`Config::validate`] does that.
    pub fn set(&self, c: &mut Config, v: Value) {
        match self.access {
            Access::Root { set, .. } => set(c, v),
            Access::Client { set, .. } => set(&mut c.client, v),
            Access::Tier { set, .. } => {
                let mut s = c.single_service();
                set(&mut s, v);
                c.set_single_service(s);
            }
        }
    }

    /// The field's value in a client policy (client fields only).
    pub fn get_client(&self, c: &ClientConfig) -> Option<Value> {
        match self.access {
            Access::Client { get, .. } => Some(get(c)),
            _ => None,
        }
    }

    /// Writes a client policy field; false for other scopes.
    pub fn set_client(&self, c: &mut ClientConfig, v: Value) -> bool {
        match self.access {
            Access::Client { set, .. } => {
                set(c, v);
                true
            }
            _ => false,
        }
    }

    /// The field's value in a service's sections (tier fields only).
    pub fn get_tier(&self, t: &ServiceConfig) -> Option<Value> {
        match self.access {
            Access::Tier { get, .. } => Some(get(t)),
            _ => None,
        }
    }

    /// Writes a tier field; false for other scopes.
    pub fn set_tier(&self, t: &mut ServiceConfig, v: Value) -> bool {
        match self.access {
            Access::Tier { set, .. } => {
                set(t, v);
                true
            }
            _ => false,
        }
    }

    /// The path after the `client.` prefix, for a client field on a call edge.
    pub fn client_key(&self) -> &'static str {
        self.path.strip_prefix("client.").unwrap_or(self.path)
    }

    /// Checks `v` against the field's range; `path` names it in the error.
    pub fn check(&self, path: &'static str, v: Value) -> Result<(), ConfigError> {
        match (self.kind, v) {
            (Kind::Real { min, max }, Value::Real(x)) => {
                if !x.is_finite() {
                    return Err(ConfigError::NotFinite { field: path });
                }
                if x < min || x > max {
                    return Err(ConfigError::OutOfRange { field: path, value: x, min, max, unit: self.unit });
                }
                Ok(())
            }
            (Kind::Whole { min, max }, Value::Whole(x)) if x < min || x > max => Err(ConfigError::OutOfRange {
                field: path,
                value: x as f64,
                min: min as f64,
                max: max as f64,
                unit: self.unit,
            }),
            _ => Ok(()),
        }
    }

    /// Parses `text` as a value of this field (numbers, `true`/`false`/
    /// `on`/`off`, or a choice's name) and checks its range. The error is
    /// one sentence naming `path` and what is allowed.
    pub fn parse(&self, path: &str, text: &str) -> Result<Value, String> {
        let t = text.trim();
        let v = match self.kind {
            Kind::Real { min, max } => match t.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= min && x <= max => Value::Real(x),
                _ => return Err(format!("{path} = {t:?}: expected a number from {min} to {max}{}", unit(self.unit))),
            },
            Kind::Whole { min, max } => match t.parse::<u32>() {
                Ok(x) if x >= min && x <= max => Value::Whole(x),
                _ => return Err(format!("{path} = {t:?}: expected a whole number from {min} to {max}")),
            },
            Kind::Switch => match t {
                "true" | "on" | "1" | "yes" => Value::Switch(true),
                "false" | "off" | "0" | "no" => Value::Switch(false),
                _ => return Err(format!("{path} = {t:?}: expected true or false")),
            },
            Kind::Choice(names) => match names.iter().find(|n| **n == t) {
                Some(n) => Value::Choice(n),
                None => return Err(format!("{path} = {t:?}: expected one of {}", names.join(", "))),
            },
            Kind::Seed => match t.parse::<u64>() {
                Ok(s) => Value::Seed(s),
                Err(_) => return Err(format!("{path} = {t:?}: expected a whole number from 0 to {}", u64::MAX)),
            },
        };
        Ok(v)
    }

    /// The value as text that [`Field::parse`] reads back.
    pub fn format(&self, v: Value) -> String {
        match v {
            Value::Real(x) => format!("{x}"),
            Value::Whole(x) => x.to_string(),
            Value::Switch(b) => b.to_string(),
            Value::Choice(n) => n.to_string(),
            Value::Seed(s) => s.to_string(),
        }
    }
}

fn unit(u: &str) -> String {
    if u.is_empty() {
        String::new()
    } else {
        format!(" {u}")
    }
}

/// Sets the field at dotted `path` from `text`, as `brink run --set` and
/// scripts do: `seed`, `traffic.*`, `client.*` (the entry client), a tier
/// field (`nodes.workers`) of a single-tier scenario,
/// `services.NAME.nodes.workers`, `services.NAME.call_mode`, and
/// `services.NAME.calls.TO.client.timeout_s`. The error is one sentence
/// naming the path and what is allowed. Ranges are checked here; the
/// whole config is checked by [`Config::validate`].
pub fn set_path(c: &mut Config, path: &str, text: &str) -> Result<(), String> {
    if let Some(rest) = path.strip_prefix("services.") {
        return set_service_path(c, path, rest, text);
    }
    let f = field(path).ok_or_else(|| unknown(path))?;
    let v = f.parse(path, text)?;
    if f.scope == Scope::Tier && !c.services.is_empty() {
        return Err(format!("{path}: this scenario lists services; name one, as services.NAME.{path}"));
    }
    f.set(c, v);
    Ok(())
}

fn unknown(path: &str) -> String {
    let near: Vec<&str> =
        FIELDS.iter().map(|f| f.path).filter(|p| p.split('.').next() == path.split('.').next()).collect();
    if near.is_empty() {
        format!("{path}: no such field (see the catalogue in docs/CONFIG.md)")
    } else {
        format!("{path}: no such field; this section has {}", near.join(", "))
    }
}

fn set_service_path(c: &mut Config, path: &str, rest: &str, text: &str) -> Result<(), String> {
    let (name, sub) = rest.split_once('.').ok_or_else(|| unknown(path))?;
    let names: Vec<String> = c.services.iter().map(|s| s.name.clone()).collect();
    let Some(s) = c.services.iter_mut().find(|s| s.name == name) else {
        return Err(format!("{path}: no service named {name:?} (services: {})", names.join(", ")));
    };
    if sub == "call_mode" {
        s.call_mode = match text.trim() {
            "sequential" => crate::config::CallMode::Sequential,
            "parallel" => crate::config::CallMode::Parallel,
            t => return Err(format!("{path} = {t:?}: expected sequential or parallel")),
        };
        return Ok(());
    }
    if let Some(call) = sub.strip_prefix("calls.") {
        let (to, key) = call.split_once(".client.").ok_or_else(|| unknown(path))?;
        let Some(edge) = s.calls.iter_mut().find(|e| e.to == to) else {
            return Err(format!("{path}: service {name:?} makes no call to {to:?}"));
        };
        let f = field(&format!("client.{key}")).filter(|f| f.scope == Scope::Client).ok_or_else(|| unknown(path))?;
        f.set_client(&mut edge.client, f.parse(path, text)?);
        return Ok(());
    }
    let f = field(sub).filter(|f| f.scope == Scope::Tier).ok_or_else(|| unknown(path))?;
    f.set_tier(s, f.parse(path, text)?);
    Ok(())
}

/// The row for `path` (as a single-tier config or the entry client names it).
pub fn field(path: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.path == path)
}

/// The row whose URL parameter is `param`.
pub fn by_param(param: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.param == param)
}

/// Accessors for a tier field `section.name` of kind real, whole or switch.
macro_rules! tier {
    ($section:ident . $name:ident, real) => {
        Access::Tier { get: |s| Value::Real(s.$section.$name), set: |s, v| s.$section.$name = v.real() }
    };
    ($section:ident . $name:ident, whole) => {
        Access::Tier { get: |s| Value::Whole(s.$section.$name), set: |s, v| s.$section.$name = v.whole() }
    };
    ($section:ident . $name:ident, switch) => {
        Access::Tier { get: |s| Value::Switch(s.$section.$name), set: |s, v| s.$section.$name = v.switch() }
    };
}

/// Accessors for a root field `section.name` of kind real, whole or switch.
macro_rules! root {
    ($($f:ident).+, real) => { Access::Root { get: |c| Value::Real(c.$($f).+), set: |c, v| c.$($f).+ = v.real() } };
    ($($f:ident).+, whole) => { Access::Root { get: |c| Value::Whole(c.$($f).+), set: |c, v| c.$($f).+ = v.whole() } };
}

/// Accessors for a client field (`timeout_s`, or `budget.percent` in a
/// defence's section).
macro_rules! client {
    ($($f:ident).+, real) => {
        Access::Client { get: |c| Value::Real(c.$($f).+), set: |c, v| c.$($f).+ = v.real() }
    };
    ($($f:ident).+, whole) => {
        Access::Client { get: |c| Value::Whole(c.$($f).+), set: |c, v| c.$($f).+ = v.whole() }
    };
    ($($f:ident).+, switch) => {
        Access::Client { get: |c| Value::Switch(c.$($f).+), set: |c, v| c.$($f).+ = v.switch() }
    };
}

mod rows;
pub use rows::FIELDS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;

    /// Dotted paths of every scalar leaf of a serialised value.
    fn leaves(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    leaves(&p, v, out);
                }
            }
            serde_json::Value::Array(_) => {}
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_field_of_config_has_exactly_one_row() {
        let mut paths = Vec::new();
        leaves("", &serde_json::to_value(Config::default()).unwrap(), &mut paths);
        assert!(paths.len() > 40, "{paths:?}");
        for p in &paths {
            let rows = FIELDS.iter().filter(|f| f.path == p).count();
            assert_eq!(rows, 1, "{p} has {rows} rows in the catalogue");
        }
        for f in FIELDS {
            assert!(paths.iter().any(|p| p == f.path), "row {} names no field of Config", f.path);
        }
        let mut service = Vec::new();
        leaves("", &serde_json::to_value(ServiceConfig::default()).unwrap(), &mut service);
        for p in service.iter().filter(|p| !["name", "call_mode"].contains(&p.as_str())) {
            assert!(field(p).is_some_and(|f| f.scope == Scope::Tier), "service field {p} is not a tier row");
        }
    }

    #[test]
    fn params_are_unique_and_rows_are_described() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(!f.param.is_empty() && !f.label.is_empty() && f.doc.ends_with('.'), "{}", f.path);
            assert!(FIELDS[i + 1..].iter().all(|g| g.param != f.param), "param {} twice", f.param);
            if let Some(g) = f.gate {
                assert!(field(g).is_some_and(|g| g.kind == Kind::Switch), "{} is gated by {g}", f.path);
            }
            if let Some(ui) = f.ui {
                assert!(ui.percent || !f.unit.is_empty(), "{}: a slider shows a unit", f.path);
            }
            if let (Some(ui), Kind::Real { min, max }) = (f.ui, f.kind) {
                let k = if ui.percent { 100.0 } else { 1.0 };
                assert!(ui.min >= min * k && ui.max <= max * k, "{}: slider outside the allowed range", f.path);
            }
        }
    }

    #[test]
    fn set_then_get_round_trips_and_touches_one_field() {
        for f in FIELDS {
            let mut c = Config::default();
            let v = match f.kind {
                Kind::Real { min, max } => Value::Real(if max.is_finite() { (min + max) / 2.0 } else { min + 1.0 }),
                Kind::Whole { min, max } => Value::Whole(min + (max - min) / 2),
                Kind::Switch => Value::Switch(!f.get(&c).switch()),
                Kind::Choice(names) => Value::Choice(names[names.len() - 1]),
                Kind::Seed => Value::Seed(99),
            };
            let v = if v == f.get(&c) {
                if let Kind::Real { min, .. } = f.kind {
                    Value::Real(min)
                } else {
                    v
                }
            } else {
                v
            };
            f.set(&mut c, v);
            assert_eq!(f.get(&c), v, "{}", f.path);
            let changed: Vec<_> = FIELDS.iter().filter(|g| g.get(&c) != g.get(&Config::default())).collect();
            assert_eq!(changed.len(), 1, "{}: {changed:?}", f.path);
            assert_eq!(f.parse(f.path, &f.format(v)), Ok(v), "{}", f.path);
        }
    }

    #[test]
    fn set_path_reaches_services_and_call_edges() {
        let mut c = Config::default();
        set_path(&mut c, "nodes.workers", "8").unwrap();
        set_path(&mut c, "client.backoff", "expo").unwrap();
        assert_eq!((c.nodes.workers, c.client.backoff), (8, crate::Backoff::Expo));
        assert!(set_path(&mut c, "nodes.wrokers", "8").unwrap_err().contains("nodes.workers"));
        c.services = vec![
            ServiceConfig {
                name: "api".into(),
                calls: vec![crate::CallConfig { to: "db".into(), client: Default::default() }],
                ..Default::default()
            },
            ServiceConfig { name: "db".into(), ..Default::default() },
        ];
        set_path(&mut c, "services.db.nodes.count", "2").unwrap();
        set_path(&mut c, "services.api.calls.db.client.attempts", "5").unwrap();
        set_path(&mut c, "services.api.call_mode", "parallel").unwrap();
        assert_eq!(c.services[1].nodes.count, 2);
        assert_eq!(c.services[0].calls[0].client.attempts, 5);
        assert!(set_path(&mut c, "nodes.workers", "8").unwrap_err().contains("services.NAME.nodes.workers"));
        assert!(set_path(&mut c, "services.web.nodes.count", "2").unwrap_err().contains("no service named"));
        assert!(set_path(&mut c, "services.api.calls.x.client.attempts", "2").unwrap_err().contains("no call"));
        assert!(set_path(&mut c, "services.api.nodes.count", "0").unwrap_err().contains("from 1 to 1024"));
    }

    #[test]
    fn parse_names_the_path_and_the_range() {
        let f = field("nodes.workers").unwrap();
        assert_eq!(
            f.parse("nodes.workers", "0"),
            Err("nodes.workers = \"0\": expected a whole number from 1 to 100000".into())
        );
        let r = field("client.timeout_s").unwrap();
        assert!(r.parse("client.timeout_s", "NaN").unwrap_err().contains("from 0.001 to 3600 s"));
        let b = field("client.backoff").unwrap();
        assert!(b.parse("client.backoff", "linear").unwrap_err().contains("none, fixed, expo"));
        assert_eq!(field("db.enabled").unwrap().parse("db.enabled", "on"), Ok(Value::Switch(true)));
    }

    #[test]
    fn switching_the_database_and_cache_on_mid_run_is_reported_applied() {
        let mut c = Config::default();
        c.traffic.duration_s = 4.0;
        let mut sim = Simulation::new(c.clone()).unwrap();
        sim.step_until(crate::SimTime::from_secs(1));
        c.db.enabled = true;
        c.cache.enabled = true;
        c.cache.ttl_s = 2.0;
        let r = sim.reconfigure(&c).unwrap();
        assert_eq!(r.applied, vec!["db.enabled", "cache.enabled", "cache.ttl_s"]);
        c.nodes.count = 6;
        c.seed = 3;
        let r = sim.reconfigure(&c).unwrap();
        assert_eq!(r.needs_restart, vec!["seed", "nodes.count"]);
        assert!(r.applied.is_empty());
        assert_eq!(sim.config().nodes.count, 4);
    }
}
