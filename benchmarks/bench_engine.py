"""Speed and memory of the monthly engine on the baseline scenario.

Prints, for the full baseline horizon: seconds per run and path-months per second at
several path counts (every path identical: a deterministic scenario broadcast over
paths, so this measures the vectorised engine, not sampling), the peak resident memory
of a fresh process doing that run, and the gain of one vectorised run over a Python
loop of one-path runs.

Usage: .venv/bin/python benchmarks/bench_engine.py [--paths 1,100,1000,10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"

CHILD = """
import json, resource, sys, time
import circdebt
from circdebt.engine import simulate_scenario
s = circdebt.load_scenario(sys.argv[1])
n = int(sys.argv[2])
simulate_scenario(s, n_paths=1)  # warm-up
best = float("inf")
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    traj = simulate_scenario(s, n_paths=n)
    best = min(best, time.perf_counter() - t)
months = traj.timeline.n_months
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"paths": n, "months": months, "seconds": best, "peak_mb": peak_mb}))
"""


def measure(paths: int, repeats: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(BASELINE), str(paths), str(repeats)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def loop_of_single_paths(paths: int) -> float:
    import circdebt
    from circdebt.engine import simulate_scenario
    s = circdebt.load_scenario(BASELINE)
    t = time.perf_counter()
    for _ in range(paths):
        simulate_scenario(s, n_paths=1)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", default="1,100,1000,10000")
    args = parser.parse_args()
    print(f"baseline: {BASELINE.relative_to(ROOT)}")
    print(f"{'paths':>8} {'months':>6} {'seconds':>9} {'path-months/s':>14} {'peak MB':>8}")
    rows = []
    for n in (int(p) for p in args.paths.split(",")):
        r = measure(n, repeats=3 if n <= 1000 else 1)
        rate = r["paths"] * r["months"] / r["seconds"]
        rows.append((n, r["seconds"]))
        print(f"{n:>8} {r['months']:>6} {r['seconds']:>9.3f} {rate:>14,.0f} {r['peak_mb']:>8.0f}")
    n_loop = 20
    loop = loop_of_single_paths(n_loop) / n_loop
    biggest, seconds = rows[-1]
    print(f"vectorisation gain at {biggest} paths: {loop * biggest / seconds:,.0f}x "
          f"(a Python loop of one-path runs takes {loop:.3f} s per path)")


if __name__ == "__main__":
    main()
