"""Monte Carlo throughput and peak memory on the full baseline (its own uncertainty).

Runs ``run_monte_carlo(baseline, N, seed=1)`` after a 1,024-path warm-up and prints
seconds, path-months per second and the peak resident memory of this process. Run one
N per process so peaks do not mix.

Usage: .venv/bin/python benchmarks/bench_montecarlo.py N
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import circdebt
from circdebt.analysis.montecarlo import run_monte_carlo

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    s = circdebt.load_scenario(BASELINE)
    run_monte_carlo(s, 1024, seed=1)
    t = time.perf_counter()
    run_monte_carlo(s, n, seed=1)
    seconds = time.perf_counter() - t
    months = circdebt.run(s).monthly.shape[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"paths {n:,}  seconds {seconds:.2f}  path-months/s {n * months / seconds:,.0f}  "
          f"peak MB {peak_mb:,.0f}")


if __name__ == "__main__":
    main()
