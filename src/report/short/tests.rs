//! Tests of the In short sentences on summaries constructed by hand for
//! the fixture scenario's outline, each point's figures chosen so that the
//! expected sentence follows from them.

use super::*;
use crate::report::columns::{Cell, Layout};
use crate::report::fixture;
use crate::report::stats::Estimate;
use crate::report::summary::{GridPoint, OutcomeSummary};

/// The fixture scenario's outline: reach (median, higher better, a null
/// achieved nothing), growth (commonest), outcomes collapsed / stalled /
/// limit with the place `length`, verifier compared with `none` along
/// noise_rate.
fn outline() -> Outline {
    let layout = Layout {
        parameters: vec!["noise_rate".into(), "verifier".into(), "generations".into()],
        summaries: vec!["rounds".into(), "reach".into(), "length".into()],
        texts: vec!["end".into(), "growth".into()],
        metrics: Vec::new(),
    };
    crate::report::outline::outline(Some(&fixture::SCENARIO), &layout)
}

/// A point of seven runs: `ended` counts collapsed, stalled and limit
/// runs, each way's median round `round`; reach's median and interval;
/// growth's commonest value and its count.
struct Made {
    noise: f64,
    generations: i64,
    verifier: &'static str,
    ended: [usize; 3],
    round: f64,
    reach: (f64, (f64, f64)),
    growth: (&'static str, usize),
}

fn point(m: &Made) -> GridPoint {
    let n: usize = m.ended.iter().sum();
    let at = |v: f64| Estimate { n, value: v, interval: None };
    GridPoint {
        key: vec![Cell::Float(m.noise), Cell::Int(m.generations), Cell::Text(m.verifier.into())],
        replicates: n,
        failures: 0,
        horizon: Some(m.generations as f64),
        columns: vec![
            ColumnSummary {
                summary: Estimate { n, value: m.reach.0, interval: Some(m.reach.1) },
                nulls: 0,
                mode: None,
                tail: None,
                infinite: 0,
            },
            ColumnSummary {
                summary: Estimate { n, value: m.growth.1 as f64 / n as f64, interval: None },
                nulls: 0,
                mode: Some((m.growth.0.into(), m.growth.1)),
                tail: None,
                infinite: 0,
            },
        ],
        outcome: Some(OutcomeSummary {
            counts: m.ended.to_vec(),
            other: 0,
            times: vec![at(m.round); 3],
            places: vec![at(10.0); 3],
            event_time: None,
        }),
    }
}

fn summary(points: &[Made]) -> Summary {
    Summary {
        scenario: "fixture".into(),
        varying: vec!["noise_rate".into(), "generations".into(), "verifier".into()],
        points: points.iter().map(point).collect(),
        ..Default::default()
    }
}

/// Seven runs that all collapse at round `round`, reach 9 [8, 10].
fn collapsing(noise: f64, generations: i64, verifier: &'static str, round: f64) -> Made {
    Made {
        noise,
        generations,
        verifier,
        ended: [7, 0, 0],
        round,
        reach: (9.0, (8.0, 10.0)),
        growth: ("exponential", 7),
    }
}

#[test]
fn a_claim_names_the_few_points_where_it_does_not_hold() {
    // Three of four points collapse in every run; the fourth mostly
    // stalls, so it is named with its counts, and the collapse rounds
    // are the range of the three points' medians only.
    let stalls = Made {
        ended: [2, 5, 0],
        round: 30.0,
        growth: ("polynomial", 4),
        ..collapsing(0.04, 20, "none", 0.0)
    };
    let points = [
        collapsing(0.01, 20, "none", 4.0),
        collapsing(0.02, 20, "none", 6.0),
        collapsing(0.03, 20, "none", 5.0),
        stalls,
    ];
    let said = sentences(&summary(&points), &outline(), &[]);
    assert_eq!(
        said,
        ["`none`: every run collapsed at 3 of 4 points, after a median of 4-6 rounds (at noise_rate = \
          0.04, generations = 20: 5 of 7 stalled, 2 collapsed); median reach 9 digits at every point; \
          growth law exponential in every run at 3 of 4 points (at noise_rate = 0.04, generations = 20: \
          polynomial in 4 of 7)."]
    );
}

#[test]
fn points_sharing_a_value_are_named_by_it_and_many_exceptions_are_grouped_by_kind() {
    // At generations = 40 every run reaches the limit: named as that
    // value, not as two points.
    let limit = |noise| Made { ended: [0, 0, 7], ..collapsing(noise, 40, "none", 40.0) };
    let points =
        [collapsing(0.01, 20, "none", 4.0), collapsing(0.02, 20, "none", 4.0), limit(0.01), limit(0.02)];
    let said = &sentences(&summary(&points), &outline(), &[])[0];
    assert!(
        said.starts_with(
            "`none`: every run collapsed at 2 of 4 points, after a median of 4 rounds (at generations = \
             40: all 7 reached the round limit);"
        ),
        "{said}"
    );
    // Four exceptions, each with its own counts: more than three kinds
    // of detail, so they are grouped by what most runs did, under one
    // header.
    let ended = |noise, ended| Made { ended, ..collapsing(noise, 20, "none", 9.0) };
    let points = [
        collapsing(0.01, 20, "none", 4.0),
        collapsing(0.02, 20, "none", 4.0),
        collapsing(0.03, 20, "none", 4.0),
        ended(0.04, [1, 6, 0]),
        ended(0.05, [2, 5, 0]),
        ended(0.06, [3, 1, 3]),
        ended(0.07, [0, 0, 7]),
    ];
    let said = &sentences(&summary(&points), &outline(), &[])[0];
    assert!(
        said.contains(
            "every run collapsed at 3 of 7 points, after a median of 4 rounds (at (noise_rate, \
             generations) = (0.04, 20), (0.05, 20): mostly stalled; (0.06, 20): mixed; (0.07, 20): \
             mostly reached the round limit);"
        ),
        "{said}"
    );
}

#[test]
fn a_long_sentence_says_many_exceptions_briefly_and_a_few_in_full() {
    // Eight points: collapses, stalls and round limits each take most
    // runs at two points (the event wins the tie), two are mixed; the
    // growth law is exponential at two points, polynomial at three and
    // flat at three (polynomial, met first, wins). In full the
    // sentence runs past 60 words, so the longest clause with more than
    // three exceptions, the endings, shrinks to the points where its
    // claim holds; the growth law's five exceptions then fit in full.
    let made = |noise, generations, ended: [usize; 3], growth| Made {
        ended,
        growth,
        ..collapsing(noise, generations, "none", 4.0)
    };
    let (polynomial, flat) = (("polynomial", 4), ("flat", 4));
    let points = [
        made(0.01, 20, [7, 0, 0], ("exponential", 7)),
        made(0.02, 20, [7, 0, 0], ("exponential", 7)),
        made(0.03, 20, [0, 7, 0], polynomial),
        made(0.04, 20, [0, 0, 7], polynomial),
        made(0.01, 40, [3, 3, 1], polynomial),
        made(0.02, 40, [1, 6, 0], flat),
        made(0.03, 40, [0, 1, 6], flat),
        made(0.04, 40, [2, 2, 3], flat),
    ];
    let said = &sentences(&summary(&points), &outline(), &[])[0];
    assert_eq!(
        said,
        "`none`: every run collapsed at 2 of 8 points, after a median of 4 rounds (at (noise_rate, \
         generations) = (0.01, 20), (0.02, 20) only); median reach 9 digits at every point; growth law \
         polynomial in most runs at 3 of 8 points (at (noise_rate, generations) = (0.01, 20), (0.02, 20): \
         exponential in 7 of 7; (0.02, 40), (0.03, 40), (0.04, 40): flat in 4 of 7)."
    );
    assert!(words(said) <= WORDS, "{said}");
    // With room (one growth law everywhere), the endings' exceptions
    // are grouped by what most runs did.
    let same: Vec<Made> =
        points.into_iter().map(|p| Made { growth: ("exponential", 7), ..p }).take(6).collect();
    let fewer = &sentences(&summary(&same), &outline(), &[])[0];
    assert!(
        fewer.starts_with(
            "`none`: every run collapsed at 2 of 6 points, after a median of 4 rounds (at (noise_rate, \
             generations) = (0.03, 20), (0.02, 40): mostly stalled; (0.04, 20): mostly reached the round \
             limit; (0.01, 40): mixed);"
        ),
        "{fewer}"
    );
}

#[test]
fn a_points_values_count_as_one_word_and_equals_as_none() {
    assert_eq!(words("at (noise_rate, samples) = (0.003, 9), (0.01, 9): mostly stalled"), 7);
    assert_eq!(words("median reach 7-12 digits"), 4);
}

#[test]
fn a_median_of_runs_that_achieved_nothing_is_named_not_ranged() {
    let none =
        Made { reach: (f64::NEG_INFINITY, (f64::NEG_INFINITY, 3.0)), ..collapsing(0.03, 20, "none", 2.0) };
    let points = [
        Made { reach: (7.0, (6.0, 8.0)), ..collapsing(0.01, 20, "none", 4.0) },
        Made { reach: (12.0, (10.0, 14.0)), ..collapsing(0.02, 20, "none", 4.0) },
        none,
    ];
    let said = &sentences(&summary(&points), &outline(), &[])[0];
    assert!(
        said.contains(
            "median reach 7-12 digits at 2 of 3 points (at noise_rate = 0.03, generations = 20: none);"
        ),
        "{said}"
    );
}

#[test]
fn a_choice_is_judged_against_the_baseline_point_by_point() {
    // `majority`'s reach interval lies above `none`'s at 0.01 and 0.02
    // and overlaps it at 0.03: better at 2 of 3, the third named.
    let mut points: Vec<Made> = [0.01, 0.02, 0.03].iter().map(|&n| collapsing(n, 20, "none", 4.0)).collect();
    for (noise, reach) in
        [(0.01, (15.0, (13.0, 17.0))), (0.02, (12.0, (11.0, 13.0))), (0.03, (10.0, (9.0, 11.0)))]
    {
        points.push(Made { reach, ..collapsing(noise, 20, "majority", 5.0) });
    }
    let said = sentences(&summary(&points), &outline(), &[]);
    assert_eq!(said.len(), 2, "one sentence per choice: {said:?}");
    assert!(said[0].starts_with("`none`: ") && !said[0].contains("than `none`"), "{}", said[0]);
    assert!(
        said[1].ends_with(
            "reach better than `none` at 2 of 3 points (at noise_rate = 0.03, \
             generations = 20: no clear difference)."
        ),
        "{}",
        said[1]
    );
}

#[test]
fn a_paired_comparison_gives_the_range_of_its_differences_where_it_holds() {
    let mut outline = outline();
    outline.paired = vec!["verifier".into()];
    let mut points: Vec<Made> = [0.01, 0.02].iter().map(|&n| collapsing(n, 20, "none", 4.0)).collect();
    points.extend([0.01, 0.02].iter().map(|&n| collapsing(n, 20, "majority", 4.0)));
    let summary = summary(&points);
    let difference = |point, value, interval| Difference {
        axis: "verifier".into(),
        baseline: Cell::Text("none".into()),
        point,
        baseline_point: point - 2,
        column: 0,
        centre: Centre::Median,
        estimate: Estimate { n: 7, value, interval: Some(interval) },
        pairs: 7,
        dropped: 0,
        higher: 0,
        lower: 0,
        ties: 0,
        favours: None,
        values: Vec::new(),
        tail: None,
    };
    let paired = [difference(2, 4.0, (2.0, 6.0)), difference(3, 11.0, (1.0, 20.0))];
    let said = &sentences(&summary, &outline, &paired)[1];
    assert!(
        said.ends_with(
            "reach better than `none` at both points, by a median paired difference of 4-11 digits."
        ),
        "{said}"
    );
    // One pair's interval straddles 0: that point is no longer counted.
    let paired = [difference(2, 4.0, (2.0, 6.0)), difference(3, 11.0, (-1.0, 20.0))];
    let said = &sentences(&summary, &outline, &paired)[1];
    assert!(
        said.ends_with(
            "reach better than `none` at 1 of 2 points, by a median paired difference of 4 digits (at \
             noise_rate = 0.02, generations = 20: no clear difference)."
        ),
        "{said}"
    );
}

#[test]
fn without_outcomes_the_points_at_either_end_of_the_range_are_named() {
    let mut outline = outline();
    outline.outcome = None;
    outline.headline.truncate(1);
    let reach = |noise, generations, median| Made {
        reach: (median, (median - 1.0, median + 1.0)),
        ..collapsing(noise, generations, "none", 4.0)
    };
    let points = [reach(0.01, 20, 12.0), reach(0.01, 40, 15.5), reach(0.03, 20, 7.0), reach(0.03, 40, 9.0)];
    let said = sentences(&summary(&points), &outline, &[]);
    assert_eq!(
        said,
        ["`none`: median reach from 7 digits (at noise_rate = 0.03, generations = 20) to 15.5 digits (at \
          noise_rate = 0.01, generations = 40)."]
    );
}

#[test]
fn without_a_comparison_one_sentence_covers_the_sweep() {
    let mut outline = outline();
    outline.comparison = None;
    let points = [collapsing(0.01, 20, "none", 4.0), collapsing(0.02, 20, "majority", 8.0)];
    let said = sentences(&summary(&points), &outline, &[]);
    assert_eq!(
        said,
        ["Across all 2 grid points: every run collapsed at both points, after a median of 4-8 rounds; \
          median reach 9 digits at every point; growth law exponential in every run at both points."]
    );
}
