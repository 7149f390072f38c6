//! What each verifier means, in one place: its name, who writes a problem's
//! traces, which trace it accepts in the loop, and the chances of accepting
//! that the theory gives it. Every method is one exhaustive `match`, so a
//! new verifier is a variant here plus the arms the compiler asks for.
//!
//! The loop's rules work on traces that were actually sampled (the checks
//! themselves are in `checks.rs`), so every acceptance the scenario reports
//! is counted; the theory's chances are parameter-only formulas of the same
//! rules (docs/MODEL.md, "The theory").

use rand_pcg::Pcg64;

use super::checks::{self, CheckerErrors};

/// The verifier a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verifier {
    /// One sample, always accepted.
    None,
    /// The most frequent answer among the samples, when its share exceeds the quorum.
    Majority,
    /// Majority on `a + b` and on `b + a`, accepted when both pass and agree.
    Commutative,
    /// An external checker of the final answer (outcome reward).
    Outcome,
    /// A process checker of every step.
    Step,
    /// Independently extrapolating learners vote; accepted at the quorum.
    Committee,
}

/// The names of [`Verifier`]s, as the `verifier` parameter spells them, in
/// declared order.
pub const VERIFIER_NAMES: &[&str] = &{
    let mut names = [""; Verifier::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Verifier::ALL[i].name();
        i += 1;
    }
    names
};

/// The parameters a verifier reads.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Traces sampled per problem (`samples`).
    pub samples: usize,
    /// A vote passes when the modal answer's share exceeds this.
    pub quorum: f64,
    /// Learners voting under `committee`.
    pub committee_size: usize,
    /// The error rates of an outcome or step checker.
    pub checker: CheckerErrors,
}

/// One of [`Settings`]' parameters, for saying which a verifier reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// `samples`.
    Samples,
    /// `quorum`.
    Quorum,
    /// `committee_size`.
    CommitteeSize,
    /// `false_accept` and `false_reject`.
    Checker,
}

/// The verifiers that read `setting`, by name in declared order: the
/// `only_when` lists of the parameters in `config.rs`, derived from
/// [`Verifier::reads`] so that a new verifier is named where it belongs.
const fn readers<const N: usize>(setting: Setting) -> [&'static str; N] {
    let mut names = [""; N];
    let (mut i, mut j) = (0, 0);
    while i < Verifier::ALL.len() {
        if Verifier::ALL[i].reads(setting) {
            names[j] = Verifier::ALL[i].name();
            j += 1;
        }
        i += 1;
    }
    assert!(j == N, "the count of readers and the list disagree");
    names
}

/// How many verifiers read `setting`.
const fn reader_count(setting: Setting) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < Verifier::ALL.len() {
        if Verifier::ALL[i].reads(setting) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The verifiers that read `samples`.
pub const READ_SAMPLES: &[&str] = &readers::<{ reader_count(Setting::Samples) }>(Setting::Samples);
/// The verifiers that read `quorum`.
pub const READ_QUORUM: &[&str] = &readers::<{ reader_count(Setting::Quorum) }>(Setting::Quorum);
/// The verifiers that read `committee_size`.
pub const READ_COMMITTEE_SIZE: &[&str] =
    &readers::<{ reader_count(Setting::CommitteeSize) }>(Setting::CommitteeSize);
/// The verifiers that read `false_accept` and `false_reject`.
pub const READ_CHECKER: &[&str] = &readers::<{ reader_count(Setting::Checker) }>(Setting::Checker);

/// Who writes a problem's traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writers {
    /// The learner being trained writes `traces` samples.
    Learner { traces: usize },
    /// Each of `members` separately trained learners writes one; the first
    /// is the learner being trained.
    Members { members: usize },
}

impl Writers {
    /// Traces drawn per problem.
    pub fn traces(self) -> usize {
        match self {
            Writers::Learner { traces } => traces,
            Writers::Members { members } => members,
        }
    }

    /// Learners a run trains.
    pub fn learners(self) -> usize {
        match self {
            Writers::Learner { .. } => 1,
            Writers::Members { members } => members,
        }
    }
}

/// One problem's traces of `a + b`, as the loop hands them to its verifier.
pub struct Sampled<'a> {
    pub a: &'a [u8],
    pub b: &'a [u8],
    /// The traces, flat, each `a.len()` long.
    pub traces: &'a [u8],
    /// Their modal answer: its first trace's index and its votes.
    pub mode: (usize, usize),
}

/// A verifier's verdict on one problem.
pub struct Verdict {
    /// The index of the trace to train on, if any passes.
    pub chosen: Option<usize>,
    /// The modal answer's share of the votes (averaged over both directions
    /// under `commutative`).
    pub agreement: f64,
}

/// Which reduction of the run the theory follows for a verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// The per-context reduced model (`theory/chain.rs`).
    Chain,
    /// The blind-spot race alone (`theory/race.rs`).
    Race,
}

impl Verifier {
    /// Every verifier, in the order the `verifier` parameter declares them.
    pub const ALL: [Verifier; 6] = [
        Verifier::None,
        Verifier::Majority,
        Verifier::Commutative,
        Verifier::Outcome,
        Verifier::Step,
        Verifier::Committee,
    ];

    /// Its name, as the `verifier` parameter spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Verifier::None => "none",
            Verifier::Majority => "majority",
            Verifier::Commutative => "commutative",
            Verifier::Outcome => "outcome",
            Verifier::Step => "step",
            Verifier::Committee => "committee",
        }
    }

    /// Whether it reads `setting`: the parameters that have an effect
    /// under it (the others are inert there, and a sweep over them is told so).
    pub const fn reads(self, setting: Setting) -> bool {
        match self {
            Verifier::None => false,
            Verifier::Majority | Verifier::Commutative => {
                matches!(setting, Setting::Samples | Setting::Quorum)
            }
            Verifier::Outcome | Verifier::Step => matches!(setting, Setting::Samples | Setting::Checker),
            Verifier::Committee => matches!(setting, Setting::Quorum | Setting::CommitteeSize),
        }
    }

    /// The verifier called `name` (one of [`VERIFIER_NAMES`]).
    pub fn from_name(name: &str) -> Option<Verifier> {
        Verifier::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Who writes each problem's traces.
    pub fn writers(self, s: &Settings) -> Writers {
        match self {
            Verifier::None => Writers::Learner { traces: 1 },
            Verifier::Majority | Verifier::Commutative | Verifier::Outcome | Verifier::Step => {
                Writers::Learner { traces: s.samples }
            }
            Verifier::Committee => Writers::Members { members: s.committee_size },
        }
    }

    /// The loop's rule: which of `sampled`'s traces to train on.
    /// `sample_mirror` writes as many traces of `b + a` into the scratch
    /// space it is handed (and counts them), for a verifier that reads the
    /// mirror problem; `rng` is the run's stream, for a checker's verdicts.
    pub fn choose(
        self,
        s: &Settings,
        sampled: Sampled<'_>,
        mirror: &mut [u8],
        sample_mirror: impl FnOnce(&mut [u8], &mut Pcg64),
        rng: &mut Pcg64,
    ) -> Verdict {
        let Sampled { a, b, traces, mode } = sampled;
        let digits = a.len();
        let drawn = traces.len() / digits;
        let agreement = mode.1 as f64 / drawn as f64;
        let (chosen, agreement) = match self {
            Verifier::None => (Some(0), agreement),
            Verifier::Majority | Verifier::Committee => (checks::quorate(mode, drawn, s.quorum), agreement),
            Verifier::Commutative => {
                let mirror = &mut mirror[..traces.len()];
                sample_mirror(mirror, rng);
                let mirror_mode = checks::modal_answer(mirror, digits);
                let agreement = (agreement + mirror_mode.1 as f64 / drawn as f64) / 2.0;
                (checks::commutative_modes(traces, mirror, (mode, mirror_mode), digits, s.quorum), agreement)
            }
            Verifier::Outcome => (checks::outcome(a, b, traces, s.checker, rng), agreement),
            Verifier::Step => (checks::step(a, b, traces, s.checker, rng), agreement),
        };
        Verdict { chosen, agreement }
    }

    /// Which reduction the theory predicts a run of this verifier by.
    pub fn reduction(self) -> Reduction {
        match self {
            Verifier::None
            | Verifier::Majority
            | Verifier::Commutative
            | Verifier::Outcome
            | Verifier::Step => Reduction::Chain,
            // Members are separate learners; the chain follows one.
            Verifier::Committee => Reduction::Race,
        }
    }

    /// Whether a blind spot's fate depends on whether its mirror context
    /// shares it (the race then counts the two kinds apart).
    pub fn reads_the_mirror(self) -> bool {
        match self {
            Verifier::Commutative => true,
            Verifier::None
            | Verifier::Majority
            | Verifier::Outcome
            | Verifier::Step
            | Verifier::Committee => false,
        }
    }

    /// The reduced model's chance per meeting that the verifier trains each
    /// output of a context whose samples write output `o` with `q[o]` (its
    /// mirror's with `q_mirror[o]`), output `truth` being right, when every
    /// other step of the trace comes out right with chance `rest`. A vote
    /// whose per-sample chance is below `vote_floor` is taken as lost.
    pub fn trained_law<const N: usize>(
        self,
        s: &Settings,
        vote_floor: f64,
        (q, q_mirror): (&[f64; N], &[f64; N]),
        truth: usize,
        rest: f64,
    ) -> [f64; N] {
        let vote = |p: f64| if p < vote_floor { 0.0 } else { majority_wins(s.samples, p, s.quorum) };
        match self {
            Verifier::None => *q,
            Verifier::Majority => std::array::from_fn(|o| vote(q[o] * rest)),
            Verifier::Commutative => std::array::from_fn(|o| {
                let first = vote(q[o] * rest);
                if first == 0.0 {
                    0.0
                } else {
                    first * vote(q_mirror[o] * rest)
                }
            }),
            Verifier::Outcome | Verifier::Step => {
                let e = s.checker;
                let pass =
                    q[truth] * rest * (1.0 - e.false_reject) + (1.0 - q[truth] * rest) * e.false_accept;
                // The first of the samples to pass is trained on. A wrong
                // step makes its trace wrong whatever the rest did; the truth
                // makes it right only when nothing else slipped.
                let n = s.samples as i32;
                let first = if pass > 0.0 { (1.0 - (1.0 - pass).powi(n)) / pass } else { 0.0 };
                std::array::from_fn(|o| {
                    let passes = if o == truth {
                        rest * (1.0 - e.false_reject) + (1.0 - rest) * e.false_accept
                    } else {
                        e.false_accept
                    };
                    q[o] * passes * first
                })
            }
            // Committee members are separate learners; the race covers them.
            Verifier::Committee => std::array::from_fn(|o| if o == truth { 1.0 } else { 0.0 }),
        }
    }

    /// The reduced model's chance that the verifier accepts a problem whose
    /// samples write the truth at every step with chance `truth` and the
    /// model's mode with `mode`: a vote passes the modal answer (right or
    /// wrong); the commutative check needs both votes and that the two modal
    /// answers agree (`agree`); a checker passes the truth and, wrongly, a
    /// share `false_accept` of the rest.
    pub fn acceptance(self, s: &Settings, truth: f64, mode: f64, agree: f64) -> f64 {
        let vote = |p: f64| majority_wins(s.samples, p, s.quorum);
        match self {
            Verifier::None | Verifier::Committee => 1.0,
            Verifier::Majority => vote(mode),
            Verifier::Commutative => vote(mode).powi(2) * agree,
            Verifier::Outcome | Verifier::Step => {
                let e = s.checker;
                let pass = truth * (1.0 - e.false_reject) + (1.0 - truth) * e.false_accept;
                1.0 - (1.0 - pass).powi(s.samples as i32)
            }
        }
    }

    /// The blind-spot race's chances per meeting that the verifier trains
    /// the blind spot's wrong output and the truth, `(a_w, a_t)`, when one
    /// sample writes them with `wrong` and `truth` (a clean context's truth
    /// with `clean`) and every other step comes out right with `rest`.
    /// `mirrored` says whether the `b + a` vote shares the blind spot (only
    /// a verifier that [reads the mirror](Self::reads_the_mirror) asks).
    pub fn race_chances(
        self,
        s: &Settings,
        (wrong, truth, clean): (f64, f64, f64),
        rest: f64,
        mirrored: bool,
    ) -> (f64, f64) {
        let vote = |p: f64| majority_wins(s.samples, p * rest, s.quorum);
        match self {
            Verifier::None => (wrong, truth),
            Verifier::Majority => (vote(wrong), vote(truth)),
            Verifier::Commutative if mirrored => (vote(wrong).powi(2), vote(truth).powi(2)),
            Verifier::Commutative => (0.0, vote(truth) * vote(clean)),
            Verifier::Outcome | Verifier::Step => {
                let errors = s.checker;
                let (w, t) = (wrong * rest * errors.false_accept, truth * rest * (1.0 - errors.false_reject));
                let pass = t + (1.0 - truth * rest) * errors.false_accept;
                // The first of `samples` traces to pass is trained on.
                let first = if pass > 0.0 { (1.0 - (1.0 - pass).powi(s.samples as i32)) / pass } else { 0.0 };
                (w * first, t * first)
            }
            Verifier::Committee => {
                // One member is blind there, the others are not: `w` gets one
                // vote at most.
                let members = s.committee_size;
                let w = if (1.0 / members as f64) > s.quorum { wrong * rest } else { 0.0 };
                (w, committee_truth(members, truth * rest, clean * rest, s.quorum))
            }
        }
    }
}

/// `P(X > quorum * n)` for `X ~ Binomial(n, p)`: a strict majority at the quorum.
pub fn majority_wins(n: usize, p: f64, quorum: f64) -> f64 {
    let mut total = 0.0;
    let mut choose = 1.0;
    for k in 0..=n {
        if k > 0 {
            choose *= (n - k + 1) as f64 / k as f64;
        }
        if k as f64 > quorum * n as f64 {
            total += choose * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32);
        }
    }
    total
}

/// The chance a committee's vote is the truth when the blind member
/// samples it with `blind` and each of the others with `clean`.
fn committee_truth(members: usize, blind: f64, clean: f64, quorum: f64) -> f64 {
    let others = members - 1;
    let need = |votes: usize| votes as f64 > quorum * members as f64;
    (0..=others)
        .map(|k| {
            let p = majority_exact(others, k, clean);
            p * (blind * f64::from(u8::from(need(k + 1))) + (1.0 - blind) * f64::from(u8::from(need(k))))
        })
        .sum()
}

fn majority_exact(n: usize, k: usize, p: f64) -> f64 {
    let choose = (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
    choose * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_verifier_and_no_other_name_does() {
        assert_eq!(VERIFIER_NAMES, ["none", "majority", "commutative", "outcome", "step", "committee"]);
        // The parameters each reads, as docs/MODEL.md's parameter table states them.
        assert_eq!(READ_SAMPLES, ["majority", "commutative", "outcome", "step"]);
        assert_eq!(READ_QUORUM, ["majority", "commutative", "committee"]);
        assert_eq!(READ_COMMITTEE_SIZE, ["committee"]);
        assert_eq!(READ_CHECKER, ["outcome", "step"]);
        for verifier in Verifier::ALL {
            assert_eq!(Verifier::from_name(verifier.name()), Some(verifier));
        }
        assert_eq!(Verifier::from_name("Majority"), None);
        assert_eq!(Verifier::from_name(""), None);
    }

    #[test]
    fn majority_wins_is_the_binomial_tail() {
        // 3 or more of 5 at p = 0.6: 0.3456 + 0.2592 + 0.07776 = 0.68256.
        assert!((majority_wins(5, 0.6, 0.5) - 0.68256).abs() < 1e-12);
        // Quorum 0.6 of 5 needs 4: 0.2592 + 0.07776.
        assert!((majority_wins(5, 0.6, 0.6) - 0.33696).abs() < 1e-12);
    }
}
