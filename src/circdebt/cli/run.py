"""Commands on one scenario: ``run``, ``validate``, ``show`` and ``diff``."""

from __future__ import annotations

import enum
import json
import secrets
from pathlib import Path
from typing import Annotated

import typer

from circdebt.cli.common import (
    DebugOption,
    FormatOption,
    SetOption,
    TableFormat,
    anchor_overrides,
    bad,
    echo,
    handle_errors,
    say,
    status,
    stdout_console,
)
from circdebt.errors import ScenarioError
from circdebt.io.paths import display_path
from circdebt.scenario.ranges import truncated_shares

#: What ``run`` may write in its output folder (checked before any work): the tables in
#: any format, the resolved scenario, charts, Monte Carlo and event-engine tables.
RUN_FILES = ("monthly.*", "annual.*", "results.xlsx", "scenario.resolved.toml", "chart-*",
             "annual_pct.csv", "monthly_pct.csv", "thresholds.csv", "target_breaches.csv",
             "paths.parquet",
             "aging.csv", "lps_by_age.csv", "dpo.csv", "subsidy_releases.csv",
             "overdue_by_creditor.csv", "run.json")


class Engine(enum.StrEnum):
    """Which engine ``run`` uses."""

    monthly = "monthly"
    events = "events"


def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", file_okay=False, metavar="DIR",
                     help="Output folder (default: out/<scenario-name>/)."),
    ] = None,
    set_: SetOption = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="YYYY-MM",
                     help="Re-anchor the run to the published month-end stocks of this month "
                     "(producer payables, GENCO payables, PHL) from the packaged record; "
                     "results start the month after (docs/model.md §2)."),
    ] = None,
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
        Engine.monthly,
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
    target_breaches.csv (if the scenario has targets: the share of paths breaching each
    over its window), paths.parquet (per-path KPIs and draws) and a fan chart. With --engine events:
    aging.csv, lps_by_age.csv, dpo.csv, subsidy_releases.csv, overdue_by_creditor.csv
    and an aging chart.

    Example:

    \b
        circdebt run scenarios/baseline.toml --set tariff.pass_through_pct=80 --out out/pt80
        circdebt run scenarios/baseline.toml --paths 10000 --seed 1 \\
            --threshold 'cd_stock_bn_pkr>3000@FY2030'
    """
    import circdebt
    from circdebt import io
    from circdebt.analysis.compare import check_targets
    from circdebt.cli import outputs, tables

    with handle_errors(debug):
        loaded = circdebt.load_scenario(scenario, overrides=[*(set_ or []),
                                                             *anchor_overrides(start)])
        out_dir = out if out is not None else Path("out") / loaded.name
        if threshold and paths == 1:
            raise bad("--threshold", "--paths N (N > 1) with thresholds")
        if paths > 1:  # refused up front, before any run, if it would not fit in memory
            outputs.check_paths_fit(loaded, paths)
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    RUN_FILES) as folder:
            if seed is None:
                seed = secrets.randbits(32)
            events, extra = None, dict[str, str | bytes]()
            if engine is Engine.events:
                events, extra = outputs.events_files(loaded)
                result = events.result
            else:
                with status(f"simulating {loaded.name}…", quiet):
                    result = circdebt.run(loaded, seed=seed)
            mc_summary = None
            if paths > 1:
                mc_files, mc_summary = outputs.monte_carlo_files(loaded, paths, seed,
                                                                 threshold or [], quiet)
                extra |= mc_files
                truncated = truncated_shares(loaded)
                result.metadata.update({"paths": paths, "seed": seed,
                                        "truncated_pct": truncated})
                for key, share in truncated.items():
                    say(f"note: {key}: {share:g}% of its distribution lies outside the "
                        "key's range; those draws were redrawn inside it")
            if charts:
                extra |= outputs.chart_files(result, quiet=quiet)
            written = io.write_run_outputs(result, folder, fmt=fmt, extra=extra or None)
        if json_:
            payload = {"scenario": loaded.name, "seed": seed,
                       "outputs": [display_path(p) for p in written],
                       "summary": io.table_records(result.summary())}
            if mc_summary is not None:
                payload["monte_carlo"] = mc_summary
            echo(json.dumps(payload, indent=2))
        elif not quiet:
            console = stdout_console()
            tables.print_summary(result, console)
            tables.print_fiscal_case(result, console)
            tables.print_targets(check_targets(result), console)
            if mc_summary is not None:
                tables.print_monte_carlo(mc_summary, console)
            if events is not None:
                console.print(tables.overdue_table(events))
        from circdebt.results import plausibility

        for warning in plausibility.warnings(result.annual):
            say(f"warning: {warning}")
        note = "; replaced an earlier circdebt output there" if folder.replaces_earlier else ""
        say(f"outputs in {display_path(out_dir)}/ "
            f"({', '.join(p.name for p in written)}{note})")


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
    import circdebt

    invalid = 0
    with handle_errors(debug):
        for path in scenarios:
            try:
                circdebt.load_scenario(path)
            except ScenarioError as exc:
                invalid += 1
                say(f"error: {exc}")
            else:
                echo(f"ok: {display_path(path)}")
    if invalid:
        raise typer.Exit(2)


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
    import circdebt
    from circdebt.scenario.dump import scenario_toml

    with handle_errors(debug):
        loaded = circdebt.load_scenario(scenario, overrides=set_ or [])
        echo(scenario_toml(loaded), nl=False)


def diff(
    a: Annotated[Path, typer.Argument(help="First scenario.", metavar="A")],
    b: Annotated[Path, typer.Argument(help="Second scenario.", metavar="B")],
    debug: DebugOption = False,
) -> None:
    """Show how two resolved scenarios differ, key by key.

    Example:

    \b
        circdebt diff scenarios/baseline.toml scenarios/loss-reduction.toml
    """
    import circdebt
    from circdebt.analysis.compare import ABSENT
    from circdebt.analysis.compare import diff as scenario_diff

    with handle_errors(debug):
        table = scenario_diff(circdebt.load_scenario(a), circdebt.load_scenario(b))
        if table.empty:
            echo("the two scenarios resolve to identical inputs")
            return
        width = max(len(k) for k in table["key"])
        for _, row in table.iterrows():
            a_text, b_text = (v if v == ABSENT else repr(v) for v in (row["a"], row["b"]))
            echo(f"{row['key']:<{width}}  {a_text:>14} -> {b_text}")
