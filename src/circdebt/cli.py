"""The ``circdebt`` command line: thin commands over :mod:`circdebt.api` and :mod:`circdebt.io`.

Conventions (``spec/CLI.md``): data goes to stdout or files, messages for people to
stderr; exit 0 on success, 1 when a run fails for a reason that is not the user's
input, 2 for bad input or usage, 130 on Ctrl-C. No traceback unless ``--debug``.
"""

from __future__ import annotations

import contextlib
import json
import os
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
from circdebt import io
from circdebt.errors import ScenarioError, display_path
from circdebt.results import Result

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
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        _say("circdebt: interrupted; every file already written is complete, none is "
             "half-written.")
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
    debug: DebugOption = False,
) -> None:
    """Run a scenario and save the results.

    Prints a fiscal-year summary table (or JSON with --json) on stdout and writes
    monthly.csv, annual.csv, run.json (version, seed, scenario hash, resolved scenario,
    dependency versions, time of run) and scenario.resolved.toml into the output
    folder; the last line on stderr says where. Nothing is written if the scenario is
    invalid.

    Example:

    \b
        circdebt run scenarios/baseline.toml --set tariff.pass_through_pct=80 --out out/pt80
    """
    with _handle_errors(debug):
        loaded = circdebt.load_scenario(scenario, overrides=set_ or [])
        out_dir = out if out is not None else Path("out") / loaded.name
        inputs = io.scenario_files(scenario)
        overwriting = io.check_output_folder(out_dir, inputs)
        if seed is None:
            seed = secrets.randbits(32)
        if _interactive(quiet):
            with Console(stderr=True).status(f"simulating {loaded.name}…"):
                result = circdebt.run(loaded, seed=seed)
        else:
            result = circdebt.run(loaded, seed=seed)
        written = io.write_run_outputs(result, out_dir, inputs)
        if json_:
            payload = {
                "scenario": loaded.name,
                "seed": seed,
                "outputs": [display_path(p) for p in written],
                "summary": io.table_records(result.summary()),
            }
            typer.echo(json.dumps(payload, indent=2))
        elif not quiet:
            print_summary(result, _stdout_console())
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


def main() -> None:
    """Entry point of the ``circdebt`` console script."""
    try:
        if len(sys.argv) == 1:  # help is an answer, not a usage error
            app(["--help"])
        app()
    except KeyboardInterrupt:
        _say("circdebt: interrupted")
        sys.exit(130)
