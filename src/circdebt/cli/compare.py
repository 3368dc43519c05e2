"""Commands on several scenarios: ``compare`` and ``sez``."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated

import typer

from circdebt.cli.common import (
    DebugOption,
    FormatOption,
    TableFormat,
    bad,
    check_fys,
    echo,
    handle_errors,
    max_memory_gb,
    say,
    stdout_console,
)
from circdebt.errors import ScenarioError
from circdebt.io.paths import display_path
from circdebt.version import __version__

#: What each command may write in its output folder (checked before any work).
COMPARE_FILES = ("compare.*", "compare_annual.*", "targets.*", "attribution.*",
                 "compare_paired.csv", "run.json")
SEZ_FILES = ("sez.csv", "run.json")


def compare(
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
                     help="Output folder (default: out/compare-<name1>-<name2>…-<hash>/)."),
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
    import circdebt
    from circdebt import io
    from circdebt.analysis import compare as compare_mod
    from circdebt.cli.tables import attribution_table, kpi_table, paired_table, print_targets
    from circdebt.io.exports import table_payloads

    with handle_errors(debug):
        loaded = [circdebt.load_scenario(p) for p in scenarios]
        base_index = 0
        if baseline is not None:
            matches = [i for i, p in enumerate(scenarios) if p.resolve() == baseline.resolve()]
            if not matches:
                raise bad("--baseline", "one of the scenarios being compared", str(baseline))
            base_index = matches[0]
        check_fys("--fy", fy, within=loaded)
        out_dir = out if out is not None else io.default_folder("compare",
                                                                 [s.name for s in loaded])
        inputs = [f for p in scenarios for f in io.scenario_files(p)]
        with io.claim_output_folder(out_dir, inputs, COMPARE_FILES) as folder:
            results = [circdebt.run(s) for s in loaded]
            comparison = compare_mod.compare(results, baseline=base_index, fy=fy)
            for warning in comparison.warnings:
                say(f"warning: {warning}")
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
                try:
                    paired = compare_mod.paired_comparison(loaded, base_index, paths, seed,
                                                           max_memory_gb=max_memory_gb())
                except ScenarioError:  # a drawn, swept or shocked value out of range
                    raise
                except ValueError as exc:  # the runs would not fit in memory
                    raise bad("--paths", "a number of paths that fits in memory", str(exc)) \
                        from None
                payloads["compare_paired.csv"] = io.csv_text(paired)
            payloads["run.json"] = io.run_json_text({
                "circdebt_version": __version__, "command": "compare",
                "baseline": comparison.baseline, "fy": fy, "paths": paths, "seed": seed,
                "runs": [r.metadata for r in comparison.results]})
            written = io.write_output_set(folder, payloads)
        if json_:
            echo(json.dumps({"kpis": io.table_records(comparison.kpis),
                                   "targets": io.table_records(comparison.targets)}, indent=2))
        else:
            console = stdout_console()
            console.print(kpi_table(comparison))
            print_targets(comparison.targets, console)
            for table in attributions:
                console.print(attribution_table(table))
            if paired is not None and not paired.empty and seed is not None:
                console.print(paired_table(paired, paths, seed))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def sez(
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
                     help="Output folder (default: out/sez-<name1>-<name2>…-<hash>/)."),
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
    import circdebt
    from circdebt import io
    from circdebt.analysis.compare import sez_breakdown
    from circdebt.cli.tables import sez_table

    with handle_errors(debug):
        check_fys("--fy", *(fy or []))
        loaded = [circdebt.load_scenario(p) for p in scenarios]
        check_fys("--fy", *(fy or []), within=loaded)
        out_dir = out if out is not None else io.default_folder("sez", [s.name for s in loaded])
        inputs = [f for p in scenarios for f in io.scenario_files(p)]
        with io.claim_output_folder(out_dir, inputs, SEZ_FILES) as folder:
            results = [circdebt.run(s) for s in loaded]
            try:
                table = sez_breakdown(results, fy)
            except ValueError as exc:
                raise bad("--fy", "a fiscal year inside every horizon", str(exc)) from None
            payloads = {"sez.csv": io.csv_text(table), "run.json": io.run_json_text({
                "circdebt_version": __version__, "command": "sez",
                "runs": [r.metadata for r in results]})}
            written = io.write_output_set(folder, payloads)
        console = stdout_console()
        console.print(sez_table(table))
        console.print("gap to X = total minus X's industrial tariff (positive: dearer). "
                      "Components add up to the total.", style="dim")
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")
