//! The playground's default scenario and session length, shared by the
//! reducer (`state`) and the presets, which both start from them.

use sim_core::Config;

/// Simulated length of a playground session, seconds. The engine needs a
/// duration to size its per-second series; an hour is long enough to feel
/// open-ended (36 s of wall time even at 100×) and small in memory.
pub const SESSION_S: f64 = 3600.0;

/// The playground's defaults: the reference steady scenario, run for a session.
pub fn app_defaults() -> Config {
    let mut c = Config::default();
    c.traffic.duration_s = SESSION_S;
    c
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
