"""The ``circdebt`` command line: the Typer app and its commands.

Each command lives in a module by what it works on (:mod:`circdebt.cli.run`,
:mod:`~circdebt.cli.compare`, :mod:`~circdebt.cli.analysis`, :mod:`~circdebt.cli.history`,
:mod:`~circdebt.cli.report`) and is registered here, in the order ``--help`` lists them.
Commands load, call the Python API and write; their tables are :mod:`circdebt.cli.tables`
and their extra files :mod:`circdebt.cli.outputs`. Heavy libraries load inside commands,
so ``circdebt --help`` answers at once.
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from circdebt.cli import analysis, compare, history, report, run
from circdebt.cli.common import say
from circdebt.version import __version__

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


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"circdebt {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Options that apply before any command."""


app.command("run")(run.run)
app.command("validate")(run.validate)
app.command("show")(run.show)
app.command("compare")(compare.compare)
app.command("sez")(compare.sez)
app.command("diff")(run.diff)
app.command("sensitivity")(analysis.sensitivity)
app.command("sweep")(analysis.sweep)
app.command("backtest")(history.backtest)
app.command("calibrate")(history.calibrate)
app.command("chart")(report.chart)
app.command("report")(report.report)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (``kill``) is handled like Ctrl-C: clean up, say so, exit 130."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``circdebt`` console script (and ``python -m circdebt``)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if len(sys.argv) == 1:  # help is an answer, not a usage error
            app(["--help"])
        app()
    except KeyboardInterrupt:
        say("circdebt: interrupted")
        sys.exit(130)
