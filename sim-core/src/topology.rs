//! The shape of a system of services: names resolved to indices, calls
//! checked, cycles refused, and the size limits enforced.
//!
//! A request at a service may call other services, which may call others in
//! turn; the calls must form a directed acyclic graph, since a request that
//! could reach its own service again would hold workers in a loop with no
//! bound. Retries multiply down the graph (three attempts on each of three
//! edges send 27 attempts to the bottom), so the worst-case attempt count
//! per logical request is computed here for the event budget.

use crate::config::{ConfigError, ServiceConfig};

/// Most services in one system.
pub const MAX_SERVICES: usize = 16;
/// Most calls one service makes per request.
pub const MAX_CALLS_PER_SERVICE: usize = 8;
/// Longest chain of calls, counted in services (entry included).
pub const MAX_DEPTH: usize = 8;
/// Longest service name.
pub const MAX_NAME_LEN: usize = 32;

/// A checked system: each service's calls as indices, in a topological
/// order (callers before callees).
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// `calls[i]`: indices of the services service `i` calls, in order.
    pub calls: Vec<Vec<usize>>,
    /// Services in an order where every caller comes before its callees.
    pub order: Vec<usize>,
    /// Services reachable from the entry (index 0).
    pub reachable: Vec<bool>,
}

fn err(service: &str, message: String) -> ConfigError {
    ConfigError::Topology { service: service.to_string(), message }
}

impl Topology {
    /// Checks names, calls, cycles and limits; the entry is `services[0]`.
    pub fn build(services: &[ServiceConfig]) -> Result<Topology, ConfigError> {
        if services.len() > MAX_SERVICES {
            return Err(err("", format!("{} services listed; at most {MAX_SERVICES} are allowed", services.len())));
        }
        for (i, s) in services.iter().enumerate() {
            check_name(&s.name)?;
            if services[..i].iter().any(|o| o.name == s.name) {
                return Err(err(&s.name, "this name is used by two services; names must be unique".into()));
            }
        }
        let index = |name: &str| services.iter().position(|s| s.name == name);
        let mut calls = Vec::with_capacity(services.len());
        for s in services {
            if s.calls.len() > MAX_CALLS_PER_SERVICE {
                let n = s.calls.len();
                return Err(err(&s.name, format!("{n} calls; a service makes at most {MAX_CALLS_PER_SERVICE}")));
            }
            let mut out = Vec::with_capacity(s.calls.len());
            for c in &s.calls {
                let Some(j) = index(&c.to) else {
                    return Err(err(&s.name, format!("calls {:?}, which is not a listed service", c.to)));
                };
                if c.to == s.name {
                    return Err(err(&s.name, "calls itself; calls must not form a cycle".into()));
                }
                if j == 0 {
                    let entry = &services[0].name;
                    return Err(err(
                        &s.name,
                        format!("calls {entry:?}, the entry service, which only the clients call"),
                    ));
                }
                out.push(j);
            }
            calls.push(out);
        }
        let order = topological_order(services, &calls)?;
        let mut topo = Topology { calls, order, reachable: vec![false; services.len()] };
        topo.mark_reachable(0);
        topo.check_depth(services)?;
        Ok(topo)
    }

    fn mark_reachable(&mut self, i: usize) {
        if self.reachable[i] {
            return;
        }
        self.reachable[i] = true;
        for j in self.calls[i].clone() {
            self.mark_reachable(j);
        }
    }

    /// Longest chain from the entry, in services, must stay within
    /// [`MAX_DEPTH`].
    fn check_depth(&self, services: &[ServiceConfig]) -> Result<(), ConfigError> {
        let mut depth = vec![0usize; services.len()];
        for &i in self.order.iter().rev() {
            depth[i] = 1 + self.calls[i].iter().map(|&j| depth[j]).max().unwrap_or(0);
        }
        if depth.first().is_some_and(|&d| d > MAX_DEPTH) {
            let name = &services[0].name;
            return Err(err(
                name,
                format!("a chain of {} services starts here; at most {MAX_DEPTH} are allowed", depth[0]),
            ));
        }
        Ok(())
    }

    /// Worst-case attempts that reach each service per logical request, with
    /// `entry_attempts` from the clients and each call retried up to its
    /// attempts: the sum over paths of the product of attempts.
    pub fn attempts_per_request(&self, services: &[ServiceConfig], entry_attempts: u32) -> Vec<f64> {
        let mut reach = vec![0.0; services.len()];
        if reach.is_empty() {
            return reach;
        }
        reach[0] = entry_attempts as f64;
        for &i in &self.order {
            for (k, &j) in self.calls[i].iter().enumerate() {
                reach[j] += reach[i] * services[i].calls[k].client.attempts as f64;
            }
        }
        reach
    }
}

fn check_name(name: &str) -> Result<(), ConfigError> {
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if name.is_empty() || name.len() > MAX_NAME_LEN || !ok_chars {
        return Err(err(
            name,
            format!("service names are 1 to {MAX_NAME_LEN} letters, digits, '-' or '_' (got {name:?})"),
        ));
    }
    Ok(())
}

/// Kahn's algorithm (Kahn, "Topological sorting of large networks", CACM
/// 5(11), 1962); a service left over is on a cycle, which is named.
fn topological_order(services: &[ServiceConfig], calls: &[Vec<usize>]) -> Result<Vec<usize>, ConfigError> {
    let n = services.len();
    let mut indegree = vec![0usize; n];
    for out in calls {
        for &j in out {
            indegree[j] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).rev().collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(i);
        for &j in calls[i].iter().rev() {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
            }
        }
    }
    if order.len() < n {
        let on_cycle = (0..n).find(|&i| indegree[i] > 0).unwrap_or(0);
        return Err(err(&services[on_cycle].name, "is on a cycle of calls; calls must not form a cycle".into()));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CallConfig;

    fn svc(name: &str, calls: &[&str]) -> ServiceConfig {
        ServiceConfig {
            name: name.into(),
            calls: calls.iter().map(|to| CallConfig { to: to.to_string(), client: Default::default() }).collect(),
            ..ServiceConfig::default()
        }
    }

    #[test]
    fn chain_orders_callers_first_and_multiplies_attempts() {
        let s = [svc("gw", &["api"]), svc("api", &["db"]), svc("db", &[])];
        let t = Topology::build(&s).unwrap();
        assert_eq!(t.order, vec![0, 1, 2]);
        assert_eq!(t.attempts_per_request(&s, 3), vec![3.0, 9.0, 27.0]);
    }

    #[test]
    fn shared_dependency_sums_paths() {
        let s = [svc("gw", &["a", "b"]), svc("a", &["db"]), svc("b", &["db"]), svc("db", &[])];
        let t = Topology::build(&s).unwrap();
        assert_eq!(t.attempts_per_request(&s, 1)[3], 18.0);
        assert!(t.reachable.iter().all(|&r| r));
    }

    #[test]
    fn cycles_unknown_names_and_limits_are_named() {
        let cyc = [svc("gw", &["a"]), svc("a", &["b"]), svc("b", &["a"])];
        let e = Topology::build(&cyc).unwrap_err().to_string();
        assert!(e.contains("cycle") && e.starts_with("services.a"), "{e}");
        let unknown = [svc("gw", &["nope"])];
        assert_eq!(
            Topology::build(&unknown).unwrap_err().to_string(),
            "services.gw: calls \"nope\", which is not a listed service"
        );
        let selfcall = [svc("gw", &["gw"])];
        assert!(Topology::build(&selfcall).unwrap_err().to_string().contains("calls itself"));
        let dup = [svc("gw", &[]), svc("gw", &[])];
        assert!(Topology::build(&dup).unwrap_err().to_string().contains("unique"));
        let fan: Vec<&str> = vec!["x"; 9];
        let wide = [svc("gw", &fan), svc("x", &[])];
        assert!(Topology::build(&wide).unwrap_err().to_string().contains("at most 8"));
        let names: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        let deep: Vec<ServiceConfig> = (0..10)
            .map(|i| if i < 9 { svc(&names[i], &[names[i + 1].as_str()]) } else { svc(&names[i], &[]) })
            .collect();
        assert!(Topology::build(&deep).unwrap_err().to_string().contains("chain of 10"));
        assert!(Topology::build(&[svc("bad name", &[])]).is_err());
    }
}
