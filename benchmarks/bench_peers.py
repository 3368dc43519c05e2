"""circdebt against its peers on the core scenario (benchmarks/core.toml), same shocks.

For each path count: circdebt's CD stock path on circdebt's own exchange-rate paths
(vectorised over paths, and the same code one path at a time), then the same equations
in numba (one compiled loop), PySD (benchmarks/core.mdl, the paths as a subscript, one
vectorised run) and BPTK-Py (its Rust engine, the model loaded once), each given those fx
paths as data and checked equal to circdebt's path to 1e-9 (relative). Prints
path-months per second and the ratios circdebt / peer.

Timings are CPU seconds (user + system; every run is single-threaded, and on a shared
machine CPU time is far less disturbed than wall time, also printed), the best of
``--repeats`` runs (one run for PySD and for the loop over
paths, whose time per path is measured on ``--loop-paths`` paths and scaled), with
model loading and data preparation outside the timed part; circdebt is timed on
``simulate`` with the exogenous paths given (the peers get them as data too), and also
with the shocks drawn inside the timing (``+ shocks``).

Setup: ``.venv/bin/pip install -r benchmarks/requirements.txt`` (PySD, numba) and, for
BPTK-Py (3.3+ ships the Rust engine and needs Python >= 3.12), a second venv:
``$(pyenv root)/versions/3.12.1/bin/python -m venv benchmarks/.venv-bptk &&
benchmarks/.venv-bptk/bin/pip install -r benchmarks/requirements-bptk.txt``.

Usage: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_peers.py
       [--paths 1000,10000] [--pysd-paths 1000,10000] [--bptk-paths 1000,10000]
       [--loop-paths 50] [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core_common import (  # noqa: E402
    HERE,
    SEED,
    TOLERANCE,
    core_exogenous,
    core_params,
    load_core,
    max_rel_diff,
)

from circdebt.engine.loop import simulate, simulate_scenario  # noqa: E402
from circdebt.model.exogenous import ExogenousPaths  # noqa: E402

BPTK_PYTHON = HERE / ".venv-bptk" / "bin" / "python"
_DETAIL = "detail" in inspect.signature(simulate).parameters


def rows(exo: ExogenousPaths, sl: slice) -> ExogenousPaths:
    """The exogenous paths of some rows (every array field sliced on its first axis)."""
    values = {}
    for f in dataclasses.fields(exo):
        v = getattr(exo, f.name)
        if isinstance(v, np.ndarray):
            v = v[sl]
        elif isinstance(v, dict):
            v = {k: a[sl] for k, a in v.items()}
        values[f.name] = v
    return ExogenousPaths(**values)


def best_of(fn, repeats: int):
    """(best CPU seconds, best wall seconds, result) over ``repeats`` calls.

    CPU time (``time.process_time``: user + system of this process) is the figure used:
    every run here is single-threaded, and on a shared machine CPU time is far less
    disturbed by other processes than wall time (both are printed).
    """
    best_cpu = best_wall = float("inf")
    result = None
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        result = fn()
        best_cpu = min(best_cpu, time.process_time() - c)
        best_wall = min(best_wall, time.perf_counter() - w)
    return best_cpu, best_wall, result


def circdebt_run(s, n, exo, detail):
    kwargs = {"detail": detail} if _DETAIL else {}
    return simulate_scenario(s, n_paths=n, exo=exo, **kwargs).series["cd_stock_bn_pkr"]


def bptk_run(params: dict, fx: np.ndarray, workdir: Path, arrayed: bool = False,
             repeats: int = 1) -> tuple[np.ndarray, dict]:
    (workdir / "params.json").write_text(json.dumps(params))
    np.save(workdir / "fx.npy", fx)
    out = subprocess.run([str(BPTK_PYTHON), str(HERE / "core_bptk.py"),
                          str(workdir / "params.json"), str(workdir / "fx.npy"),
                          str(workdir / "cd.npy"), f"--repeats={repeats}",
                          *(["--arrayed"] if arrayed else [])],
                         check=True, capture_output=True, text=True)
    return np.load(workdir / "cd.npy"), json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", default="1000,10000")
    parser.add_argument("--pysd-paths", default=None, help="default: --paths")
    parser.add_argument("--bptk-paths", default=None, help="default: --paths")
    parser.add_argument("--bptk-arrayed-paths", default="",
                        help="also run BPTK's arrayed model (paths as a vector) at these")
    parser.add_argument("--loop-paths", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pysd-repeats", type=int, default=1)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    counts = [int(p) for p in args.paths.split(",")]
    pysd_counts = {int(p) for p in (args.pysd_paths or args.paths).split(",") if p}
    bptk_counts = {int(p) for p in (args.bptk_paths or args.paths).split(",") if p}
    bptk_arrayed = {int(p) for p in args.bptk_arrayed_paths.split(",") if p}

    import core_numba
    import core_numpy
    import core_pysd

    s = load_core()
    params = core_params(s)
    T = params.n_months
    print(f"core scenario: {(HERE / 'core.toml').relative_to(HERE.parent)}, {T} months, "
          f"seed {SEED}; numpy {np.__version__}, python {sys.version.split()[0]}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"load average {os.getloadavg()[0]:.2f}")
    # warm-ups: imports, numba compilation (cached), first-call costs
    exo1 = core_exogenous(2, scenario=s)
    circdebt_run(s, 2, exo1, False)
    core_numba.run_numba(exo1.fx_pkr_per_usd, params)

    results = []
    for n in counts:
        exo = core_exogenous(n, scenario=s)
        fx = exo.fx_pkr_per_usd
        r: dict = {"paths": n, "months": T}
        reps = args.repeats

        def timed(key, fn, repeats=reps, r=r):
            r[key], r[key + "_wall"], result = best_of(fn, repeats)
            return result

        ref = timed("circdebt", lambda n=n, exo=exo: circdebt_run(s, n, exo, False))
        if _DETAIL:
            timed("circdebt_detail", lambda n=n, exo=exo: circdebt_run(s, n, exo, True))
        timed("circdebt_with_shocks",
              lambda n=n: circdebt_run(s, n, core_exogenous(n, scenario=s), False))
        k = min(args.loop_paths, n)
        singles = [rows(exo, slice(i, i + 1)) for i in range(k)]
        loop_cd = timed("circdebt_loop", lambda singles=singles: [
            circdebt_run(s, 1, e, False) for e in singles], repeats=1)
        r["circdebt_loop"] *= n / k
        r["circdebt_loop_wall"] *= n / k
        r["circdebt_loop_measured_paths"] = k
        r["check_loop"] = max_rel_diff(np.concatenate(loop_cd), ref[:k])
        cd_nb = timed("numba", lambda fx=fx: core_numba.run_numba(fx, params))
        r["check_numba"] = max_rel_diff(cd_nb, ref)
        cd_np = timed("lean_numpy", lambda fx=fx: core_numpy.run_numpy(fx, params))
        r["check_lean_numpy"] = max_rel_diff(cd_np, ref)
        if n in pysd_counts:
            model, r["pysd_load"] = core_pysd.load(fx)
            cd_pysd = timed("pysd", lambda model=model, n=n: core_pysd.run(model, n),
                            repeats=args.pysd_repeats)
            r["check_pysd"] = max_rel_diff(cd_pysd, ref)
            del model
        for key, counts_, arrayed in (("bptk", bptk_counts, False),
                                      ("bptk_arrayed", bptk_arrayed, True)):
            if n in counts_ and BPTK_PYTHON.exists():
                with tempfile.TemporaryDirectory() as d:
                    cd_bptk, info = bptk_run(params.as_dict(), fx, Path(d), arrayed, reps)
                r[key], r[key + "_wall"] = info["run_cpu_seconds"], info["run_seconds"]
                r[key + "_load"], r[key + "_info"] = info["load_seconds"], info
                r["check_" + key] = max_rel_diff(cd_bptk, ref)
        r["load_average"] = os.getloadavg()[0]
        results.append(r)
        report(r)

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    bad = [(r["paths"], k) for r in results for k, v in r.items()
           if k.startswith("check_") and not v <= TOLERANCE]
    if bad:
        sys.exit(f"peers differ from circdebt by more than {TOLERANCE:g}: {bad}")


def report(r: dict) -> None:
    n, T = r["paths"], r["months"]

    def rate(key):
        return n * T / r[key]

    print(f"\n{n:,} paths x {T} months (load average {r['load_average']:.2f})")
    print(f"  {'run':<44} {'CPU s':>9} {'wall s':>9} {'path-months/s':>14} {'max rel diff':>13}")
    lines = [("circdebt (vectorised, simulate, detail=False)", "circdebt", None),
             ("circdebt (vectorised, detail=True)", "circdebt_detail", None),
             ("circdebt (vectorised, + drawing the shocks)", "circdebt_with_shocks", None),
             (f"circdebt loop over paths (from {r['circdebt_loop_measured_paths']} paths)",
              "circdebt_loop", "check_loop"),
             ("numba (one compiled loop)", "numba", "check_numba"),
             ("lean numpy yardstick (core_numpy.py)", "lean_numpy", "check_lean_numpy"),
             ("PySD (core.mdl, paths as a subscript)", "pysd", "check_pysd"),
             ("BPTK-Py Rust engine (model loaded once)", "bptk", "check_bptk"),
             ("BPTK-Py Rust engine, arrayed model", "bptk_arrayed", "check_bptk_arrayed")]
    for label, key, check in lines:
        if key in r:
            diff = f"{r[check]:.1e}" if check else "reference"
            print(f"  {label:<44} {r[key]:>9.3f} {r[key + '_wall']:>9.3f} {rate(key):>14,.0f} "
                  f"{diff:>13}")
    print(f"  vectorisation gain (loop / vectorised): {r['circdebt_loop'] / r['circdebt']:,.0f}x")
    for peer in ("pysd", "bptk", "bptk_arrayed", "numba", "lean_numpy"):
        if peer in r:
            print(f"  circdebt / {peer}: {r[peer] / r['circdebt']:.3g}x")
    loads = [f"{label} {r[key]:.2f} s" for label, key in (
        ("PySD translate + load", "pysd_load"), ("BPTK serialise + load", "bptk_load"),
        ("BPTK arrayed serialise + load", "bptk_arrayed_load")) if key in r]
    if loads:
        print(f"  (not timed: {'; '.join(loads)})")


if __name__ == "__main__":
    main()
