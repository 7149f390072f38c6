//! A small neural network step model for `addition` (issue 14): the learner
//! in which blind spots, compounding and symmetry are not written in by
//! hand but come from gradient training.
//!
//! `p(o | a_i, b_i, k_i, i) = softmax(W2 relu(W1 x + b1) + b2)` with
//! `x = [E_a[a_i], E_b[b_i], E_k[k_i], P[i]]`: untied embeddings for the two
//! operand digits (nothing is symmetric by construction), one for the carry,
//! and a position vector, trained by Adam on cross-entropy. A position first
//! met gets its vector by the chosen [`Encoding`]; that choice is what
//! decides how the model extrapolates to lengths it never saw.
//!
//! The network is compiled into per-(position, context) distributions so the
//! table learner's sampler, verifiers and measurements are reused unchanged
//! ([`Network::distribution`]). This module is the model alone; wiring it into
//! the rounds as `learner = "network"` is the next step of issue 14.
//!
//! Determinism: every sum runs in a fixed order in `f32` with no fused
//! multiply-add (the crate is built for baseline x86-64 / aarch64, without
//! `target-cpu=native`), so the vector units a CPU has do not change a bit.
//! `exp` and `sin` come from the platform's math library, so across
//! operating systems or C libraries the bits are not yet guaranteed: to be
//! settled (a fixed `exp`, or the dataset recording the platform) when the
//! learner is wired into the rounds.

use rand_pcg::Pcg64;

use super::digits::{correct_output, CONTEXTS, OUTPUTS};

/// How a position vector is made the first time a position is met.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Encoding {
    /// Each `P[i]` drawn `N(0, sigma^2)` and learned; an unseen position
    /// keeps its random draw (learned absolute embeddings).
    Learned { sigma: f32 },
    /// `P[i] = P[i - 1] + N(0, sigma^2)`, then learned: extrapolation from
    /// the previous position, learned rather than written.
    Copy { sigma: f32 },
    /// Fixed sinusoids of `base` (not learned), times `scale`.
    Sinusoidal { base: f32, scale: f32 },
}

/// Widths of the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Width of each embedding and of the position vector.
    pub embed: usize,
    /// Hidden units.
    pub hidden: usize,
}

impl Shape {
    fn input(&self) -> usize {
        4 * self.embed
    }
}

/// One training example: the step at `position` in `context` wrote `output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub position: u16,
    pub context: u8,
    pub output: u8,
}

/// Adam's constants (Kingma and Ba's defaults).
const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-8;

/// The network's parameters and Adam's moments, flat.
#[derive(Clone, Debug)]
pub struct Network {
    shape: Shape,
    encoding: Encoding,
    /// `E_a (10 x e) | E_b (10 x e) | E_k (2 x e) | W1 (h x 4e) | b1 (h) | W2 (20 x h) | b2 (20)`.
    weights: Vec<f32>,
    /// Position vectors, `e` each, grown as positions are met.
    positions: Vec<f32>,
    moments: Moments,
    position_moments: Moments,
    steps: u32,
}

#[derive(Clone, Debug, Default)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

impl Moments {
    fn zeros(n: usize) -> Self {
        Moments { first: vec![0.0; n], second: vec![0.0; n] }
    }
}

/// Offsets of the blocks in `weights`.
struct Layout {
    ea: usize,
    eb: usize,
    ek: usize,
    w1: usize,
    b1: usize,
    w2: usize,
    b2: usize,
    len: usize,
}

impl Shape {
    fn layout(&self) -> Layout {
        let (e, h) = (self.embed, self.hidden);
        let ea = 0;
        let eb = ea + 10 * e;
        let ek = eb + 10 * e;
        let w1 = ek + 2 * e;
        let b1 = w1 + h * 4 * e;
        let w2 = b1 + h;
        let b2 = w2 + OUTPUTS * h;
        Layout { ea, eb, ek, w1, b1, w2, b2, len: b2 + OUTPUTS }
    }
}

fn normal(rng: &mut Pcg64) -> f32 {
    super::chain::standard_normal(rng) as f32
}

/// What one forward pass keeps for the backward pass.
struct Forward {
    input: Vec<f32>,
    hidden_pre: Vec<f32>,
    hidden: Vec<f32>,
    probabilities: [f32; OUTPUTS],
}

impl Network {
    /// A freshly initialised network: embeddings `N(0, 1)`, layers scaled by
    /// `1 / sqrt(fan_in)` (LeCun), biases zero.
    pub fn new(shape: Shape, encoding: Encoding, rng: &mut Pcg64) -> Self {
        let layout = shape.layout();
        let mut weights = vec![0.0; layout.len];
        for w in &mut weights[layout.ea..layout.w1] {
            *w = normal(rng);
        }
        let scale1 = 1.0 / (shape.input() as f32).sqrt();
        for w in &mut weights[layout.w1..layout.b1] {
            *w = normal(rng) * scale1;
        }
        let scale2 = 1.0 / (shape.hidden as f32).sqrt();
        for w in &mut weights[layout.w2..layout.b2] {
            *w = normal(rng) * scale2;
        }
        Network {
            shape,
            encoding,
            moments: Moments::zeros(layout.len),
            weights,
            positions: Vec::new(),
            position_moments: Moments::default(),
            steps: 0,
        }
    }

    /// Positions with a vector so far.
    pub fn positions(&self) -> usize {
        self.positions.len() / self.shape.embed
    }

    /// Gives every position up to `position` its vector, drawing those not
    /// met before by the encoding.
    pub fn extend_to(&mut self, position: usize, rng: &mut Pcg64) {
        let e = self.shape.embed;
        while self.positions() <= position {
            let i = self.positions();
            let vector: Vec<f32> = match self.encoding {
                Encoding::Learned { sigma } => (0..e).map(|_| sigma * normal(rng)).collect(),
                Encoding::Copy { sigma } => (0..e)
                    .map(|j| {
                        let previous = if i == 0 { 0.0 } else { self.positions[(i - 1) * e + j] };
                        previous + sigma * normal(rng)
                    })
                    .collect(),
                Encoding::Sinusoidal { base, scale } => (0..e)
                    .map(|j| {
                        let frequency = base.powf(-((j / 2 * 2) as f32) / e as f32);
                        let angle = i as f32 * frequency;
                        scale * if j % 2 == 0 { angle.sin() } else { angle.cos() }
                    })
                    .collect(),
            };
            self.positions.extend(vector);
            self.position_moments.first.extend(std::iter::repeat_n(0.0, e));
            self.position_moments.second.extend(std::iter::repeat_n(0.0, e));
        }
    }

    fn forward(&self, position: usize, context: usize) -> Forward {
        let (e, h) = (self.shape.embed, self.shape.hidden);
        let l = self.shape.layout();
        let (a, b, k) = (context / 20, (context / 2) % 10, context % 2);
        let w = &self.weights;
        let mut input = Vec::with_capacity(4 * e);
        input.extend_from_slice(&w[l.ea + a * e..l.ea + (a + 1) * e]);
        input.extend_from_slice(&w[l.eb + b * e..l.eb + (b + 1) * e]);
        input.extend_from_slice(&w[l.ek + k * e..l.ek + (k + 1) * e]);
        input.extend_from_slice(&self.positions[position * e..(position + 1) * e]);
        let hidden_pre: Vec<f32> = (0..h)
            .map(|j| {
                let row = &w[l.w1 + j * 4 * e..l.w1 + (j + 1) * 4 * e];
                row.iter().zip(&input).fold(w[l.b1 + j], |acc, (x, y)| acc + x * y)
            })
            .collect();
        let hidden: Vec<f32> = hidden_pre.iter().map(|x| x.max(0.0)).collect();
        let mut logits = [0.0f32; OUTPUTS];
        for (o, logit) in logits.iter_mut().enumerate() {
            let row = &w[l.w2 + o * h..l.w2 + (o + 1) * h];
            *logit = row.iter().zip(&hidden).fold(w[l.b2 + o], |acc, (x, y)| acc + x * y);
        }
        Forward { input, hidden_pre, hidden, probabilities: softmax(&logits) }
    }

    /// The model's distribution over the 20 outputs at every context of
    /// `position`, flat `CONTEXTS x OUTPUTS`: what the sampler compiles.
    pub fn distribution(&self, position: usize) -> Vec<f32> {
        (0..CONTEXTS).flat_map(|c| self.forward(position, c).probabilities).collect()
    }

    /// Mean cross-entropy of `batch` under the current parameters.
    pub fn loss(&self, batch: &[Step]) -> f64 {
        let total: f64 = batch
            .iter()
            .map(|s| {
                -f64::from(
                    self.forward(s.position as usize, s.context as usize).probabilities[s.output as usize],
                )
                .ln()
            })
            .sum();
        total / batch.len() as f64
    }

    /// Gradients of the mean cross-entropy of `batch`: `(weights, positions)`.
    fn gradients(&self, batch: &[Step]) -> (Vec<f32>, Vec<f32>) {
        let (e, h) = (self.shape.embed, self.shape.hidden);
        let l = self.shape.layout();
        let w = &self.weights;
        let mut grad = vec![0.0f32; l.len];
        let mut grad_positions = vec![0.0f32; self.positions.len()];
        let scale = 1.0 / batch.len() as f32;
        for step in batch {
            let (position, context) = (step.position as usize, step.context as usize);
            let f = self.forward(position, context);
            let mut dz = f.probabilities;
            dz[step.output as usize] -= 1.0;
            dz.iter_mut().for_each(|d| *d *= scale);
            let mut dh = vec![0.0f32; h];
            for (o, d) in dz.iter().enumerate() {
                grad[l.b2 + o] += d;
                for j in 0..h {
                    grad[l.w2 + o * h + j] += d * f.hidden[j];
                    dh[j] += d * w[l.w2 + o * h + j];
                }
            }
            let mut dx = vec![0.0f32; 4 * e];
            for j in 0..h {
                if f.hidden_pre[j] <= 0.0 {
                    continue;
                }
                grad[l.b1 + j] += dh[j];
                for i in 0..4 * e {
                    grad[l.w1 + j * 4 * e + i] += dh[j] * f.input[i];
                    dx[i] += dh[j] * w[l.w1 + j * 4 * e + i];
                }
            }
            let (a, b, k) = (context / 20, (context / 2) % 10, context % 2);
            for i in 0..e {
                grad[l.ea + a * e + i] += dx[i];
                grad[l.eb + b * e + i] += dx[e + i];
                grad[l.ek + k * e + i] += dx[2 * e + i];
                grad_positions[position * e + i] += dx[3 * e + i];
            }
        }
        (grad, grad_positions)
    }

    /// One Adam step on `batch` (every position in it must have a vector).
    pub fn train_step(&mut self, batch: &[Step], learning_rate: f32) {
        let (grad, grad_positions) = self.gradients(batch);
        self.steps += 1;
        let t = self.steps as i32;
        let (c1, c2) = (1.0 - BETA1.powi(t), 1.0 - BETA2.powi(t));
        adam(&mut self.weights, &grad, &mut self.moments, learning_rate, c1, c2);
        if !matches!(self.encoding, Encoding::Sinusoidal { .. }) {
            adam(&mut self.positions, &grad_positions, &mut self.position_moments, learning_rate, c1, c2);
        }
    }

    /// Greedy accuracy of single steps at `position` over all contexts (a
    /// quick check of what the network knows there).
    pub fn step_accuracy(&self, position: usize) -> f64 {
        let right = (0..CONTEXTS)
            .filter(|&c| {
                let p = self.forward(position, c).probabilities;
                super::sampler::argmax(&p) == correct_output(c)
            })
            .count();
        right as f64 / CONTEXTS as f64
    }
}

fn adam(params: &mut [f32], grad: &[f32], moments: &mut Moments, rate: f32, c1: f32, c2: f32) {
    for i in 0..params.len() {
        let g = grad[i];
        moments.first[i] = BETA1 * moments.first[i] + (1.0 - BETA1) * g;
        moments.second[i] = BETA2 * moments.second[i] + (1.0 - BETA2) * g * g;
        let (m, v) = (moments.first[i] / c1, moments.second[i] / c2);
        params[i] -= rate * m / (v.sqrt() + EPSILON);
    }
}

fn softmax(logits: &[f32; OUTPUTS]) -> [f32; OUTPUTS] {
    let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: [f32; OUTPUTS] = std::array::from_fn(|o| (logits[o] - top).exp());
    let total: f32 = exp.iter().sum();
    std::array::from_fn(|o| exp[o] / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const SHAPE: Shape = Shape { embed: 4, hidden: 8 };

    fn batch(rng: &mut Pcg64, positions: usize, n: usize) -> Vec<Step> {
        (0..n)
            .map(|_| {
                let context = rng.random_range(0..CONTEXTS);
                Step {
                    position: rng.random_range(0..positions) as u16,
                    context: context as u8,
                    output: correct_output(context),
                }
            })
            .collect()
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Central differences of the loss (summed in f64) against the
        // analytic gradient, for a sample of weights and position entries.
        let mut rng = Pcg64::seed_from_u64(1);
        let mut net = Network::new(SHAPE, Encoding::Learned { sigma: 1.0 }, &mut rng);
        net.extend_to(2, &mut rng);
        let steps = batch(&mut rng, 3, 16);
        let (grad, grad_positions) = net.gradients(&steps);
        // Small enough that no ReLU changes side, large enough for f32.
        let h = 1e-3f32;
        let mut checked = 0;
        for i in (0..grad.len()).step_by(7) {
            let mut plus = net.clone();
            plus.weights[i] += h;
            let mut minus = net.clone();
            minus.weights[i] -= h;
            let numeric = (plus.loss(&steps) - minus.loss(&steps)) / (2.0 * f64::from(h));
            // f32 forward passes: differences carry about 1e-4 of rounding.
            assert!(
                (numeric - f64::from(grad[i])).abs() < 2e-3 + 2e-2 * numeric.abs(),
                "weight {i}: {numeric} vs {}",
                grad[i]
            );
            checked += 1;
        }
        for (i, analytic) in grad_positions.iter().enumerate() {
            let mut plus = net.clone();
            plus.positions[i] += h;
            let mut minus = net.clone();
            minus.positions[i] -= h;
            let numeric = (plus.loss(&steps) - minus.loss(&steps)) / (2.0 * f64::from(h));
            assert!((numeric - f64::from(*analytic)).abs() < 2e-3 + 2e-2 * numeric.abs(), "position {i}");
        }
        assert!(checked > 50);
    }

    #[test]
    fn training_on_the_truth_learns_addition_steps() {
        // Supervised steps at three positions: the loss falls and every
        // context's most likely output becomes its correct one.
        let mut rng = Pcg64::seed_from_u64(2);
        let mut net =
            Network::new(Shape { embed: 12, hidden: 48 }, Encoding::Learned { sigma: 2.0 }, &mut rng);
        net.extend_to(2, &mut rng);
        let probe = batch(&mut rng, 3, 512);
        let before = net.loss(&probe);
        for _ in 0..1500 {
            let steps = batch(&mut rng, 3, 64);
            net.train_step(&steps, 3e-3);
        }
        let after = net.loss(&probe);
        assert!(after < 0.05 * before, "loss {before} -> {after}");
        for position in 0..3 {
            assert_eq!(net.step_accuracy(position), 1.0, "position {position}");
        }
        let d = net.distribution(1);
        assert_eq!(d.len(), CONTEXTS * OUTPUTS);
        for row in d.chunks(OUTPUTS) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bits() {
        let run = || {
            let mut rng = Pcg64::seed_from_u64(3);
            let mut net = Network::new(SHAPE, Encoding::Copy { sigma: 2.0 }, &mut rng);
            net.extend_to(3, &mut rng);
            for _ in 0..20 {
                let steps = batch(&mut rng, 4, 32);
                net.train_step(&steps, 3e-3);
            }
            net.distribution(3)
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn copied_positions_start_near_the_previous_one_and_sinusoids_are_fixed() {
        let mut rng = Pcg64::seed_from_u64(4);
        let mut copy = Network::new(SHAPE, Encoding::Copy { sigma: 0.0 }, &mut rng);
        copy.extend_to(3, &mut rng);
        // sigma 0: every position is the first one's vector (all zeros).
        assert!(copy.positions.iter().all(|x| *x == 0.0));
        let mut sinusoid = Network::new(SHAPE, Encoding::Sinusoidal { base: 10.0, scale: 5.0 }, &mut rng);
        sinusoid.extend_to(1, &mut rng);
        // Position 1, pair 0: sin(1), cos(1) at frequency 1, times 5.
        assert!((sinusoid.positions[4] - 5.0 * 1f32.sin()).abs() < 1e-6);
        assert!((sinusoid.positions[5] - 5.0 * 1f32.cos()).abs() < 1e-6);
        let before = sinusoid.positions.clone();
        let steps = batch(&mut rng, 2, 16);
        sinusoid.train_step(&steps, 1e-2);
        assert_eq!(sinusoid.positions, before, "sinusoids are not learned");
    }
}
