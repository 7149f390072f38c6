//! The search on synthetic events with a known crossing, replayed as the
//! runner does, with every run's outcome drawn from a hash of its identity.

use super::*;

fn search(range: (f64, f64), integer: bool, tolerance: f64) -> Search {
    Search {
        param: 0,
        name: "x".into(),
        range,
        integer,
        event: Event { column: "e".into(), test: Test::Below(0.5), null_is_lowest: false },
        level: 0.5,
        tolerance,
        max_runs: 400,
    }
}

/// A uniform in [0, 1) from a value and replicate (splitmix64).
fn uniform(seed: u64, x: f64, replicate: u64) -> f64 {
    let mut z = seed ^ x.to_bits().rotate_left(17) ^ replicate.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
    }
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs the search to its end with events of probability `p(x)`.
fn run_to_end(s: &Search, replicates: u64, seed: u64, p: impl Fn(f64) -> f64) -> Progress {
    // Every run is "committed": all probes the replay asks for are
    // answered, so one replay runs the search to its end.
    let progress = replay(s, replicates, |x, r| Some(RunState::Told(uniform(seed, x, r) < p(x))));
    assert!(progress.missing.is_empty());
    progress
}

#[test]
fn a_logistic_crossing_is_covered_by_its_interval_about_95_percent_of_the_time() {
    // p(x) = logistic(20 (x - 0.37)) crosses 0.5 at 0.37. Over 40 seeds the
    // interval should miss it about twice; more than 7 misses has
    // probability below 0.5% for a true 95% interval.
    let s = search((0.0, 1.0), false, 0.05);
    let p = |x: f64| 1.0 / (1.0 + (-20.0 * (x - 0.37)).exp());
    let mut misses = 0;
    for seed in 0..40 {
        let progress = run_to_end(&s, 20, seed, p);
        let b = progress.boundary.expect("a boundary");
        assert!(matches!(progress.next, Next::Ended(Ended::Converged | Ended::MaxRuns)), "{progress:?}");
        misses += u32::from(!(b.lower <= 0.37 && 0.37 <= b.upper));
        assert!(progress.runs() <= 400);
    }
    assert!(misses <= 7, "{misses} of 40 intervals missed the crossing");
}

#[test]
fn a_sharp_step_is_bisected_to_the_tolerance() {
    let s = search((0.0, 1.0), false, 0.02);
    let progress = run_to_end(&s, 10, 1, |x| if x >= 0.6123 { 1.0 } else { 0.0 });
    let b = progress.boundary.unwrap();
    assert_eq!(progress.next, Next::Ended(Ended::Converged));
    assert!(b.lower < 0.6123 && 0.6123 <= b.upper && b.upper - b.lower <= 0.02, "{b:?}");
    // Bisection: about log2(1 / 0.02) = 6 probes after the two ends.
    assert!(progress.probes.len() <= 9, "{} probes", progress.probes.len());
}

#[test]
fn events_that_never_or_always_happen_have_no_boundary() {
    let s = search((0.0, 1.0), false, 0.02);
    let never = run_to_end(&s, 10, 2, |_| 0.0);
    assert_eq!(
        (never.next.clone(), never.boundary, never.runs()),
        (Next::Ended(Ended::BelowLevel), None, 20)
    );
    let always = run_to_end(&s, 10, 2, |_| 1.0);
    assert_eq!(always.next, Next::Ended(Ended::AboveLevel));
}

#[test]
fn a_hump_is_called_non_monotone() {
    // The event happens only in the middle of the range, and at the ends
    // too rarely to decide a side from 20 runs, so the search probes on.
    let s = search((0.0, 1.0), false, 0.01);
    let progress = run_to_end(&s, 20, 3, |x| if (0.3..0.7).contains(&x) { 1.0 } else { 0.4 });
    assert_eq!(progress.next, Next::Ended(Ended::NonMonotone), "{progress:?}");
}

#[test]
fn an_integer_axis_probes_and_brackets_in_whole_numbers() {
    let s = search((1.0, 100.0), true, 1.0);
    let progress = run_to_end(&s, 10, 4, |x| if x >= 42.0 { 1.0 } else { 0.0 });
    assert!(progress.probes.iter().all(|p| p.value.fract() == 0.0));
    let b = progress.boundary.unwrap();
    assert_eq!((b.lower, b.upper), (41.0, 42.0), "{progress:?}");
}

#[test]
fn a_replay_stops_at_the_first_probe_with_missing_runs() {
    let s = search((0.0, 1.0), false, 0.02);
    // Only the first probe's replicates 0..4 are committed.
    let progress = replay(&s, 10, |x, r| (x == 0.0 && r < 4).then_some(RunState::Told(false)));
    assert!(progress.probes.is_empty());
    assert_eq!(progress.next, Next::Probe { value: 0.0, first_replicate: 0 });
    assert_eq!(progress.missing, (4..10).collect::<Vec<_>>());
}

#[test]
fn probe_values_are_short_decimals_inside_the_range() {
    let s = search((0.0, 1.0), false, 0.02);
    // Tolerance 0.02: a grid of 0.001.
    assert_eq!(s.probe_value(0.123456), 0.123);
    assert_eq!(s.probe_value(1.7), 1.0);
    assert_eq!(search((0.0, 1.0), false, 0.5).probe_value(0.37), 0.4);
}
