"""Analyses over many variants of a scenario: ``sensitivity`` and ``sweep``."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from circdebt.cli.common import (
    DebugOption,
    bad,
    handle_errors,
    metadata_json,
    progress,
    say,
    stdout_console,
)
from circdebt.io.paths import display_path


class Method(enum.StrEnum):
    """The sensitivity methods."""

    tornado = "tornado"
    morris = "morris"
    sobol = "sobol"


def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    kpi: Annotated[str, typer.Option("--kpi", metavar="COLUMN@FY",
                                     help="Result to explain, e.g. cd_stock_bn_pkr@FY2030.")],
    method: Annotated[Method, typer.Option("--method", help="tornado, morris or sobol.")] =
        Method.tornado,
    params: Annotated[str | None, typer.Option(
        "--params", metavar="KEY,KEY",
        help="Inputs to vary (default: the scenario's distributions).")] = None,
    pct: Annotated[float, typer.Option("--pct", min=0.0, max=100.0,
                                       help="+/- percent for inputs without a distribution.")]
        = 10.0,
    n: Annotated[int, typer.Option("-n", "--samples", min=4,
                                   help="Sobol base samples / Morris trajectories.")] = 1024,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
    by_fy: Annotated[bool, typer.Option("--by-fy", help="Indices for every fiscal year.")] =
        False,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False, metavar="DIR")] =
        None,
    debug: DebugOption = False,
) -> None:
    """Rank the inputs that move a result: tornado, Morris or Sobol.

    Tornado varies each input alone between its low and high (P5/P95 of its
    distribution, or +/- --pct); Morris and Sobol (SALib) sample all at once. Writes
    sensitivity.csv, a chart and run.json.

    Example:

    \b
        circdebt sensitivity scenarios/baseline.toml --kpi cd_stock_bn_pkr@FY2030 \\
            --params losses.actual_pct,exogenous.kibor_pct --method sobol -n 512
    """
    import circdebt
    from circdebt import io
    from circdebt.analysis import sensitivity as sens
    from circdebt.cli.outputs import sensitivity_chart_files
    from circdebt.cli.tables import sensitivity_table

    with handle_errors(debug):
        loaded = circdebt.load_scenario(scenario)
        try:
            target = sens.Kpi.parse(kpi)
            keys = [k.strip() for k in params.split(",")] if params else None
            chosen = sens.parameters(loaded, keys, pct)
            if method is Method.tornado:
                table = sens.tornado(loaded, target, chosen)
            else:
                table = sens.global_sensitivity(loaded, target, chosen, method.value, n, seed,
                                                by_fy, progress=progress(False, "design"))
        except ValueError as exc:
            raise bad("--kpi/--params", "a result column@FY and decimal inputs", str(exc)) \
                from None
        out_dir = out if out is not None else Path("out") / f"sensitivity-{loaded.name}"
        payloads = {"sensitivity.csv": io.csv_text(table),
                    "run.json": metadata_json("sensitivity", kpi=str(target), method=method.value,
                                          samples=n, seed=seed,
                                          parameters=[p.__dict__ for p in chosen])}
        payloads |= sensitivity_chart_files(table, method.value, str(target), loaded.name)
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        stdout_console().print(sensitivity_table(table, method.value))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    grid: Annotated[list[str], typer.Option(
        "--grid", metavar="KEY=v1,v2|KEY=lo:hi:n", help="A swept input (repeatable).")],
    paths: Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths per point.")]
        = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0)] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local processes.")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address, or 'local'.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue a sweep in --out from its checkpoint.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False, metavar="DIR")] =
        None,
    debug: DebugOption = False,
) -> None:
    """Run the Cartesian product of input values and tabulate the KPIs of every point.

    Writes sweep.csv (one row per point; with --paths, mean and percentiles per KPI)
    and run.json. Finished chunks are checkpointed in the output folder; after an
    interruption, --resume continues without recomputing them.

    Example:

    \b
        circdebt sweep scenarios/baseline.toml --grid losses.actual_pct=11:18:8 \\
            --grid tariff.pass_through_pct=60,80,100 --workers 2
    """
    import circdebt
    from circdebt import io
    from circdebt.analysis import sweep as sw
    from circdebt.cli.tables import sweep_table

    with handle_errors(debug):
        try:
            sw.check_scheduler(scheduler)
        except ValueError:
            raise bad("--scheduler", "'local' or a Dask scheduler address like "
                      "tcp://host:8786 or host:8786", repr(scheduler)) from None
        loaded = circdebt.load_scenario(scenario)
        try:
            axes = dict(sw.parse_grid(g) for g in grid)
            sw.check_grid(loaded, axes)
        except ValueError as exc:
            raise bad("--grid", "KEY=v1,v2 or KEY=lo:hi:n on decimal inputs", str(exc)) \
                from None
        out_dir = out if out is not None else Path("out") / f"sweep-{loaded.name}"
        checkpoint = out_dir / "sweep.checkpoint"
        config = {"scenario_hash": io.scenario_hash(loaded), "grid": axes, "paths": paths,
                  "seed": seed}
        done = load_checkpoint(checkpoint, config) if resume else {}
        if seed is None and paths > 1:
            seed = done.pop("_seed", None) if resume else None
        checkpoint.parent.mkdir(parents=True, exist_ok=True)

        def save(start: int, values: Any) -> None:
            done_now[str(start)] = values.tolist()
            io.atomic_write_text(checkpoint, json.dumps({"config": config, "chunks": done_now}))

        done_now = {str(k): v.tolist() for k, v in done.items()}
        result = sw.run_sweep(loaded, axes, paths, seed, workers, scheduler,
                              progress=progress(quiet, "sweep"), done=done, on_chunk=save)
        table = result.table()
        payloads = {"sweep.csv": io.csv_text(table),
                    "run.json": metadata_json("sweep", grid=axes, paths=paths, seed=result.seed,
                                          points=len(table),
                                          scenario=io.scenario_dict(loaded))}
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        checkpoint.unlink(missing_ok=True)
        if not quiet:
            stdout_console().print(sweep_table(table, list(axes), paths, loaded.name))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def load_checkpoint(path: Path, config: dict[str, Any]) -> dict[Any, Any]:
    """Chunks already computed for the same sweep ({start: values})."""
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict) or not isinstance(saved.get("chunks", {}), dict):
        raise bad("--resume", "a checkpoint written by circdebt sweep",
                   "a damaged checkpoint; run without --resume")
    if saved.get("config") != json.loads(json.dumps(config)):
        raise bad("--resume", "a checkpoint of the same scenario, grid, paths and seed",
                   "a checkpoint of a different sweep; run without --resume")
    try:
        import numpy as np

        return {int(k): np.array(v, dtype=float) for k, v in saved.get("chunks", {}).items()}
    except (TypeError, ValueError):
        raise bad("--resume", "a checkpoint written by circdebt sweep",
                   "a damaged checkpoint; run without --resume") from None
