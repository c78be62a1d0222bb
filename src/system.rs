//! Editing a system of services with small forms, and the faults the
//! playground fires at a service: plain functions over `Config`, checked
//! by the engine's own validation, whose error text the user sees.

use crate::templates::{call, service};
use sim_core::{Config, Fault, FaultKind};

/// What the "Add a service" form sends.
#[derive(Debug, Clone, PartialEq)]
pub struct NewService {
    /// Its name, unique in the system.
    pub name: String,
    /// Its node count.
    pub nodes: u32,
    /// Workers per node.
    pub workers: u32,
}

/// What the "Add a call" form sends.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCall {
    /// Index of the caller in the system.
    pub caller: usize,
    /// Name of the service called.
    pub callee: String,
    /// Attempts per call.
    pub attempts: u32,
    /// Timeout of each attempt, seconds.
    pub timeout_s: f64,
}

/// The scenario as an explicit list of services: a single tier becomes one
/// service named as the engine names it, and the top-level sections go back
/// to their defaults, as a system requires.
pub fn as_system(c: &Config) -> Config {
    let mut next = c.clone();
    if next.services.is_empty() {
        next.services = vec![c.single_service()];
        next.set_single_service(Config::default().single_service());
    }
    next
}

/// Checks an edited topology with the engine's validation.
fn checked(next: Config) -> Result<Config, String> {
    next.validate().map_err(|e| e.to_string())?;
    Ok(next)
}

/// Adds a service; it can then be called.
pub fn add_service(c: &Config, s: &NewService) -> Result<Config, String> {
    let mut next = as_system(c);
    next.services.push(service(s.name.trim(), s.nodes, s.workers));
    checked(next)
}

/// Adds a call edge from the caller to the named callee.
pub fn add_call(c: &Config, k: &NewCall) -> Result<Config, String> {
    let mut next = as_system(c);
    let caller = next.services.get_mut(k.caller).ok_or("no such caller")?;
    caller.calls.push(call(k.callee.trim(), k.attempts, k.timeout_s));
    checked(next)
}

/// Removes a service (never the entry) and every call to it.
pub fn remove_service(c: &Config, i: usize) -> Result<Config, String> {
    if i == 0 {
        return Err("the entry service, which the clients call, cannot be removed".into());
    }
    let mut next = c.clone();
    let name = next.services.get(i).ok_or("no such service")?.name.clone();
    next.services.remove(i);
    for s in &mut next.services {
        s.calls.retain(|x| x.to != name);
    }
    checked(next)
}

/// Removes call `k` of service `i`.
pub fn remove_call(c: &Config, i: usize, k: usize) -> Result<Config, String> {
    let mut next = c.clone();
    let calls = &mut next.services.get_mut(i).ok_or("no such service")?.calls;
    if k >= calls.len() {
        return Err("no such call".into());
    }
    calls.remove(k);
    checked(next)
}

/// A fault the playground can fire at a service now.
#[derive(Debug, Clone, Copy)]
pub struct FaultButton {
    /// Button text.
    pub label: &'static str,
    /// What it does, for the tooltip.
    pub tip: &'static str,
    /// The kind fired.
    pub kind: FaultKind,
}

/// The fault buttons, in display order.
pub const FAULT_BUTTONS: [FaultButton; 5] = [
    FaultButton {
        label: "Latency ×5",
        tip: "Its work takes five times longer for 10 s",
        kind: FaultKind::LatencySpike,
    },
    FaultButton {
        label: "Lose half",
        tip: "Half of each node's workers are gone for 10 s",
        kind: FaultKind::CapacityLoss,
    },
    FaultButton {
        label: "Fail half",
        tip: "Half of the attempts reaching it fail at once for 10 s",
        kind: FaultKind::ErrorInjection,
    },
    FaultButton {
        label: "Partition",
        tip: "Drop everything it sends on its first call for 10 s",
        kind: FaultKind::Partition,
    },
    FaultButton { label: "Flush cache", tip: "Its cache loses its value now", kind: FaultKind::CacheFlush },
];

/// The fault of `kind` at service `name` (the entry when `is_entry`), for
/// 10 s from `now_s`; a partition cuts its call to `callee`, so it is
/// `None` for a service that calls none.
pub fn fault(kind: FaultKind, name: &str, callee: Option<&str>, is_entry: bool, now_s: f64) -> Option<Fault> {
    let to = match kind {
        FaultKind::Partition => callee?.to_string(),
        _ => String::new(),
    };
    let service = if is_entry { String::new() } else { name.to_string() };
    Some(Fault { kind, service, to, duration_s: 10.0, ..Fault::crash(now_s, 0) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::TEMPLATES;

    #[test]
    fn a_single_tier_becomes_a_system_of_one_with_its_knobs() {
        let mut c = crate::defaults::app_defaults();
        c.nodes.workers = 40;
        let s = as_system(&c);
        assert_eq!(s.services.len(), 1);
        assert_eq!(s.services[0].nodes.workers, 40);
        assert_eq!(s.nodes, Config::default().nodes);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn edits_are_checked_by_the_engine() {
        let c = (TEMPLATES[1].build)();
        let cycle = NewCall { caller: 2, callee: "api".into(), attempts: 1, timeout_s: 1.0 };
        let e = add_call(&c, &cycle).unwrap_err();
        assert!(e.contains("database") || e.contains("cycle"), "{e}");
        let dup = NewService { name: "api".into(), nodes: 1, workers: 1 };
        assert!(add_service(&c, &dup).is_err());
        assert!(remove_service(&c, 0).is_err());
        let c = remove_service(&c, 2).unwrap();
        assert!(c.services[1].calls.is_empty(), "calls to a removed service go too");
        assert!(remove_call(&c, 0, 5).is_err());
        assert!(remove_call(&c, 0, 0).unwrap().services[0].calls.is_empty());
    }
}
