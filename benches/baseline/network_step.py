"""NumPy reference of one network training step, for timing.

The prototype's form: gather the batch's inputs into a 256 x 48 matrix,
dense matrix products forward and backward, scatter-add into the embedding
rows, Adam; float32, the same widths and batch as `benches/network.rs`
(`cargo bench --bench network`, `network/train_step_256`).

    OPENBLAS_NUM_THREADS=1 python benches/baseline/network_step.py

prints the best and median time of single steps (one core). It is a timing
reference, not a statistical one: the full NumPy learner is a separate item.
"""

import sys
import time

import numpy as np

E, H, O, BATCH, POSITIONS = 12, 48, 20, 256, 10
BETA1, BETA2, EPS, RATE = 0.9, 0.999, 1e-8, 3e-3


def main(steps=3000):
    rng = np.random.default_rng(1)
    f32 = np.float32
    params = {
        "ea": rng.standard_normal((10, E)).astype(f32),
        "eb": rng.standard_normal((10, E)).astype(f32),
        "ek": rng.standard_normal((2, E)).astype(f32),
        "p": (2.0 * rng.standard_normal((POSITIONS, E))).astype(f32),
        "w1": (rng.standard_normal((H, 4 * E)) / np.sqrt(4 * E)).astype(f32),
        "b1": np.zeros(H, f32),
        "w2": (rng.standard_normal((O, H)) / np.sqrt(H)).astype(f32),
        "b2": np.zeros(O, f32),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    context = rng.integers(0, 200, BATCH)
    a, b, k = context // 20, (context // 2) % 10, context % 2
    position = rng.integers(0, POSITIONS, BATCH)
    total = a + b + k
    target = (total % 10) * 2 + total // 10
    rows = np.arange(BATCH)

    def step(t):
        x = np.concatenate([params["ea"][a], params["eb"][b], params["ek"][k], params["p"][position]], axis=1)
        pre = x @ params["w1"].T + params["b1"]
        hidden = np.maximum(pre, 0)
        z = hidden @ params["w2"].T + params["b2"]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        dz = p
        dz[rows, target] -= 1
        dz /= BATCH
        grad = {"w2": dz.T @ hidden, "b2": dz.sum(axis=0)}
        dh = (dz @ params["w2"]) * (pre > 0)
        grad["w1"] = dh.T @ x
        grad["b1"] = dh.sum(axis=0)
        dx = dh @ params["w1"]
        for name, index, block in (("ea", a, 0), ("eb", b, 1), ("ek", k, 2), ("p", position, 3)):
            g = np.zeros_like(params[name])
            np.add.at(g, index, dx[:, block * E : (block + 1) * E])
            grad[name] = g
        c1, c2 = 1 - BETA1**t, 1 - BETA2**t
        for name, g in grad.items():
            m[name] = BETA1 * m[name] + (1 - BETA1) * g
            v[name] = BETA2 * v[name] + (1 - BETA2) * g * g
            params[name] -= (RATE * (m[name] / c1) / (np.sqrt(v[name] / c2) + EPS)).astype(f32)

    times = []
    for t in range(1, steps + 1):
        start = time.perf_counter()
        step(t)
        times.append(time.perf_counter() - start)
    times.sort()
    print(
        f"numpy train_step_256: best {times[0] * 1e6:.1f} us, median {times[len(times) // 2] * 1e6:.1f} us"
        f" ({steps} steps, numpy {np.__version__})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
