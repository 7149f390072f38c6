"""A small, real self-training loop for `avalanche`'s `command` scenario:
a logistic-regression classifier pseudo-labels its own data each round and
retrains on what its filter accepts, while the data drifts away from where
its labelled examples were, the way each SECToR round asks for one digit
more than the model was taught.

Round r draws a fresh unlabelled batch from two Gaussian classes whose
means have turned r * drift radians from where the labelled data had them.
The model labels the batch; with probability `noise` a label slips (a
generation error); the filter decides what is trained on:

  none         every pseudo-label
  confidence   labels the model gives probability >= 0.9 (after the slip:
               a slipped label is one the model itself doubts)
  agreement    labels on which two models, trained on bootstrap halves of
               the current training set, agree with the label (cross-model
               agreement, as in Lee et al. 2025)
  outcome      labels that are actually right (ground truth: the upper
               bound, not a filter a real loop has)

Per round it reports the accuracy on fresh data of that round's
distribution, the share of trained-on labels that are wrong
(contamination) and the share accepted; at the end, how the run ended.

Seeded from AVALANCHE_SEED, so a rerun gives the same numbers. Needs NumPy
only. Output: one `{"avalanche": 1, ...}` JSON line per round and a summary.
"""

import argparse
import json
import os

import numpy as np

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--filter", choices=["none", "confidence", "agreement", "outcome"], required=True)
parser.add_argument("--noise", type=float, default=0.05, help="chance a pseudo-label slips")
parser.add_argument("--rounds", type=int, default=20)
parser.add_argument("--drift", type=float, default=0.12, help="radians the classes turn per round")
parser.add_argument("--batch", type=int, default=200, help="unlabelled points per round")
parser.add_argument("--labelled", type=int, default=40)
parser.add_argument("--collapse", type=float, default=0.6, help="accuracy below which a run collapsed")
args = parser.parse_args()

rng = np.random.default_rng(int(os.environ.get("AVALANCHE_SEED", "0")))
DIM = 5
SEPARATION = 1.5


def draw(count, angle):
    """Two classes at -/+ SEPARATION along a direction at `angle` (radians)
    in the plane of the first two coordinates: the boundary turns as the
    data drifts, so a model that stops following it goes wrong."""
    labels = rng.integers(0, 2, size=count)
    x = rng.normal(size=(count, DIM))
    sign = np.where(labels == 1, 1.0, -1.0)
    x[:, 0] += sign * SEPARATION * np.cos(angle)
    x[:, 1] += sign * SEPARATION * np.sin(angle)
    return x, labels


def fit(x, y, steps=300, rate=0.5):
    features = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(features.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-features @ w))
        w -= rate * (features.T @ (p - y) / len(y) + 1e-3 * w)
    return w


def probability(w, x):
    return 1.0 / (1.0 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))


x_train, y_train = draw(args.labelled, 0.0)
w = fit(x_train, y_train)
end, final_accuracy, runway = "round_limit", None, None
for round_index in range(args.rounds):
    shift = (round_index + 1) * args.drift
    x, truth = draw(args.batch, shift)
    p = probability(w, x)
    labels = (p >= 0.5).astype(int)
    slipped = rng.random(args.batch) < args.noise
    labels = np.where(slipped, 1 - labels, labels)
    confidence = np.where(labels == 1, p, 1.0 - p)
    if args.filter == "none":
        keep = np.ones(args.batch, dtype=bool)
    elif args.filter == "confidence":
        keep = confidence >= 0.9
    elif args.filter == "agreement":
        half = len(x_train) // 2
        order = rng.permutation(len(x_train))
        votes = [probability(fit(x_train[idx], y_train[idx], steps=150), x) >= 0.5
                 for idx in (order[:half], order[half:])]
        keep = (votes[0] == labels) & (votes[1] == labels)
    else:
        keep = labels == truth
    # The next model learns from this round's accepted labels alone (the
    # older data sits where the classes no longer are); too few, and the
    # model is kept.
    if keep.sum() >= 10 and len(set(labels[keep])) == 2:
        x_train, y_train = x[keep], labels[keep]
        w = fit(x_train, y_train)
    x_test, y_test = draw(2000, shift)
    accuracy = float(((probability(w, x_test) >= 0.5).astype(int) == y_test).mean())
    contamination = float((labels[keep] != truth[keep]).mean()) if keep.any() else None
    print(json.dumps({"avalanche": 1, "generation": {
        "round": round_index + 1, "accuracy": accuracy, "contamination": contamination,
        "acceptance_rate": float(keep.mean())}}))
    final_accuracy = accuracy
    if accuracy < args.collapse:
        end, runway = "collapsed", round_index + 1
        break
print(json.dumps({"avalanche": 1, "summary": {
    "final_accuracy": final_accuracy, "rounds": round_index + 1, "end_reason": end, "runway": runway}}))
