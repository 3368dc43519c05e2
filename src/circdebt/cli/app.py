"""The ``circdebt`` command line: thin commands over :mod:`circdebt.api` and :mod:`circdebt.io.files`.

Conventions (``spec/CLI.md``): data goes to stdout or files, messages for people to
stderr; exit 0 on success, 1 when a run fails for a reason that is not the user's
input, 2 for bad input or usage, 130 on Ctrl-C. No traceback unless ``--debug``.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import re
import secrets
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

import circdebt
from circdebt.analysis import compare as compare_mod
from circdebt.errors import Problem, ScenarioError, SimulationError, display_path
from circdebt.io import files as io
from circdebt.io.exports import TableFormat, table_payloads
from circdebt.results.tables import Result

APP_HELP = """Simulate the circular debt of Pakistan's power sector, month by month.

Example:

\b
    circdebt run scenarios/baseline.toml
    circdebt run --help
"""

app = typer.Typer(
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Summary columns: (column of ``Result.annual``, short header, long label, decimals)
SUMMARY_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("cd_stock_bn_pkr", "CD\nstock", "CD stock, FY end", 0),
    ("cd_flow_bn_pkr", "CD\nflow", "CD flow", 0),
    ("flow_excess_losses_bn_pkr", "losses", "  excess losses", 0),
    ("flow_tariff_gap_bn_pkr", "tariff\ngap", "  tariff gap", 0),
    ("flow_under_recovery_bn_pkr", "unpaid\nbills", "  unpaid bills", 0),
    ("flow_subsidy_shortfall_bn_pkr", "TDS\nunpaid", "  TDS unpaid", 0),
    ("flow_lps_bn_pkr", "LPS", "  LPS", 0),
    ("flow_phl_interest_bn_pkr", "PHL\nint.", "  PHL interest", 0),
    ("flow_dss_bn_pkr", "DSS", "  DSS", 0),
    ("flow_budget_payments_bn_pkr", "budget", "  budget", 0),
    ("flow_policy_one_offs_bn_pkr", "one-\noffs", "  one-offs", 0),
    ("capacity_payments_bn_pkr", "cap.\npay.", "capacity payments", 0),
    ("capacity_charge_pkr_per_kwh", "cap.\ncharge", "capacity charge", 2),
    ("avg_tariff_pkr_per_kwh", "avg\ntariff", "avg tariff", 2),
)

SUMMARY_CAPTION = (
    "Rs bn (stock at the end of the FY, flows over the FY); cap. charge and avg tariff in "
    "Rs/kWh sold. CD flow = excess T&D losses + tariff gap + unpaid bills + TDS unpaid (tariff "
    "subsidy due but not paid) + LPS (late-payment surcharge) + PHL interest + DSS (debt "
    "servicing surcharge, negative) + budget payments + one-offs."
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a value after 'extends', e.g. --set tariff.pass_through_pct=80 "
        "(VALUE is TOML; quote strings: --set time.end='\"2030-06\"'). Repeatable.",
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show the full traceback when something fails.")
]
class Engine(enum.StrEnum):
    """Which engine ``run`` uses."""

    monthly = "monthly"
    events = "events"


FormatOption = Annotated[TableFormat, typer.Option(
    "--format", help="Tables as CSV files, Parquet files, or one Excel workbook (units in "
    "row 2).")]


# --------------------------------------------------------------------------- helpers


def _say(message: str) -> None:
    """A message for people: stderr."""
    typer.echo(message, err=True)


def _interactive(quiet: bool = False) -> bool:
    """Progress and colour only on a terminal, without ``--quiet`` and outside CI."""
    return not quiet and not os.environ.get("CI") and sys.stderr.isatty()


def _stdout_console() -> Console:
    terminal = sys.stdout.isatty()
    plain = bool(os.environ.get("CI")) or not terminal
    return Console(
        file=sys.stdout,
        width=None if terminal else 200,
        no_color=plain,
        highlight=False,
        emoji=False,
    )


def _check_fys(option: str, *values: str | None) -> None:
    """Refuse (exit 2) any given value of ``option`` that is not a fiscal year ``FYyyyy``."""
    for value in values:
        if value is not None and not re.fullmatch(r"FY\d{4}", value):
            raise ScenarioError([Problem(option, "", "a fiscal year like FY2030", repr(value))])


@contextlib.contextmanager
def _handle_errors(debug: bool) -> Iterator[None]:
    """Turn exceptions into a message on stderr and an exit code (see module docstring)."""
    try:
        yield
    except typer.Exit:
        raise
    except (ScenarioError, io.OutputError) as exc:
        if debug:
            traceback.print_exc()
        _say(f"error: {exc}")
        raise typer.Exit(2) from None
    except SimulationError as exc:
        if debug:
            traceback.print_exc()
        _say(f"error: the run failed: {exc}. Extreme inputs can drive a state out of range; "
             "if the inputs are as you meant them, please report it to the circdebt "
             "maintainers with the scenario and the output of --debug.")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        _say("circdebt: interrupted (or terminated); every file already written is complete, "
             "none is half-written.")
        raise typer.Exit(130) from None
    except OSError as exc:  # unreadable input, unwritable output folder, disk full
        if debug:
            traceback.print_exc()
        _say(f"error: the run failed: {exc}. Check the path, its permissions and the "
             "free disk space.")
        raise typer.Exit(1) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _say(
            f"error: the run failed: {what}. This does not look like a problem with your "
            "input; please report it to the circdebt maintainers with the scenario file(s) "
            "and the output of the same command with --debug added."
            + ("" if debug else " (Add --debug to see the traceback.)")
        )
        raise typer.Exit(1) from None


def _fmt(value: float, decimals: int) -> str:
    if value != value:  # NaN: nothing sold
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.removeprefix("-") if float(text.replace(",", "")) == 0 else text


def _wide_table(result: Result) -> Table:
    """One row per fiscal year, one column per quantity."""
    table = Table(title=f"{result.scenario.name}: circular debt by fiscal year",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("FY", no_wrap=True)
    for _, header, _, _ in SUMMARY_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    for _, row in result.annual.iterrows():
        table.add_row(str(row["fy"]), *(_fmt(row[c], d) for c, _, _, d in SUMMARY_COLUMNS))
    return table


def _tall_tables(result: Result, width: int) -> list[Table]:
    """One row per quantity, fiscal years across, in as many blocks as ``width`` needs."""
    annual = result.annual
    label_width = max(len(label) for _, _, label, _ in SUMMARY_COLUMNS)
    per_block = max(1, (width - label_width - 2) // 9)
    tables = []
    for first in range(0, len(annual), per_block):
        block = annual.iloc[first:first + per_block]
        title = (f"{result.scenario.name}: circular debt by fiscal year"
                 if first == 0 else None)
        table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("")
        for fy in block["fy"]:
            table.add_column(str(fy), justify="right", no_wrap=True)
        for col, _, label, dec in SUMMARY_COLUMNS:
            table.add_row(label, *(_fmt(v, dec) for v in block[col]))
        tables.append(table)
    return tables


def print_summary(result: Result, console: Console) -> None:
    """Print the fiscal-year summary: one wide table, or blocks of a tall one if narrow."""
    wide = _wide_table(result)
    natural = console.measure(wide, options=console.options.update_width(10_000)).maximum
    tables = [wide] if natural <= console.width else _tall_tables(result, console.width)
    for table in tables:
        console.print(table)
    console.print(SUMMARY_CAPTION, style="dim", width=min(console.width, 100))


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"circdebt {circdebt.__version__}")
        raise typer.Exit()


# --------------------------------------------------------------------------- commands


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Options that apply before any command."""


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", file_okay=False, metavar="DIR",
                     help="Output folder (default: out/<scenario-name>/)."),
    ] = None,
    set_: SetOption = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, metavar="N",
                     help="Random seed (drawn and recorded if not given)."),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout instead.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No table and no progress display.")
    ] = False,
    fmt: FormatOption = TableFormat.csv,
    charts: Annotated[bool, typer.Option(
        "--charts", help="Also write the standard charts (PNG, SVG, PDF).")] = False,
    paths: Annotated[int, typer.Option(
        "--paths", min=1, metavar="N",
        help="Monte Carlo paths (drawing the scenario's distributions and shocks).")] = 1,
    threshold: Annotated[list[str] | None, typer.Option(
        "--threshold", metavar="COLUMN>VALUE@FY",
        help="An event whose probability to report, e.g. cd_stock_bn_pkr>3000@FY2030 "
        "(repeatable; with --paths).")] = None,
    engine: Annotated[Engine, typer.Option(
        "--engine", help="monthly (vectorised) or events (day-by-day settlement, SimPy).")] =
        "monthly",
    debug: DebugOption = False,
) -> None:
    """Run a scenario and save the results.

    Prints a fiscal-year summary table (or JSON with --json) on stdout and writes
    monthly.csv, annual.csv, run.json (version, seed, scenario hash, resolved scenario,
    dependency versions, time of run) and scenario.resolved.toml into the output
    folder (--format parquet: monthly.parquet, annual.parquet; --format xlsx:
    results.xlsx; --charts: chart-<kind>.png/.svg/.pdf); the last line on stderr says
    where. Nothing is written if the scenario is invalid.

    With --paths N (and --seed): annual_pct.csv, monthly_pct.csv (P5-P95 of every
    column), thresholds.csv (--threshold events and P(SEZ cost above each benchmark)),
    paths.parquet (per-path KPIs and draws) and a fan chart. With --engine events:
    aging.csv, lps_by_age.csv, dpo.csv, subsidy_releases.csv, overdue_by_creditor.csv
    and an aging chart.

    Example:

    \b
        circdebt run scenarios/baseline.toml --set tariff.pass_through_pct=80 --out out/pt80
        circdebt run scenarios/baseline.toml --paths 10000 --seed 1 \\
            --threshold 'cd_stock_bn_pkr>3000@FY2030'
    """
    with _handle_errors(debug):
        loaded = circdebt.load_scenario(scenario, overrides=set_ or [])
        out_dir = out if out is not None else Path("out") / loaded.name
        inputs = io.scenario_files(scenario)
        overwriting = io.check_output_folder(out_dir, inputs)
        if seed is None:
            seed = secrets.randbits(32)
        if threshold and paths == 1:
            raise ScenarioError([Problem("--threshold", "", "--paths N (N > 1) with thresholds")])
        events = None
        if engine == "events":
            events, extra = cli_analysis.events_payloads(loaded)
            result = events.result
        elif _interactive(quiet):
            with Console(stderr=True).status(f"simulating {loaded.name}…"):
                result = circdebt.run(loaded, seed=seed)
            extra = {}
        else:
            result = circdebt.run(loaded, seed=seed)
            extra = {}
        mc_summary = None
        if paths > 1:
            mc_files, mc_summary = cli_analysis.monte_carlo_payloads(
                loaded, paths, seed, threshold or [], quiet)
            extra |= mc_files
            result.metadata.update({"paths": paths, "seed": seed})
        if charts:
            extra |= cli_report.chart_files(result, quiet=quiet)
        written = io.write_run_outputs(result, out_dir, inputs, fmt=fmt, extra=extra or None)
        if json_:
            payload = {
                "scenario": loaded.name,
                "seed": seed,
                "outputs": [display_path(p) for p in written],
                "summary": io.table_records(result.summary()),
            }
            if mc_summary is not None:
                payload["monte_carlo"] = mc_summary
            typer.echo(json.dumps(payload, indent=2))
        elif not quiet:
            console = _stdout_console()
            print_summary(result, console)
            _print_targets(compare_mod.check_targets(result), console)
            if mc_summary is not None:
                cli_analysis.print_monte_carlo(mc_summary)
            if events is not None:
                cli_analysis.print_overdue(events)
        note = "; replaced an earlier circdebt output there" if overwriting else ""
        _say(f"outputs in {display_path(out_dir)}/ "
             f"({', '.join(p.name for p in written)}{note})")


@app.command()
def validate(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario TOML files.", metavar="SCENARIO")
    ],
    debug: DebugOption = False,
) -> None:
    """Check scenario files without running them.

    Prints "ok: FILE" on stdout for each valid file and every problem of each invalid
    one on stderr; exits with code 2 if any file is invalid.

    Example:

    \b
        circdebt validate scenarios/*.toml
    """
    invalid = 0
    with _handle_errors(debug):
        for path in scenarios:
            try:
                circdebt.load_scenario(path)
            except ScenarioError as exc:
                invalid += 1
                _say(f"error: {exc}")
            else:
                typer.echo(f"ok: {display_path(path)}")
    if invalid:
        raise typer.Exit(2)


@app.command()
def show(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Print the resolved scenario as TOML.

    The scenario after 'extends' and --set, with every default filled in.

    Example:

    \b
        circdebt show scenarios/baseline.toml --set time.end='"2030-06"'
    """
    with _handle_errors(debug):
        loaded = circdebt.load_scenario(scenario, overrides=set_ or [])
        typer.echo(io.scenario_toml(loaded), nl=False)


def _print_targets(targets, console: Console) -> None:
    if targets.empty:
        return
    table = Table(title="targets", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("scenario", "target", "fy", "ceiling", "result", "margin", "status"):
        table.add_column(col, justify="right" if col in ("ceiling", "result", "margin") else
                         "left")
    for _, row in targets.iterrows():
        margin = "" if row["margin"] is None or row["margin"] != row["margin"] else \
            _fmt(row["margin"], 0)
        table.add_row(str(row["scenario"]), str(row["target"]), str(row["fy"]),
                      _fmt(row["ceiling"], 0), _fmt(row["result"], 0), margin,
                      str(row["status"]).upper())
    console.print(table)
    console.print("margin = ceiling - result (Rs bn unless the column says otherwise); "
                  "negative means the target is missed.", style="dim")


def _kpi_table(comparison: compare_mod.Comparison) -> Table:
    k = comparison.kpis
    fy = str(k["fy"].iloc[0])
    table = Table(title=f"scenarios compared (deltas against {comparison.baseline})",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("KPI")
    table.add_column("unit")
    for name in k["scenario"]:
        table.add_column(str(name), justify="right")
    for kpi, unit in compare_mod.KPI_UNITS.items():
        label = kpi.removesuffix("_bn_pkr").removesuffix("_gwh").removesuffix("_pkr_per_kwh")
        label = label.removesuffix("_usc_per_kwh")
        if kpi in ("capacity_charge_pkr_per_kwh", "avg_tariff_pkr_per_kwh",
                   "sez_cost_usc_per_kwh"):
            label += f" {fy}"
        decimals = 2 if unit in ("Rs/kWh", "% of GDP", "USD bn", "USc/kWh") else 0
        cells = []
        for _, row in k.iterrows():
            text = _fmt(row[kpi], decimals)
            if row["scenario"] != comparison.baseline:
                delta = row[f"{kpi}_delta"]
                text += f" ({'+' if delta >= 0 else ''}{_fmt(delta, decimals)})"
            cells.append(text)
        table.add_row(label, unit, *cells)
    return table


def _attribution_table(attribution) -> Table:
    last_fy = attribution["fy"].iloc[-1]
    rows = attribution[attribution["fy"] == last_fy]
    package = rows[rows["policy"] == "all"].iloc[0]
    name = attribution["scenario"].iloc[0]
    table = Table(title=f"{name}: attribution of the package effect on the CD stock, {last_fy}",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("policy", "type", "wedge Rs bn", "share"):
        table.add_column(col, justify="right" if col in ("wedge Rs bn", "share") else "left")
    for _, row in rows[rows["policy"] != "all"].iterrows():
        share = row["wedge_bn_pkr"] / package["wedge_bn_pkr"] if package["wedge_bn_pkr"] else 0
        table.add_row(str(row["policy"]), str(row["type"]), _fmt(row["wedge_bn_pkr"], 0),
                      f"{share:.0%}")
    table.add_row("package", "", _fmt(package["wedge_bn_pkr"], 0), "100%")
    table.caption = (f"leave-one-out effects rescaled to add up to the package total; "
                     f"interaction share {package['interaction_share']:.0%}")
    return table


@app.command("compare")
def compare_cmd(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario TOML files.", metavar="SCENARIO")
    ],
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="SCENARIO",
                     help="Which of the scenarios deltas are taken against (default: first)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", file_okay=False, metavar="DIR",
                     help="Output folder (default: out/compare-<name1>-<name2>…/)."),
    ] = None,
    fy: Annotated[
        str | None,
        typer.Option("--fy", metavar="FY2030",
                     help="Fiscal year of the per-kWh KPIs (default: the last)."),
    ] = None,
    attribute: Annotated[
        bool, typer.Option("--attribute",
                           help="Split each package's effect into one wedge per policy.")
    ] = False,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the KPIs as JSON on stdout instead.")
    ] = False,
    fmt: FormatOption = TableFormat.csv,
    paths: Annotated[int, typer.Option(
        "--paths", min=1, metavar="N",
        help="Also run N Monte Carlo paths per scenario (same draws in every scenario) and "
        "report paired differences from the baseline.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0, metavar="N")] = None,
    debug: DebugOption = False,
) -> None:
    """Run several scenarios and compare their KPIs, with differences from a baseline.

    Writes compare.csv (one row of KPIs per scenario, with *_delta columns),
    compare_annual.csv (the annual tables stacked, with a scenario column), targets.csv
    when scenarios declare targets, attribution.csv with --attribute, and run.json
    (--format parquet: .parquet files instead; --format xlsx: one compare.xlsx).

    Example:

    \b
        circdebt compare scenarios/baseline.toml scenarios/reform-package.toml --attribute
    """
    with _handle_errors(debug):
        loaded = [circdebt.load_scenario(p) for p in scenarios]
        base_index = 0
        if baseline is not None:
            matches = [i for i, p in enumerate(scenarios) if p.resolve() == baseline.resolve()]
            if not matches:
                raise ScenarioError([Problem(str(baseline), "--baseline",
                                             "one of the scenarios being compared")])
            base_index = matches[0]
        _check_fys("--fy", fy)
        comparison = compare_mod.compare(loaded, baseline=base_index, fy=fy)
        for warning in comparison.warnings:
            _say(f"warning: {warning}")
        tables = {"compare": comparison.kpis, "compare_annual": comparison.annual}
        if not comparison.targets.empty:
            tables["targets"] = comparison.targets
        attributions = []
        if attribute:
            for i, scenario in enumerate(loaded):
                if i != base_index:
                    table = compare_mod.attribute(scenario, loaded[base_index])
                    if (table["policy"] != "all").any():
                        attributions.append(table.assign(scenario=scenario.name))
            if attributions:
                import pandas as pd
                tables["attribution"] = pd.concat(attributions)
        payloads = table_payloads(tables, fmt, workbook="compare.xlsx")
        paired = None
        if paths > 1:
            seed = secrets.randbits(32) if seed is None else seed
            paired = compare_mod.paired_comparison(loaded, base_index, paths, seed)
            payloads["compare_paired.csv"] = io.csv_text(paired)
        payloads["run.json"] = io.run_json_text({
            "circdebt_version": circdebt.__version__, "command": "compare",
            "baseline": comparison.baseline, "fy": fy, "paths": paths, "seed": seed,
            "runs": [r.metadata for r in comparison.results]})
        names = "-".join(s.name for s in loaded)
        out_dir = out if out is not None else Path("out") / f"compare-{names}"[:120]
        inputs = [f for p in scenarios for f in io.scenario_files(p)]
        written = io.write_output_set(out_dir, payloads, inputs)
        if json_:
            typer.echo(json.dumps({"kpis": io.table_records(comparison.kpis),
                                   "targets": io.table_records(comparison.targets)}, indent=2))
        else:
            console = _stdout_console()
            console.print(_kpi_table(comparison))
            _print_targets(comparison.targets, console)
            for table in attributions:
                console.print(_attribution_table(table))
            if paired is not None and not paired.empty:
                console.print(_paired_table(paired, paths, seed))
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def _paired_table(paired, paths: int, seed: int) -> Table:
    """The last FY's CD stock difference from the baseline, P5..P95 across paths."""
    last = paired[(paired["column"] == "cd_stock_bn_pkr")
                  & (paired["fy"] == paired["fy"].iloc[-1])]
    table = Table(title=f"CD stock minus baseline, {last['fy'].iloc[0]}, across {paths:,} "
                        f"paired paths (seed {seed})", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("scenario", "p5", "p25", "p50", "p75", "p95"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for _, row in last.iterrows():
        table.add_row(str(row["scenario"]), *(_fmt(row[p], 0)
                                              for p in ("p5", "p25", "p50", "p75", "p95")))
    return table


SEZ_LABELS = {
    "energy": "energy", "capacity_used": "capacity used", "capacity_idle": "idle capacity",
    "transmission_distribution": "transmission & distribution",
    "allowed_losses": "allowed losses", "tariff_lag": "tariff lag (avg tariff - cost)",
    "cross_subsidy": "cross-subsidy", "package_support": "SEZ package",
    "legacy_debt_dss": "legacy debt (DSS)", "taxes": "taxes", "total": "TOTAL US c/kWh",
    "legacy_burden": "  of which legacy (DSS + idle)", "total_pkr_per_kwh": "TOTAL Rs/kWh",
    "sez_load_gwh": "SEZ grid load, GWh",
}


@app.command("sez")
def sez_cmd(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario TOML files.", metavar="SCENARIO")
    ],
    fy: Annotated[
        list[str] | None,
        typer.Option("--fy", metavar="FY2030",
                     help="Fiscal year(s) to show (repeatable; default: first, middle, last)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", file_okay=False, metavar="DIR",
                     help="Output folder (default: out/sez-<name1>-<name2>…/)."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """What a kWh costs a manufacturer in a Special Economic Zone, by component.

    Prints the breakdown (US cents/kWh) side by side for each scenario and fiscal year,
    how much of it is legacy burden, and the gap to each regional benchmark the
    scenario lists; writes sez.csv (one row per scenario, FY and item) and run.json.

    Example:

    \b
        circdebt sez scenarios/baseline.toml scenarios/sez-package.toml --fy FY2026 --fy FY2030
    """
    with _handle_errors(debug):
        _check_fys("--fy", *(fy or []))
        loaded = [circdebt.load_scenario(p) for p in scenarios]
        results = [circdebt.run(s) for s in loaded]
        try:
            table = compare_mod.sez_breakdown(results, fy)
        except ValueError as exc:
            raise ScenarioError([Problem("--fy", "", "a fiscal year inside every horizon",
                                         str(exc))]) from None
        payloads = {"sez.csv": io.csv_text(table), "run.json": io.run_json_text({
            "circdebt_version": circdebt.__version__, "command": "sez",
            "runs": [r.metadata for r in results]})}
        names = "-".join(s.name for s in loaded)
        out_dir = out if out is not None else Path("out") / f"sez-{names}"[:120]
        inputs = [f for p in scenarios for f in io.scenario_files(p)]
        written = io.write_output_set(out_dir, payloads, inputs)
        wide = table.pivot_table(index="item", columns=["scenario", "fy"], values="value",
                                 sort=False)
        console = _stdout_console()
        grid = Table(title="what a kWh costs an SEZ manufacturer (US cents/kWh)",
                     box=box.SIMPLE_HEAD, pad_edge=False)
        grid.add_column("")
        for scenario_name, year in wide.columns:
            grid.add_column(f"{scenario_name}\n{year}", justify="right")
        for item, values in wide.iterrows():
            label = SEZ_LABELS.get(str(item), str(item).replace("gap_to_", "gap to "))
            decimals = 0 if item == "sez_load_gwh" else 2
            grid.add_row(label, *(_fmt(v, decimals) for v in values))
        console.print(grid)
        console.print("gap to X = total minus X's industrial tariff (positive: dearer). "
                      "Components add up to the total.", style="dim")
        _say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


@app.command("diff")
def diff_cmd(
    a: Annotated[Path, typer.Argument(help="First scenario.", metavar="A")],
    b: Annotated[Path, typer.Argument(help="Second scenario.", metavar="B")],
    debug: DebugOption = False,
) -> None:
    """Show how two resolved scenarios differ, key by key.

    Example:

    \b
        circdebt diff scenarios/baseline.toml scenarios/loss-reduction.toml
    """
    with _handle_errors(debug):
        table = compare_mod.diff(circdebt.load_scenario(a), circdebt.load_scenario(b))
        if table.empty:
            typer.echo("the two scenarios resolve to identical inputs")
            return
        width = max(len(k) for k in table["key"])
        for _, row in table.iterrows():
            a_text, b_text = (v if v == compare_mod.ABSENT else repr(v)
                              for v in (row["a"], row["b"]))
            typer.echo(f"{row['key']:<{width}}  {a_text:>14} -> {b_text}")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (``kill``) is handled like Ctrl-C: clean up, say so, exit 130."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``circdebt`` console script."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        if len(sys.argv) == 1:  # help is an answer, not a usage error
            app(["--help"])
        app()
    except KeyboardInterrupt:
        _say("circdebt: interrupted")
        sys.exit(130)


# Commands kept in their own modules register themselves on ``app`` when imported.
from circdebt.cli import analysis as cli_analysis  # noqa: E402, F401
from circdebt.cli import report as cli_report  # noqa: E402, F401
