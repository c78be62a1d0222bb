//! The playground's default scenario and session length, shared by the
//! reducer (`state`) and the templates, which start from them. Both are
//! sim-core's ([`Config::playground`]), where the lessons start from them too.

use sim_core::Config;

/// Simulated length of a playground session, seconds (see
/// [`sim_core::lesson::SESSION_S`]).
pub const SESSION_S: f64 = sim_core::lesson::SESSION_S;

/// The playground's defaults: the reference steady scenario, run for a session.
pub fn app_defaults() -> Config {
    Config::playground()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_reference_scenario_for_one_session() {
        let c = app_defaults();
        assert_eq!(c.traffic.duration_s, SESSION_S);
        assert_eq!(c.validate(), Ok(()));
        let mut reference = Config::default();
        reference.traffic.duration_s = SESSION_S;
        assert_eq!(c, reference, "only the duration differs from the engine's reference scenario");
    }
}
