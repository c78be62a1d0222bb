//! The performance overlay: frame rate, engine events per wall second and
//! whether the simulation keeps up with the requested speed.

use crate::format::{number, si};
use yew::prelude::*;

/// Overlay inputs.
#[derive(Properties, PartialEq)]
pub struct PerfOverlayProps {
    /// Running or paused.
    pub playing: bool,
    /// Frames per second.
    pub fps: f64,
    /// Simulation events per wall second.
    pub events_per_s: f64,
    /// Simulated seconds per wall second achieved.
    pub achieved_speed: f64,
    /// Requested speed.
    pub speed: f64,
    /// The last frame ran out of event budget.
    pub behind: bool,
}

/// The overlay.
#[component]
pub fn PerfOverlay(p: &PerfOverlayProps) -> Html {
    let behind = p.playing && p.behind;
    html! {
        <aside id="perf" class={classes!("perf", behind.then_some("perf--behind"))} aria-label="Performance"
            data-fps={format!("{:.1}", p.fps)} data-events-per-s={format!("{:.0}", p.events_per_s)}>
            if p.playing {
                <span>{ format!("{:.0} fps", p.fps) }</span>
                <span>{ format!("{} events/s", si(p.events_per_s)) }</span>
                if behind {
                    <span class="perf__behind" title="The frame's event budget ran out before the requested simulated time: the simulation runs slower than asked so the page stays responsive">
                        { format!("⚠ falling behind: {}× of {}×", number(p.achieved_speed.round()), number(p.speed)) }
                    </span>
                }
            } else {
                <span>{ "paused" }</span>
            }
        </aside>
    }
}
