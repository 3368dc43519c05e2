"""Analyses over many variants of a scenario: ``sensitivity`` and ``sweep``."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from circdebt.cli.common import (
    DebugOption,
    bad,
    check_design_fits,
    handle_errors,
    metadata_json,
    progress,
    say,
    stdout_console,
)
from circdebt.errors import ScenarioError
from circdebt.io import checkpoint
from circdebt.io.checkpoint import SWEEP_CHECKPOINT
from circdebt.io.paths import display_path
from circdebt.scenario.ranges import truncated_shares
from circdebt.version import __version__

#: What each command may write in its output folder (checked before any work).
SENSITIVITY_FILES = ("sensitivity.csv", "chart-*", "run.json")
SWEEP_FILES = ("sweep.csv", SWEEP_CHECKPOINT, "run.json")


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
        n_params = len(params.split(",")) if params else len(loaded.uncertainty)
        runs = n * (2 * n_params + 2) if method is not Method.tornado else 2 * n_params + 1
        check_design_fits("-n", runs, n_params + 64)  # the inputs, and a KPI per FY
        out_dir = out if out is not None else Path("out") / f"sensitivity-{loaded.name}"
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    SENSITIVITY_FILES) as folder:
            try:
                target = sens.Kpi.parse(kpi)
                keys = [k.strip() for k in params.split(",")] if params else None
                chosen = sens.parameters(loaded, keys, pct)
                if method is Method.tornado:
                    table = sens.tornado(loaded, target, chosen)
                else:
                    table = sens.global_sensitivity(loaded, target, chosen, method.value, n,
                                                    seed, by_fy,
                                                    progress=progress(False, "design"))
            except ScenarioError:  # a drawn, swept or shocked value out of range
                raise
            except ValueError as exc:
                raise bad("--kpi/--params", "a result column@FY and decimal inputs",
                          str(exc)) from None
            payloads = {"sensitivity.csv": io.csv_text(table),
                        "run.json": metadata_json("sensitivity", kpi=str(target),
                                                  method=method.value, samples=n, seed=seed,
                                                  parameters=[p.__dict__ for p in chosen])}
            payloads |= sensitivity_chart_files(table, method.value, str(target), loaded.name)
            written = io.write_output_set(folder, payloads)
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
            json.dumps(axes, allow_nan=False)
        except ValueError as exc:
            raise bad("--grid", "KEY=v1,v2 or KEY=lo:hi:n of finite numbers on decimal "
                      "inputs", str(exc)) from None
        check_design_fits("--grid/--paths", math.prod(len(v) for v in axes.values()) * paths,
                          len(axes) + len(sw.SWEEP_KPIS))
        out_dir = out if out is not None else Path("out") / f"sweep-{loaded.name}"
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    SWEEP_FILES) as folder:
            config = {"circdebt_version": __version__, "scenario_hash": io.scenario_hash(loaded),
                      # the axes in order: the order sets which point each row is
                      "grid": [[k, list(v)] for k, v in axes.items()], "paths": paths,
                      "chunk": sw.CHUNK,
                      "kpis": list(sw.SWEEP_KPIS), "seed": seed if paths > 1 else None}
            existed = (folder.path / SWEEP_CHECKPOINT).exists()
            config, done = start_checkpoint(folder, config, resume, seed_given=seed is not None)

            def save(start: int, values: Any) -> None:
                io.append_own_file(folder, SWEEP_CHECKPOINT,
                                   checkpoint.chunk_bytes(config, start, values))

            try:
                result = sw.run_sweep(loaded, axes, paths, config["seed"], workers, scheduler,
                                      chunk=sw.CHUNK, progress=progress(quiet, "sweep"),
                                      done=done, on_chunk=save)
            except ScenarioError:  # a drawn or shocked value out of range: the input's fault,
                if not existed:  # so this sweep leaves nothing behind (not even its chunks)
                    io.remove_own_file(folder, SWEEP_CHECKPOINT)
                raise
            table = result.table()
            payloads = {"sweep.csv": io.csv_text(table),
                        "run.json": metadata_json(
                            "sweep", grid=axes, paths=paths, seed=result.seed,
                            points=len(table), chunk_rows=sw.CHUNK,
                            chunks=-(-len(table) * paths // sw.CHUNK),
                            chunks_from_checkpoint=len(done),
                            truncated_pct=truncated_shares(loaded) if paths > 1 else {},
                            scenario=io.scenario_dict(loaded))}
            written = io.write_output_set(folder, payloads)
            io.remove_own_file(folder, SWEEP_CHECKPOINT)
        if not quiet:
            stdout_console().print(sweep_table(table, list(axes), paths, loaded.name))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def start_checkpoint(folder: Any, config: dict[str, Any], resume: bool,
                     seed_given: bool) -> tuple[dict[str, Any], dict[int, Any]]:
    """Start the sweep's checkpoint in ``folder``; return (the config, with the seed
    resolved, and the chunks already done).

    With ``resume``, a checkpoint there must be of the same sweep in every item of
    :data:`circdebt.io.checkpoint.CONFIG_ITEMS` (the seed only when ``--seed`` is given;
    without it the checkpoint's seed is used), or the resume is refused naming the item.
    Damaged chunks are dropped and computed again. The checkpoint is then rewritten with
    the good chunks, so the seed is on disk before the first new chunk.
    """
    from circdebt import io
    from circdebt.analysis.montecarlo import draw_seed

    path = folder.path / SWEEP_CHECKPOINT
    done: dict[int, Any] = {}
    if resume and path.is_file():
        saved = checkpoint.read_checkpoint(path)
        differs = checkpoint.difference(saved.config, config, seed_given)
        if differs is not None:
            item, was, now = differs
            raise bad("--resume", f"a checkpoint of this same sweep (same {item})",
                      f"{display_path(path)} was written with {item} {was!r}, this sweep has "
                      f"{now!r}; run without --resume to start afresh")
        config = config | {"seed": saved.config["seed"]}
        done = saved.chunks
        if saved.dropped:
            say(f"warning: {display_path(path)}: {saved.dropped} damaged chunk(s) dropped "
                "(checksum or shape wrong, or cut short); computing them again")
    elif resume:
        say(f"note: no checkpoint in {display_path(folder.path)}/; starting afresh")
    if config["paths"] > 1 and config["seed"] is None:
        config = config | {"seed": draw_seed()}
    payload = checkpoint.header_bytes(config) + b"".join(
        checkpoint.chunk_bytes(config, start, values) for start, values in sorted(done.items()))
    io.write_own_file(folder, SWEEP_CHECKPOINT, payload)
    return config, done
