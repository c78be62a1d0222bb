//! A shared handle on the running simulation.
//!
//! The simulation is large and mutated every frame, so the app state holds a
//! reference-counted handle instead of a copy; two handles are equal only
//! when they point at the same run, which is what components need to know
//! whether a reset happened.

use sim_core::{Config, ConfigError, Simulation};
use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

/// A handle on one run of the simulation.
#[derive(Debug, Clone)]
pub struct Engine(Rc<RefCell<Simulation>>);

impl Engine {
    /// Validates `config` and starts a run at time zero.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        Ok(Engine(Rc::new(RefCell::new(Simulation::new(config)?))))
    }

    /// Reads the simulation.
    pub fn sim(&self) -> Ref<'_, Simulation> {
        self.0.borrow()
    }

    /// The run's sampled traces (`None` while traces are off).
    pub fn traces(&self) -> Option<sim_core::trace::Traces> {
        self.0.borrow().traces()
    }

    /// Mutates the simulation.
    pub fn sim_mut(&self) -> RefMut<'_, Simulation> {
        self.0.borrow_mut()
    }
}

impl PartialEq for Engine {
    fn eq(&self, other: &Engine) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_equal_only_on_the_same_run() {
        let a = Engine::new(Config::default()).unwrap();
        let b = a.clone();
        assert_eq!(a, b);
        assert_ne!(a, Engine::new(Config::default()).unwrap(), "a new run with the same knobs is a new run");
        b.sim_mut().step_until(sim_core::SimTime::from_secs(1));
        assert_eq!(a.sim().snapshot().now, sim_core::SimTime::from_secs(1), "clones share the run");
    }

    #[test]
    fn an_invalid_config_is_refused() {
        let mut c = Config::default();
        c.nodes.count = 0;
        let e = Engine::new(c).unwrap_err();
        assert_eq!(e.field(), "nodes.count");
    }
}
