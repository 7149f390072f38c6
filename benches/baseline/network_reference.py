"""NumPy reference of the `addition` scenario's network learner.

Why it exists: the speed of `learner = "network"` is stated against NumPy
(BENCHMARKS.md: a default run against this one on one core), and that
comparison is fair only against a NumPy version checked to give the same
statistics. This file is that
version, written from the algorithm the Rust code implements
(src/scenario/addition/learners/network/model.rs, rounds.rs; the lead's design note): the
same step model, Adam, supervised phase with its stopping targets, rounds,
verifiers, data modes and position encodings. It is written the way a
competent NumPy user would write it, so that the speed comparison is fair:

* parameters live in one flat float32 vector (views per block), so an Adam
  step is a handful of whole-vector operations;
* E_a, E_b, E_k and the position vectors are one embedding table: a step's
  input is one `np.take`, its embedding gradient one product with the
  batch's one-hot rows;
* forward and backward over a batch of 256 steps are batched matrix
  products; the batches of a whole training phase are drawn and gathered at
  once;
* the 200-context distribution of every position is one batched forward
  pass; traces are sampled position by position, vectorised across all
  samples of all problems of a round (inverse CDF on cumulative tables);
* verifiers compare answers with one (problems x samples x samples)
  equality array.

Its random generators are NumPy's, not the Rust ones, so a seed here and a
seed there give different runs: the check is statistical
(benches/baseline/network_compare.py). Runs with the same seed share the
initial network, supervised data and position draws across verifiers (the
streams are keyed by purpose, as in Rust), so runs are paired by seed.

Single-threaded: the BLAS thread variables are set to 1 before NumPy loads.
On glibc, freed memory is kept in the process (`keep_freed_memory`), so
that a step's timing does not depend on where its temporaries land.

    python network_reference.py --verifier commutative --encoding learned --seed 1 --out run.csv
    python network_reference.py --seed 1 --replicates 8 --verifier none --out none.csv
    python network_reference.py --self-test     # gradients against finite differences
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import ctypes  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def keep_freed_memory():
    """Stops glibc from handing freed heap memory back to the system after every step.

    A training step allocates and frees a few temporaries of about 100 KB;
    depending on where they land on the heap, glibc trims the heap after
    each step and takes ~90 page faults to grow it again in the next one,
    which doubled the step time (0.38 against 0.19 ms, almost all of the
    difference system time) in some processes and not in others. Raising
    the trim and mmap thresholds makes the fast case the only one. No-op
    where there is no glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD (its maximum on 64-bit)
    except (OSError, AttributeError):
        pass


keep_freed_memory()

OUTPUTS = 20
CONTEXTS = 200
_CONTEXT = np.arange(CONTEXTS)
CONTEXT_A, CONTEXT_B, CONTEXT_K = _CONTEXT // 20, (_CONTEXT // 2) % 10, _CONTEXT % 2
_SUM = CONTEXT_A + CONTEXT_B + CONTEXT_K
#: The correct output (2 * sum digit + carry out) of every context.
CORRECT = (_SUM % 10) * 2 + _SUM // 10
#: The context (b, a, k) of every context (a, b, k).
MIRROR = CONTEXT_B * 20 + CONTEXT_A * 2 + CONTEXT_K
#: Rows of the embedding table before the position vectors: E_a (10), E_b (10), E_k (2).
FIXED_ROWS = 22
#: Each context's three rows in the embedding table.
CONTEXT_ROWS = np.stack([CONTEXT_A, 10 + CONTEXT_B, 20 + CONTEXT_K], axis=1)
#: Supervised training checks its targets every this many steps.
CHECK_EVERY = 200
BETA1, BETA2, EPSILON = np.float32(0.9), np.float32(0.999), np.float32(1e-8)
VERIFIERS = ("none", "majority", "commutative", "outcome", "step", "committee")
ENCODINGS = ("learned", "copy", "sinusoidal")

#: (name, type, default, meaning): the TOML parameters of the design note.
PARAMS = [
    ("verifier", str, "commutative", "|".join(VERIFIERS)),
    ("encoding", str, "copy", "|".join(ENCODINGS)),
    ("position_sigma", float, 2.0, "learned: new P[i] ~ N(0, sigma^2)"),
    ("copy_noise", float, 2.0, "copy: P[i] = P[i-1] + N(0, copy_noise^2)"),
    ("sinusoid_base", float, 10.0, "sinusoidal: base of the frequencies"),
    ("sinusoid_scale", float, 5.0, "sinusoidal: scale of the vectors"),
    ("embed_width", int, 12, "width of each embedding and position vector"),
    ("hidden_width", int, 48, "hidden units"),
    ("learning_rate", float, 0.003, "Adam's learning rate"),
    ("steps_per_round", int, 200, "Adam steps per self-training round"),
    ("batch_size", int, 256, "examples per Adam step"),
    ("supervised_greedy_target", float, 0.99, "supervised phase stops at this greedy accuracy ..."),
    ("supervised_sampled_target", float, 0.98, "... and this sampled accuracy"),
    ("supervised_max_steps", int, 6000, "or after this many steps"),
    ("start_digits", int, 6, "supervised lengths 1..start_digits"),
    ("supervised_problems", int, 2000, "ground-truth problems per supervised length"),
    ("problems", int, 1000, "problems per round"),
    ("samples", int, 5, "traces per problem"),
    ("eval_problems", int, 1000, "fresh problems per accuracy measurement"),
    ("quorum", float, 0.5, "modal answer's share must exceed this"),
    ("committee_size", int, 5, "networks in a committee"),
    ("false_accept", float, 0.0, "outcome/step checker passes a wrong trace"),
    ("false_reject", float, 0.0, "outcome/step checker fails a right trace"),
    ("noise_rate", float, 0.01, "a generated step slips to a uniform output"),
    ("temperature", float, 1.0, "sampling temperature"),
    ("data", str, "accumulate", "accumulate|replace"),
    ("real_fraction", float, 1.0, "share of the supervised data retained"),
    ("advance_threshold", float, 0.8, "acceptance rate that moves to one more digit"),
    ("patience", int, 3, "rounds without advancing before stalling"),
    ("collapse_accuracy", float, 0.5, "frontier accuracy below which the run collapsed"),
    ("generations", int, 30, "rounds at most"),
]
DEFAULTS = {name: default for name, _, default, _ in PARAMS}

#: Random streams by purpose, as the Rust run keys its substreams.
PURPOSES = {"run": 0, "network": 1, "batches": 2, "supervised": 3, "supervised_check": 4}

#: Columns of the CSV: the Rust generations table's names where they exist.
COLUMNS = [
    "seed", "verifier", "encoding", "data", "generation", "round", "frontier_digits", "accepted",
    "acceptance_rate", "agreement", "advanced", "contamination", "accuracy_frontier", "accuracy_next",
    "accuracy_start", "systematic_errors", "entropy_frontier_before", "entropy_frontier",
    "distinct_answers", "forgetting", "first_visit_errors", "mirror_errors", "mirror_error_share",
    "mirror_error_share_chance", "self_mirror_errors", "supervised_steps", "supervised_accuracy",
    "supervised_sampled_accuracy", "end_reason", "runway",
]


def stream(seed, purpose, index=0):
    """The generator of one purpose (and committee member) of a run."""
    return np.random.default_rng([seed, PURPOSES[purpose], index])


# ---- problems and traces ----

def draw_problems(count, digits, rng):
    """`count` problems of `digits` uniform digits each, least significant first."""
    return rng.integers(0, 10, (count, digits)), rng.integers(0, 10, (count, digits))


def solve(a, b):
    """Correct traces of a + b (outputs 2 * digit + carry), one row per problem."""
    traces = np.empty(a.shape, np.int64)
    carry = np.zeros(a.shape[0], np.int64)
    for i in range(a.shape[1]):
        traces[:, i] = CORRECT[a[:, i] * 20 + b[:, i] * 2 + carry]
        carry = traces[:, i] & 1
    return traces


def trace_contexts(a, b, traces):
    """The context each step of `traces` read: its operand digits and the carry its own previous step wrote."""
    carry = np.zeros_like(traces)
    carry[..., 1:] = traces[..., :-1] & 1
    return a * 20 + b * 2 + carry


def answers(traces):
    """The answer of each trace (sum digits and final carry), the last axis."""
    return np.concatenate([traces >> 1, traces[..., -1:] & 1], axis=-1)


def answers_correct(a, b, traces):
    """Whether each trace writes the true answer of its problem."""
    return (answers(traces) == answers(solve(a, b))).all(-1)


# ---- the step model ----

class Network:
    """softmax(W2 relu(W1 x + b1) + b2), x = [E_a[a], E_b[b], E_k[k], P[i]], trained by Adam.

    All parameters are views into one flat float32 vector `theta` (and the
    gradient into `grad`), so Adam works on whole vectors. The embedding
    table has room for every position a run can reach; rows not yet met stay
    zero and, with zero gradient and zero moments, Adam leaves them zero.
    """

    def __init__(self, p, rng, max_positions):
        self.e, self.h = p["embed_width"], p["hidden_width"]
        self.p, self.rng, self.positions, self.steps = p, rng, 0, 0
        shapes = {"table": (FIXED_ROWS + max_positions, self.e), "w1": (4 * self.e, self.h),
                  "b1": (self.h,), "w2": (self.h, OUTPUTS), "b2": (OUTPUTS,)}
        size = sum(math.prod(s) for s in shapes.values())
        self.theta, self.grad = np.zeros(size, np.float32), np.zeros(size, np.float32)
        self.first, self.second = np.zeros(size, np.float32), np.zeros(size, np.float32)
        self.w, self.g = _views(self.theta, shapes), _views(self.grad, shapes)
        self.one_hot = np.eye(FIXED_ROWS + max_positions, dtype=np.float32)
        self.w["table"][:FIXED_ROWS] = rng.standard_normal((FIXED_ROWS, self.e))
        self.w["w1"][:] = rng.standard_normal((4 * self.e, self.h)) / math.sqrt(4 * self.e)
        self.w["w2"][:] = rng.standard_normal((self.h, OUTPUTS)) / math.sqrt(self.h)

    def extend_to(self, position):
        """Gives every position up to `position` its vector, drawing new ones by the encoding."""
        while self.positions <= position:
            self.w["table"][FIXED_ROWS + self.positions] = self._new_position(self.positions)
            self.positions += 1

    def _new_position(self, i):
        p, e = self.p, self.e
        if p["encoding"] == "learned":
            return p["position_sigma"] * self.rng.standard_normal(e)
        if p["encoding"] == "copy":
            previous = self.w["table"][FIXED_ROWS + i - 1] if i > 0 else 0.0
            return previous + p["copy_noise"] * self.rng.standard_normal(e)
        j = np.arange(e)
        frequency = np.float32(p["sinusoid_base"]) ** (-(j // 2 * 2).astype(np.float32) / e)
        angle = i * frequency
        return p["sinusoid_scale"] * np.where(j % 2 == 0, np.sin(angle), np.cos(angle))

    def forward(self, rows):
        """Inputs, pre-activations, hidden units and output probabilities of steps given by table `rows` (n x 4)."""
        x = np.take(self.w["table"], rows, axis=0).reshape(len(rows), 4 * self.e)
        pre = x @ self.w["w1"] + self.w["b1"]
        hidden = np.maximum(pre, 0)
        logits = hidden @ self.w["w2"] + self.w["b2"]
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return x, pre, hidden, probabilities

    def distributions(self, positions):
        """p(o | context, position) for positions 0..positions, one batched pass: (positions, 200, 20)."""
        self.extend_to(positions - 1)
        return self.forward(context_rows(positions))[3].reshape(positions, CONTEXTS, OUTPUTS)

    def train_step(self, rows, outputs):
        """One Adam step on the mean cross-entropy of the batch."""
        self._gradients(rows, outputs)
        self._adam()

    def _gradients(self, rows, outputs):
        x, pre, hidden, dz = self.forward(rows)
        n = len(rows)
        dz[np.arange(n), outputs] -= 1
        dz *= np.float32(1 / n)
        w, g = self.w, self.g
        np.matmul(hidden.T, dz, out=g["w2"])
        np.sum(dz, axis=0, out=g["b2"])
        dh = dz @ w["w2"].T
        dh *= pre > 0
        np.matmul(x.T, dh, out=g["w1"])
        np.sum(dh, axis=0, out=g["b1"])
        dx = dh @ w["w1"].T
        # The embedding gradient: the batch's one-hot table rows times dx
        # (178 us per whole step; a weighted np.bincount 187, np.add.at 251).
        one_hot = np.take(self.one_hot, rows.ravel(), axis=0)
        np.matmul(one_hot.T, dx.reshape(-1, self.e), out=g["table"])
        if self.p["encoding"] == "sinusoidal":
            g["table"][FIXED_ROWS:] = 0  # fixed, not learned

    def _adam(self):
        self.steps += 1
        c1, c2 = 1 - BETA1 ** self.steps, 1 - BETA2 ** self.steps
        g = self.grad
        self.first *= BETA1
        self.first += (1 - BETA1) * g
        self.second *= BETA2
        self.second += (1 - BETA2) * (g * g)
        rate = np.float32(self.p["learning_rate"])
        self.theta -= rate * (self.first / c1) / (np.sqrt(self.second / c2) + EPSILON)


def _views(flat, shapes):
    views, start = {}, 0
    for name, shape in shapes.items():
        size = math.prod(shape)
        views[name] = flat[start:start + size].reshape(shape)
        start += size
    return views


def context_rows(positions):
    """Embedding-table rows of every (position, context) for positions 0..positions: (positions * 200, 4)."""
    position = np.repeat(np.arange(positions), CONTEXTS)
    return np.concatenate([np.tile(CONTEXT_ROWS, (positions, 1)), (FIXED_ROWS + position)[:, None]], axis=1)


def step_rows(positions, contexts):
    """Embedding-table rows of steps at `positions` in `contexts` (flat arrays): (n, 4)."""
    return np.concatenate([CONTEXT_ROWS[contexts], (FIXED_ROWS + positions)[:, None]], axis=1).astype(np.int32)


# ---- compiled tables: sampling and greedy decoding ----

class Tables:
    """A network's distributions compiled for sampling (cumulative, at the temperature) and greedy decoding."""

    def __init__(self, probabilities, temperature):
        self.probabilities = probabilities
        self.greedy = probabilities.argmax(axis=2)
        tempered = probabilities.astype(np.float64)
        if temperature != 1.0:
            tempered = tempered ** (1.0 / temperature)
        cumulative = np.cumsum(tempered, axis=2)
        self.cumulative = cumulative / cumulative[:, :, -1:]

    def sample(self, a, b, noise_rate, rng):
        """One trace per row of operands, each step drawn at the temperature, slipping with `noise_rate`."""
        n, digits = a.shape
        traces = np.empty((n, digits), np.int64)
        carry = np.zeros(n, np.int64)
        uniform = rng.random((n, digits))
        slips = rng.random((n, digits)) < noise_rate
        slipped = rng.integers(0, OUTPUTS, (n, digits))
        for i in range(digits):
            rows = self.cumulative[i, a[:, i] * 20 + b[:, i] * 2 + carry]
            drawn = (rows <= uniform[:, i, None]).sum(axis=1)
            traces[:, i] = np.where(slips[:, i], slipped[:, i], drawn)
            carry = traces[:, i] & 1
        return traces

    def decode(self, a, b):
        """The greedy trace (argmax at every step) of every problem."""
        traces = np.empty(a.shape, np.int64)
        carry = np.zeros(a.shape[0], np.int64)
        for i in range(a.shape[1]):
            traces[:, i] = self.greedy[i, a[:, i] * 20 + b[:, i] * 2 + carry]
            carry = traces[:, i] & 1
        return traces


def greedy_accuracy(tables, digits, count, rng):
    a, b = draw_problems(count, digits, rng)
    return float(answers_correct(a, b, tables.decode(a, b)).mean())


def sampled_accuracy(tables, digits, count, rng):
    a, b = draw_problems(count, digits, rng)
    return float(answers_correct(a, b, tables.sample(a, b, 0.0, rng)).mean())


# ---- training data ----

class Examples:
    """Training steps as embedding-table rows (n x 4) and correct-or-not outputs written (n)."""

    def __init__(self, rows, outputs):
        self.rows, self.outputs = rows, outputs

    @staticmethod
    def of_traces(a, b, traces):
        positions = np.broadcast_to(np.arange(a.shape[1]), a.shape)
        contexts = trace_contexts(a, b, traces)
        return Examples(step_rows(positions.ravel(), contexts.ravel()), traces.ravel())

    def __add__(self, other):
        return Examples(np.concatenate([self.rows, other.rows]), np.concatenate([self.outputs, other.outputs]))

    def __len__(self):
        return len(self.outputs)


def supervised_examples(p, rng):
    """All supervised examples, and the retained ones (the first round(real_fraction * problems) of each length)."""
    retained_count = int(math.floor(p["real_fraction"] * p["supervised_problems"] + 0.5))
    everything, retained = [], []
    for digits in range(1, p["start_digits"] + 1):
        a, b = draw_problems(p["supervised_problems"], digits, rng)
        traces = solve(a, b)
        everything.append(Examples.of_traces(a, b, traces))
        retained.append(Examples.of_traces(a[:retained_count], b[:retained_count], traces[:retained_count]))
    return _concatenate(everything), _concatenate(retained)


def _concatenate(parts):
    return Examples(np.concatenate([x.rows for x in parts]), np.concatenate([x.outputs for x in parts]))


class Trainer:
    """A network with its own batch generator, timing its Adam steps."""

    def __init__(self, network, batch_rng):
        self.network, self.batch_rng = network, batch_rng
        self.adam_steps, self.adam_seconds, self.adam_cpu_seconds = 0, 0.0, 0.0

    def train(self, examples, steps):
        """`steps` Adam steps on batches drawn uniformly with replacement from `examples`."""
        start, start_cpu = time.perf_counter(), time.process_time()
        size = self.network.p["batch_size"]
        picks = self.batch_rng.integers(0, len(examples), (steps, size))
        rows, outputs = examples.rows[picks], examples.outputs[picks]
        for step in range(steps):
            self.network.train_step(rows[step], outputs[step])
        self.adam_steps += steps
        self.adam_seconds += time.perf_counter() - start
        self.adam_cpu_seconds += time.process_time() - start_cpu


def supervised_training(p, trainer, examples, check_rng):
    """Trains in chunks of CHECK_EVERY steps until both targets are met or the step cap is reached.

    Returns the steps taken and the last check's (greedy, sampled) accuracies.
    """
    steps, greedy, sampled = 0, 0.0, 0.0
    trainer.network.extend_to(p["start_digits"] - 1)
    while steps < p["supervised_max_steps"]:
        chunk = min(CHECK_EVERY, p["supervised_max_steps"] - steps)
        trainer.train(examples, chunk)
        steps += chunk
        tables = Tables(trainer.network.distributions(p["start_digits"]), p["temperature"])
        greedy = greedy_accuracy(tables, p["start_digits"], p["eval_problems"], check_rng)
        sampled = sampled_accuracy(tables, p["start_digits"], p["eval_problems"], check_rng)
        if greedy >= p["supervised_greedy_target"] and sampled >= p["supervised_sampled_target"]:
            break
    return steps, greedy, sampled


# ---- verifiers ----

def modes(answer_sets):
    """Per problem (rows of samples x answer): the first trace of the modal answer, its votes, the distinct answers.

    Ties go to the answer seen first, as in Rust.
    """
    equal = (answer_sets[:, :, None, :] == answer_sets[:, None, :, :]).all(axis=3)
    votes = equal.sum(axis=2)
    first = votes.argmax(axis=1)
    seen_before = np.tril(equal, -1).any(axis=2)
    return first, votes[np.arange(len(votes)), first], (~seen_before).sum(axis=1)


def first_true(mask):
    """Index of the first True in each row, -1 where none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def checker(right, p, rng):
    """An external checker's verdicts: right traces pass unless falsely rejected, wrong ones fail
    unless falsely accepted."""
    u = rng.random(right.shape)
    return np.where(right, u >= p["false_reject"], u < p["false_accept"])


def generate(p, tables, a, b, rng):
    """Samples and verifies one round.

    Returns the sampled traces (n x drawn x d), the chosen trace of each
    problem (-1: none accepted), the agreement and the distinct answers per
    problem (None with one trace per problem).
    """
    n, digits = a.shape
    verifier = p["verifier"]
    if verifier == "committee":
        traces = np.stack([t.sample(a, b, p["noise_rate"], rng) for t in tables], axis=1)
    else:
        drawn = 1 if verifier == "none" else p["samples"]
        operands_a, operands_b = np.repeat(a, drawn, axis=0), np.repeat(b, drawn, axis=0)
        if verifier == "commutative":  # b + a sampled in the same pass
            operands_a, operands_b = np.concatenate([operands_a, operands_b]), np.concatenate([operands_b, operands_a])
        sampled = tables[0].sample(operands_a, operands_b, p["noise_rate"], rng).reshape(-1, n, drawn, digits)
        traces = sampled[0]
    drawn = traces.shape[1]
    first, votes, distinct = modes(answers(traces))
    quorate = votes > p["quorum"] * drawn
    agreement = votes / drawn
    if verifier == "none":
        chosen = np.zeros(n, np.int64)
    elif verifier in ("majority", "committee"):
        chosen = np.where(quorate, first, -1)
    elif verifier == "commutative":
        backward = answers(sampled[1])
        back_first, back_votes, _ = modes(backward)
        agreement = (agreement + back_votes / drawn) / 2
        rows = np.arange(n)
        same = (answers(traces)[rows, first] == backward[rows, back_first]).all(axis=1)
        chosen = np.where(quorate & (back_votes > p["quorum"] * drawn) & same, first, -1)
    elif verifier == "outcome":
        right = (answers(traces) == answers(solve(a, b))[:, None, :]).all(axis=2)
        chosen = first_true(checker(right, p, rng))
    else:  # step: every step right for the carry the trace itself passed
        truth = CORRECT[trace_contexts(a[:, None, :], b[:, None, :], traces)]
        chosen = first_true(checker((truth == traces).all(axis=2), p, rng))
    return traces, chosen, agreement, (distinct if drawn > 1 else None)


# ---- measurements of the model (docs/MODEL.md) ----

def reachable(positions):
    """(positions x 200): contexts that can occur (no carry into position 0)."""
    mask = np.ones((positions, CONTEXTS), bool)
    mask[0, 1::2] = False
    return mask


def wrong_modes(tables, positions):
    """(positions x 200): reachable contexts whose most likely output is wrong."""
    return (tables.greedy[:positions] != CORRECT) & reachable(positions)


def mean_entropy(probabilities, position):
    """Mean entropy (nats) of the distribution at `position` over its reachable contexts."""
    rows = probabilities[position][reachable(position + 1)[position]].astype(np.float64)
    total = rows.sum(axis=1)
    plogp = np.where(rows > 0, rows * np.log(np.where(rows > 0, rows, 1)), 0).sum(axis=1)
    return float((np.log(total) - plogp / total).mean())


def error_kind(outputs):
    """An output's error relative to its context's truth: digit offset and flipped carry, 0 when right."""
    offset = ((outputs >> 1) + 10 - (CORRECT >> 1)) % 10
    return offset * 2 + ((outputs & 1) ^ (CORRECT & 1))


def mirror_symmetry(tables, positions):
    """(mirrored, wrong, self_mirrored, chance) over positions 0..positions, as diagnostics.rs counts them."""
    greedy = tables.greedy[:positions]
    wrong = wrong_modes(tables, positions)
    pair = reachable(positions) & (MIRROR != _CONTEXT)
    kinds = error_kind(greedy)
    kind_counts = np.stack([np.bincount(kinds[p][pair[p]], minlength=OUTPUTS) for p in range(positions)])
    pairs = pair.sum(axis=1)
    counted = wrong & pair
    mirrored = int((counted & (greedy[:, MIRROR] == greedy)).sum())
    same_kind = np.take_along_axis(kind_counts, kinds, axis=1) - 1
    chance = float((counted * same_kind / np.maximum(pairs - 1, 1)[:, None]).sum())
    return mirrored, int(counted.sum()), int((wrong & ~pair).sum()), chance


# ---- the run ----

def one_round(p, state, digits, rng, first_visit):
    """Samples, verifies and trains one round at `digits`; returns its generations-table row."""
    trainers, examples, retained = state["trainers"], state["examples"], state["retained"]
    tables = [Tables(t.network.distributions(digits), p["temperature"]) for t in trainers]
    row = {"frontier_digits": digits,
           "entropy_frontier_before": mean_entropy(tables[0].probabilities, digits - 1),
           "first_visit_errors": int(wrong_modes(tables[0], digits)[digits - 1].sum()) if first_visit else None}
    a, b = draw_problems(p["problems"], digits, rng)
    traces, chosen, agreement, distinct = generate(p, tables, a, b, rng)
    kept = chosen >= 0
    accepted_traces = traces[np.flatnonzero(kept), chosen[kept]]
    accepted = int(kept.sum())
    row.update(accepted=accepted, acceptance_rate=accepted / p["problems"], agreement=float(agreement.mean()),
               distinct_answers=None if distinct is None else float(distinct.mean()),
               contamination=None if accepted == 0 else
               float(1 - answers_correct(a[kept], b[kept], accepted_traces).mean()))
    fresh = Examples.of_traces(a[kept], b[kept], accepted_traces)
    state["examples"] = examples + fresh if p["data"] == "accumulate" else retained + fresh
    for trainer in trainers:
        trainer.train(state["examples"], p["steps_per_round"])
    after = Tables(trainers[0].network.distributions(digits + 1), p["temperature"])
    row.update(measure_after(p, after, digits, rng))
    row["advanced"] = accepted >= p["advance_threshold"] * p["problems"]
    return row


def measure_after(p, tables, digits, rng):
    """Accuracies and model diagnostics after a round's training."""
    mirrored, wrong, self_mirrored, chance = mirror_symmetry(tables, digits)
    start = p["start_digits"]
    return {
        "accuracy_frontier": greedy_accuracy(tables, digits, p["eval_problems"], rng),
        "accuracy_next": greedy_accuracy(tables, digits + 1, p["eval_problems"], rng),
        "accuracy_start": greedy_accuracy(tables, start, p["eval_problems"], rng),
        "systematic_errors": int(wrong_modes(tables, digits).sum()),
        "entropy_frontier": mean_entropy(tables.probabilities, digits - 1),
        "forgetting": int(wrong_modes(tables, start).sum()),
        "mirror_errors": mirrored,
        "mirror_error_share": mirrored / wrong if wrong else None,
        "mirror_error_share_chance": chance / wrong if wrong else None,
        "self_mirror_errors": self_mirrored,
    }


def run(p, seed):
    """One run: supervised phase, then rounds until collapse, stall or the round limit.

    Returns (rows, summary): one dict per round, and the run's summary.
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    rng = stream(seed, "run")
    members = p["committee_size"] if p["verifier"] == "committee" else 1
    max_positions = p["start_digits"] + p["generations"] + 2
    trainers = [Trainer(Network(p, stream(seed, "network", m), max_positions), stream(seed, "batches", m))
                for m in range(members)]
    everything, retained = supervised_examples(p, stream(seed, "supervised"))
    checks = [supervised_training(p, t, everything, stream(seed, "supervised_check", m))
              for m, t in enumerate(trainers)]
    tables = Tables(trainers[0].network.distributions(p["start_digits"]), p["temperature"])
    summary = {"supervised_steps": checks[0][0], "supervised_sampled_accuracy": checks[0][2],
               "supervised_accuracy": greedy_accuracy(tables, p["start_digits"], p["eval_problems"], rng)}
    state = {"trainers": trainers, "examples": retained, "retained": retained}
    rows, digits, stalled_for, end = [], p["start_digits"] + 1, 0, "round_limit"
    for generation in range(p["generations"]):
        first_visit = not rows or rows[-1]["advanced"]
        row = one_round(p, state, digits, rng, first_visit)
        row.update(generation=generation, round=generation + 1)
        rows.append(row)
        if row["accuracy_frontier"] < p["collapse_accuracy"]:
            end = "collapsed"
            break
        if row["advanced"]:
            digits, stalled_for = digits + 1, 0
        else:
            stalled_for += 1
            if stalled_for >= p["patience"]:
                end = "stalled"
                break
    contaminations = [r["contamination"] for r in rows if r["contamination"] is not None]
    summary.update(end_reason=end, runway=len(rows) if end == "collapsed" else None, end_round=len(rows),
                   final_digits=rows[-1]["frontier_digits"] if rows else None,
                   mean_contamination=float(np.mean(contaminations)) if contaminations else None,
                   seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - started_cpu,
                   adam_steps=sum(t.adam_steps for t in trainers),
                   adam_seconds=sum(t.adam_seconds for t in trainers),
                   adam_cpu_seconds=sum(t.adam_cpu_seconds for t in trainers))
    return rows, summary


# ---- self-test ----

def gradient_check(seed=1):
    """Largest error of the analytic gradient against central differences of the loss (in units of
    the tolerance 2e-3 + 2e-2 |numeric|, as model.rs's test), over every parameter of a small network.
    """
    p = dict(DEFAULTS, embed_width=4, hidden_width=8, encoding="learned")
    net = Network(p, np.random.default_rng(seed), 3)
    net.extend_to(2)
    rng = np.random.default_rng(seed + 1)
    rows, outputs = step_rows(rng.integers(0, 3, 16), rng.integers(0, CONTEXTS, 16)), rng.integers(0, OUTPUTS, 16)

    def loss():
        probabilities = net.forward(rows)[3].astype(np.float64)
        return -np.log(probabilities[np.arange(16), outputs]).mean()

    net._gradients(rows, outputs)
    worst, h = 0.0, 1e-3
    for i in range(len(net.theta)):
        kept = net.theta[i]
        net.theta[i] = kept + h
        plus = loss()
        net.theta[i] = kept - h
        minus = loss()
        net.theta[i] = kept
        numeric = (plus - minus) / (2 * h)
        worst = max(worst, abs(numeric - net.grad[i]) / (2e-3 + 2e-2 * abs(numeric)))
    return worst


# ---- command line ----

def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for name, kind, default, meaning in PARAMS:
        choices = {"verifier": VERIFIERS, "encoding": ENCODINGS, "data": ("accumulate", "replace")}.get(name)
        parser.add_argument("--" + name, type=kind, default=default, choices=choices, help=meaning)
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--replicates", type=int, default=1, help="runs, seeds seed..seed+replicates-1")
    parser.add_argument("--out", help="CSV file: one row per round of every run")
    parser.add_argument("--self-test", action="store_true", help="check the gradients by finite differences and exit")
    args = parser.parse_args(argv)
    return {name: getattr(args, name) for name in DEFAULTS}, args


def csv_rows(p, seed, rows, summary):
    for row in rows:
        row = dict(row, seed=seed, verifier=p["verifier"], encoding=p["encoding"], data=p["data"])
        row.update({k: summary[k] for k in ("supervised_steps", "supervised_accuracy",
                                            "supervised_sampled_accuracy", "end_reason", "runway")})
        yield {k: ("" if row.get(k) is None else row[k]) for k in COLUMNS}


def describe(seed, summary):
    s = summary
    steps = max(s["adam_steps"], 1)
    return (f"seed {seed}: supervised {s['supervised_steps']} steps (greedy {s['supervised_accuracy']:.3f}, "
            f"sampled {s['supervised_sampled_accuracy']:.3f}); {s['end_reason']} after {s['end_round']} rounds "
            f"at {s['final_digits']} digits; {s['seconds']:.2f} s wall ({s['cpu_seconds']:.2f} s CPU); "
            f"{s['adam_steps']} Adam steps {s['adam_seconds']:.2f} s wall, "
            f"{1000 * s['adam_seconds'] / steps:.3f} ms/step wall, "
            f"{1000 * s['adam_cpu_seconds'] / steps:.3f} ms/step CPU")


def main(argv=None):
    p, args = parse(argv)
    if args.self_test:
        worst = gradient_check()
        print(f"gradient check: largest error {worst:.3f} of the tolerance ({'ok' if worst < 1 else 'FAILED'})")
        return 0 if worst < 1 else 1
    writer, handle = None, None
    if args.out:
        handle = open(args.out, "w", newline="")
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
    total = time.perf_counter()
    for seed in range(args.seed, args.seed + args.replicates):
        rows, summary = run(p, seed)
        if writer:
            writer.writerows(csv_rows(p, seed, rows, summary))
        print(describe(seed, summary), file=sys.stderr)
    if handle:
        handle.close()
    print(f"{args.replicates} runs {time.perf_counter() - total:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
