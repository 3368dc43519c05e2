"""Where the engine spends its time: cProfile of a Monte Carlo run, line profile of simulate.

Usage: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/profile_engine.py
       [--scenario scenarios/baseline.toml] [--paths 10000] [--lines] [--top 25]

Runs ``run_monte_carlo`` under cProfile (sorted by tottime) on the scenario (with the fx
shock of benchmarks/core.toml added if it has no uncertainty, as bench_analysis.py
does); with ``--lines`` also line-profiles ``circdebt.engine.simulate`` (needs line_profiler, in
benchmarks/requirements.txt) and prints the lines that take at least 0.5% of it.
Equivalent for the first part: ``python -m cProfile -s tottime`` on a script that calls
``run_monte_carlo``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
from pathlib import Path

import circdebt
from circdebt.scenario.schema import FxShock, Shocks

ROOT = Path(__file__).resolve().parents[1]


def shocked(path: Path):
    """The scenario; with the core's fx shock added if it has no uncertainty of its own."""
    s = circdebt.load_scenario(path)
    own = s.exogenous.shocks
    if own.fx_pkr_per_usd or own.kibor_pct or own.fuels or s.uncertainty:
        return s
    shocks = Shocks(fx_pkr_per_usd=FxShock(volatility_pct_per_year=10.0,
                                           jump_probability_pct_per_month=1.0,
                                           jump_mean_pct=15.0, jump_sd_pct=5.0))
    return s.model_copy(update={"exogenous": s.exogenous.model_copy(update={"shocks": shocks})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.toml"))
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--lines", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from circdebt.analysis.montecarlo import run_monte_carlo

    s = shocked(Path(args.scenario))
    run_monte_carlo(s, 1, seed=7)  # warm-up
    profile = cProfile.Profile()
    profile.runcall(run_monte_carlo, s, args.paths, seed=7)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    if args.lines:
        import inspect

        from line_profiler import LineProfiler

        from circdebt.engine import loop as engine
        from circdebt.model.exogenous import apply_shocks, build_exogenous
        from circdebt.timeline import Timeline

        tl = Timeline(s.time.start, s.time.end)
        exo = apply_shocks(build_exogenous(s.exogenous, tl, args.paths), s.exogenous.shocks,
                           7, 0, args.paths)
        lp = LineProfiler(engine.simulate)
        kw = {"detail": False} if "detail" in inspect.signature(engine.simulate).parameters else {}
        lp.runcall(engine.simulate, s, args.paths, exo=exo, **kw)
        text = io.StringIO()
        lp.print_stats(stream=text, output_unit=1e-3)
        lines = text.getvalue().splitlines()
        print("\n".join(lines[:9]))
        rows = [line for line in lines[9:] if len(line.split()) > 5
                and _number(line.split()[4]) >= 0.5]
        rows.sort(key=lambda line: -_number(line.split()[4]))
        print("\n".join(rows))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return -1.0


if __name__ == "__main__":
    main()
