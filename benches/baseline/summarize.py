"""Summarises compare.sh's timings: median wall time with its spread, runs
per second, peak memory, the ratios avalanche / NumPy, and the parallel
efficiency, as Markdown tables.

    python summarize.py TIMES.tsv CORES

TIMES.tsv rows: scenario, config, runs, wall microseconds, peak RSS (KB),
the seconds the tool itself reports (without process start-up and
imports: about 0.3 s of Python imports for the baseline), and the CPU
seconds (user + system) of the process. On a shared machine the CPU time
is the steadier figure: time spent waiting for a core is not in it.
"""

import statistics
import sys
from collections import defaultdict


def main():
    path, cores = sys.argv[1], int(sys.argv[2])
    samples = defaultdict(list)
    runs = {}
    for line in open(path):
        scenario, config, n, micros, rss, inner, cpu = line.rstrip("\n").split("\t")
        samples[scenario, config].append((int(micros) / 1e6, int(rss), float(inner), float(cpu)))
        runs[scenario, config] = int(n)

    print("\n| scenario | tool | runs | median wall s | min-max s | runs/s | runs/s in-process | CPU s "
          "| runs per CPU-s | peak RSS MB | rounds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rps, inner_rps, cpu_rps = {}, {}, {}
    for (scenario, config), values in samples.items():
        times = [t for t, _, _, _ in values]
        cpu = statistics.median(c for _, _, _, c in values)
        cpu_rps[scenario, config] = runs[scenario, config] / cpu
        median = statistics.median(times)
        rps[scenario, config] = runs[scenario, config] / median
        inner_rps[scenario, config] = runs[scenario, config] / statistics.median(i for _, _, i, _ in values)
        print(f"| {scenario} | {config} | {runs[scenario, config]} | {median:.3f} | "
              f"{min(times):.3f}-{max(times):.3f} | {rps[scenario, config]:,.0f} | "
              f"{inner_rps[scenario, config]:,.0f} | {cpu:.2f} | {cpu_rps[scenario, config]:,.0f} | "
              f"{max(r for _, r, _, _ in values) / 1024:.0f} | {len(values)} |")

    print("\nRatios of runs per second (medians of wall time; in-process in brackets), avalanche / NumPy "
          "(NumPy on one thread):\n")
    print("| scenario | avalanche | / numpy-a-run | / numpy-b-batch | per CPU-s / numpy-a | per CPU-s / numpy-b |")
    print("|---|---|---:|---:|---:|---:|")
    scenarios = sorted({s for s, _ in samples})
    for scenario in scenarios:
        for config in sorted(c for s, c in samples if s == scenario and c.startswith("avalanche")):
            a = rps[scenario, config]
            bases = ("numpy-a-run", "numpy-b-batch")
            wall = [a / rps[scenario, base] for base in bases]
            inner = [inner_rps[scenario, config] / inner_rps[scenario, base] for base in bases]
            cpu = [cpu_rps[scenario, config] / cpu_rps[scenario, base] for base in bases]
            print(f"| {scenario} | {config} | {wall[0]:.1f} ({inner[0]:.1f}) | {wall[1]:.2f} ({inner[1]:.2f}) "
                  f"| {cpu[0]:.1f} | {cpu[1]:.2f} |")

    print(f"\nParallel efficiency (runs/s with k threads) / (k x runs/s with 1 thread), {cores} cores; "
          "CPU efficiency: runs per CPU-s with k threads / with 1 (the cost of parallelism itself, "
          "without the wait for a busy core):\n")
    print("| scenario | threads | parallel efficiency | CPU efficiency |")
    print("|---|---:|---:|---:|")
    for scenario in scenarios:
        one = rps[scenario, "avalanche-1t"]
        for config in sorted(c for s, c in samples if s == scenario and c.startswith("avalanche")):
            k = int(config.removeprefix("avalanche-").removesuffix("t"))
            if k > 1:
                work = cpu_rps[scenario, config] / cpu_rps[scenario, "avalanche-1t"]
                print(f"| {scenario} | {k} | {rps[scenario, config] / (k * one):.0%} | {work:.0%} |")


if __name__ == "__main__":
    main()
