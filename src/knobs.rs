//! The knob panel's controls, as views over the engine's field catalogue
//! (`sim_core::catalogue::FIELDS`).
//!
//! A catalogue row becomes a control by its kind: a number with slider
//! hints (`ui: Some(..)`) is a [`Knob`], a switch is a [`Toggle`], a choice
//! is a [`Select`]. Its heading comes from its path ([`Group::of`]); its
//! label, URL parameter, unit, tooltip, range, scale, gate and whether it
//! waits for a reset all come from the row. So adding a row with slider
//! hints to the catalogue adds a slider, a URL parameter and a tooltip here
//! with no edit to the app.
//!
//! What stays app-side is small and explicit: the knobs derived from
//! catalogue fields without a row of their own ([`DERIVED`]: the spike's
//! length), two fields drawn under another heading than their section's
//! (in [`Group::of`]), and friendlier option text for some selects
//! ([`OPTION_TEXT`]).

use crate::format::round_sig;
use sim_core::catalogue::{self, Apply, Field, Kind, Scope, Value, FIELDS};
use sim_core::Config;
use std::sync::LazyLock;

pub use sim_core::catalogue::Scale;

/// Headings of the knob panel, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Arrivals and the traffic shape.
    Traffic,
    /// Timeouts and retries.
    Clients,
    /// Balancer policy, node count and health checks.
    Balancer,
    /// Worker pool, service time and slow nodes.
    Nodes,
    /// Cores shared by the workers, and load-dependent latency.
    Cpu,
    /// Crashes on memory exhaustion, restarts and warm-up.
    Failures,
    /// The waiting room and the queue policies that decide what is shed.
    Shedding,
    /// What the nodes call: a shared database and a cached hot key.
    Dependencies,
}

impl Group {
    /// Every group in display order.
    pub const ALL: [Group; 8] = [
        Group::Traffic,
        Group::Clients,
        Group::Balancer,
        Group::Nodes,
        Group::Cpu,
        Group::Failures,
        Group::Shedding,
        Group::Dependencies,
    ];

    /// Heading text.
    pub fn title(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Clients => "Clients",
            Group::Balancer => "Balancer",
            Group::Nodes => "Nodes",
            Group::Failures => "Failures",
            Group::Shedding => "Shedding",
            Group::Cpu => "CPU",
            Group::Dependencies => "Dependencies",
        }
    }

    /// The heading a catalogue path is drawn under: its section's, except
    /// the node count (beside the balancer that spreads work over the
    /// nodes) and the queue capacity (with the policies that shed from the
    /// queue). `None` for fields the panel does not show (the seed is in
    /// the toolbar).
    pub fn of(path: &str) -> Option<Group> {
        match path {
            "nodes.count" => return Some(Group::Balancer),
            "nodes.queue_capacity" => return Some(Group::Shedding),
            _ => {}
        }
        Some(match path.split('.').next()? {
            "traffic" => Group::Traffic,
            "client" => Group::Clients,
            "balancer" | "health" => Group::Balancer,
            "nodes" => Group::Nodes,
            "cpu" => Group::Cpu,
            "crash" => Group::Failures,
            "shedding" => Group::Shedding,
            "db" | "cache" => Group::Dependencies,
            // The server-side defences of issue 10: admission beside the
            // shedding policies, the node count beside the balancer.
            "limiter" | "rate_limit" => Group::Shedding,
            "autoscaler" => Group::Balancer,
            // Sampled traces (docs/TRACES.md): a property of the traffic.
            "traces" => Group::Traffic,
            _ => return None,
        })
    }
}

/// Slider positions of a log knob run from 0 to this.
pub const LOG_POSITIONS: f64 = 1000.0;

/// An app-side knob with no catalogue row of its own: it shows a quantity
/// computed from catalogue fields and writes them back.
#[derive(Debug)]
pub struct Derived {
    /// Identity, path-like but not a catalogue path.
    pub id: &'static str,
    /// Short name shown beside the slider.
    pub label: &'static str,
    /// Query-string parameter name.
    pub param: &'static str,
    /// Unit shown after the value.
    pub unit: &'static str,
    /// One sentence on what the knob does to the system.
    pub tip: &'static str,
    /// The catalogue field it writes; the knob is drawn where that row's
    /// slider would be, and waits for a reset if that field does.
    pub field: &'static str,
    /// A catalogue field whose knob keeps this knob's value when it moves.
    pub kept_across: Option<&'static str>,
    /// Smallest value in the app.
    pub min: f64,
    /// Largest value in the app.
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// Reads the value.
    pub get: fn(&Config) -> f64,
    /// Writes the value.
    pub set: fn(&mut Config, f64),
}

/// The derived knobs. The spike is set by its start and length rather than
/// its start and end (so `traffic.spike_end_s` has no slider of its own);
/// moving the start keeps the length.
pub static DERIVED: [Derived; 1] = [Derived {
    id: "traffic.spike_length",
    label: "Spike length",
    param: "spike_length",
    unit: "s",
    tip: "How long the spike lasts; its extra load arrives whether or not the nodes keep up.",
    field: "traffic.spike_end_s",
    kept_across: Some("traffic.spike_start_s"),
    min: 0.0,
    max: 600.0,
    scale: Scale::Linear { step: 1.0 },
    get: |c| (c.traffic.spike_end_s - c.traffic.spike_start_s).max(0.0),
    set: |c, v| c.traffic.spike_end_s = c.traffic.spike_start_s + v,
}];

/// Option text for choices whose catalogue names are terse, as
/// `(path, name, text)`; other options show their name.
pub const OPTION_TEXT: &[(&str, &str, &str)] = &[
    ("client.backoff", "none", "none (retry at once)"),
    ("client.backoff", "fixed", "fixed (base)"),
    ("client.backoff", "expo", "exponential"),
    ("client.backoff", "full-jitter", "full jitter"),
    ("client.backoff", "equal-jitter", "equal jitter"),
    ("client.backoff", "decorrelated", "decorrelated jitter"),
    ("balancer.policy", "least-outstanding", "least outstanding"),
    ("balancer.policy", "p2c", "power of two choices"),
    ("nodes.service_dist", "lognormal", "log-normal"),
    ("traffic.shape", "tenfold", "tenfold in a minute"),
    ("traffic.shape", "diurnal", "daily cycle"),
];

/// Where a knob's value lives.
#[derive(Debug, Clone, Copy)]
enum Source {
    Row(&'static Field),
    Derived(&'static Derived),
}

/// A numeric knob: a catalogue row with slider hints, or a derived knob.
#[derive(Debug, Clone)]
pub struct Knob {
    /// The catalogue path (a derived knob's own id).
    pub id: &'static str,
    /// Heading it sits under.
    pub group: Group,
    /// Short name shown beside the slider.
    pub label: &'static str,
    /// Query-string parameter name.
    pub param: &'static str,
    /// Dotted config field it writes, as `ConfigError::field` and the
    /// engine's list of fields waiting for a reset name it.
    pub field: &'static str,
    /// Unit shown after the value ("%" first for a percentage).
    pub unit: String,
    /// One sentence on what the knob does to the system.
    pub tip: &'static str,
    /// Smallest value in the app, in shown units.
    pub min: f64,
    /// Largest value in the app, in shown units.
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// True when the value is a whole number.
    pub integer: bool,
    /// True when a fraction is shown as a percentage.
    pub percent: bool,
    /// Path of the switch that turns its mechanism on, if any: while it is
    /// off the knob has no effect and is drawn dimmed.
    pub gate: Option<&'static str>,
    source: Source,
}

impl PartialEq for Knob {
    fn eq(&self, other: &Knob) -> bool {
        self.id == other.id
    }
}

/// An on/off switch for one mechanism: a catalogue row of kind switch. The
/// knobs it gates are drawn beneath it and dimmed while it is off.
#[derive(Debug, Clone, Copy)]
pub struct Toggle {
    /// The catalogue path.
    pub id: &'static str,
    /// Heading it sits under.
    pub group: Group,
    /// Short text beside the checkbox.
    pub label: &'static str,
    /// Query-string parameter name (`on`/`off`; a bare name means on).
    pub param: &'static str,
    /// One sentence on what switching it on does to the system.
    pub tip: &'static str,
    /// The toggle this one refines, if any: it is drawn inside that
    /// toggle's block and dimmed while that toggle is off.
    pub gate: Option<&'static str>,
    row: &'static Field,
}

impl PartialEq for Toggle {
    fn eq(&self, other: &Toggle) -> bool {
        self.id == other.id
    }
}

/// A choice among names: a catalogue row of kind choice.
#[derive(Debug, Clone, Copy)]
pub struct Select {
    /// The catalogue path.
    pub id: &'static str,
    /// Heading it sits under.
    pub group: Group,
    /// Short name beside the menu.
    pub label: &'static str,
    /// Query-string parameter name.
    pub param: &'static str,
    /// One sentence on what the choice does.
    pub tip: &'static str,
    /// Path of the switch that must be on for it to matter, if any.
    pub gate: Option<&'static str>,
    /// The names to choose from, in menu order.
    pub options: &'static [&'static str],
    row: &'static Field,
}

impl PartialEq for Select {
    fn eq(&self, other: &Select) -> bool {
        self.id == other.id
    }
}

/// One control of the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// A slider.
    Knob(Knob),
    /// A checkbox.
    Toggle(Toggle),
    /// A menu.
    Select(Select),
}

/// Every control, in catalogue order (a derived knob just after the row
/// whose field it writes).
pub static CONTROLS: LazyLock<Vec<Control>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for f in FIELDS {
        let Some(group) = Group::of(f.path) else { continue };
        if let Some(c) = Control::from_row(f, group) {
            out.push(c);
        }
        for d in DERIVED.iter().filter(|d| d.field == f.path) {
            out.push(Control::Knob(Knob::derived(d, group)));
        }
    }
    out
});

/// Every numeric knob, in display order within its group.
pub fn knobs() -> impl Iterator<Item = &'static Knob> {
    CONTROLS.iter().filter_map(|c| match c {
        Control::Knob(k) => Some(k),
        _ => None,
    })
}

/// Every toggle, in display order within its group.
pub fn toggles() -> impl Iterator<Item = &'static Toggle> {
    CONTROLS.iter().filter_map(|c| match c {
        Control::Toggle(t) => Some(t),
        _ => None,
    })
}

/// Every select, in display order within its group.
pub fn selects() -> impl Iterator<Item = &'static Select> {
    CONTROLS.iter().filter_map(|c| match c {
        Control::Select(s) => Some(s),
        _ => None,
    })
}

/// The control with this id (catalogue path, or a derived knob's id).
pub fn control(id: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id() == id)
}

/// The knob with this id (catalogue path, or a derived knob's id).
pub fn knob(id: &str) -> Option<&'static Knob> {
    knobs().find(|k| k.id == id)
}

/// The toggle for this catalogue path.
pub fn toggle(id: &str) -> Option<&'static Toggle> {
    toggles().find(|t| t.id == id)
}

/// The select for this catalogue path.
pub fn select(id: &str) -> Option<&'static Select> {
    selects().find(|s| s.id == id)
}

/// The control whose URL parameter is `param`.
pub fn by_param(param: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.param() == param)
}

/// True when any control under `g` differs between `c` and `d`.
pub fn group_changed(g: Group, c: &Config, d: &Config) -> bool {
    CONTROLS.iter().filter(|x| x.group() == g).any(|x| x.changed(c, d))
}

/// Puts every control under `g` back to its value in `d`.
pub fn reset_group(g: Group, c: &mut Config, d: &Config) {
    for x in CONTROLS.iter().filter(|x| x.group() == g) {
        x.copy_from(c, d);
    }
}

impl Control {
    fn from_row(f: &'static Field, group: Group) -> Option<Control> {
        Some(match (f.kind, f.ui) {
            (Kind::Switch, _) => Control::Toggle(Toggle {
                id: f.path,
                group,
                label: f.label,
                param: f.param,
                tip: f.doc,
                gate: f.gate,
                row: f,
            }),
            (Kind::Choice(options), _) => Control::Select(Select {
                id: f.path,
                group,
                label: f.label,
                param: f.param,
                tip: f.doc,
                gate: f.gate,
                options,
                row: f,
            }),
            (Kind::Real { .. } | Kind::Whole { .. }, Some(ui)) => Control::Knob(Knob {
                id: f.path,
                group,
                label: f.label,
                param: f.param,
                field: f.path,
                unit: match (ui.percent, f.unit) {
                    (false, u) => u.to_string(),
                    (true, "") => "%".to_string(),
                    (true, u) => format!("% {u}"),
                },
                tip: f.doc,
                min: ui.min,
                max: ui.max,
                scale: ui.scale,
                integer: matches!(f.kind, Kind::Whole { .. }),
                percent: ui.percent,
                gate: f.gate,
                source: Source::Row(f),
            }),
            _ => return None,
        })
    }

    /// Its id: a catalogue path, or a derived knob's id.
    pub fn id(&self) -> &'static str {
        match self {
            Control::Knob(k) => k.id,
            Control::Toggle(t) => t.id,
            Control::Select(s) => s.id,
        }
    }

    /// Its URL parameter.
    pub fn param(&self) -> &'static str {
        match self {
            Control::Knob(k) => k.param,
            Control::Toggle(t) => t.param,
            Control::Select(s) => s.param,
        }
    }

    /// Its heading.
    pub fn group(&self) -> Group {
        match self {
            Control::Knob(k) => k.group,
            Control::Toggle(t) => t.group,
            Control::Select(s) => s.group,
        }
    }

    /// Its label.
    pub fn label(&self) -> &'static str {
        match self {
            Control::Knob(k) => k.label,
            Control::Toggle(t) => t.label,
            Control::Select(s) => s.label,
        }
    }

    /// Path of the switch it sits under, if any.
    pub fn gate(&self) -> Option<&'static str> {
        match self {
            Control::Knob(k) => k.gate,
            Control::Toggle(t) => t.gate,
            Control::Select(s) => s.gate,
        }
    }

    /// True when it shows different values for `c` and `d`.
    pub fn changed(&self, c: &Config, d: &Config) -> bool {
        match self {
            Control::Knob(k) => k.get(c) != k.get(d),
            Control::Toggle(t) => t.get(c) != t.get(d),
            Control::Select(s) => s.get(c) != s.get(d),
        }
    }

    /// Sets it in `c` to its value in `d`.
    pub fn copy_from(&self, c: &mut Config, d: &Config) {
        match self {
            Control::Knob(k) => k.copy_from(c, d),
            Control::Toggle(t) => t.set(c, t.get(d)),
            Control::Select(s) => s.row.set(c, s.row.get(d)),
        }
    }

    /// Its value in `c` as the URL writes it (and [`Control::parse`] reads it).
    pub fn url_value(&self, c: &Config) -> String {
        match self {
            Control::Knob(k) => k.get(c).to_string(),
            Control::Toggle(t) => (if t.get(c) { "on" } else { "off" }).to_string(),
            Control::Select(s) => s.get(c).to_string(),
        }
    }

    /// Parses `text` as a value of this control and writes it into `c`;
    /// the error says what is allowed.
    pub fn parse_into(&self, c: &mut Config, text: &str) -> Result<(), String> {
        match self {
            Control::Knob(k) => k.set(c, k.parse(text)?),
            Control::Toggle(t) => t.set(c, parse_switch(text)?),
            Control::Select(s) => s.set(c, s.parse(text)?),
        }
        Ok(())
    }
}

/// Where the panel's tier and client controls read and write: the
/// top-level sections and the entry client (a single tier), a service of a
/// system, or one of its call edges. Root controls (traffic) always read
/// the top level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Target {
    /// The service whose tier sections are shown, in a system.
    pub service: Option<usize>,
    /// The call of that service whose client policy is shown.
    pub call: Option<usize>,
}

impl Target {
    /// The top-level sections and the entry client.
    pub const TOP: Target = Target { service: None, call: None };

    /// Service `i`'s tier sections (its client controls stay the entry's).
    pub fn service(i: usize) -> Target {
        Target { service: Some(i), call: None }
    }

    /// Call `k` of service `i`.
    pub fn call(i: usize, k: usize) -> Target {
        Target { service: Some(i), call: Some(k) }
    }
}

/// Reads a catalogue row at `t`; a target missing from `c` reads the top level.
fn read_at(f: &'static Field, c: &Config, t: Target) -> Value {
    let service = t.service.and_then(|i| c.services.get(i));
    let at = match f.scope {
        Scope::Tier => service.and_then(|s| f.get_tier(s)),
        Scope::Client => service.zip(t.call).and_then(|(s, k)| s.calls.get(k)).and_then(|x| f.get_client(&x.client)),
        Scope::Root => None,
    };
    at.unwrap_or_else(|| f.get(c))
}

/// Writes a catalogue row at `t` (the top level when `t` is not in `c`).
fn write_at(f: &'static Field, c: &mut Config, t: Target, v: Value) {
    let service = t.service.and_then(|i| c.services.get_mut(i));
    let done = match (f.scope, service) {
        (Scope::Tier, Some(s)) => f.set_tier(s, v),
        (Scope::Client, Some(s)) => {
            t.call.and_then(|k| s.calls.get_mut(k)).is_some_and(|x| f.set_client(&mut x.client, v))
        }
        _ => false,
    };
    if !done {
        write_row(f, c, v);
    }
}

impl Control {
    /// True when it shows a different value at `t` in `c` than in the
    /// defaults `d` (read at the top level).
    pub fn changed_at(&self, c: &Config, t: Target, d: &Config) -> bool {
        match self {
            Control::Knob(k) => k.get_at(c, t) != k.get(d),
            Control::Toggle(x) => x.get_at(c, t) != x.get(d),
            Control::Select(s) => s.get_at(c, t) != s.get(d),
        }
    }

    /// Sets it at `t` in `c` to its default in `d`.
    pub fn copy_from_at(&self, c: &mut Config, t: Target, d: &Config) {
        match self {
            Control::Knob(k) => match k.source {
                Source::Row(f) => write_at(f, c, t, f.get(d)),
                Source::Derived(x) => (x.set)(c, (x.get)(d)),
            },
            Control::Toggle(x) => x.set_at(c, t, x.get(d)),
            Control::Select(s) => s.set_at(c, t, s.get(d)),
        }
    }

    /// True when the control is one of a client policy (the entry's or a call's).
    pub fn is_client(&self) -> bool {
        self.row().is_some_and(|f| f.scope == Scope::Client)
    }

    fn row(&self) -> Option<&'static Field> {
        match self {
            Control::Knob(Knob { source: Source::Row(f), .. }) => Some(f),
            Control::Knob(_) => None,
            Control::Toggle(t) => Some(t.row),
            Control::Select(s) => Some(s.row),
        }
    }
}

/// True when any control under `g` differs at `t` in `c` from the defaults `d`.
pub fn group_changed_at(g: Group, c: &Config, t: Target, d: &Config) -> bool {
    CONTROLS.iter().filter(|x| x.group() == g).any(|x| x.changed_at(c, t, d))
}

/// Puts every control under `g` at `t` back to its value in `d`.
pub fn reset_group_at(g: Group, c: &mut Config, t: Target, d: &Config) {
    for x in CONTROLS.iter().filter(|x| x.group() == g) {
        x.copy_from_at(c, t, d);
    }
}

/// A fraction shown as a percentage, rounded to a billionth of a percent so
/// that a typed "7" reads back as 7 and not 7.000000000000001.
fn percent(fraction: f64) -> f64 {
    (fraction * 100.0 * 1e9).round() / 1e9
}

/// Parses a switch position: `on`, `off`, `1`, `0`, `true`, `false`, `yes`
/// or `no`; empty (a bare URL parameter) means on.
pub fn parse_switch(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "on" | "1" | "true" | "yes" => Ok(true),
        "off" | "0" | "false" | "no" => Ok(false),
        _ => Err(format!("\"{text}\" is not a switch position; use on or off (also 1/0, true/false, yes/no)")),
    }
}

impl Knob {
    fn derived(d: &'static Derived, group: Group) -> Knob {
        Knob {
            id: d.id,
            group,
            label: d.label,
            param: d.param,
            field: d.field,
            unit: d.unit.to_string(),
            tip: d.tip,
            min: d.min,
            max: d.max,
            scale: d.scale,
            integer: false,
            percent: false,
            gate: None,
            source: Source::Derived(d),
        }
    }

    /// The knob's current value in `c`, in shown units.
    pub fn get(&self, c: &Config) -> f64 {
        match self.source {
            Source::Row(f) => {
                let v = f.get(c).as_f64();
                if self.percent {
                    percent(v)
                } else {
                    v
                }
            }
            Source::Derived(d) => (d.get)(c),
        }
    }

    /// Writes `v` (in shown units) into `c`. Derived knobs kept across this
    /// one keep their value.
    pub fn set(&self, c: &mut Config, v: f64) {
        match self.source {
            Source::Row(f) => {
                let value = match f.kind {
                    Kind::Whole { .. } => Value::Whole(v.round().clamp(0.0, u32::MAX as f64) as u32),
                    _ => Value::Real(if self.percent { v / 100.0 } else { v }),
                };
                write_row(f, c, value);
            }
            Source::Derived(d) => (d.set)(c, v),
        }
    }

    /// The knob's value at `t` in `c`, in shown units.
    pub fn get_at(&self, c: &Config, t: Target) -> f64 {
        match self.source {
            Source::Row(f) => {
                let v = read_at(f, c, t).as_f64();
                if self.percent {
                    percent(v)
                } else {
                    v
                }
            }
            Source::Derived(d) => (d.get)(c),
        }
    }

    /// Writes `v` (in shown units) at `t` in `c`.
    pub fn set_at(&self, c: &mut Config, t: Target, v: f64) {
        match self.source {
            Source::Row(f) => {
                let value = match f.kind {
                    Kind::Whole { .. } => Value::Whole(v.round().clamp(0.0, u32::MAX as f64) as u32),
                    _ => Value::Real(if self.percent { v / 100.0 } else { v }),
                };
                write_at(f, c, t, value);
            }
            Source::Derived(d) => (d.set)(c, v),
        }
    }

    /// Sets it in `c` to its value in `d`, exactly (no percentage round trip).
    fn copy_from(&self, c: &mut Config, d: &Config) {
        match self.source {
            Source::Row(f) => write_row(f, c, f.get(d)),
            Source::Derived(x) => (x.set)(c, (x.get)(d)),
        }
    }

    /// True when changing this knob only takes effect after a reset.
    pub fn needs_restart(&self) -> bool {
        catalogue::field(self.field).is_some_and(|f| f.apply == Apply::Reset)
    }

    /// True when `v` lies in the app's range for this knob.
    pub fn in_range(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
    }

    /// Parses a typed or URL value (thousands separators allowed) and
    /// checks it against the app's range.
    pub fn parse(&self, text: &str) -> Result<f64, String> {
        let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
        let range = format!(
            "allowed range is {} to {}{unit}",
            crate::format::number(self.min),
            crate::format::number(self.max)
        );
        let v: f64 =
            text.trim().replace(',', "").parse().map_err(|_| format!("\"{text}\" is not a number; {range}"))?;
        // Rust parses "NaN" and "inf": say what was typed, not a formatted
        // non-number.
        if !v.is_finite() {
            return Err(format!("\"{}\" is not a finite number; {range}", text.trim()));
        }
        if !self.in_range(v) {
            return Err(format!("{} is out of range; {range}", crate::format::number(v)));
        }
        if self.integer && v.fract() != 0.0 {
            return Err(format!("{} must be a whole number; {range}", crate::format::number(v)));
        }
        Ok(v)
    }

    /// `(min, max, step)` attributes of the `<input type=range>`.
    pub fn slider_bounds(&self) -> (f64, f64, f64) {
        match self.scale {
            Scale::Linear { step } => (self.min, self.max, step),
            Scale::Log { .. } => (0.0, LOG_POSITIONS, 1.0),
        }
    }

    /// Slider position showing value `v`.
    pub fn to_position(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear { .. } => v.clamp(self.min, self.max),
            Scale::Log { floor } => {
                let lo = floor.max(self.min);
                if v <= lo {
                    return if v > self.min { 1.0 } else { 0.0 };
                }
                let p = (v / lo).ln() / (self.max / lo).ln() * LOG_POSITIONS;
                p.clamp(0.0, LOG_POSITIONS)
            }
        }
    }

    /// Value at slider position `p`, rounded to something worth reading.
    pub fn from_position(&self, p: f64) -> f64 {
        let v = match self.scale {
            Scale::Linear { step } => self.min + ((p - self.min) / step).round() * step,
            Scale::Log { floor } => {
                let lo = floor.max(self.min);
                if p <= 0.0 {
                    self.min
                } else {
                    round_sig(lo * (self.max / lo).powf(p / LOG_POSITIONS), 2)
                }
            }
        };
        self.clean(v)
    }

    /// Clamps to the range and rounds whole-number knobs.
    pub fn clean(&self, v: f64) -> f64 {
        let v = v.clamp(self.min, self.max);
        if self.integer {
            v.round()
        } else {
            v
        }
    }
}

/// Writes a catalogue row, keeping the derived knobs kept across it.
fn write_row(f: &'static Field, c: &mut Config, v: Value) {
    let kept: Vec<(&Derived, f64)> =
        DERIVED.iter().filter(|d| d.kept_across == Some(f.path)).map(|d| (d, (d.get)(c))).collect();
    f.set(c, v);
    for (d, x) in kept {
        (d.set)(c, x);
    }
}

impl Toggle {
    /// Whether the mechanism is on in `c`.
    pub fn get(&self, c: &Config) -> bool {
        matches!(self.row.get(c), Value::Switch(true))
    }

    /// Switches the mechanism on or off in `c`.
    pub fn set(&self, c: &mut Config, on: bool) {
        self.row.set(c, Value::Switch(on));
    }

    /// Whether the mechanism is on at `t` in `c`.
    pub fn get_at(&self, c: &Config, t: Target) -> bool {
        matches!(read_at(self.row, c, t), Value::Switch(true))
    }

    /// Switches the mechanism on or off at `t` in `c`.
    pub fn set_at(&self, c: &mut Config, t: Target, on: bool) {
        write_at(self.row, c, t, Value::Switch(on));
    }
}

impl Select {
    /// The chosen name in `c`.
    pub fn get(&self, c: &Config) -> &'static str {
        match self.row.get(c) {
            Value::Choice(name) => name,
            _ => "",
        }
    }

    /// Chooses `name` (one of the options) in `c`.
    pub fn set(&self, c: &mut Config, name: &'static str) {
        self.row.set(c, Value::Choice(name));
    }

    /// The chosen name at `t` in `c`.
    pub fn get_at(&self, c: &Config, t: Target) -> &'static str {
        match read_at(self.row, c, t) {
            Value::Choice(name) => name,
            _ => "",
        }
    }

    /// Chooses `name` at `t` in `c`.
    pub fn set_at(&self, c: &mut Config, t: Target, name: &'static str) {
        write_at(self.row, c, t, Value::Choice(name));
    }

    /// The option called `text`; the error lists the options.
    pub fn parse(&self, text: &str) -> Result<&'static str, String> {
        let t = text.trim();
        self.options.iter().copied().find(|o| *o == t).ok_or_else(|| {
            format!("\"{text}\" is not a {}; use one of {}", self.label.to_lowercase(), self.options.join(", "))
        })
    }

    /// Text shown for option `name` in the menu.
    pub fn option_text(&self, name: &'static str) -> &'static str {
        OPTION_TEXT.iter().find(|(p, n, _)| *p == self.id && *n == name).map_or(name, |(_, _, text)| text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;

    /// The engine's allowed range for a knob, in shown units.
    fn engine_range(k: &Knob) -> (f64, f64) {
        let f = catalogue::field(k.field).expect("every knob writes a catalogue field");
        let (lo, hi) = match f.kind {
            Kind::Real { min, max } => (min, max),
            Kind::Whole { min, max } => (min as f64, max as f64),
            other => panic!("{}: a knob over a {other:?} field", k.label),
        };
        if k.percent {
            (lo * 100.0, hi * 100.0)
        } else {
            (lo, hi)
        }
    }

    #[test]
    fn a_typed_non_number_is_named_as_typed() {
        let k = knob("client.attempts").expect("attempts");
        for typed in ["NaN", "inf", " -Infinity "] {
            let e = k.parse(typed).unwrap_err();
            assert!(e.starts_with(&format!("\"{}\" is not a finite number; allowed range is 1 to", typed.trim())), "{e}");
        }
        assert!(k.parse("0").unwrap_err().starts_with("0 is out of range"));
    }

    #[test]
    fn knob_ranges_are_subsets_of_the_engine_limits() {
        for k in knobs() {
            let (lo, hi) = engine_range(k);
            assert!(k.min >= lo && k.max <= hi, "{} [{}, {}] not within [{lo}, {hi}]", k.label, k.min, k.max);
            assert!(k.tip.ends_with('.') && k.tip.matches(". ").count() == 0, "{}: one sentence", k.label);
            // Every knob's value must land in the engine's field: set then get.
            let mut c = app_defaults();
            k.set(&mut c, k.max);
            assert_eq!(k.get(&c), k.max, "{} does not write its field", k.label);
            let d = k.get(&app_defaults());
            assert!(k.in_range(d), "{} default {d} outside its slider", k.label);
            assert!(
                (k.from_position(k.to_position(d)) - d).abs() / d.max(1.0) < 0.1,
                "{} slider misplaces its default",
                k.label
            );
        }
    }

    #[test]
    fn every_row_with_slider_hints_is_a_knob_and_every_switch_and_choice_a_control() {
        for f in FIELDS {
            let shown = control(f.path);
            match (f.kind, f.ui) {
                (Kind::Seed, _) => assert!(shown.is_none(), "the seed is in the toolbar"),
                (Kind::Switch, _) => {
                    let t = toggle(f.path).unwrap_or_else(|| panic!("switch {} has no toggle", f.path));
                    assert_eq!((t.label, t.param, t.tip, t.gate), (f.label, f.param, f.doc, f.gate), "{}", f.path);
                }
                (Kind::Choice(names), _) => {
                    let s = select(f.path).unwrap_or_else(|| panic!("choice {} has no select", f.path));
                    assert_eq!((s.label, s.param, s.options), (f.label, f.param, names), "{}", f.path);
                }
                (_, Some(ui)) => {
                    let k = knob(f.path).unwrap_or_else(|| panic!("{} has slider hints but no knob", f.path));
                    assert_eq!((k.label, k.param, k.field, k.tip), (f.label, f.param, f.path, f.doc), "{}", f.path);
                    assert_eq!(
                        (k.min, k.max, k.scale, k.percent, k.gate),
                        (ui.min, ui.max, ui.scale, ui.percent, f.gate)
                    );
                    assert_eq!(k.integer, matches!(f.kind, Kind::Whole { .. }), "{}", f.path);
                    assert_eq!(k.needs_restart(), f.apply == Apply::Reset, "{}", f.path);
                }
                (_, None) => assert!(shown.is_none(), "{} has no slider hints but a control", f.path),
            }
            if let Some(c) = shown {
                assert_eq!(Some(c.group()), Group::of(f.path), "{}", f.path);
                assert_eq!(by_param(f.param).map(Control::id), Some(f.path), "{}", f.path);
            }
            // No row is left out of the panel for want of a heading.
            assert_eq!(Group::of(f.path).is_none(), f.kind == Kind::Seed, "{} has no heading", f.path);
        }
        for d in &DERIVED {
            let f = catalogue::field(d.field).expect("a derived knob writes a catalogue field");
            assert!(f.ui.is_none(), "{}: the field it writes must not have a slider of its own", d.id);
            assert!(catalogue::field(d.id).is_none() && catalogue::by_param(d.param).is_none(), "{}", d.id);
            assert!(knob(d.id).is_some_and(|k| k.group == Group::of(d.field).unwrap()), "{}", d.id);
            if let Some(kept) = d.kept_across {
                assert!(knob(kept).is_some(), "{}: kept across {kept}, which is no knob", d.id);
            }
        }
        assert_eq!(CONTROLS.len(), FIELDS.iter().filter(|f| control(f.path).is_some()).count() + DERIVED.len());
        // The rows added with the traffic shapes and service-time shapes show up where they belong.
        assert_eq!(select("traffic.shape").map(|s| s.group), Some(Group::Traffic));
        assert_eq!(select("nodes.service_dist").map(|s| s.group), Some(Group::Nodes));
        for path in ["traffic.period_s", "traffic.amplitude"] {
            assert_eq!(knob(path).map(|k| k.group), Some(Group::Traffic), "{path}");
        }
        for path in ["nodes.service_cv", "nodes.bimodal_share", "nodes.bimodal_slow_ms"] {
            assert_eq!(knob(path).map(|k| k.group), Some(Group::Nodes), "{path}");
        }
        assert!(knob("traffic.spike_end_s").is_none(), "the spike is set by its length, not its end");
        assert_eq!(knob("cpu.switch_overhead").map(|k| k.unit.as_str()), Some("% / thread"));
        assert_eq!(knob("crash.warmup_capacity").map(|k| k.unit.as_str()), Some("%"));
    }

    #[test]
    fn every_id_has_one_entry_and_every_name_is_unique() {
        let mut params: Vec<&str> = CONTROLS.iter().map(Control::param).collect();
        params.extend(["seed", "speed", "play", "bench"]);
        let mut ids: Vec<&str> = CONTROLS.iter().map(Control::id).collect();
        for names in [&mut params, &mut ids] {
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "a URL parameter or id is used twice");
        }
        for k in knobs() {
            assert_eq!(knob(k.id), Some(k), "{}: knob finds another entry", k.label);
            assert_eq!(by_param(k.param).map(Control::id), Some(k.id));
            assert!(k.min < k.max, "{}: empty range", k.label);
            assert!(!k.label.is_empty() && !k.param.is_empty(), "{:?}", k.id);
            if let Some(g) = k.gate {
                let t = toggle(g).unwrap_or_else(|| panic!("{}: gated by {g}, which is no toggle", k.label));
                assert_eq!(t.group, k.group, "{}: gated from another group", k.label);
            }
        }
        for t in toggles() {
            assert_eq!(toggle(t.id), Some(t), "{}: toggle finds another entry", t.label);
            assert_eq!(by_param(t.param).map(Control::id), Some(t.id));
            assert!(t.tip.ends_with('.') && t.tip.matches(". ").count() == 0, "{}: one sentence", t.label);
            if let Some(g) = t.gate {
                let gate = toggle(g).expect("a toggle gates it");
                assert!(gate.gate.is_none() && gate.group == t.group, "{}", t.label);
            }
        }
        for s in selects() {
            assert!(s.options.len() >= 2 && s.options.contains(&s.get(&app_defaults())), "{}", s.label);
            assert!(s.gate.is_none_or(|g| toggle(g).is_some_and(|t| t.group == s.group)), "{}", s.label);
        }
        assert!(by_param("bogus").is_none() && knob("rate").is_none() && toggle("nodes.count").is_none());
        for g in Group::ALL {
            assert!(knobs().any(|k| k.group == g), "{} has no knob", g.title());
        }
    }

    #[test]
    fn option_text_names_real_options() {
        for (path, name, _) in OPTION_TEXT {
            assert!(select(path).is_some_and(|s| s.options.contains(name)), "{path} has no option {name}");
        }
        let backoff = select("client.backoff").unwrap();
        assert_eq!(backoff.option_text("decorrelated"), "decorrelated jitter");
        assert_eq!(select("traffic.shape").unwrap().option_text("ramp"), "ramp", "other options show their name");
    }

    #[test]
    fn headings_follow_the_section_with_two_exceptions() {
        assert_eq!(Group::of("traffic.rate_per_s"), Some(Group::Traffic));
        assert_eq!(Group::of("health.enabled"), Some(Group::Balancer));
        assert_eq!(Group::of("nodes.workers"), Some(Group::Nodes));
        assert_eq!(Group::of("nodes.count"), Some(Group::Balancer));
        assert_eq!(Group::of("nodes.queue_capacity"), Some(Group::Shedding));
        assert_eq!(Group::of("cache.ttl_s"), Some(Group::Dependencies));
        assert_eq!((Group::of("seed"), Group::of("")), (None, None));
    }

    #[test]
    fn knobs_wait_for_a_reset_exactly_when_their_row_says_so() {
        let restart: Vec<&str> = knobs().filter(|k| k.needs_restart()).map(|k| k.id).collect();
        for path in ["traffic.users", "nodes.count", "cache.keys"] {
            assert!(restart.contains(&path), "{path} applies on reset: {restart:?}");
        }
        assert!(!restart.contains(&"nodes.workers"), "{restart:?}");
        for k in knobs() {
            let reset = catalogue::field(k.field).is_some_and(|f| f.apply == Apply::Reset);
            assert_eq!(k.needs_restart(), reset, "{}", k.label);
        }
    }

    #[test]
    fn a_knob_writes_only_its_own_field() {
        let d = app_defaults();
        for k in knobs() {
            for v in [k.min, k.max, k.from_position(k.to_position(k.min) / 2.0 + k.to_position(k.max) / 2.0)] {
                let mut c = d.clone();
                k.set(&mut c, v);
                assert_eq!(k.get(&c), v, "{} does not read back {v}", k.label);
                for other in CONTROLS.iter().filter(|o| o.id() != k.id) {
                    assert!(!other.changed(&c, &d), "setting {} moved {}", k.label, other.label());
                }
            }
        }
        for t in toggles() {
            let mut c = d.clone();
            t.set(&mut c, true);
            assert!(t.get(&c));
            for other in CONTROLS.iter().filter(|o| o.id() != t.id) {
                assert!(!other.changed(&c, &d), "switching {} changed {}", t.id, other.id());
            }
            t.set(&mut c, false);
            assert_eq!(c, d, "{} off again is the default", t.id);
        }
        for s in selects() {
            for &name in s.options {
                let mut c = d.clone();
                s.set(&mut c, name);
                assert_eq!(s.get(&c), name, "{}", s.id);
                assert!(CONTROLS.iter().filter(|o| o.id() != s.id).all(|o| !o.changed(&c, &d)), "{} = {name}", s.id);
            }
        }
    }

    #[test]
    fn moving_the_spike_start_keeps_its_length() {
        let (start, length) = (knob("traffic.spike_start_s").unwrap(), knob("traffic.spike_length").unwrap());
        let mut c = app_defaults();
        length.set(&mut c, 15.0);
        start.set(&mut c, 100.0);
        assert_eq!((c.traffic.spike_start_s, c.traffic.spike_end_s), (100.0, 115.0));
        assert_eq!(length.get(&c), 15.0);
        c.traffic.spike_end_s = 50.0;
        assert_eq!(length.get(&c), 0.0, "an inverted window reads as no spike, not a negative length");
        // A group reset puts both back, whatever the order of the writes.
        reset_group(Group::Traffic, &mut c, &app_defaults());
        assert_eq!(c, app_defaults());
    }

    #[test]
    fn percentages_read_back_as_typed() {
        let mut c = app_defaults();
        let percent: Vec<&Knob> = knobs().filter(|k| k.percent).collect();
        assert!(percent.len() >= 8, "{percent:?}");
        for k in percent {
            assert!(k.unit.starts_with('%'), "{}", k.label);
            for v in [k.min, 7.0_f64.clamp(k.min, k.max), 33.3_f64.clamp(k.min, k.max), k.max] {
                k.set(&mut c, v);
                assert_eq!(k.get(&c), v, "{}", k.label);
            }
        }
    }

    #[test]
    fn slider_positions_cover_the_range_in_order() {
        for k in knobs() {
            let (lo, hi, step) = k.slider_bounds();
            assert!(step > 0.0 && lo < hi, "{}", k.label);
            assert_eq!(k.from_position(lo), k.min, "{}: the left end is the minimum", k.label);
            // The right end is the maximum to two significant digits (a log
            // slider rounds: Workers' right end gives 1,000 of 1,024).
            let right = k.from_position(hi);
            assert!(right <= k.max && right >= round_sig(k.max, 2).min(k.max), "{}: right end {right}", k.label);
            assert_eq!(k.to_position(k.min), lo, "{}", k.label);
            assert_eq!(k.to_position(k.max), hi, "{}", k.label);
            let mut last = f64::NEG_INFINITY;
            let mut p = lo;
            while p <= hi {
                let v = k.from_position(p);
                assert!(k.in_range(v), "{} at {p}: {v}", k.label);
                assert!(v >= last, "{}: position {p} gives {v}, below {last}", k.label);
                assert!(!k.integer || v.fract() == 0.0, "{}: {v} is not whole", k.label);
                // The slider shown for a value it produced sits where it was.
                assert_eq!(k.from_position(k.to_position(v)), v, "{} at {p}", k.label);
                last = v;
                p += step;
            }
            // Values off either end are pinned to it.
            assert_eq!(k.to_position(k.max * 2.0 + 1.0), hi, "{}", k.label);
            assert_eq!(k.to_position(k.min - 1.0), lo, "{}", k.label);
        }
    }

    #[test]
    fn clean_clamps_and_rounds_whole_numbers() {
        let nodes = knob("nodes.count").unwrap();
        assert_eq!((nodes.clean(2.4), nodes.clean(2.6), nodes.clean(0.0), nodes.clean(99.0)), (2.0, 3.0, 1.0, 32.0));
        let timeout = knob("client.timeout_s").unwrap();
        assert_eq!(timeout.clean(0.123), 0.123, "fractional knobs keep their value");
        assert_eq!(timeout.clean(-5.0), timeout.min);
        assert!(!nodes.in_range(f64::NAN) && !nodes.in_range(f64::INFINITY) && nodes.in_range(1.0));
    }

    #[test]
    fn log_sliders_give_round_values() {
        let rate = knob("traffic.rate_per_s").unwrap();
        assert!(matches!(rate.scale, Scale::Log { .. }), "the arrival rate is on a log slider");
        for p in 1..=LOG_POSITIONS as u32 {
            let v = rate.from_position(p as f64);
            assert_eq!(v, round_sig(v, 2), "position {p} gives {v}");
        }
    }
}
