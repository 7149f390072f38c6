//! A small neural network step model for `addition`: the learner
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
//! ([`Network::distribution`]). This module is the model alone; `training.rs`
//! trains it in the rounds as `learner = "network"`.
//!
//! Speed: a training step runs over the whole batch as matrix products
//! ([`kernel::gemm`]). The first layer is linear in the concatenated
//! embeddings, so its pre-activation is a sum of four rows of a small table
//! (each embedding row times its block of `W1`), and its gradients follow
//! from the hidden gradients summed per table row: per-example work is only
//! the output layer's three products.
//!
//! Determinism: the same inputs give the same bits on every x86-64 or
//! aarch64 CPU and platform. Every sum runs in a fixed order in `f32`
//! (`+ - * /`, `sqrt` and, in the matrix products only, the fused
//! multiply-add `mul_add`: each rounded once, as IEEE 754 requires, the
//! same everywhere; Rust never fuses `a * b + c` on its own); the step
//! runs on whichever [`kernel::Path`] the CPU has, all of which do the same
//! operations in the same order and vectorise only across independent
//! outputs, so the width of the vector unit does not change a bit; and
//! `exp`, `ln`, `sin`, `cos` and
//! `powf`, including those of the normal draws, are the fixed
//! implementations of [`fixed_math`] rather than the platform's.

use rand::Rng;
use rand_pcg::Pcg64;

use super::aligned::Floats;
use super::kernel::{self, product as gemm, product_into, Operand, Outputs, Path};
use super::softmax::{normalize, softmax};
use crate::scenario::addition::digits::{correct_output, CONTEXTS, OUTPUTS};
use crate::scenario::addition::learners::fixed_math;
use crate::scenario::addition::learners::sampler::argmax;

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
    weights: Floats,
    /// Position vectors, `e` each, grown as positions are met.
    positions: Floats,
    moments: Moments,
    position_moments: Moments,
    steps: u32,
    scratch: Scratch,
}

#[derive(Clone, Debug, Default)]
struct Moments {
    first: Floats,
    second: Floats,
}

impl Moments {
    fn zeros(n: usize) -> Self {
        Moments { first: Floats::zeros(n), second: Floats::zeros(n) }
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

/// A standard normal draw by Box-Muller, as `chain::standard_normal` but
/// with the fixed `ln` and `cos`, whose bits do not depend on the platform.
fn normal(rng: &mut Pcg64) -> f32 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    ((-2.0 * fixed_math::ln(1.0 - u)).sqrt() * fixed_math::cos(std::f64::consts::TAU * v)) as f32
}

/// `1 - beta^t` by repeated squaring in `f64`: Adam's bias correction.
fn bias_correction(beta: f32, t: u32) -> f32 {
    let (mut power, mut base, mut t) = (1.0f64, f64::from(beta), t);
    while t > 0 {
        if t & 1 == 1 {
            power *= base;
        }
        base *= base;
        t >>= 1;
    }
    (1.0 - power) as f32
}

/// Rows of the first-layer table ([`Scratch::table`]): the ten `a` digits,
/// the ten `b` digits, the two carries, then the batch's positions.
const ROWS_A: usize = 0;
const ROWS_B: usize = 10;
const ROWS_K: usize = 20;
const ROWS_P: usize = 22;
const NO_SLOT: u32 = u32::MAX;
/// `2^-56`: see [`Network::gradients`].
const TINY_PROBABILITY: f32 = 1.0 / (1u64 << 56) as f32;

/// The operand digits and carry of a context (`c = a * 20 + b * 2 + k`).
fn split(context: usize) -> (usize, usize, usize) {
    (context / 20, (context / 2) % 10, context % 2)
}

/// Buffers of one batched pass, kept in the network between training steps
/// so that a step allocates nothing. Not state: a clone starts empty.
#[derive(Default)]
struct Scratch {
    /// `W1` transposed (`4e x h`), so that the table's products run along
    /// contiguous rows.
    w1t: Floats,
    /// Each position's slot in the batch (`NO_SLOT` when absent), the
    /// positions in slot order and their vectors gathered (`slots x e`).
    slot: Vec<u32>,
    slotted: Vec<usize>,
    position_rows: Floats,
    /// `(22 + slots) x h`. The first layer is linear in the concatenated
    /// embeddings, so `W1 x + b1` is the sum of four rows of this table:
    /// `W1_a E_a[a]`, `W1_b E_b[b]`, `W1_k E_k[k] + b1`, `W1_p P[i]`. In the
    /// backward pass the same rows hold the hidden gradients summed over the
    /// examples that used each row, from which every first-layer gradient
    /// follows: per-example work is only the second layer's.
    table: Floats,
    /// Each example's four table rows, and its output.
    rows: Vec<[u32; 4]>,
    targets: Vec<u32>,
    /// Hidden activations (`n x h`) and transposed (`h x n`); the logits,
    /// then the softmax's exponentials, then output gradients, transposed
    /// (`20 x n`, one row per output, so that the softmax vectorises across
    /// examples); the softmax's per-example inverse totals (`n`).
    hidden: Floats,
    hidden_t: Floats,
    probabilities: Floats,
    softmax: Floats,
    grad: Floats,
    grad_positions: Floats,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl Network {
    /// A freshly initialised network: embeddings `N(0, 1)`, layers scaled by
    /// `1 / sqrt(fan_in)` (LeCun), biases zero.
    pub fn new(shape: Shape, encoding: Encoding, rng: &mut Pcg64) -> Self {
        let layout = shape.layout();
        let mut weights = Floats::zeros(layout.len);
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
            positions: Floats::default(),
            position_moments: Moments::default(),
            steps: 0,
            scratch: Scratch::default(),
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
                        let exponent = -((j / 2 * 2) as f64) / e as f64;
                        let frequency = fixed_math::powf(f64::from(base), exponent) as f32;
                        let angle = f64::from(i as f32 * frequency);
                        let wave = if j % 2 == 0 { fixed_math::sin(angle) } else { fixed_math::cos(angle) };
                        scale * wave as f32
                    })
                    .collect(),
            };
            self.positions.extend_from_slice(&vector);
            self.position_moments.first.extend_repeated(e, 0.0);
            self.position_moments.second.extend_repeated(e, 0.0);
        }
    }

    /// The forward pass of a whole batch: leaves the hidden activations, the
    /// exponentials of the softmax (`20 x batch.len()`) in
    /// `s.probabilities` and their inverse totals in `s.softmax[..n]`
    /// ([`normalize`] makes them the output distributions). Inlined into
    /// its callers, which run it through [`kernel::on`].
    #[inline(always)]
    fn forward(&self, path: Path, batch: &[Step], s: &mut Scratch) {
        let (e, h) = (self.shape.embed, self.shape.hidden);
        let d = 4 * e;
        let l = self.shape.layout();
        let w = &self.weights;
        let n = batch.len();

        // The positions the batch uses, in increasing order.
        s.slot.clear();
        s.slot.resize(self.positions(), NO_SLOT);
        for step in batch {
            s.slot[step.position as usize] = 0;
        }
        s.slotted.clear();
        s.position_rows.clear();
        for p in 0..s.slot.len() {
            if s.slot[p] != NO_SLOT {
                s.slot[p] = s.slotted.len() as u32;
                s.slotted.push(p);
                s.position_rows.extend_from_slice(&self.positions[p * e..(p + 1) * e]);
            }
        }
        let slots = s.slotted.len();

        // The first layer's table: each embedding row times its block of W1.
        s.w1t.resize(d * h, 0.0);
        kernel::transpose(h, d, &w[l.w1..l.b1], d, &mut s.w1t, h);
        s.table.clear();
        s.table.resize((ROWS_P + slots) * h, 0.0);
        for k in 0..2 {
            s.table[(ROWS_K + k) * h..][..h].copy_from_slice(&w[l.b1..l.b1 + h]);
        }
        let blocks = [(ROWS_A, 10, &w[l.ea..]), (ROWS_B, 10, &w[l.eb..]), (ROWS_K, 2, &w[l.ek..])];
        for (block, (row, rows, embedding)) in blocks.into_iter().enumerate() {
            let table = &mut s.table[row * h..];
            gemm(path, rows, h, e, Operand::Rows(embedding, e), &s.w1t[block * e * h..], h, table, h);
        }
        let table = &mut s.table[ROWS_P * h..];
        gemm(path, slots, h, e, Operand::Rows(&s.position_rows, e), &s.w1t[3 * e * h..], h, table, h);

        // Hidden layer: four table rows per example, then the ReLU; and
        // transposed, 8 examples at a time while they are in the L1 cache.
        s.rows.clear();
        s.rows.extend(batch.iter().map(|step| {
            let (a, b, k) = split(step.context as usize);
            let slot = s.slot[step.position as usize] as usize;
            [ROWS_A + a, ROWS_B + b, ROWS_K + k, ROWS_P + slot].map(|r| r as u32)
        }));
        s.hidden.resize(n * h, 0.0);
        s.hidden_t.resize(h * n, 0.0);
        let table = &s.table[..(ROWS_P + slots) * h];
        assert!(s.rows.iter().flatten().all(|r| (*r as usize) < ROWS_P + slots), "table rows");
        for (block, (rows, hidden)) in s.rows.chunks(8).zip(s.hidden.chunks_mut(8 * h)).enumerate() {
            for (rows, out) in rows.iter().zip(hidden.chunks_exact_mut(h)) {
                // SAFETY: every row index is below `ROWS_P + slots`
                // (asserted above), so its `h` values lie in `table`.
                let row = |r: u32| unsafe { table.get_unchecked(r as usize * h..(r as usize + 1) * h) };
                let (ra, rb, rk, rp) = (row(rows[0]), row(rows[1]), row(rows[2]), row(rows[3]));
                for ((((out, ra), rb), rk), rp) in out.iter_mut().zip(ra).zip(rb).zip(rk).zip(rp) {
                    let x = ((rk + ra) + rb) + rp;
                    *out = if x > 0.0 { x } else { 0.0 };
                }
            }
            kernel::transpose(rows.len(), h, hidden, h, &mut s.hidden_t[block * 8..], n);
        }

        // Output layer and softmax.
        // The logits transposed, `W2 H^T + b2` (`20 x n`), as the softmax
        // reads them: every output the same fold over the hidden units as
        // `H W2^T`'s (a product's operands commute exactly), in whole
        // vectors across examples.
        s.probabilities.resize(OUTPUTS * n, 0.0);
        let mut logits = Logits { bias: &w[l.b2..l.b2 + OUTPUTS], logits: &mut s.probabilities, n };
        product_into(path, OUTPUTS, n, h, Operand::Rows(&w[l.w2..l.b2], h), &s.hidden_t, n, &mut logits);
        softmax(path, &mut s.probabilities, n, &mut s.softmax);
    }

    /// The model's distribution over the 20 outputs at every context of
    /// `position`, flat `CONTEXTS x OUTPUTS`: what the sampler compiles.
    pub fn distribution(&self, position: usize) -> Vec<f32> {
        let mut out = vec![0.0; CONTEXTS * OUTPUTS];
        self.distribution_into(position, &mut out);
        out
    }

    /// [`Network::distribution`] written into `out` (`CONTEXTS x OUTPUTS`).
    pub fn distribution_into(&self, position: usize, out: &mut [f32]) {
        let contexts: Vec<Step> =
            (0..CONTEXTS).map(|c| Step { position: position as u16, context: c as u8, output: 0 }).collect();
        let mut s = Scratch::default();
        let path = Path::detected();
        kernel::on(
            path,
            #[inline(always)]
            || self.forward(path, &contexts, &mut s),
        );
        normalize(&mut s.probabilities, CONTEXTS, &s.softmax);
        for (o, column) in s.probabilities.chunks_exact(CONTEXTS).enumerate() {
            out.chunks_exact_mut(OUTPUTS).zip(column).for_each(|(row, p)| row[o] = *p);
        }
    }

    /// Mean cross-entropy of `batch` under the current parameters.
    pub fn loss(&self, batch: &[Step]) -> f64 {
        let mut s = Scratch::default();
        let path = Path::detected();
        kernel::on(
            path,
            #[inline(always)]
            || self.forward(path, batch, &mut s),
        );
        let n = batch.len();
        normalize(&mut s.probabilities, n, &s.softmax);
        let total: f64 = batch
            .iter()
            .enumerate()
            .map(|(i, step)| -fixed_math::ln(f64::from(s.probabilities[step.output as usize * n + i])))
            .sum();
        total / batch.len() as f64
    }

    /// Gradients of the mean cross-entropy of `batch`, left in `s.grad`
    /// (weights) and `s.grad_positions`.
    #[inline(always)]
    fn gradients(&self, path: Path, batch: &[Step], s: &mut Scratch) {
        self.forward(path, batch, s);
        let (e, h) = (self.shape.embed, self.shape.hidden);
        let d = 4 * e;
        let l = self.shape.layout();
        let w = &self.weights;
        let n = batch.len();
        let slots = s.slotted.len();

        // Output gradients, in place of the probabilities.
        // Probabilities below 2^-56 count as zero here: their gradients
        // (below 2^-64) move nothing, and once a model is sure of itself
        // their products fall into the subnormal range, where CPUs take slow
        // assists (steps were 30% slower after 20,000 steps on one batch).
        // Only the output gradient is flushed; the distribution is not.
        // Each value is flushed, has 1 taken off at the example's output,
        // then is scaled, as one example's row at a time did before.
        // One pass does all of it, the softmax's last step first.
        let scale = 1.0 / n as f32;
        s.targets.clear();
        s.targets.extend(batch.iter().map(|step| u32::from(step.output)));
        let inverse = &s.softmax[..n];
        for (o, row) in s.probabilities.chunks_exact_mut(n).enumerate() {
            for ((x, inverse), target) in row.iter_mut().zip(inverse).zip(&s.targets) {
                let p = *x * inverse;
                let p = if p < TINY_PROBABILITY { 0.0 } else { p };
                let p = if *target == o as u32 { p - 1.0 } else { p };
                *x = p * scale;
            }
        }
        let dz = &s.probabilities;
        s.grad.clear();
        s.grad.resize(l.len, 0.0);
        // W2's gradient, and b2's: each output's sum over the batch, in
        // batch order, added up by the product's tiles as they read it.
        let (grad_w2, grad_b2) = s.grad[l.w2..].split_at_mut(OUTPUTS * h);
        let mut dw2 = kernel::Matrix { c: grad_w2, stride: h };
        kernel::product_and_row_sums(
            path,
            OUTPUTS,
            h,
            n,
            Operand::Rows(dz, n),
            &s.hidden,
            h,
            &mut dw2,
            grad_b2,
        );

        // Hidden gradients through the ReLU, summed per table row in batch
        // order: each finished row of the product is masked and added into
        // its example's four rows at once, rows in increasing example order
        // (`product_into`), so every sum is the left fold from zero over the
        // row's examples, without storing the hidden gradients.
        let rows = ROWS_P + slots;
        s.table[..rows * h].fill(0.0);
        let mut sums = RowSums::new(&mut s.table[..rows * h], &s.hidden[..n * h], &s.rows, h);
        product_into(path, n, h, OUTPUTS, Operand::Columns(dz, n), &w[l.w2..], h, &mut sums);
        // Every example has one carry row, so the two carry rows sum to b1's gradient.
        for j in 0..h {
            s.grad[l.b1 + j] = s.table[ROWS_K * h + j] + s.table[(ROWS_K + 1) * h + j];
        }

        // First layer: W1's block of each embedding is the row sums times
        // the rows; each embedding row's gradient is its sum times W1's block.
        let blocks = [
            (ROWS_A, 10, &w[l.ea..], l.ea),
            (ROWS_B, 10, &w[l.eb..], l.eb),
            (ROWS_K, 2, &w[l.ek..], l.ek),
            (ROWS_P, slots, &s.position_rows[..], usize::MAX),
        ];
        for (block, (row, rows, embedding, grad_at)) in blocks.into_iter().enumerate() {
            let sums = Operand::Columns(&s.table[row * h..], h);
            gemm(path, h, e, rows, sums, embedding, e, &mut s.grad[l.w1 + block * e..], d);
            if grad_at != usize::MAX {
                let sums = Operand::Rows(&s.table[row * h..], h);
                gemm(path, rows, e, h, sums, &w[l.w1 + block * e..], d, &mut s.grad[grad_at..], e);
            }
        }
        s.grad_positions.clear();
        s.grad_positions.resize(self.positions.len(), 0.0);
        if !matches!(self.encoding, Encoding::Sinusoidal { .. }) {
            s.position_rows.fill(0.0);
            let sums = Operand::Rows(&s.table[ROWS_P * h..], h);
            gemm(path, slots, e, h, sums, &w[l.w1 + 3 * e..], d, &mut s.position_rows, e);
            for (p, g) in s.slotted.iter().zip(s.position_rows.chunks_exact(e)) {
                s.grad_positions[p * e..(p + 1) * e].copy_from_slice(g);
            }
        }
    }

    /// One Adam step on `batch` (every position in it must have a vector).
    pub fn train_step(&mut self, batch: &[Step], learning_rate: f32) {
        self.train_step_on(Path::detected(), batch, learning_rate);
    }

    /// [`Network::train_step`] on a given [`Path`] (every path gives the
    /// same bits; the tests run each).
    fn train_step_on(&mut self, path: Path, batch: &[Step], learning_rate: f32) {
        kernel::on(
            path,
            #[inline(always)]
            || self.train_step_here(path, batch, learning_rate),
        );
    }

    #[inline(always)]
    fn train_step_here(&mut self, path: Path, batch: &[Step], learning_rate: f32) {
        let mut s = std::mem::take(&mut self.scratch);
        self.gradients(path, batch, &mut s);
        self.steps += 1;
        let (c1, c2) = (bias_correction(BETA1, self.steps), bias_correction(BETA2, self.steps));
        adam(&mut self.weights, &s.grad, &mut self.moments, learning_rate, c1, c2);
        if !matches!(self.encoding, Encoding::Sinusoidal { .. }) {
            adam(&mut self.positions, &s.grad_positions, &mut self.position_moments, learning_rate, c1, c2);
        }
        self.scratch = s;
    }

    /// Greedy accuracy of single steps at `position` over all contexts (a
    /// quick check of what the network knows there).
    pub fn step_accuracy(&self, position: usize) -> f64 {
        let distribution = self.distribution(position);
        let right = distribution
            .chunks_exact(OUTPUTS)
            .enumerate()
            .filter(|(c, p)| argmax(p) == correct_output(*c))
            .count();
        right as f64 / CONTEXTS as f64
    }
}

/// The logits' products, transposed (`20 x n`): each output's row starts
/// from its bias.
struct Logits<'a> {
    bias: &'a [f32],
    logits: &'a mut [f32],
    n: usize,
}

impl Outputs for Logits<'_> {
    #[inline(always)]
    fn start<const W: usize>(&mut self, o: usize, _: usize, row: &mut [f32; W]) {
        row.fill(self.bias[o]);
    }
    #[inline(always)]
    fn finish<const W: usize>(&mut self, i: usize, j: usize, row: &[f32; W]) {
        self.logits[i * self.n + j..][..W].copy_from_slice(row);
    }
}

/// The hidden gradients' products: each row, through the ReLU (zero where
/// the unit was off), added into the four table rows its example used.
struct RowSums<'a> {
    table: &'a mut [f32],
    hidden: &'a [f32],
    rows: &'a [[u32; 4]],
    h: usize,
}

impl<'a> RowSums<'a> {
    /// Sums into `table` (whole rows of `h`) for the examples of `rows`,
    /// whose hidden activations are `hidden` (`rows.len() x h`).
    ///
    /// # Panics
    /// If a row index is outside `table` or `hidden` is short: `finish`
    /// reads and writes without bounds checks (a fifth of its
    /// instructions were checks).
    fn new(table: &'a mut [f32], hidden: &'a [f32], rows: &'a [[u32; 4]], h: usize) -> Self {
        let table_rows = table.len() / h.max(1);
        assert!(rows.iter().flatten().all(|r| (*r as usize) < table_rows), "RowSums: table rows");
        assert!(hidden.len() >= rows.len() * h, "RowSums: hidden activations");
        RowSums { table, hidden, rows, h }
    }
}

impl Outputs for RowSums<'_> {
    #[inline(always)]
    fn start<const W: usize>(&mut self, _: usize, _: usize, row: &mut [f32; W]) {
        row.fill(0.0);
    }
    #[inline(always)]
    fn finish<const W: usize>(&mut self, i: usize, j: usize, row: &[f32; W]) {
        // One check for all five accesses: i by indexing `rows`, the units here.
        let rows = self.rows[i];
        assert!(j + W <= self.h, "RowSums: units");
        // SAFETY: (i, j..j + W) lies in `hidden` (`rows.len() x h`, checked
        // by `new`); `[f32; W]` has `f32`'s alignment.
        let x = unsafe { &*self.hidden.as_ptr().add(i * self.h + j).cast::<[f32; W]>() };
        // A select rather than a conditional store, so it vectorises.
        let g: [f32; W] = std::array::from_fn(|u| if x[u] > 0.0 { row[u] } else { 0.0 });
        for r in rows {
            // SAFETY: row r lies in `table` (checked by `new`) and j + W <= h.
            let sum =
                unsafe { &mut *self.table.as_mut_ptr().add(r as usize * self.h + j).cast::<[f32; W]>() };
            sum.iter_mut().zip(&g).for_each(|(s, g)| *s += g);
        }
    }
}

#[inline(always)]
fn adam(params: &mut [f32], grad: &[f32], moments: &mut Moments, rate: f32, c1: f32, c2: f32) {
    let Moments { first, second } = moments;
    // One division per parameter instead of three.
    let (inverse1, inverse2) = (1.0 / c1, 1.0 / c2);
    for (((p, g), m), v) in params.iter_mut().zip(grad).zip(first.iter_mut()).zip(second.iter_mut()) {
        *m = BETA1 * *m + (1.0 - BETA1) * g;
        *v = BETA2 * *v + (1.0 - BETA2) * g * g;
        *p -= rate * (*m * inverse1) / ((*v * inverse2).sqrt() + EPSILON);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const SHAPE: Shape = Shape { embed: 4, hidden: 8 };

    /// The batched gradients as `(weights, positions)`.
    fn gradients(net: &Network, batch: &[Step]) -> (Vec<f32>, Vec<f32>) {
        let mut s = Scratch::default();
        net.gradients(Path::detected(), batch, &mut s);
        (s.grad.to_vec(), s.grad_positions.to_vec())
    }

    /// The straightforward per-example forward pass (the code before the
    /// batched kernels), as the reference: the concatenated input times
    /// `W1` row by row, `std`'s `exp`.
    fn reference_forward(net: &Network, position: usize, context: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (e, h) = (net.shape.embed, net.shape.hidden);
        let l = net.shape.layout();
        let (a, b, k) = split(context);
        let w = &net.weights;
        let mut input = Vec::with_capacity(4 * e);
        input.extend_from_slice(&w[l.ea + a * e..l.ea + (a + 1) * e]);
        input.extend_from_slice(&w[l.eb + b * e..l.eb + (b + 1) * e]);
        input.extend_from_slice(&w[l.ek + k * e..l.ek + (k + 1) * e]);
        input.extend_from_slice(&net.positions[position * e..(position + 1) * e]);
        let hidden: Vec<f32> = (0..h)
            .map(|j| {
                let row = &w[l.w1 + j * 4 * e..l.w1 + (j + 1) * 4 * e];
                row.iter().zip(&input).fold(w[l.b1 + j], |acc, (x, y)| acc + x * y).max(0.0)
            })
            .collect();
        let logits: Vec<f32> = (0..OUTPUTS)
            .map(|o| {
                let row = &w[l.w2 + o * h..l.w2 + (o + 1) * h];
                row.iter().zip(&hidden).fold(w[l.b2 + o], |acc, (x, y)| acc + x * y)
            })
            .collect();
        let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = logits.iter().map(|z| (z - top).exp()).collect();
        let total: f32 = exp.iter().sum();
        (input, hidden, exp.iter().map(|x| x / total).collect())
    }

    /// The reference gradients: example by example, outer products
    /// accumulated into the full matrices.
    fn reference_gradients(net: &Network, batch: &[Step]) -> (Vec<f32>, Vec<f32>) {
        let (e, h) = (net.shape.embed, net.shape.hidden);
        let l = net.shape.layout();
        let w = &net.weights;
        let mut grad = vec![0.0f32; l.len];
        let mut grad_positions = vec![0.0f32; net.positions.len()];
        let scale = 1.0 / batch.len() as f32;
        for step in batch {
            let (position, context) = (step.position as usize, step.context as usize);
            let (input, hidden, mut dz) = reference_forward(net, position, context);
            dz[step.output as usize] -= 1.0;
            dz.iter_mut().for_each(|d| *d *= scale);
            let mut dh = vec![0.0f32; h];
            for (o, d) in dz.iter().enumerate() {
                grad[l.b2 + o] += d;
                for j in 0..h {
                    grad[l.w2 + o * h + j] += d * hidden[j];
                    dh[j] += d * w[l.w2 + o * h + j];
                }
            }
            let mut dx = vec![0.0f32; 4 * e];
            for j in 0..h {
                if hidden[j] <= 0.0 {
                    continue;
                }
                grad[l.b1 + j] += dh[j];
                for i in 0..4 * e {
                    grad[l.w1 + j * 4 * e + i] += dh[j] * input[i];
                    dx[i] += dh[j] * w[l.w1 + j * 4 * e + i];
                }
            }
            let (a, b, k) = split(context);
            for i in 0..e {
                grad[l.ea + a * e + i] += dx[i];
                grad[l.eb + b * e + i] += dx[e + i];
                grad[l.ek + k * e + i] += dx[2 * e + i];
                grad_positions[position * e + i] += dx[3 * e + i];
            }
        }
        (grad, grad_positions)
    }

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
        let (grad, grad_positions) = gradients(&net, &steps);
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

    /// Largest difference between two gradient vectors, relative to the
    /// largest entry of the reference.
    fn relative_difference(got: &[f32], want: &[f32]) -> f64 {
        assert_eq!(got.len(), want.len());
        let scale = want.iter().fold(0.0f64, |m, x| m.max(f64::from(x.abs())));
        let worst = got.iter().zip(want).fold(0.0f64, |m, (x, y)| m.max(f64::from((x - y).abs())));
        worst / scale
    }

    #[test]
    fn batched_gradients_equal_the_per_example_reference() {
        // The batched pass regroups the same sums (first layer through the
        // per-row table, sums per row instead of per example), so it agrees
        // with the reference to f32 rounding: a few units of 1e-7 per
        // term, relative to the gradient's scale (measured: at most 4e-7,
        // so 3e-6 leaves a factor of seven). Every encoding, the
        // default widths at a full batch and a small network.
        for (shape, encoding, n) in [
            (Shape { embed: 12, hidden: 48 }, Encoding::Learned { sigma: 2.0 }, 256),
            (Shape { embed: 12, hidden: 48 }, Encoding::Copy { sigma: 2.0 }, 256),
            (Shape { embed: 12, hidden: 48 }, Encoding::Sinusoidal { base: 10.0, scale: 5.0 }, 256),
            (SHAPE, Encoding::Learned { sigma: 1.0 }, 17),
            (Shape { embed: 5, hidden: 13 }, Encoding::Learned { sigma: 1.0 }, 33),
        ] {
            let mut rng = Pcg64::seed_from_u64(7);
            let mut net = Network::new(shape, encoding, &mut rng);
            net.extend_to(9, &mut rng);
            // Train a little so that the outputs are not all near uniform,
            // then use random (mostly wrong) outputs for large gradients.
            for _ in 0..30 {
                net.train_step(&batch(&mut rng, 10, 64), 1e-2);
            }
            let mut steps = batch(&mut rng, 7, n);
            steps.iter_mut().for_each(|s| s.output = rng.random_range(0..OUTPUTS as u8));
            let (grad, grad_positions) = gradients(&net, &steps);
            let (want, want_positions) = reference_gradients(&net, &steps);
            let l = shape.layout();
            for (name, range) in [
                ("embeddings", l.ea..l.w1),
                ("W1", l.w1..l.b1),
                ("b1", l.b1..l.w2),
                ("W2", l.w2..l.b2),
                ("b2", l.b2..l.len),
            ] {
                let difference = relative_difference(&grad[range.clone()], &want[range]);
                assert!(difference < 3e-6, "{shape:?} {encoding:?} {name}: {difference}");
            }
            if matches!(encoding, Encoding::Sinusoidal { .. }) {
                assert!(grad_positions.iter().all(|g| *g == 0.0));
            } else {
                let difference = relative_difference(&grad_positions, &want_positions);
                assert!(difference < 3e-6, "positions: {difference}");
                // Positions outside the batch get exactly nothing.
                assert!(grad_positions[7 * shape.embed..].iter().all(|g| *g == 0.0));
            }
            // The distribution: logits agree to about 1e-6 (rounding of sums
            // of terms of order 1), so probabilities to 1e-5 relative.
            let distribution = net.distribution(3);
            for (c, row) in distribution.chunks_exact(OUTPUTS).enumerate() {
                let (_, _, want) = reference_forward(&net, 3, c);
                for (p, q) in row.iter().zip(&want) {
                    assert!((p - q).abs() <= 1e-5 * q + 1e-9, "context {c}: {p} vs {q}");
                }
            }
        }
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
    fn the_bits_are_those_every_build_gives() {
        // 100 steps per encoding at the default widths, hashed (FNV-1a) over
        // every bit of ten positions' distributions and a loss, on every
        // kernel path this CPU has. The value was computed by this code
        // compiled four ways on one x86-64 machine (baseline SSE2 release,
        // `+avx2,+fma`, `target-cpu=native` with AVX-512, and unoptimised),
        // and for aarch64 (NEON, run under QEMU), with the same result: a
        // change of vector width, optimisation, path or architecture must
        // not move it. A change of the model or its arithmetic does (fused
        // multiply-adds in the products moved it, since each rounds once
        // where a multiply and an add rounded twice), and then the
        // value is re-recorded the same way.
        for path in Path::available() {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            let mut eat = |x: f32| {
                for byte in x.to_bits().to_le_bytes() {
                    hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
                }
            };
            for encoding in [
                Encoding::Learned { sigma: 2.0 },
                Encoding::Copy { sigma: 2.0 },
                Encoding::Sinusoidal { base: 10.0, scale: 5.0 },
            ] {
                let mut rng = Pcg64::seed_from_u64(11);
                let mut net = Network::new(Shape { embed: 12, hidden: 48 }, encoding, &mut rng);
                net.extend_to(9, &mut rng);
                for _ in 0..100 {
                    let batch: Vec<Step> = (0..256)
                        .map(|_| {
                            let c = rng.random_range(0..200);
                            Step {
                                position: rng.random_range(0..8),
                                context: c as u8,
                                output: correct_output(c),
                            }
                        })
                        .collect();
                    net.train_step_on(path, &batch, 3e-3);
                }
                for p in 0..10 {
                    net.distribution(p).into_iter().for_each(&mut eat);
                }
                eat(net.loss(&[Step { position: 3, context: 17, output: 5 }]) as f32);
            }
            assert_eq!(format!("{hash:016x}"), "1195fdca96bea2dc", "{path:?}");
        }
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
