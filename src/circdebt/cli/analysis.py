"""Analysis commands: ``sensitivity``, ``sweep``, ``backtest``, ``calibrate``.

Registered on :data:`circdebt.cli.app`; same conventions as the other commands
(messages on stderr, exit 2 for bad input, files written atomically, the last line
says where).
"""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import tomli_w
import typer
from rich import box
from rich.table import Table

import circdebt
from circdebt.cli.app import (
    DebugOption,
    _check_fys,
    _fmt,
    _handle_errors,
    _interactive,
    _say,
    _stdout_console,
    app,
)
from circdebt.errors import Problem, ScenarioError, display_path
from circdebt.io import files as io

#: The packaged history scenario that ``backtest`` runs by default.
DEFAULT_HISTORY_SCENARIO = Path("scenarios/history/fy2019-fy2025.toml")


class Method(enum.StrEnum):
    tornado = "tornado"
    morris = "morris"
    sobol = "sobol"


def _bad(option: str, expected: str, found: str = "") -> ScenarioError:
    return ScenarioError([Problem(option, "", expected, found)])


def _metadata(command: str, **extra: object) -> str:
    return io.run_json_text({"circdebt_version": circdebt.__version__, "command": command,
                             **extra})


def _progress(quiet: bool, label: str = "simulating"):
    """A progress-bar callback ``report(done, total)`` (Rich, on stderr) for a terminal;
    None when not on a terminal, with --quiet, or in CI (CLI.md)."""
    if not _interactive(quiet):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    state: dict = {}

    def report(done: int, total: int) -> None:
        if "bar" not in state:
            bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn(), console=Console(stderr=True),
                           transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(label, total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return report


@app.command("sensitivity")
def sensitivity_cmd(
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
    from circdebt.analysis import sensitivity as sens

    with _handle_errors(debug):
        loaded = circdebt.load_scenario(scenario)
        try:
            target = sens.Kpi.parse(kpi)
            keys = [k.strip() for k in params.split(",")] if params else None
            chosen = sens.parameters(loaded, keys, pct)
            if method is Method.tornado:
                table = sens.tornado(loaded, target, chosen)
            else:
                table = sens.global_sensitivity(loaded, target, chosen, method.value, n, seed,
                                                by_fy, progress=_progress(False, "design"))
        except ValueError as exc:
            raise _bad("--kpi/--params", "a result column@FY and decimal inputs", str(exc)) \
                from None
        out_dir = out if out is not None else Path("out") / f"sensitivity-{loaded.name}"
        payloads = {"sensitivity.csv": io.csv_text(table),
                    "run.json": _metadata("sensitivity", kpi=str(target), method=method.value,
                                          samples=n, seed=seed,
                                          parameters=[p.__dict__ for p in chosen])}
        payloads |= _sensitivity_chart(table, method, str(target), loaded.name)
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        _print_sensitivity(table, method)
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def _print_sensitivity(table: pd.DataFrame, method: Method) -> None:
    console = _stdout_console()
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"what moves the result ({method.value})")
    if method is Method.tornado:
        cols = ["parameter", "basis", "low", "high", "kpi_at_low", "kpi_at_high", "swing"]
    elif method is Method.morris:
        cols = ["kpi", "rank", "parameter", "mu_star", "mu_star_conf", "sigma",
                "interval_crosses_zero"]
    else:
        cols = ["kpi", "rank", "parameter", "S1", "S1_conf", "ST", "ST_conf",
                "st_change_from_half", "interval_crosses_zero"]
    for col in cols:
        grid.add_column(col, justify="left" if col in ("parameter", "basis", "kpi") else "right")
    for _, row in table.iterrows():
        grid.add_row(*(_fmt(row[c], 3 if c.startswith(("S", "st_")) else 1)
                       if isinstance(row[c], float) else str(row[c]) for c in cols))
    console.print(grid)


def _sensitivity_chart(table: pd.DataFrame, method: Method, kpi: str, name: str) -> dict:
    """The tornado chart, or bars of the Morris/Sobol indices, as PNG and SVG."""
    from circdebt import charts

    column, _, fy = kpi.partition("@")
    if method is Method.tornado:
        data = table.rename(columns={"kpi_at_low": "low_value", "kpi_at_high": "high_value"})
        data["low_label"] = [f"{v:,.4g}" for v in table["low"]]
        data["high_label"] = [f"{v:,.4g}" for v in table["high"]]
        fig = charts.tornado_chart(data, baseline_value=float(table["kpi_base"].iloc[0]),
                                   variable=column, scenario=name,
                                   title=f"What moves {column} in {fy}")
    else:
        fig = _index_bars(table[table["kpi"] == kpi], method, kpi, name)
    return charts.chart_payloads({"sensitivity": fig}, formats=("png", "svg"),
                                 prefix="chart-")


def _index_bars(table: pd.DataFrame, method: Method, kpi: str, name: str):
    """Horizontal bars of Morris mu* or Sobol total and first-order indices, with intervals."""
    import matplotlib as mpl

    from circdebt import charts

    with mpl.rc_context(charts.RC):
        fig = charts.new_figure(
            f"What moves {kpi}", f"{method.value.capitalize()} indices, 95% intervals; "
            "hatched where the interval reaches zero",
            charts.footnote_text([name], "Sensitivity analysis with SALib."),
            size=(8.0, 1.6 + 0.35 * len(table)))
        ax = fig.add_subplot()
        rows = table.iloc[::-1]
        y = np.arange(len(rows))
        if method is Method.morris:
            ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color=charts.PALETTE[0],
                    hatch=["//" if c else "" for c in rows["interval_crosses_zero"]])
            unit = charts.unit_label(kpi.partition("@")[0])
            ax.set_xlabel(f"mu* (mean absolute elementary effect) [{unit}]")
        else:
            hatch = ["//" if c else "" for c in rows["interval_crosses_zero"]]
            ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total",
                    color=charts.PALETTE[0], hatch=hatch)
            ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order",
                    color=charts.PALETTE[1], hatch=hatch)
            ax.set_xlabel("share of output variance")
            ax.legend(frameon=False, loc="lower right")
        ax.set_yticks(y, rows["parameter"])
    return fig


@app.command("sweep")
def sweep_cmd(
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
    from circdebt.analysis import sweep as sw

    with _handle_errors(debug):
        loaded = circdebt.load_scenario(scenario)
        try:
            axes = dict(sw.parse_grid(g) for g in grid)
            sw.check_grid(loaded, axes)
        except ValueError as exc:
            raise _bad("--grid", "KEY=v1,v2 or KEY=lo:hi:n on decimal inputs", str(exc)) \
                from None
        out_dir = out if out is not None else Path("out") / f"sweep-{loaded.name}"
        checkpoint = out_dir / "sweep.checkpoint"
        config = {"scenario_hash": io.scenario_hash(loaded), "grid": axes, "paths": paths,
                  "seed": seed}
        done = _load_checkpoint(checkpoint, config) if resume else {}
        if seed is None and paths > 1:
            seed = done.pop("_seed", None) if resume else None
        checkpoint.parent.mkdir(parents=True, exist_ok=True)

        def save(start: int, values: np.ndarray) -> None:
            done_now[str(start)] = values.tolist()
            io.atomic_write_text(checkpoint, json.dumps({"config": config, "chunks": done_now}))

        done_now = {str(k): v.tolist() for k, v in done.items()}
        result = sw.run_sweep(loaded, axes, paths, seed, workers, scheduler,
                              progress=_progress(quiet, "sweep"), done=done, on_chunk=save)
        table = result.table()
        payloads = {"sweep.csv": io.csv_text(table),
                    "run.json": _metadata("sweep", grid=axes, paths=paths, seed=result.seed,
                                          points=len(table),
                                          scenario=io.scenario_dict(loaded))}
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        checkpoint.unlink(missing_ok=True)
        if not quiet:
            console = _stdout_console()
            view = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                         title=f"sweep of {loaded.name}: {len(table)} points")
            shown = [c for c in table.columns if c in axes or c.startswith(
                ("cd_stock_end", "cd_flow_cumulative")) and (paths == 1 or "_p50" in c)]
            for c in shown:
                view.add_column(c, justify="right")
            for _, row in table.head(40).iterrows():
                view.add_row(*(_fmt(float(row[c]), 2 if c in axes else 0) for c in shown))
            console.print(view)
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def _load_checkpoint(path: Path, config: dict) -> dict:
    """Chunks already computed for the same sweep ({start: values})."""
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict) or not isinstance(saved.get("chunks", {}), dict):
        raise _bad("--resume", "a checkpoint written by circdebt sweep",
                   "a damaged checkpoint; run without --resume")
    if saved.get("config") != json.loads(json.dumps(config)):
        raise _bad("--resume", "a checkpoint of the same scenario, grid, paths and seed",
                   "a checkpoint of a different sweep; run without --resume")
    try:
        return {int(k): np.array(v, dtype=float) for k, v in saved.get("chunks", {}).items()}
    except (TypeError, ValueError):
        raise _bad("--resume", "a checkpoint written by circdebt sweep",
                   "a damaged checkpoint; run without --resume") from None


@app.command("backtest")
def backtest_cmd(
    scenario: Annotated[Path, typer.Argument(help="History scenario (default: the packaged "
                                             "FY2019-FY2025 one).", metavar="[SCENARIO]")] =
        DEFAULT_HISTORY_SCENARIO,
    from_fy: Annotated[str | None, typer.Option("--from", metavar="FY2019")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False, metavar="DIR")] =
        None,
    debug: DebugOption = False,
) -> None:
    """Compare a history scenario's results with the published record.

    Prints, per fiscal year, modelled vs actual CD stock, flow and the published flow
    lines, with errors (Rs bn and %) and the MAPE of the stock; writes backtest.csv, a
    chart and run.json.

    Example:

    \b
        circdebt backtest scenarios/history/fy2019-fy2025.toml --from FY2020
    """
    from circdebt.analysis.backtest import backtest_table, mape
    from circdebt.data import history

    with _handle_errors(debug):
        _check_fys("--from", from_fy)
        loaded = circdebt.load_scenario(scenario)
        result = circdebt.run(loaded)
        table = backtest_table(result.annual, history.wide(), from_fy)
        error = mape(table)
        out_dir = out if out is not None else Path("out") / f"backtest-{loaded.name}"
        payloads = {"backtest.csv": io.csv_text(table),
                    "run.json": io.run_json_text(result.metadata | {"command": "backtest",
                                                                    "mape_cd_stock_pct": error})}
        payloads |= _backtest_chart(result, table)
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        console = _stdout_console()
        grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                     title=f"{loaded.name}: modelled vs actual (Rs bn)")
        for c in ("fy", "quantity", "modelled", "actual", "error", "error %"):
            grid.add_column(c, justify="left" if c in ("fy", "quantity") else "right")
        for _, row in table.iterrows():
            grid.add_row(row["fy"], row["quantity"], _fmt(row["modelled_bn_pkr"], 0),
                         _fmt(row["actual_bn_pkr"], 0), _fmt(row["error_bn_pkr"], 0),
                         _fmt(row["error_pct"], 1))
        console.print(grid)
        console.print(f"MAPE of the CD stock: {error:.1f}%")
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def _backtest_chart(result, table: pd.DataFrame) -> dict:
    """Modelled CD stock with the published figures as points, as PNG and SVG."""
    from circdebt import charts

    history = table[table["quantity"] == "cd_stock_bn_pkr"][["fy", "actual_bn_pkr"]]
    history = history.rename(columns={"actual_bn_pkr": "cd_stock_bn_pkr"})
    fig = charts.stock_chart(result, history=history)
    return charts.chart_payloads({"backtest": fig}, formats=("png", "svg"), prefix="chart-")


@app.command("calibrate")
def calibrate_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    params: Annotated[str, typer.Option("--params", metavar="KEY,KEY",
                                        help="Free inputs (decimal key paths).")],
    target: Annotated[str, typer.Option("--target", help="History series to fit.")] =
        "cd_stock",
    from_fy: Annotated[str | None, typer.Option("--from", metavar="FY2019")] = None,
    to_fy: Annotated[str | None, typer.Option("--to", metavar="FY2023")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False, metavar="DIR")] =
        None,
    debug: DebugOption = False,
) -> None:
    """Fit free inputs to the packaged history by bounded least squares.

    Reports the fitted values, the fit on the chosen years and how well it predicts the
    years left out. Never overwrites the scenario: writes <name>-calibrated.toml (which
    extends it) with calibration.csv and run.json into the output folder.

    Example:

    \b
        circdebt calibrate scenarios/history/fy2019-fy2025.toml \\
            --params losses.actual_pct --target cd_stock --from FY2019 --to FY2023
    """
    from circdebt.analysis.backtest import calibrate, calibrated_scenario_data
    from circdebt.data import history

    with _handle_errors(debug):
        _check_fys("--from", from_fy)
        _check_fys("--to", to_fy)
        column = target if target.endswith("_bn_pkr") else f"{target}_bn_pkr"
        loaded = circdebt.load_scenario(scenario)
        try:
            fit = calibrate(loaded, [p.strip() for p in params.split(",")], history.wide(),
                            column, from_fy, to_fy)
        except ValueError as exc:
            raise _bad("--params/--target", "decimal inputs and a published series", str(exc)) \
                from None
        out_dir = out if out is not None else Path("out") / f"calibrate-{loaded.name}"
        name = f"{loaded.name}-calibrated"
        extends = os.path.relpath(Path(scenario).resolve(), out_dir.resolve())
        body = calibrated_scenario_data(io.scenario_dict(loaded), fit, extends)
        body["name"] = name
        header = (f"# Calibrated by circdebt {circdebt.__version__}: {params} fitted to "
                  f"{column} on {', '.join(fit.fit_fys)}.\n")
        payloads = {f"{name}.toml": header + tomli_w.dumps(body),
                    "calibration.csv": io.csv_text(fit.table),
                    "run.json": _metadata("calibrate", parameters=fit.parameters,
                                          initial=fit.initial.tolist(),
                                          fitted=fit.fitted.tolist(), fit_fys=fit.fit_fys,
                                          rmse_fit=fit.rmse_fit,
                                          rmse_out_of_sample=fit.rmse_out_of_sample,
                                          success=fit.success, message=fit.message)}
        written = io.write_output_set(out_dir, payloads, io.scenario_files(scenario))
        console = _stdout_console()
        grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="fitted inputs")
        for c in ("input", "initial", "fitted"):
            grid.add_column(c, justify="left" if c == "input" else "right")
        for key, a, b in zip(fit.parameters, fit.initial, fit.fitted, strict=True):
            grid.add_row(key, _fmt(float(a), 3), _fmt(float(b), 3))
        console.print(grid)
        console.print(f"RMSE on the fitted years: {fit.rmse_fit:,.1f} Rs bn; on the years "
                      f"left out: {fit.rmse_out_of_sample:,.1f} Rs bn ({fit.message})")
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


# --------------------------------------------------------------------------- used by `run`


def monte_carlo_payloads(loaded, paths: int, seed: int, thresholds: list[str],
                         quiet: bool) -> tuple[dict, dict]:
    """Run ``paths`` Monte Carlo paths; return (files to write, summary for --json).

    Files: annual_pct.csv, monthly_pct.csv, thresholds.csv (threshold events and
    P(SEZ cost above each benchmark)), paths.parquet (per-path KPIs and draws) and a fan
    chart of the CD stock.
    """
    from circdebt import charts
    from circdebt.analysis.montecarlo import Threshold, run_monte_carlo

    try:
        events = [Threshold.parse(t) for t in thresholds]
    except ValueError as exc:
        raise _bad("--threshold", "COLUMN>VALUE@FYyyyy", str(exc)) from None
    mc = run_monte_carlo(loaded, paths, seed, progress=_progress(quiet, "paths"))
    rows = []
    for event in events:
        try:
            rows.append({"event": str(event), "probability": mc.probability(event)})
        except KeyError as exc:
            raise _bad("--threshold", "a column kept per path and an FY in the horizon",
                       str(exc)) from None
    probabilities = pd.concat([pd.DataFrame(rows, columns=["event", "probability"]),
                               mc.benchmark_probabilities()], ignore_index=True)
    annual_pct = mc.annual_percentiles()
    import io as _io
    buffer = _io.BytesIO()
    mc.path_kpis().to_parquet(buffer, index=False)
    stock = annual_pct[annual_pct["variable"] == "cd_stock_bn_pkr"]
    fig = charts.fan_chart(stock, variable="cd_stock_bn_pkr", scenario=loaded.name,
                           paths=paths)
    payloads = {"annual_pct.csv": io.csv_text(annual_pct),
                "monthly_pct.csv": io.csv_text(mc.monthly_percentiles()),
                "thresholds.csv": io.csv_text(probabilities),
                "paths.parquet": buffer.getvalue()}
    payloads |= charts.chart_payloads({"fan-cd-stock": fig}, formats=("png", "svg"))
    summary = {"paths": paths, "seed": seed,
               "cd_stock_bn_pkr": io.table_records(stock.drop(columns="variable")),
               "probabilities": io.table_records(probabilities)}
    return payloads, summary


def print_monte_carlo(summary: dict) -> None:
    console = _stdout_console()
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"CD stock across {summary['paths']:,} paths (Rs bn, seed "
                       f"{summary['seed']})")
    for c in ("fy", "p5", "p25", "p50", "p75", "p95"):
        grid.add_column(c, justify="left" if c == "fy" else "right")
    for row in summary["cd_stock_bn_pkr"]:
        grid.add_row(row["fy"], *(_fmt(row[p], 0) for p in ("p5", "p25", "p50", "p75", "p95")))
    console.print(grid)
    last_fy = summary["cd_stock_bn_pkr"][-1]["fy"]
    for row in summary["probabilities"]:
        # thresholds asked for, and the benchmark comparisons of the last fiscal year
        if "(" not in row["event"] or f"@{last_fy} " in row["event"]:
            console.print(f"P({row['event']}) = {row['probability']:.1%}")


def events_payloads(loaded) -> tuple[object, dict]:
    """Run the event engine; return (its Result, extra files: aging, LPS by age, DPO,
    subsidy releases, and a chart of aging by creditor)."""
    from circdebt.engine.events import overdue_by_creditor, run_events

    events = run_events(loaded)
    payloads = {"aging.csv": io.csv_text(events.aging),
                "lps_by_age.csv": io.csv_text(events.lps_by_age),
                "dpo.csv": io.csv_text(events.dpo),
                "subsidy_releases.csv": io.csv_text(events.releases),
                "overdue_by_creditor.csv": io.csv_text(overdue_by_creditor(events))}
    payloads |= _aging_chart(events, loaded.name)
    return events, payloads


def _aging_chart(events, name: str) -> dict:
    """Payables by age bucket for each creditor class at the last month end."""
    import matplotlib as mpl

    from circdebt import charts
    from circdebt.engine.events import BUCKET_NAMES

    month = events.aging["month"].iloc[-1]
    table = events.aging[events.aging["month"] == month].pivot_table(
        index="creditor", columns="bucket", values="payables_bn_pkr", sort=False)
    table = table[[b for b in BUCKET_NAMES if b in table.columns]]
    table = table[table.sum(axis=1) > 1e-9]
    with mpl.rc_context(charts.RC):
        fig = charts.new_figure(f"Payables by age, {month}",
                                "Rs billion owed to each creditor class, by days since invoice",
                                charts.footnote_text([name], "Event-driven engine."),
                                size=(8.0, 1.8 + 0.45 * len(table)))
        ax = fig.add_subplot()
        left = np.zeros(len(table))
        for j, bucket in enumerate(table.columns):
            ax.barh(table.index, table[bucket], left=left, label=f"{bucket} days",
                    color=charts.PALETTE[j % len(charts.PALETTE)])
            left += table[bucket].to_numpy()
        ax.set_xlabel("Rs billion")
        ax.invert_yaxis()
        ax.legend(frameon=False, ncols=len(table.columns), loc="lower center",
                  bbox_to_anchor=(0.5, 1.0))
    return charts.chart_payloads({"aging": fig}, formats=("png", "svg"))


def print_overdue(events) -> None:
    from circdebt.engine.events import overdue_by_creditor

    table = overdue_by_creditor(events)
    console = _stdout_console()
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"how overdue each creditor is ({events.aging['month'].iloc[-1]})")
    for c in ("creditor", "payables Rs bn", "> 90 days", "> 365 days", "DPO days"):
        grid.add_column(c, justify="left" if c == "creditor" else "right")
    for _, row in table.iterrows():
        grid.add_row(row["creditor"], _fmt(row["payables_bn_pkr"], 0),
                     f"{row['over_90_days_pct']:.0f}%", f"{row['over_365_days_pct']:.0f}%",
                     _fmt(row["days_payables_outstanding"], 0))
    console.print(grid)
