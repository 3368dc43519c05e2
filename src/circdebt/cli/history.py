"""The model against the published record: ``backtest`` and ``calibrate``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

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
BACKTEST_FILES = ("backtest.csv", "backtest-monthly.csv", "backtest-monthly-errors.csv",
                  "chart-*", "run.json")
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
    lines, with errors (Rs bn and %) and the MAPE of the stock; then the months: every
    published month-end stock (and its split), partial-year flow and cause line the run
    covers, with MAPE and bias by group. Writes backtest.csv, backtest-monthly.csv,
    backtest-monthly-errors.csv, two charts and run.json.

    Example:

    \b
        circdebt backtest scenarios/history/fy2019-fy2025.toml --from FY2020
    """
    import circdebt
    from circdebt import io
    from circdebt.analysis.backtest import backtest_table, mape, months_table
    from circdebt.analysis.errors import months_errors
    from circdebt.cli.outputs import backtest_chart_files, months_chart_files
    from circdebt.cli.tables import backtest_view, months_errors_view, months_view
    from circdebt.data import history, record

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
            months = months_table(result.monthly, record.load(), from_fy)
            errors = months_errors(months)
            payloads = {"backtest.csv": io.csv_text(table),
                        "backtest-monthly.csv": io.csv_text(months),
                        "backtest-monthly-errors.csv": io.csv_text(errors),
                        "run.json": io.run_json_text(result.metadata | {
                            "command": "backtest", "mape_cd_stock_pct": error,
                            "months": _headline_errors(errors)})}
            payloads |= backtest_chart_files(result.annual, table, loaded.name)
            payloads |= months_chart_files(result.monthly, months, loaded.name)
            written = io.write_output_set(folder, payloads)
        console = stdout_console()
        console.print(backtest_view(table, loaded.name))
        console.print(f"MAPE of the CD stock: {error:.1f}%")
        if months.empty:
            console.print("No published month-end stock, partial-year flow or cause line "
                          "falls in the run's months.")
        else:
            console.print(months_view(months, loaded.name))
            console.print(months_errors_view(errors))
            console.print(_headline_text(errors))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")


def _headline(errors: Any, quantity: str, window: str) -> Any:
    """The row of ``months_errors`` for one group, or None."""
    rows = errors[(errors["quantity"] == quantity) & (errors["window"] == window)]
    return None if rows.empty else rows.iloc[0]


def _headline_errors(errors: Any) -> dict[str, float | int | None]:
    """The month-end stock's and the flows since June's MAPE and bias, for run.json."""
    out: dict[str, float | int | None] = {}
    for key, quantity, window in (("month_end_stock", "cd_stock_bn_pkr", "month-end"),
                                  ("flow_since_june", "cd_flow_bn_pkr", "since June")):
        row = _headline(errors, quantity, window)
        out[f"{key}_points"] = 0 if row is None else int(row["points"])
        out[f"{key}_mape_pct"] = None if row is None else float(row["mape_pct"])
        out[f"{key}_bias_bn_pkr"] = None if row is None else float(row["bias_bn_pkr"])
    return out


def _headline_text(errors: Any) -> str:
    """One line: the month-end stock's and the flows since June's MAPE and bias."""
    parts = []
    for label, quantity, window in (("month-end CD stock", "cd_stock_bn_pkr", "month-end"),
                                    ("CD flow since June", "cd_flow_bn_pkr", "since June")):
        row = _headline(errors, quantity, window)
        if row is not None:
            parts.append(f"{label}: MAPE {row['mape_pct']:.1f}%, bias "
                         f"{row['bias_bn_pkr']:+,.0f} Rs bn ({int(row['points'])} points)")
    return "; ".join(parts)


def _target_column(target: str, candidates: list[str], monthly: bool) -> str:
    """The result column ``--target`` names (``cd_stock`` or ``cd_stock_bn_pkr``); a bad
    one is refused (exit 2) with the list it may be."""
    for column in (target, f"{target}_bn_pkr"):
        if column in candidates:
            return column
    where = ("a record series fitted at months (--monthly)" if monthly else
             "a published history series the model gives")
    raise bad("--target", f"{where}: {', '.join(c.removesuffix('_bn_pkr') for c in candidates)}",
              target)


def _span(fys: Any) -> str:
    """FY2019..FY2023 for a run of fiscal years, the one year alone, or 'none'."""
    names = sorted(dict.fromkeys(str(f) for f in fys))
    if not names:
        return "none"
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def _calibration_summary(fit: Any) -> str:
    """What was fitted and what was tested out of sample, in one paragraph."""
    import numpy as np

    known = fit.table[np.isfinite(fit.table["actual"].to_numpy(float))]
    fitted, left = known[known["in_fit"]], known[~known["in_fit"]]
    what = "fiscal years" if fit.layer == "annual" else "published points"
    text = (f"Fitted on {len(fitted)} {what} of {_span(fitted['fy'])}: RMSE "
            f"{fit.rmse_fit:,.1f} Rs bn. ")
    if left.empty:
        text += "Nothing published was left out, so nothing is tested out of sample."
    else:
        bias = float(left["error"].mean())
        text += (f"Out of sample, {len(left)} {what} of {_span(left['fy'])}: RMSE "
                 f"{fit.rmse_out_of_sample:,.1f} Rs bn, bias {bias:+,.1f} Rs bn.")
    return f"{text} ({fit.message})"


def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO")],
    params: Annotated[str, typer.Option("--params", metavar="KEY,KEY",
                                        help="Free inputs (decimal key paths).")],
    target: Annotated[str, typer.Option("--target", help="Series to fit: a history series "
                                        "(by fiscal year), or with --monthly a month-end "
                                        "stock or the CD flow.")] = "cd_stock",
    monthly: Annotated[bool, typer.Option(
        "--monthly", help="Fit to the published record's month-end stocks or partial-year "
        "flows of the target (src/circdebt/data/record.csv) instead of the fiscal years "
        "of the history.")] = False,
    from_fy: Annotated[str | None, typer.Option(
        "--from", "--fit-from", metavar="FY2019",
        help="First fiscal year fitted (a point's year is its last month's).")] = None,
    to_fy: Annotated[str | None, typer.Option(
        "--to", "--fit-to", metavar="FY2023",
        help="Last fiscal year fitted; the years after it test the fit out of sample.")] =
        None,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False, metavar="DIR")] =
        None,
    debug: DebugOption = False,
) -> None:
    """Fit free inputs to the packaged history by bounded least squares.

    Reports the fitted values, the fit on the chosen years and how well it predicts the
    years left out, year by year. With --monthly the target is the record's month-end
    stocks (or partial-year flows) instead of the fiscal years. Never overwrites the
    scenario: writes <name>-calibrated.toml (which extends it) with calibration.csv and
    run.json into the output folder.

    Examples:

    \b
        circdebt calibrate scenarios/history/fy2019-fy2025.toml \\
            --params losses.actual_pct --target cd_stock --from FY2019 --to FY2023
        circdebt calibrate scenarios/history/fy2019-fy2025.toml \\
            --params losses.actual_pct --target cd_stock --monthly --fit-to FY2023
    """
    import tomli_w

    import circdebt
    from circdebt import io
    from circdebt.analysis.backtest import calibrate as fit_inputs
    from circdebt.analysis.backtest import calibrated_scenario_data, calibration_targets
    from circdebt.analysis.errors import errors_by_fy
    from circdebt.cli.tables import calibration_errors_table, calibration_table
    from circdebt.data import history, record
    from circdebt.version import __version__

    with handle_errors(debug):
        check_fys("--from", from_fy)
        check_fys("--to", to_fy)
        wide = history.wide()
        column = _target_column(target, calibration_targets(list(wide.columns), monthly),
                                monthly)
        loaded = circdebt.load_scenario(scenario)
        check_fys("--from", from_fy, within=[loaded])
        check_fys("--to", to_fy, within=[loaded])
        out_dir = out if out is not None else Path("out") / f"calibrate-{loaded.name}"
        name = f"{loaded.name}-calibrated"
        with io.claim_output_folder(out_dir, io.scenario_files(scenario),
                                    (f"{name}.toml", *CALIBRATE_FILES)) as folder:
            try:
                fit = fit_inputs(loaded, [p.strip() for p in params.split(",")],
                                 wide, column, from_fy, to_fy,
                                 record=record.load() if monthly else None)
            except ValueError as exc:
                raise bad("--params/--target", "decimal inputs and a published series",
                          str(exc)) from None
            extends = os.path.relpath(Path(scenario).resolve(), out_dir.resolve())
            body = calibrated_scenario_data(io.scenario_dict(loaded), fit, extends)
            body["name"] = name
            at = "" if fit.layer == "annual" else " at the published months"
            header = (f"# Calibrated by circdebt {__version__}: {params} fitted to "
                      f"{column}{at} on {', '.join(fit.fit_fys)}.\n")
            payloads = {f"{name}.toml": header + tomli_w.dumps(body),
                        "calibration.csv": io.csv_text(fit.table),
                        "run.json": metadata_json(
                            "calibrate", parameters=fit.parameters,
                            initial=fit.initial.tolist(), fitted=fit.fitted.tolist(),
                            target=column, layer=fit.layer,
                            fit_fys=fit.fit_fys, rmse_fit=fit.rmse_fit,
                            rmse_out_of_sample=fit.rmse_out_of_sample, success=fit.success,
                            message=fit.message)}
            written = io.write_output_set(folder, payloads)
        console = stdout_console()
        console.print(calibration_table(fit))
        console.print(calibration_errors_table(errors_by_fy(fit.table), column, fit.layer))
        console.print(_calibration_summary(fit))
        say(f"outputs in {display_path(out_dir)}/ ({', '.join(p.name for p in written)})")
