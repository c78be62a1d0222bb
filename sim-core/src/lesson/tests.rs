use super::*;
use crate::metrics::Series;

fn series(offered: &[u64], goodput: &[u64]) -> Series {
    let mut s = Series::new(offered.len());
    s.offered.copy_from_slice(offered);
    s.goodput.copy_from_slice(goodput);
    s.attempts.copy_from_slice(offered);
    s
}

static NO_FINE: FineSeries = FineSeries { attempts: Vec::new(), offered: Vec::new(), last: (0, 0) };

fn seen(s: &Series) -> Observed<'_> {
    Observed { series: s, completed_s: s.len(), fine: &NO_FINE }
}

const OK: &[Cond] = &[Cond { metric: Metric::GoodputShare, cmp: Cmp::AtLeast, value: 0.9 }];

#[test]
fn holds_passes_after_enough_consecutive_seconds_and_not_before() {
    let s = series(&[100; 8], &[95, 95, 50, 95, 95, 95, 40, 95]);
    let check = Check::Holds { all: OK, hold_s: 3, after_s: 0 };
    assert_eq!(evaluate(&check, 0, &seen(&s)), Verdict::Passed(6), "seconds 3, 4 and 5 in a row");
    let four = Check::Holds { all: OK, hold_s: 4, after_s: 0 };
    assert_eq!(evaluate(&four, 0, &seen(&s)), Verdict::Waiting, "never four seconds in a row");
    let partial = Observed { completed_s: 5, ..seen(&s) };
    assert_eq!(evaluate(&check, 0, &partial), Verdict::Waiting, "second 5 is not final yet");
    let later = Check::Holds { all: OK, hold_s: 1, after_s: 2 };
    assert_eq!(evaluate(&later, 4, &seen(&s)), Verdict::Passed(8), "seconds before from + after are ignored");
}

#[test]
fn every_condition_must_hold_in_the_same_second() {
    let mut s = series(&[100; 4], &[95; 4]);
    s.latency_p50_ms = vec![Some(10.0), None, Some(200.0), Some(20.0)];
    const BOTH: &[Cond] = &[
        Cond { metric: Metric::GoodputShare, cmp: Cmp::AtLeast, value: 0.9 },
        Cond { metric: Metric::P50Ms, cmp: Cmp::Below, value: 100.0 },
    ];
    let check = Check::Holds { all: BOTH, hold_s: 2, after_s: 0 };
    assert_eq!(evaluate(&check, 0, &seen(&s)), Verdict::Waiting, "no latency in second 1 breaks the run");
    let one = Check::Holds { all: BOTH, hold_s: 1, after_s: 1 };
    assert_eq!(evaluate(&one, 0, &seen(&s)), Verdict::Passed(4));
}

#[test]
fn metrics_read_shares_and_undefined_figures() {
    let mut s = series(&[0, 200], &[0, 50]);
    s.attempts[1] = 500;
    s.failed[1] = 150;
    assert_eq!(metric_at(&s, Metric::GoodputShare, 0), None, "nothing offered");
    assert_eq!(metric_at(&s, Metric::GoodputShare, 1), Some(0.25));
    assert_eq!(metric_at(&s, Metric::SuccessShare, 1), Some(0.25));
    assert_eq!(metric_at(&s, Metric::Amplification, 1), Some(2.5));
    assert_eq!(metric_at(&s, Metric::NodesCrashed, 1), None, "no node states tracked");
    assert_eq!(metric_at(&s, Metric::Count(Counter::Failed), 1), Some(150.0));
    assert_eq!(metric_at(&s, Metric::Count(Counter::Failed), 2), None, "past the run");
}

#[test]
fn waves_are_found_per_second_and_per_100_ms() {
    let mut pulsing = series(&[100; 6], &[0; 6]);
    pulsing.attempts.copy_from_slice(&[110, 250, 110, 250, 110, 250]);
    let waves = Check::Waves { cmp: Cmp::AtLeast, ratio: 1.4, window_s: 4, after_s: 0, fine: false };
    assert_eq!(evaluate(&waves, 0, &seen(&pulsing)), Verdict::Passed(4), "150 retries over 100 offered");
    let mut flat = series(&[100; 6], &[0; 6]);
    flat.attempts.copy_from_slice(&[180; 6]);
    assert_eq!(evaluate(&waves, 0, &seen(&flat)), Verdict::Waiting, "80 retries a second, spread");
    let smooth = Check::Waves { cmp: Cmp::Below, ratio: 1.4, window_s: 4, after_s: 0, fine: false };
    assert_eq!(evaluate(&smooth, 0, &seen(&flat)), Verdict::Passed(4));
    assert_eq!(evaluate(&smooth, 0, &seen(&pulsing)), Verdict::Waiting);
    let fine = FineSeries {
        attempts: (0..30).map(|i| if i % 3 == 0 { 40 } else { 10 }).collect(),
        offered: vec![10; 30],
        last: (0, 0),
    };
    let fine_waves = Check::Waves { cmp: Cmp::AtLeast, ratio: 2.5, window_s: 2, after_s: 0, fine: true };
    let obs = Observed { series: &flat, completed_s: 3, fine: &fine };
    assert_eq!(evaluate(&fine_waves, 0, &obs), Verdict::Passed(2), "30 retries in one 100 ms bucket");
    let short =
        FineSeries { attempts: fine.attempts[..15].to_vec(), offered: fine.offered[..15].to_vec(), last: (0, 0) };
    let obs = Observed { fine: &short, ..obs };
    assert_eq!(evaluate(&fine_waves, 0, &obs), Verdict::Waiting, "the fine view must cover the window");
}

#[test]
fn fine_series_buckets_attempts_every_100_ms() {
    let mut c = Config::playground();
    c.traffic.duration_s = 3.0;
    let mut sim = Simulation::new(c).unwrap();
    let mut fine = FineSeries::default();
    for _ in 0..20 {
        sim.step_until(SimTime(sim.now().0 + FineSeries::BUCKET.0));
        fine.observe(&sim);
    }
    assert_eq!((fine.attempts.len(), fine.offered.len()), (20, 20));
    assert_eq!(fine.attempts.iter().sum::<u64>(), sim.totals().attempts);
    assert_eq!(fine.offered.iter().sum::<u64>(), sim.totals().offered);
    assert_eq!(fine.attempts[..10].iter().sum::<u64>(), sim.series().attempts[0]);
    assert!(fine.attempts.iter().all(|&a| (700..1_300).contains(&a)), "{:?}", fine.attempts);
}

#[test]
fn lessons_are_well_formed() {
    let mut names: Vec<&str> = LESSONS.iter().map(|l| l.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), LESSONS.len(), "two lessons share a name");
    for l in &LESSONS {
        assert!(l.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", l.name);
        assert_eq!(l.story.matches(". ").count() + 1, 2, "{}: two sentences", l.name);
        assert!((2..=4).contains(&l.steps.len()), "{}: 2 to 4 steps", l.name);
        let c = l.config();
        assert_eq!(c.validate(), Ok(()), "{}", l.name);
        assert_eq!(c.traffic.duration_s, SESSION_S, "{}", l.name);
        assert!(lesson(l.name).is_some());
        let mut c = l.config();
        for step in l.steps {
            c = step.changed(&c).unwrap_or_else(|e| panic!("{}: {e}", l.name));
            assert!(step.is_in_force(&c), "{}: {}", l.name, step.text);
            assert!(step.limit_s > 0 && step.text.ends_with('.'), "{}: {}", l.name, step.text);
        }
    }
}

#[test]
fn a_step_is_in_force_only_once_its_change_is_made() {
    let l = lesson("thread-pool-switching").unwrap();
    let c = l.config();
    assert!(l.steps[0].is_in_force(&c), "a step that only watches");
    assert!(!l.steps[1].is_in_force(&c));
    assert!(l.steps[1].is_in_force(&l.steps[1].changed(&c).unwrap()));
}

#[test]
fn a_lesson_whose_check_cannot_pass_fails_at_its_limit() {
    const NEVER: &[Cond] = &[Cond { metric: Metric::GoodputShare, cmp: Cmp::Below, value: 0.0 }];
    const STEPS: &[Step] =
        &[Step { text: "x.", change: &[], check: Check::Holds { all: NEVER, hold_s: 1, after_s: 0 }, limit_s: 3 }];
    let l = Lesson { name: "never", title: "Never", story: "a. b.", build: Config::playground, steps: STEPS };
    let r = run(&l).unwrap();
    assert_eq!(r, vec![StepResult { passed: false, from_s: 0, until_s: 3, restarted: false }]);
}

#[test]
fn every_lesson_passes_every_step_natively() {
    for l in &LESSONS {
        let results = run(l).unwrap_or_else(|e| panic!("{}: {e}", l.name));
        assert_eq!(results.len(), l.steps.len(), "{}: stopped early: {results:?}", l.name);
        for (step, r) in l.steps.iter().zip(&results) {
            assert!(r.passed, "{}: \"{}\" not shown by {} s: {results:?}", l.name, step.text, r.until_s);
            assert!(r.until_s <= r.from_s + step.limit_s as usize);
        }
    }
}

#[test]
fn every_lesson_passes_on_other_seeds_too() {
    // Calibrated on seed 1; seeds 2 to 11 all passed when measured, a few
    // are kept here so a change that makes a lesson fragile shows.
    for seed in [2, 7] {
        for l in &LESSONS {
            let mut c = l.config();
            c.seed = seed;
            let results = run_on(l, c).unwrap();
            let passed = results.iter().filter(|r| r.passed).count();
            assert_eq!(passed, l.steps.len(), "{} on seed {seed}: {results:?}", l.name);
        }
    }
}
