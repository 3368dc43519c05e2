"""What every command shares: options, messages, consoles, progress and error handling.

Conventions (docs/cli.md): data goes to stdout or files, messages for people to stderr;
exit 0 on success, 1 when a run fails for a reason that is not the user's input, 2 for
bad input or usage, 130 on Ctrl-C. No traceback unless ``--debug``. This module imports
nothing heavy (no pandas, no matplotlib), so ``circdebt --help`` answers at once.

Everything a command writes to the terminal goes through the sinks here: :func:`say`
(stderr), :func:`echo` (stdout), :func:`stdout_console` (Rich, with markup off) and
:func:`plain` (a Rich cell), the spinner and the progress bar. Each passes the text
through :func:`circdebt.text.terminal_text`, so no user text acts on the terminal, and
none is read as Rich markup (docs/reliability.md, "What reaches the terminal").
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from circdebt.errors import OutputError, Problem, ScenarioError, SimulationError
from circdebt.io.exports import TableFormat
from circdebt.io.paths import path_words
from circdebt.text import terminal_text
from circdebt.timeline import YEARS_WORDS, Timeline, is_fy

if TYPE_CHECKING:
    from rich.text import Text

    from circdebt.scenario.schema import Scenario

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


FormatOption = Annotated[TableFormat, typer.Option(
    "--format", help="Tables as CSV files, Parquet files, or one Excel workbook (units in "
    "row 2).")]

def check_design_fits(option: str, runs: int, values_per_run: int) -> None:
    """Refuse (exit 2, naming ``option``) an analysis whose design (sweep points x paths,
    sensitivity samples) would not fit in the memory allowed (``CIRCDEBT_MAX_MEMORY_GB``):
    each run keeps ``values_per_run`` numbers, held about four times over (the design,
    the results, the table and its copy) at 8 bytes each."""
    need = runs * values_per_run * 8 * 4
    limit = max_memory_gb()
    if need > limit * 1e9:
        raise bad(option, f"a design that fits in the {limit:g} GB allowed (set "
                  "CIRCDEBT_MAX_MEMORY_GB to change it)",
                  f"{runs:,} runs, about {need / 1e9:.1f} GB")


def max_memory_gb() -> float:
    """The memory a Monte Carlo run may plan for: ``CIRCDEBT_MAX_MEMORY_GB``, or the
    default of :mod:`circdebt.analysis.montecarlo`. [GB]"""
    from circdebt.analysis.montecarlo import DEFAULT_MAX_MEMORY_GB

    text = os.environ.get("CIRCDEBT_MAX_MEMORY_GB")
    try:
        return float(text) if text else DEFAULT_MAX_MEMORY_GB
    except ValueError:
        raise bad("CIRCDEBT_MAX_MEMORY_GB", "a number of gigabytes", repr(text)) from None


def say(message: str) -> None:
    """A message for people: stderr (safe for a terminal)."""
    typer.echo(terminal_text(message), err=True)


def echo(text: str, nl: bool = True) -> None:
    """Data for stdout (safe for a terminal)."""
    typer.echo(terminal_text(text), nl=nl)


def plain(value: object, one_line: bool = False) -> Text:
    """Text for a Rich table or title: shown as it is (never read as markup), with
    control characters as visible escapes."""
    from rich.text import Text

    return Text(terminal_text(value, one_line))


def interactive(quiet: bool = False) -> bool:
    """Progress and colour only on a terminal, without ``--quiet`` and outside CI."""
    return not quiet and not os.environ.get("CI") and sys.stderr.isatty()


def console(stderr: bool = False, **options: Any) -> Any:
    """A Rich console whose text is only ever text: markup, emoji codes and highlighting
    off, and every string it renders (a table's cells, title and caption included)
    passed through :func:`~circdebt.text.terminal_text` first."""
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Any:
            kwargs["markup"] = kwargs["emoji"] = kwargs["highlight"] = False
            return super().render_str(terminal_text(text), **kwargs)

    return SafeConsole(stderr=stderr, markup=False, emoji=False, highlight=False, **options)


def stdout_console() -> Any:
    """A Rich console on stdout (:func:`console`): plain (no colour, 200 columns) unless
    on a terminal."""
    terminal = sys.stdout.isatty()
    no_colour = bool(os.environ.get("CI")) or not terminal
    return console(file=sys.stdout, width=None if terminal else 200, no_color=no_colour)


def bad(option: str, expected: str, found: str = "") -> ScenarioError:
    """The error for a bad value of a command-line option (exit 2)."""
    return ScenarioError([Problem(option, "", expected, found)])


def anchor_overrides(month: str | None) -> list[str]:
    """``--start YYYY-MM`` as ``--set`` overrides of the scenario's ``[anchor]`` table,
    from the packaged record's month-end split of the stock (docs/model.md §2)."""
    if month is None:
        return []
    from circdebt.data import record
    from circdebt.timeline import is_month

    if not is_month(month):
        raise bad("--start", "a month YYYY-MM", repr(month))
    stocks = record.month_end_stocks(month)
    if stocks is None:
        have = sorted(p for p in record.load()["period"].unique()
                      if record.month_end_stocks(str(p)) is not None)
        raise bad("--start", "a month whose month-end stock, producer payables and PHL debt "
                  f"are all in the packaged record ({', '.join(have)})", repr(month))
    return [f"anchor.{key}={json.dumps(value)}" for key, value in stocks.items()]


def check_fys(option: str, *values: str | None, within: Sequence[Scenario] = ()) -> None:
    """Refuse (exit 2) any given value of ``option`` that is not a fiscal year ``FYyyyy``
    or, with ``within``, that lies outside the horizon of any of those scenarios. The one
    check of every fiscal-year option (``--fy``, ``--from``, ``--to``)."""
    for value in values:
        if value is None:
            continue
        if not is_fy(value):
            raise bad(option, f"a fiscal year like FY2030 ({YEARS_WORDS})", repr(value))
        for scenario in within:
            time = scenario.time
            labels = Timeline(time.start, time.end, time.fiscal_year_start_month) \
                .fiscal_years[0]
            if value not in labels:
                raise bad(option, f"a fiscal year inside the horizon of {scenario.name} "
                          f"({labels[0]}..{labels[-1]})", repr(value))


@contextlib.contextmanager
def status(text: str, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr while something slow runs (on a terminal only)."""
    if not interactive(quiet):
        yield
        return
    with console(stderr=True).status(plain(text, one_line=True)):
        yield


def progress(quiet: bool, label: str = "simulating") -> Callable[[int, int], None] | None:
    """A progress-bar callback ``report(done, total)`` (Rich, on stderr) for a terminal;
    None when not on a terminal, with --quiet, or in CI."""
    if not interactive(quiet):
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        if "bar" not in state:
            bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                           MofNCompleteColumn(), TimeRemainingColumn(),
                           console=console(stderr=True), transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(
                terminal_text(label, one_line=True), total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return report


def metadata_json(command: str, **extra: object) -> str:
    """``run.json`` of a command that is not a single run."""
    from circdebt.io.writing import run_json_text
    from circdebt.version import __version__

    return run_json_text({"circdebt_version": __version__, "command": command, **extra})


@contextlib.contextmanager
def handle_errors(debug: bool) -> Iterator[None]:
    """Turn exceptions into a message on stderr and an exit code (module docstring)."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        say("circdebt: interrupted (or terminated); every file already written is complete, "
            "none is half-written.")
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        code, message = _exit_code_and_message(exc, debug)
        say(message)
        raise typer.Exit(code) from None


def _exit_code_and_message(exc: Exception, debug: bool) -> tuple[int, str]:
    """The exit code and message of a failure: 2 for bad input (a scenario, an option, a
    path no file can have), 1 for anything else."""
    if isinstance(exc, ScenarioError | OutputError):
        return 2, f"error: {exc}"
    path_error = path_words(exc)
    if path_error is not None:  # a NUL byte, a name too long, a symlink loop
        shown, words = path_error
        return 2, f"error: {shown}: {words}"
    if isinstance(exc, SimulationError):
        return 1, (f"error: the run failed: {exc}. Extreme inputs can drive a state out of "
                   "range; if the inputs are as you meant them, please report it to the "
                   "circdebt maintainers with the scenario and the output of --debug.")
    if isinstance(exc, OSError):  # unreadable input, unwritable output folder, disk full
        return 1, (f"error: the run failed: {exc}. Check the path, its permissions and the "
                   "free disk space.")
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return 1, (f"error: the run failed: {what}. This does not look like a problem with your "
               "input; please report it to the circdebt maintainers with the scenario "
               "file(s) and the output of the same command with --debug added."
               + ("" if debug else " (Add --debug to see the traceback.)"))
