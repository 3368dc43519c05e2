"""What every command shares: options, messages, consoles, progress and error handling.

Conventions (docs/cli.md): data goes to stdout or files, messages for people to stderr;
exit 0 on success, 1 when a run fails for a reason that is not the user's input, 2 for
bad input or usage, 130 on Ctrl-C. No traceback unless ``--debug``. This module imports
nothing heavy (no pandas, no matplotlib), so ``circdebt --help`` answers at once.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer

from circdebt.errors import OutputError, Problem, ScenarioError, SimulationError
from circdebt.io.exports import TableFormat
from circdebt.timeline import is_fy

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
    """A message for people: stderr."""
    typer.echo(message, err=True)


def interactive(quiet: bool = False) -> bool:
    """Progress and colour only on a terminal, without ``--quiet`` and outside CI."""
    return not quiet and not os.environ.get("CI") and sys.stderr.isatty()


def stdout_console() -> Any:
    """A Rich console on stdout: plain (no colour, 200 columns) unless on a terminal."""
    from rich.console import Console

    terminal = sys.stdout.isatty()
    plain = bool(os.environ.get("CI")) or not terminal
    return Console(file=sys.stdout, width=None if terminal else 200, no_color=plain,
                   highlight=False, emoji=False)


def bad(option: str, expected: str, found: str = "") -> ScenarioError:
    """The error for a bad value of a command-line option (exit 2)."""
    return ScenarioError([Problem(option, "", expected, found)])


def check_fys(option: str, *values: str | None) -> None:
    """Refuse (exit 2) any given value of ``option`` that is not a fiscal year ``FYyyyy``."""
    for value in values:
        if value is not None and not is_fy(value):
            raise bad(option, "a fiscal year like FY2030", repr(value))


@contextlib.contextmanager
def status(text: str, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr while something slow runs (on a terminal only)."""
    if not interactive(quiet):
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


def progress(quiet: bool, label: str = "simulating") -> Callable[[int, int], None] | None:
    """A progress-bar callback ``report(done, total)`` (Rich, on stderr) for a terminal;
    None when not on a terminal, with --quiet, or in CI."""
    if not interactive(quiet):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    state: dict[str, Any] = {}

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
    except (ScenarioError, OutputError) as exc:
        if debug:
            traceback.print_exc()
        say(f"error: {exc}")
        raise typer.Exit(2) from None
    except SimulationError as exc:
        if debug:
            traceback.print_exc()
        say(f"error: the run failed: {exc}. Extreme inputs can drive a state out of range; "
            "if the inputs are as you meant them, please report it to the circdebt "
            "maintainers with the scenario and the output of --debug.")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        say("circdebt: interrupted (or terminated); every file already written is complete, "
            "none is half-written.")
        raise typer.Exit(130) from None
    except OSError as exc:  # unreadable input, unwritable output folder, disk full
        if debug:
            traceback.print_exc()
        say(f"error: the run failed: {exc}. Check the path, its permissions and the "
            "free disk space.")
        raise typer.Exit(1) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        say(f"error: the run failed: {what}. This does not look like a problem with your "
            "input; please report it to the circdebt maintainers with the scenario file(s) "
            "and the output of the same command with --debug added."
            + ("" if debug else " (Add --debug to see the traceback.)"))
        raise typer.Exit(1) from None
