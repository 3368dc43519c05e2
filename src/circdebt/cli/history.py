"""The model against the published record: ``backtest`` and ``calibrate``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from circdebt.cli.common import (
    DebugOption,
    bad,
    check_fys,
    handle_errors,
    metadata_json,
    say,
    stdout_console,
)
from circdebt.io.paths import display_path

#: What each command may write in its output folder (checked before any work);
#: ``calibrate`` also writes ``<name>-calibrated.toml``.
BACKTEST_FILES = ("backtest.csv", "chart-*", "run.json")
CALIBRATE_FILES = ("calibration.csv", "run.json")

#: The packaged history scenario that ``backtest`` runs by default.
DEFAULT_HISTORY_SCENARIO = Path("scenarios/history/fy2019-fy2025.toml")


def backtest(
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
    import circdebt
    from circdebt import io
    from circdebt.analysis.backtest import backtest_table, mape
    from circdebt.cli.outputs import backtest_chart_files
    from circdebt.cli.tables import backtest_view
    from circdebt.data import history

    with handle_errors(debug):
        check_fys("--from", from_fy)
        loaded = circdebt.load_scenario(scenario)
        check_fys("--from", from_fy, within=[loaded])
        out_dir = out if out is not None else Path("out") / f"backtest-{loaded.name}"
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    BACKTEST_FILES) as folder:
            result = circdebt.run(loaded)
            table = backtest_table(result.annual, history.wide(), from_fy)
            error = mape(table)
            payloads = {"backtest.csv": io.csv_text(table),
                        "run.json": io.run_json_text(result.metadata | {
                            "command": "backtest", "mape_cd_stock_pct": error})}
            payloads |= backtest_chart_files(result.annual, table, loaded.name)
            written = io.write_output_set(folder, payloads)
        console = stdout_console()
        console.print(backtest_view(table, loaded.name))
        console.print(f"MAPE of the CD stock: {error:.1f}%")
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def calibrate(
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
    import tomli_w

    import circdebt
    from circdebt import io
    from circdebt.analysis.backtest import calibrate as fit_inputs
    from circdebt.analysis.backtest import calibrated_scenario_data
    from circdebt.cli.tables import calibration_table
    from circdebt.data import history
    from circdebt.version import __version__

    with handle_errors(debug):
        check_fys("--from", from_fy)
        check_fys("--to", to_fy)
        column = target if target.endswith("_bn_pkr") else f"{target}_bn_pkr"
        loaded = circdebt.load_scenario(scenario)
        check_fys("--from", from_fy, within=[loaded])
        check_fys("--to", to_fy, within=[loaded])
        out_dir = out if out is not None else Path("out") / f"calibrate-{loaded.name}"
        name = f"{loaded.name}-calibrated"
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    (f"{name}.toml", *CALIBRATE_FILES)) as folder:
            try:
                fit = fit_inputs(loaded, [p.strip() for p in params.split(",")],
                                 history.wide(), column, from_fy, to_fy)
            except ValueError as exc:
                raise bad("--params/--target", "decimal inputs and a published series",
                          str(exc)) from None
            extends = os.path.relpath(Path(scenario).resolve(), out_dir.resolve())
            body = calibrated_scenario_data(io.scenario_dict(loaded), fit, extends)
            body["name"] = name
            header = (f"# Calibrated by circdebt {__version__}: {params} fitted to "
                      f"{column} on {', '.join(fit.fit_fys)}.\n")
            payloads = {f"{name}.toml": header + tomli_w.dumps(body),
                        "calibration.csv": io.csv_text(fit.table),
                        "run.json": metadata_json(
                            "calibrate", parameters=fit.parameters,
                            initial=fit.initial.tolist(), fitted=fit.fitted.tolist(),
                            fit_fys=fit.fit_fys, rmse_fit=fit.rmse_fit,
                            rmse_out_of_sample=fit.rmse_out_of_sample, success=fit.success,
                            message=fit.message)}
            written = io.write_output_set(folder, payloads)
        console = stdout_console()
        console.print(calibration_table(fit))
        console.print(f"RMSE on the fitted years: {fit.rmse_fit:,.1f} Rs bn; on the years "
                      f"left out: {fit.rmse_out_of_sample:,.1f} Rs bn ({fit.message})")
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")
