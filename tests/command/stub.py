"""A stand-in for a training script, for tests/command.rs: standard library
only. It reads its seed from AVALANCHE_SEED, 'trains' for --rounds rounds
whose error grows with --noise, prints a log line, one JSON record per round
and a summary, and misbehaves on request (--mode fail / late-fail / hang /
garbage / env)."""

import argparse
import json
import os
import random
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--noise", type=float, required=True)
parser.add_argument("--rounds", type=int, required=True)
parser.add_argument("--filter", default="none")
parser.add_argument("--mode", default="ok")
parser.add_argument("--sleep", type=float, default=0.0)
args = parser.parse_args()

seed = int(os.environ["AVALANCHE_SEED"])
rng = random.Random(seed)
print("starting training", flush=True)
if args.mode == "fail":
    print("CUDA out of memory (pretend)", file=sys.stderr)
    sys.exit(3)
if args.mode == "hang":
    # A grandchild in the same process group, which the timeout must end too.
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(60)
if args.mode == "env":
    # Reports the thread count it was given, in place of an error.
    threads = float(os.environ.get("OMP_NUM_THREADS", "0"))
    print(json.dumps({"avalanche": 1, "summary": {"final_error": threads, "seed_seen": str(seed), "end": "env"}}))
    sys.exit(0)
if args.mode == "garbage":
    print(json.dumps({"avalanche": 1, "summary": {"error": "not declared"}}))
    sys.exit(0)
if args.mode == "late-fail":
    # A whole summary, then a failing exit status: the run still fails.
    print(json.dumps({"avalanche": 1, "summary": {"final_error": 0.0, "seed_seen": str(seed), "end": "x"}}))
    sys.exit(3)
time.sleep(args.sleep)
error = 0.0
for round in range(args.rounds):
    error = min(1.0, error + args.noise * rng.random() * (0.5 if args.filter == "confidence" else 1.0))
    print(json.dumps({"avalanche": 1, "generation": {"round": round, "loss": error}}))
print(json.dumps({"avalanche": 1, "summary": {"final_error": error, "seed_seen": str(seed),
                                              "end": "collapsed" if error > 0.5 else "survived"}}))
