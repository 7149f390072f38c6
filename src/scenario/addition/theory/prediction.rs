//! The prediction the theory sets beside a run's counted values, whichever
//! reduction made it.

/// The parameter-only prediction for one run's configuration (how each
/// field is summarised: [`predict`](super::chain::predict), or
/// [`predict_by_race`](super::race::predict_by_race)).
#[derive(Clone, Debug, PartialEq)]
pub struct Theory {
    /// New systematic errors per self-trained digit.
    pub beta: f64,
    /// Systematic errors after round `r` (0-based); no entry past the
    /// rounds the prediction reaches.
    pub systematic_errors: Vec<f64>,
    /// Frontier accuracy after round `r`, `exp(-S / 200)`.
    pub accuracy_frontier: Vec<f64>,
    /// The longest frontier before the first round below 0.99; `None` when
    /// the first round is.
    pub reach99: Option<usize>,
    /// The 1-based round that falls below `collapse_accuracy`; `None` when
    /// none within `generations` does.
    pub runway: Option<usize>,
}
