//! The tipping view's data: the map's fields as typed, checked into a
//! `sim_core::tipping::Map`, the cells as they arrive from the batch
//! workers, and each cell's colour. The cells are `sim_core::tipping::cell`,
//! the ones `brink tipping` prints.

use crate::batch::Job;
use sim_core::tipping::{default_scenario, steps, Judge, Map};
use sim_core::Config;

/// Most values on each axis in the app, so the map stays readable.
pub const MAX_AXIS: usize = 20;
/// Most seeds per cell in the app: the map's work grows with them.
pub const MAX_SEEDS: u32 = 100;

/// The map's fields as the user typed them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Trigger sizes, FROM:TO:STEP (× the rate).
    pub sizes: String,
    /// Trigger durations, FROM:TO:STEP (s).
    pub durations: String,
    /// Seeds per cell.
    pub seeds: String,
    /// Recovery window, whole seconds.
    pub window: String,
    /// Goodput / offered below which a seed has not recovered.
    pub threshold: String,
}

impl Default for Inputs {
    /// `sim_core::tipping::Map::default()`, as text.
    fn default() -> Inputs {
        Inputs {
            sizes: "1.1:2:0.1".into(),
            durations: "1:10:1".into(),
            seeds: "10".into(),
            window: "10".into(),
            threshold: "0.5".into(),
        }
    }
}

impl Inputs {
    /// The map over `base`, or the first field out of its range, named.
    pub fn parse(&self, base: &Config) -> Result<Map, String> {
        let axis = |name: &str, text: &str| steps(text, MAX_AXIS).map_err(|e| format!("{name}: {e}"));
        let sizes = axis("sizes (× rate)", &self.sizes)?;
        let durations_s = axis("durations (s)", &self.durations)?;
        let seeds = match self.seeds.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_SEEDS).contains(&n) => n,
            _ => return Err(format!("seeds: \"{}\" is not allowed; use 1 to {MAX_SEEDS}", self.seeds.trim())),
        };
        let window_s = self.window.trim().parse::<u32>().map_err(|_| {
            format!(
                "window: \"{}\" is not allowed; use 1 to {} whole seconds",
                self.window.trim(),
                sim_core::tipping::MAX_WINDOW_S
            )
        })?;
        let threshold = self
            .threshold
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("threshold: \"{}\" is not allowed; use 0 to 1", self.threshold.trim()))?;
        let map = Map { sizes, durations_s, seeds, judge: Judge { window_s, threshold } };
        map.check(base).map_err(|e| e.to_string())?;
        Ok(map)
    }
}

/// A scenario the view offers.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    /// Its name in the menu.
    pub name: &'static str,
    /// Builds it from the playground's scenario (the link's parameters).
    pub build: fn(&Config) -> Config,
}

fn from_link(c: &Config) -> Config {
    c.clone()
}

fn retry_storm(_: &Config) -> Config {
    default_scenario()
}

/// The scenarios: the map's default first.
pub const CHOICES: [Choice; 2] = [
    Choice { name: "Retry storm at 1,000 req/s (the map's default)", build: retry_storm },
    Choice { name: "The playground's scenario", build: from_link },
];

/// A map being filled: which cells have come back.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    /// What is computed.
    pub map: Map,
    /// Seeds not recovered per cell, row by row (sizes), `None` until it
    /// arrives.
    pub failed: Vec<Option<u32>>,
}

impl Fill {
    /// An empty map.
    pub fn new(map: Map) -> Fill {
        let n = map.sizes.len() * map.durations_s.len();
        Fill { map, failed: vec![None; n] }
    }

    /// The jobs, one per cell, in the cells' order.
    pub fn jobs(&self, base: &Config) -> Vec<Job> {
        let m = &self.map;
        m.sizes
            .iter()
            .flat_map(|&size| m.durations_s.iter().map(move |&duration_s| (size, duration_s)))
            .map(|(size, duration_s)| Job::Tipping {
                base: Box::new(base.clone()),
                size,
                duration_s,
                seeds: m.seeds,
                window_s: m.judge.window_s,
                threshold: m.judge.threshold,
            })
            .collect()
    }

    /// Cells that have arrived.
    pub fn done(&self) -> usize {
        self.failed.iter().filter(|f| f.is_some()).count()
    }

    /// Cell `i`'s share of seeds not recovered, once it arrived.
    pub fn share(&self, i: usize) -> Option<f64> {
        self.failed.get(i).copied().flatten().map(|f| f as f64 / self.map.seeds as f64)
    }

    /// The shares as `brink tipping --format json` prints them, rows of
    /// sizes; `null` for a cell not yet in.
    pub fn shares_json(&self) -> String {
        let columns = self.map.durations_s.len().max(1);
        let rows: Vec<Vec<Option<f64>>> = (0..self.failed.len())
            .map(|i| self.share(i))
            .collect::<Vec<_>>()
            .chunks(columns)
            .map(<[_]>::to_vec)
            .collect();
        serde_json::to_string(&rows).unwrap_or_default()
    }
}

/// A cell's fill for a share of seeds not recovered: pale green at 0
/// through amber to deep red at 1, and the text colour that stays legible
/// on it (the number is printed in every cell, so colour never carries the
/// meaning alone).
pub fn cell_colours(share: f64) -> (String, &'static str) {
    const STOPS: [(f64, [f64; 3]); 3] =
        [(0.0, [220.0, 252.0, 231.0]), (0.5, [251.0, 191.0, 36.0]), (1.0, [153.0, 27.0, 27.0])];
    let s = share.clamp(0.0, 1.0);
    let k = if s <= 0.5 { 0 } else { 1 };
    let ((a, ca), (b, cb)) = (STOPS[k], STOPS[k + 1]);
    let t = (s - a) / (b - a);
    let c: Vec<u8> = (0..3).map(|i| (ca[i] + (cb[i] - ca[i]) * t).round() as u8).collect();
    let text = if s > 0.7 { "#ffffff" } else { "#111827" };
    (format!("rgb({}, {}, {})", c[0], c[1], c[2]), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_inputs_are_the_default_map() {
        assert_eq!(Inputs::default().parse(&default_scenario()), Ok(Map::default()));
    }

    #[test]
    fn each_bad_field_is_named_with_its_range() {
        let base = default_scenario();
        let bad = |f: fn(&mut Inputs)| {
            let mut i = Inputs::default();
            f(&mut i);
            i.parse(&base).unwrap_err()
        };
        assert!(bad(|i| i.sizes = "2:1:0.1".into()).starts_with("sizes (× rate): TO must be at least FROM"));
        assert!(bad(|i| i.durations = "1:30:1".into()).starts_with("durations (s): 30 values; at most 20"));
        assert!(bad(|i| i.seeds = "0".into()).contains("seeds: \"0\" is not allowed; use 1 to 100"));
        assert!(bad(|i| i.window = "x".into()).starts_with("window"));
        assert!(bad(|i| i.threshold = "2".into()).starts_with("threshold: allowed range is 0 to 1"));
        assert!(bad(|i| i.durations = "40:45:5".into()).contains("too short"));
    }

    #[test]
    fn cells_fill_in_order_of_sizes_then_durations() {
        let map = Map { sizes: vec![1.2, 1.5], durations_s: vec![2.0, 4.0, 6.0], seeds: 4, ..Map::default() };
        let mut fill = Fill::new(map);
        let jobs = fill.jobs(&default_scenario());
        assert_eq!(jobs.len(), 6);
        let Job::Tipping { size, duration_s, .. } = &jobs[4] else { panic!("a tipping job") };
        assert_eq!((*size, *duration_s), (1.5, 4.0));
        fill.failed[4] = Some(3);
        assert_eq!((fill.done(), fill.share(4), fill.share(0)), (1, Some(0.75), None));
        assert_eq!(fill.shares_json(), "[[null,null,null],[null,0.75,null]]");
    }

    #[test]
    fn colours_run_from_green_to_red_with_legible_text() {
        assert_eq!(cell_colours(0.0), ("rgb(220, 252, 231)".to_string(), "#111827"));
        assert_eq!(cell_colours(1.0), ("rgb(153, 27, 27)".to_string(), "#ffffff"));
        assert_eq!(cell_colours(0.5).0, "rgb(251, 191, 36)");
    }
}
