"""Speed of the event-driven settlement engine (SimPy) against the monthly engine.

Prints, for every scenario in scenarios/ (or those given): seconds for the vectorised
monthly engine (one path) and for the event engine (which runs the monthly engine once
and then the day-by-day payment chain), with the default timing settings and with a
busier calendar (three payment runs a month, 30-day grace, quarterly subsidy releases).

Usage: .venv/bin/python benchmarks/bench_events.py [SCENARIO ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import circdebt
from circdebt.api import run_events
from circdebt.io import scenario_dict, validate_scenario_data

ROOT = Path(__file__).resolve().parents[1]
BUSY = {"payment_days": [10, 20, 31], "grace_days": 30, "subsidy_release_every_months": 3}


def best_of(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "scenarios").glob("*.toml"))
    print(f"{'scenario':<28} {'months':>6} {'monthly s':>10} {'events s':>9} "
          f"{'busy events s':>14} {'days/s (busy)':>14}")
    for path in paths:
        s = circdebt.load_scenario(path)
        data = scenario_dict(s)
        data["settlement"]["events"] = data["settlement"].get("events", {}) | BUSY
        busy = validate_scenario_data(data)
        months = circdebt.run(s).monthly.shape[0]
        monthly = best_of(lambda s=s: circdebt.run(s).annual)
        events = best_of(lambda s=s: run_events(s))
        busy_s = best_of(lambda busy=busy: run_events(busy))
        days = months * 30.4
        print(f"{path.stem:<28} {months:>6} {monthly:>10.3f} {events:>9.3f} {busy_s:>14.3f} "
              f"{days / busy_s:>14,.0f}")


if __name__ == "__main__":
    main()
