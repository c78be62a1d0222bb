//! Ready-made topologies: systems of services to start from. Each opens
//! with two sentences, like the lessons: what to watch, and what to change.
//!
//! A template changes the list of services, which only a new run can take,
//! so loading one resets the run.

use crate::defaults::app_defaults;
use sim_core::config::ClientConfig;
use sim_core::{CallConfig, CallMode, Config, ServiceConfig};

/// A named topology.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Name in the topology menu.
    pub name: &'static str,
    /// Its `template=` URL value.
    pub param: &'static str,
    /// What to watch, then what to change.
    pub story: &'static str,
    /// Builds the scenario from the playground's defaults.
    pub build: fn() -> Config,
}

/// A service with `count` nodes of `workers` workers each and the
/// defaults otherwise.
pub fn service(name: &str, count: u32, workers: u32) -> ServiceConfig {
    let mut s = ServiceConfig { name: name.to_string(), ..ServiceConfig::default() };
    s.nodes.count = count;
    s.nodes.workers = workers;
    s
}

/// A call to `to` with `attempts` attempts and a timeout of `timeout_s`.
pub fn call(to: &str, attempts: u32, timeout_s: f64) -> CallConfig {
    let client = ClientConfig { attempts, timeout_s, ..ClientConfig::default() };
    CallConfig { to: to.to_string(), client }
}

fn single_tier() -> Config {
    app_defaults()
}

fn gateway_api_db() -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 4_000.0;
    let mut gateway = service("gateway", 4, 32);
    gateway.nodes.service_ms_mean = 2.0;
    gateway.calls.push(call("api", 2, 1.0));
    let mut api = service("api", 4, 32);
    api.calls.push(call("database", 2, 0.5));
    let mut db = service("database", 2, 32);
    db.nodes.service_ms_mean = 5.0;
    c.services = vec![gateway, api, db];
    c
}

fn fan_out() -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 3_000.0;
    let mut api = service("api", 4, 32);
    api.call_mode = CallMode::Parallel;
    let backends = ["users", "orders", "search"];
    api.calls = backends.iter().map(|b| call(b, 2, 0.5)).collect();
    let mut search = service("search", 2, 32);
    search.nodes.slow_count = 1;
    c.services = vec![api, service("users", 2, 32), service("orders", 2, 32), search];
    c
}

fn shared_dependency() -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 2_000.0;
    let mut front = service("front", 4, 64);
    front.call_mode = CallMode::Parallel;
    front.calls = vec![call("checkout", 1, 2.0), call("catalog", 1, 2.0)];
    let mut checkout = service("checkout", 4, 32);
    checkout.calls.push(call("ledger", 3, 0.2));
    let mut catalog = service("catalog", 4, 32);
    catalog.calls.push(call("ledger", 3, 0.2));
    let mut ledger = service("ledger", 4, 32);
    ledger.nodes.service_ms_mean = 15.0;
    c.services = vec![front, checkout, catalog, ledger];
    c
}

/// Every template, in menu order.
pub const TEMPLATES: [Template; 4] = [
    Template {
        name: "Single tier",
        param: "single",
        story: "One service of four nodes behind a balancer, the playground's classic. \
                Add a service and a call to it to grow it into a system.",
        build: single_tier,
    },
    Template {
        name: "Gateway → API → database",
        param: "gateway-api-db",
        story: "Each hop retries twice, so a slow database sees up to four attempts per request. \
                Select the database and fire a latency spike, then cut the API's attempts to 1 and watch the amplification stop.",
        build: gateway_api_db,
    },
    Template {
        name: "API fanning out to 3 backends",
        param: "fan-out",
        story: "The API waits for all three backends at once, so its latency is the slowest one's and search has a slow node. \
                Watch the API's p99 follow search, then shorten the search call's timeout or add a node to search.",
        build: fan_out,
    },
    Template {
        name: "Two services sharing a slow dependency",
        param: "shared-dependency",
        story: "Checkout and catalog both call the slow ledger with three attempts and a tight timeout. \
                Fire a latency spike on the ledger and watch both callers fail, then give one call a single attempt.",
        build: shared_dependency,
    },
];

/// The template whose URL value is `param`.
pub fn by_param(param: &str) -> Option<usize> {
    TEMPLATES.iter().position(|t| t.param == param)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_validates_and_names_are_unique() {
        for (i, t) in TEMPLATES.iter().enumerate() {
            let c = (t.build)();
            assert_eq!(c.validate(), Ok(()), "{}", t.name);
            assert_eq!(by_param(t.param), Some(i));
            assert_eq!(t.story.matches(". ").count() + 1, 2, "{}: two sentences", t.name);
        }
        assert!((TEMPLATES[0].build)().services.is_empty(), "the first is the single tier");
    }
}
