//! The catalogue of numeric knobs: what each one changes in [`Config`], its
//! range in the app (a sensible subset of `sim_core::config::limits`), its
//! slider scale, unit, URL parameter and the one-sentence tooltip.

use crate::format::round_sig;
use sim_core::config::RESTART_FIELDS;
use sim_core::Config;

/// A numeric knob. Selects (retry policy, balancer policy) and the seed are
/// handled separately because they are not numbers on a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KnobId {
    /// `traffic.rate_per_s`.
    Rate,
    /// `traffic.spike_mult`.
    SpikeMult,
    /// `traffic.spike_start_s`.
    SpikeStart,
    /// `traffic.spike_end_s − traffic.spike_start_s`.
    SpikeDuration,
    /// `client.timeout_s`.
    Timeout,
    /// `client.attempts`.
    Attempts,
    /// `client.backoff_base_ms`.
    BackoffBase,
    /// `client.backoff_cap_ms`.
    BackoffCap,
    /// `nodes.count` (restart).
    Nodes,
    /// `nodes.workers`.
    Workers,
    /// `nodes.service_ms_mean`.
    ServiceMs,
    /// `nodes.queue_capacity`.
    QueueCapacity,
}

/// Headings of the knob panel, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Arrivals and the spike.
    Traffic,
    /// Timeouts and retries.
    Clients,
    /// Balancer policy and node count.
    Balancer,
    /// Worker pool and service time.
    Nodes,
    /// The waiting room that decides when 503s start.
    Shedding,
}

impl Group {
    /// Every group in display order.
    pub const ALL: [Group; 5] = [Group::Traffic, Group::Clients, Group::Balancer, Group::Nodes, Group::Shedding];

    /// Heading text.
    pub fn title(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Clients => "Clients",
            Group::Balancer => "Balancer",
            Group::Nodes => "Nodes",
            Group::Shedding => "Shedding",
        }
    }
}

/// How slider positions map to values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Evenly spaced values `step` apart.
    Linear { step: f64 },
    /// Logarithmic between `floor` (the smallest positive value) and the
    /// maximum; position 0 is the knob's minimum, which may be 0.
    Log { floor: f64 },
}

/// Slider positions of a log knob run from 0 to this.
pub const LOG_POSITIONS: f64 = 1000.0;

/// Static description of one knob.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    /// Which knob.
    pub id: KnobId,
    /// Heading it sits under.
    pub group: Group,
    /// Short name shown beside the slider.
    pub label: &'static str,
    /// Query-string parameter name.
    pub param: &'static str,
    /// Dotted config field, as `ConfigError::field` and `RESTART_FIELDS` name it.
    pub field: &'static str,
    /// Unit shown after the value.
    pub unit: &'static str,
    /// One sentence on what the knob does to the system.
    pub tip: &'static str,
    /// Smallest value in the app.
    pub min: f64,
    /// Largest value in the app.
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// True when the value is a whole number.
    pub integer: bool,
}

/// Every numeric knob, in display order within its group.
pub const KNOBS: [Knob; 12] = [
    Knob {
        id: KnobId::Rate,
        group: Group::Traffic,
        label: "Arrival rate",
        param: "rate",
        field: "traffic.rate_per_s",
        unit: "req/s",
        tip: "New requests per second from all clients; above the nodes' total capacity, queues fill and latency climbs.",
        min: 0.0,
        max: 50_000.0,
        scale: Scale::Log { floor: 10.0 },
        integer: false,
    },
    Knob {
        id: KnobId::SpikeMult,
        group: Group::Traffic,
        label: "Spike ×",
        param: "spike",
        field: "traffic.spike_mult",
        unit: "×",
        tip: "Multiplies the arrival rate during the spike window; 1 means no spike.",
        min: 1.0,
        max: 20.0,
        scale: Scale::Linear { step: 0.5 },
        integer: false,
    },
    Knob {
        id: KnobId::SpikeStart,
        group: Group::Traffic,
        label: "Spike start",
        param: "spike_start",
        field: "traffic.spike_start_s",
        unit: "s",
        tip: "Simulated time at which the spike begins, counted from the start of the run.",
        min: 0.0,
        max: 3600.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
    },
    Knob {
        id: KnobId::SpikeDuration,
        group: Group::Traffic,
        label: "Spike length",
        param: "spike_length",
        field: "traffic.spike_end_s",
        unit: "s",
        tip: "How long the spike lasts; its extra load arrives whether or not the nodes keep up.",
        min: 0.0,
        max: 600.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
    },
    Knob {
        id: KnobId::Timeout,
        group: Group::Clients,
        label: "Client timeout",
        param: "timeout",
        field: "client.timeout_s",
        unit: "s",
        tip: "How long a client waits for one attempt before giving up on it; the server never learns and still does the work.",
        min: 0.01,
        max: 60.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
    },
    Knob {
        id: KnobId::Attempts,
        group: Group::Clients,
        label: "Max attempts",
        param: "attempts",
        field: "client.attempts",
        unit: "tries",
        tip: "Tries per request, the first one included; every retry is extra load arriving exactly when the system struggles.",
        min: 1.0,
        max: 10.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
    },
    Knob {
        id: KnobId::BackoffBase,
        group: Group::Clients,
        label: "Backoff base",
        param: "backoff_base",
        field: "client.backoff_base_ms",
        unit: "ms",
        tip: "The first wait before a retry; exponential policies double it on each further retry.",
        min: 1.0,
        max: 10_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
    },
    Knob {
        id: KnobId::BackoffCap,
        group: Group::Clients,
        label: "Backoff cap",
        param: "backoff_cap",
        field: "client.backoff_cap_ms",
        unit: "ms",
        tip: "The longest a client ever waits between two attempts, whatever the policy computes.",
        min: 1.0,
        max: 60_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
    },
    Knob {
        id: KnobId::Nodes,
        group: Group::Balancer,
        label: "Nodes",
        param: "nodes",
        field: "nodes.count",
        unit: "nodes",
        tip: "Servers behind the balancer; total capacity grows with their number (applies on reset).",
        min: 1.0,
        max: 32.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
    },
    Knob {
        id: KnobId::Workers,
        group: Group::Nodes,
        label: "Workers / node",
        param: "workers",
        field: "nodes.workers",
        unit: "workers",
        tip: "Attempts one node serves in parallel (its pool size); capacity is nodes × workers ÷ service time.",
        min: 1.0,
        max: 1024.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
    },
    Knob {
        id: KnobId::ServiceMs,
        group: Group::Nodes,
        label: "Service time",
        param: "service_ms",
        field: "nodes.service_ms_mean",
        unit: "ms",
        tip: "Mean time a worker spends on one attempt (exponentially distributed); slower service means less capacity.",
        min: 0.1,
        max: 1000.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
    },
    Knob {
        id: KnobId::QueueCapacity,
        group: Group::Shedding,
        label: "Queue capacity",
        param: "queue",
        field: "nodes.queue_capacity",
        unit: "per node",
        tip: "Attempts a node lets wait for a worker; the next one is shed at once with a 503, so a short queue fails fast and a long one adds latency.",
        min: 0.0,
        max: 100_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
    },
];

impl KnobId {
    /// The knob's static description.
    pub fn knob(self) -> &'static Knob {
        KNOBS.iter().find(|k| k.id == self).expect("every KnobId has an entry in KNOBS")
    }

    /// The knob's current value in `c`.
    pub fn get(self, c: &Config) -> f64 {
        match self {
            KnobId::Rate => c.traffic.rate_per_s,
            KnobId::SpikeMult => c.traffic.spike_mult,
            KnobId::SpikeStart => c.traffic.spike_start_s,
            KnobId::SpikeDuration => (c.traffic.spike_end_s - c.traffic.spike_start_s).max(0.0),
            KnobId::Timeout => c.client.timeout_s,
            KnobId::Attempts => c.client.attempts as f64,
            KnobId::BackoffBase => c.client.backoff_base_ms,
            KnobId::BackoffCap => c.client.backoff_cap_ms,
            KnobId::Nodes => c.nodes.count as f64,
            KnobId::Workers => c.nodes.workers as f64,
            KnobId::ServiceMs => c.nodes.service_ms_mean,
            KnobId::QueueCapacity => c.nodes.queue_capacity as f64,
        }
    }

    /// Writes `v` into `c`. Moving the spike start keeps the spike's length.
    pub fn set(self, c: &mut Config, v: f64) {
        let whole = v.round().max(0.0) as u32;
        match self {
            KnobId::Rate => c.traffic.rate_per_s = v,
            KnobId::SpikeMult => c.traffic.spike_mult = v,
            KnobId::SpikeStart => {
                let length = KnobId::SpikeDuration.get(c);
                c.traffic.spike_start_s = v;
                c.traffic.spike_end_s = v + length;
            }
            KnobId::SpikeDuration => c.traffic.spike_end_s = c.traffic.spike_start_s + v,
            KnobId::Timeout => c.client.timeout_s = v,
            KnobId::Attempts => c.client.attempts = whole,
            KnobId::BackoffBase => c.client.backoff_base_ms = v,
            KnobId::BackoffCap => c.client.backoff_cap_ms = v,
            KnobId::Nodes => c.nodes.count = whole,
            KnobId::Workers => c.nodes.workers = whole,
            KnobId::ServiceMs => c.nodes.service_ms_mean = v,
            KnobId::QueueCapacity => c.nodes.queue_capacity = whole,
        }
    }

    /// Finds a knob by its URL parameter name.
    pub fn from_param(name: &str) -> Option<KnobId> {
        KNOBS.iter().find(|k| k.param == name).map(|k| k.id)
    }
}

impl Knob {
    /// True when changing this knob only takes effect after a reset.
    pub fn needs_restart(&self) -> bool {
        RESTART_FIELDS.contains(&self.field)
    }

    /// True when `v` lies in the app's range for this knob.
    pub fn in_range(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
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
