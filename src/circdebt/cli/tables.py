"""The tables commands print: fiscal-year summaries, KPIs, targets, attribution, Monte
Carlo percentiles, sensitivity rankings, SEZ costs and how overdue creditors are.

Each function takes results and returns (or prints) a Rich table; nothing here runs the
model or writes files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from circdebt.results.kpis import KPIS
from circdebt.scenario.fiscal import fiscal_line
from circdebt.units import decimals as unit_decimals
from circdebt.units import unit_of

if TYPE_CHECKING:
    import pandas as pd

    from circdebt.analysis.backtest import Calibration
    from circdebt.analysis.compare import Comparison
    from circdebt.results.events import EventsResult
    from circdebt.results.result import Result

#: Summary columns: (column of ``Result.annual``, short header, long label, decimals)
SUMMARY_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("cd_stock_bn_pkr", "CD\nstock", "CD stock, FY end", 0),
    ("cd_flow_bn_pkr", "CD\nflow", "CD flow", 0),
    ("flow_excess_losses_bn_pkr", "losses", "  excess losses", 0),
    ("flow_tariff_gap_bn_pkr", "tariff\ngap", "  tariff gap", 0),
    ("flow_seasonal_timing_bn_pkr", "sea-\nson", "  seasonal timing", 0),
    ("flow_pending_adjustments_bn_pkr", "FCA/\nQTA", "  FCA/QTA pending", 0),
    ("flow_prior_year_adjustment_bn_pkr", "PYA", "  prior-year adj.", 0),
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
    "Rs/kWh sold. CD flow = excess T&D losses + tariff gap + seasonal timing of the uniform "
    "tariff + FCA/QTA determined but not yet charged + PYA (prior-year adjustment charged, "
    "negative when it recovers) + unpaid bills + TDS unpaid (tariff subsidy due but not "
    "paid) + LPS (late-payment surcharge) + PHL interest + DSS (debt "
    "servicing surcharge, negative) + budget payments + one-offs."
)


def fmt(value: float, decimals: int) -> str:
    """A number for a table: thousands separators, no minus on a zero, a dash for NaN."""
    if value != value:  # NaN: nothing sold
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.removeprefix("-") if float(text.replace(",", "")) == 0 else text


def wide_table(result: Result) -> Table:
    """One row per fiscal year, one column per quantity."""
    table = Table(title=f"{result.scenario.name}: circular debt by fiscal year",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("FY", no_wrap=True)
    for _, header, _, _ in SUMMARY_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    for _, row in result.annual.iterrows():
        table.add_row(str(row["fy"]), *(fmt(row[c], d) for c, _, _, d in SUMMARY_COLUMNS))
    return table


def tall_tables(result: Result, width: int) -> list[Table]:
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
            table.add_row(label, *(fmt(v, dec) for v in block[col]))
        tables.append(table)
    return tables


def print_summary(result: Result, console: Console) -> None:
    """Print the fiscal-year summary: one wide table, or blocks of a tall one if narrow."""
    wide = wide_table(result)
    natural = console.measure(wide, options=console.options.update_width(10_000)).maximum
    tables = [wide] if natural <= console.width else tall_tables(result, console.width)
    for table in tables:
        console.print(table)
    console.print(SUMMARY_CAPTION, style="dim", width=min(console.width, 100))


def print_fiscal_case(result: Result, console: Console) -> None:
    """The scenario's fiscal case and what it assumes of the budget (its own words, shown
    as plain text, never as markup)."""
    s = result.scenario
    console.print(Text(fiscal_line(s.fiscal_case, s.fiscal_assumptions)),
                  width=min(console.width, 100))


def print_targets(targets: pd.DataFrame, console: Console) -> None:
    """The pass/fail table of a scenario's targets, with its note (nothing if none)."""
    if targets.empty:
        return
    table = Table(title="targets", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("scenario", "target", "window", "ceiling", "result", "margin", "status"):
        table.add_column(col, justify="right" if col in ("ceiling", "result", "margin") else
                         "left")
    for _, row in targets.iterrows():
        places = unit_decimals(unit_of(str(row["column"])))
        margin = "" if row["margin"] is None or row["margin"] != row["margin"] else \
            fmt(row["margin"], places)
        table.add_row(str(row["scenario"]), str(row["target"]), str(row["window"]),
                      fmt(row["ceiling"], places), fmt(row["result"], places), margin,
                      str(row["status"]).upper())
    console.print(table)
    console.print(TARGETS_NOTE, style="dim", width=min(console.width, 100))


#: What the targets tables' numbers mean.
TARGETS_NOTE = (
    "window: a fiscal year, a quarter (FY2026-Q2) or half (FY2026-H1) of one, or a month "
    "(2025-12); a flow is summed over the window's months, a stock taken at its last "
    "month-end. margin = ceiling - result (Rs bn unless the column says otherwise); "
    "negative means the target is missed.")


def kpi_table(comparison: Comparison) -> Table:
    """KPIs of the scenarios compared, with differences from the baseline in brackets."""
    k = comparison.kpis
    fy = str(k["fy"].iloc[0])
    table = Table(title=f"scenarios compared (deltas against {comparison.baseline})",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("KPI")
    table.add_column("unit")
    for name in k["scenario"]:
        table.add_column(str(name), justify="right")
    if "fiscal_case" in k:
        table.add_row("Fiscal case", "", *(str(case) for case in k["fiscal_case"]))
    for kpi in KPIS.values():
        label, unit, decimals = kpi.title(fy), kpi.unit, unit_decimals(kpi.unit)
        cells = []
        for _, row in k.iterrows():
            text = fmt(row[kpi.name], decimals)
            if row["scenario"] != comparison.baseline:
                delta = row[f"{kpi.name}_delta"]
                text += f" ({'+' if delta >= 0 else ''}{fmt(delta, decimals)})"
            cells.append(text)
        table.add_row(label, unit, *cells)
    return table


def attribution_table(attribution: pd.DataFrame) -> Table:
    """One package's effect on the stock in the last FY, wedge by policy."""
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
        table.add_row(str(row["policy"]), str(row["type"]), fmt(row["wedge_bn_pkr"], 0),
                      f"{share:.0%}")
    table.add_row("package", "", fmt(package["wedge_bn_pkr"], 0), "100%")
    table.caption = (f"leave-one-out effects rescaled to add up to the package total; "
                     f"interaction share {package['interaction_share']:.0%}")
    return table


def paired_table(paired: pd.DataFrame, paths: int, seed: int) -> Table:
    """The last FY's CD stock difference from the baseline, P5..P95 across paths."""
    last = paired[(paired["column"] == "cd_stock_bn_pkr")
                  & (paired["fy"] == paired["fy"].iloc[-1])]
    table = Table(title=f"CD stock minus baseline, {last['fy'].iloc[0]}, across {paths:,} "
                        f"paired paths (seed {seed})", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("scenario", "p5", "p25", "p50", "p75", "p95"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for _, row in last.iterrows():
        table.add_row(str(row["scenario"]), *(fmt(row[p], 0)
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


def sensitivity_table(table: pd.DataFrame, method: str) -> Table:
    """The ranking of a tornado, Morris or Sobol analysis."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"what moves the result ({method})")
    if method == "tornado":
        cols = ["parameter", "basis", "low", "high", "kpi_at_low", "kpi_at_high", "swing"]
    elif method == "morris":
        cols = ["kpi", "rank", "parameter", "mu_star", "mu_star_conf", "sigma",
                "interval_crosses_zero"]
    else:
        cols = ["kpi", "rank", "parameter", "S1", "S1_conf", "ST", "ST_conf",
                "st_change_from_half", "interval_crosses_zero"]
    for col in cols:
        grid.add_column(col, justify="left" if col in ("parameter", "basis", "kpi") else "right")
    for _, row in table.iterrows():
        grid.add_row(*(fmt(row[c], 3 if c.startswith(("S", "st_")) else 1)
                       if isinstance(row[c], float) else str(row[c]) for c in cols))
    return grid


def print_monte_carlo(summary: dict[str, Any], console: Console) -> None:
    """Percentiles of the CD stock by FY, the probabilities of the events asked for, and
    the probability of breaching each target."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"CD stock across {summary['paths']:,} paths (Rs bn, seed "
                       f"{summary['seed']})")
    for c in ("fy", "p5", "p25", "p50", "p75", "p95"):
        grid.add_column(c, justify="left" if c == "fy" else "right")
    for row in summary["cd_stock_bn_pkr"]:
        grid.add_row(row["fy"], *(fmt(row[p], 0) for p in ("p5", "p25", "p50", "p75", "p95")))
    console.print(grid)
    last_fy = summary["cd_stock_bn_pkr"][-1]["fy"]
    for row in summary["probabilities"]:
        # thresholds asked for, and the benchmark comparisons of the last fiscal year
        if "(" not in row["event"] or f"@{last_fy} " in row["event"]:
            console.print(f"P({row['event']}) = {row['probability']:.1%}")
    if summary.get("targets"):
        console.print(target_breach_table(summary["targets"], summary["paths"]))


def target_breach_table(rows: list[dict[str, Any]], paths: int) -> Table:
    """P(breach) of each target across the paths: the share of paths whose value over
    the target's window is above its ceiling, with P5, P50 and P95 of that value."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"targets across {paths:,} paths",
                 caption="P(breach): share of paths above the ceiling over the window")
    for c in ("target", "window", "ceiling", "P(breach)", "p5", "p50", "p95"):
        grid.add_column(c, justify="left" if c in ("target", "window") else "right")
    for row in rows:
        p, places = row["breach_probability"], unit_decimals(unit_of(str(row["column"])))
        if p is None or p != p:  # outside the horizon
            grid.add_row(str(row["target"]), str(row["window"]),
                         fmt(row["ceiling"], places), str(row["status"]), "", "", "")
            continue
        grid.add_row(str(row["target"]), str(row["window"]), fmt(row["ceiling"], places),
                     f"{p:.1%}", *(fmt(row[q], places) for q in ("p5", "p50", "p95")))
    return grid


def overdue_table(events: EventsResult) -> Table:
    """How overdue each creditor's payables are in the last month (event engine)."""
    from circdebt.results.events import overdue_by_creditor

    table = overdue_by_creditor(events)
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"how overdue each creditor is ({events.aging['month'].iloc[-1]})")
    for c in ("creditor", "payables Rs bn", "> 90 days", "> 365 days", "DPO days"):
        grid.add_column(c, justify="left" if c == "creditor" else "right")
    for _, row in table.iterrows():
        grid.add_row(row["creditor"], fmt(row["payables_bn_pkr"], 0),
                     f"{row['over_90_days_pct']:.0f}%", f"{row['over_365_days_pct']:.0f}%",
                     fmt(row["days_payables_outstanding"], 0))
    return grid


def sez_table(table: pd.DataFrame) -> Table:
    """What a kWh costs an SEZ manufacturer: items down, scenario and FY across."""
    wide = table.pivot_table(index="item", columns=["scenario", "fy"], values="value",
                             sort=False)
    grid = Table(title="what a kWh costs an SEZ manufacturer (US cents/kWh)",
                 box=box.SIMPLE_HEAD, pad_edge=False)
    grid.add_column("")
    for column in wide.columns:
        scenario_name, year = column[0], column[1]
        grid.add_column(f"{scenario_name}\n{year}", justify="right")
    for item, values in wide.iterrows():
        label = SEZ_LABELS.get(str(item), str(item).replace("gap_to_", "gap to "))
        decimals = 0 if item == "sez_load_gwh" else 2
        grid.add_row(label, *(fmt(v, decimals) for v in values))
    return grid


def sweep_table(table: pd.DataFrame, axes: list[str], paths: int, scenario: str) -> Table:
    """The first 40 points of a sweep: swept inputs and the end and cumulative stock."""
    view = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"sweep of {scenario}: {len(table)} points")
    shown = [c for c in table.columns if c in axes or c.startswith(
        ("cd_stock_end", "cd_flow_cumulative")) and (paths == 1 or "_p50" in c)]
    for c in shown:
        view.add_column(c, justify="right")
    for _, row in table.head(40).iterrows():
        view.add_row(*(fmt(float(row[c]), 2 if c in axes else 0) for c in shown))
    return view


def backtest_view(table: pd.DataFrame, scenario: str) -> Table:
    """Modelled against actual, per fiscal year and quantity."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"{scenario}: modelled vs actual (Rs bn)")
    for c in ("fy", "quantity", "modelled", "actual", "error", "error %"):
        grid.add_column(c, justify="left" if c in ("fy", "quantity") else "right")
    for _, row in table.iterrows():
        grid.add_row(row["fy"], row["quantity"], fmt(row["modelled_bn_pkr"], 0),
                     fmt(row["actual_bn_pkr"], 0), fmt(row["error_bn_pkr"], 0),
                     fmt(row["error_pct"], 1))
    return grid


def months_view(table: pd.DataFrame, scenario: str) -> Table:
    """Modelled against published, per month-end stock, partial-year flow and cause
    line (:func:`circdebt.analysis.backtest.months_table`)."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"{scenario}: the months, modelled vs published (Rs bn)")
    for c in ("period", "quantity", "window", "modelled", "published", "error", "error %"):
        grid.add_column(c, justify="left" if c in ("period", "quantity", "window") else
                        "right")
    for _, row in table.iterrows():
        grid.add_row(str(row["period"]), str(row["quantity"]), str(row["window"]),
                     fmt(row["modelled_bn_pkr"], 0), fmt(row["published_bn_pkr"], 0),
                     fmt(row["error_bn_pkr"], 0), fmt(row["error_pct"], 1))
    return grid


def months_errors_view(errors: pd.DataFrame) -> Table:
    """MAPE, bias and mean absolute error of the months by group
    (:func:`circdebt.analysis.errors.months_errors`)."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="errors by month-end, flow and "
                 "cause line", caption="bias = mean of modelled - published (positive: the "
                 "model runs high); MAPE over points with a non-zero published value")
    for c in ("quantity", "window", "points", "MAPE %", "bias Rs bn", "MAE Rs bn"):
        grid.add_column(c, justify="left" if c in ("quantity", "window") else "right")
    for _, row in errors.iterrows():
        grid.add_row(str(row["quantity"]), str(row["window"]), str(int(row["points"])),
                     fmt(row["mape_pct"], 1), fmt(row["bias_bn_pkr"], 0),
                     fmt(row["mae_bn_pkr"], 0))
    return grid


def calibration_table(fit: Calibration) -> Table:
    """The fitted inputs: initial and fitted values."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="fitted inputs")
    for c in ("input", "initial", "fitted"):
        grid.add_column(c, justify="left" if c == "input" else "right")
    for key, a, b in zip(fit.parameters, fit.initial, fit.fitted, strict=True):
        grid.add_row(key, fmt(float(a), 3), fmt(float(b), 3))
    return grid


def calibration_errors_table(errors: pd.DataFrame, column: str, layer: str) -> Table:
    """A calibration's errors by fiscal year, fitted or out of sample
    (:func:`circdebt.analysis.errors.errors_by_fy`)."""
    at = "" if layer == "annual" else " (the published month-ends and parts of years)"
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                 title=f"{column}: errors by fiscal year{at}, fitted and out of sample")
    for c in ("fy", "used", "points", "RMSE Rs bn", "bias Rs bn"):
        grid.add_column(c, justify="left" if c in ("fy", "used") else "right")
    for _, row in errors.iterrows():
        grid.add_row(str(row["fy"]), "fit" if row["in_fit"] else "out of sample",
                     str(int(row["points"])), fmt(row["rmse"], 1), fmt(row["bias"], 1))
    return grid
