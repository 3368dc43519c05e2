"""Files commands write besides a run's tables: charts, Monte Carlo percentiles, the
event engine's tables. Each builder calls the API and returns ``{file name: text or
bytes}`` for :func:`circdebt.io.write_output_set`; nothing is written here.
"""

from __future__ import annotations

import io as _bytes
from typing import TYPE_CHECKING, Any

from circdebt.cli.common import bad, max_memory_gb, progress, status
from circdebt.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from circdebt.results.events import EventsResult
    from circdebt.results.result import Result
    from circdebt.scenario.schema import Scenario

Payloads = dict[str, str | bytes]


def chart_files(result: Result, formats: tuple[str, ...] = ("png", "svg", "pdf"),
                dpi: int = 200, quiet: bool = False) -> Payloads:
    """The standard chart set of a run (the stock chart with the packaged history of the
    debt as actuals)."""
    from circdebt import charts
    from circdebt.report import cd_stock_history

    with status("drawing charts…", quiet):
        figures = charts.standard_charts(result, history=cd_stock_history())
        return dict(charts.chart_payloads(figures, formats, dpi))


def check_paths_fit(scenario: Scenario, paths: int) -> None:
    """Refuse (exit 2, naming --paths) a Monte Carlo run that would not fit in the memory
    allowed (``CIRCDEBT_MAX_MEMORY_GB``)."""
    from circdebt.analysis.montecarlo import check_memory

    try:
        check_memory(scenario, paths, limit_gb=max_memory_gb())
    except ValueError as exc:
        raise bad("--paths", "a number of paths that fits in memory", str(exc)) from None


def monte_carlo_files(scenario: Scenario, paths: int, seed: int, thresholds: list[str],
                      quiet: bool) -> tuple[Payloads, dict[str, Any]]:
    """Run ``paths`` Monte Carlo paths; return (files to write, summary for --json).

    Files: annual_pct.csv, monthly_pct.csv, thresholds.csv (threshold events and
    P(SEZ cost above each benchmark)), target_breaches.csv (when the scenario declares
    targets: P(breach) of each over its window), paths.parquet (per-path KPIs and draws)
    and a fan chart of the CD stock.
    """
    import pandas as pd

    from circdebt import charts
    from circdebt.analysis.montecarlo import Threshold, run_monte_carlo
    from circdebt.io import csv_text, table_records

    try:
        events = [Threshold.parse(t) for t in thresholds]
    except ValueError as exc:
        raise bad("--threshold", "COLUMN>VALUE@FYyyyy", str(exc)) from None
    try:
        mc = run_monte_carlo(scenario, paths, seed, progress=progress(quiet, "paths"),
                             max_memory_gb=max_memory_gb())
    except ScenarioError:  # a drawn, swept or shocked value out of range
        raise
    except ValueError as exc:  # the run would not fit in memory
        raise bad("--paths", "a number of paths that fits in memory", str(exc)) from None
    rows = []
    for event in events:
        try:
            rows.append({"event": str(event), "probability": mc.probability(event)})
        except KeyError as exc:
            raise bad("--threshold", "a column kept per path and an FY in the horizon",
                      str(exc)) from None
    probabilities = pd.concat([pd.DataFrame(rows, columns=["event", "probability"]),
                               mc.benchmark_probabilities()], ignore_index=True)
    annual_pct = mc.annual_percentiles()
    buffer = _bytes.BytesIO()
    mc.path_kpis().to_parquet(buffer, index=False)
    stock = annual_pct[annual_pct["variable"] == "cd_stock_bn_pkr"]
    fig = charts.fan_chart(stock, variable="cd_stock_bn_pkr", scenario=scenario.name,
                           paths=paths)
    payloads: Payloads = {"annual_pct.csv": csv_text(annual_pct),
                          "monthly_pct.csv": csv_text(mc.monthly_percentiles()),
                          "thresholds.csv": csv_text(probabilities),
                          "paths.parquet": buffer.getvalue()}
    payloads |= charts.chart_payloads({"fan-cd-stock": fig}, formats=("png", "svg"))
    summary = {"paths": paths, "seed": seed,
               "cd_stock_bn_pkr": table_records(stock.drop(columns="variable")),
               "probabilities": table_records(probabilities)}
    if scenario.targets:
        breaches = mc.target_breaches()
        payloads["target_breaches.csv"] = csv_text(breaches)
        summary["targets"] = table_records(breaches)
    return payloads, summary


def events_files(scenario: Scenario) -> tuple[EventsResult, Payloads]:
    """Run the event engine; return (its result, files: aging, LPS by age, DPO, subsidy
    releases, overdue by creditor, and a chart of aging by creditor)."""
    from circdebt import charts
    from circdebt.api import run_events
    from circdebt.io import csv_text
    from circdebt.results.events import overdue_by_creditor

    events = run_events(scenario)
    payloads: Payloads = {"aging.csv": csv_text(events.aging),
                          "lps_by_age.csv": csv_text(events.lps_by_age),
                          "dpo.csv": csv_text(events.dpo),
                          "subsidy_releases.csv": csv_text(events.releases),
                          "overdue_by_creditor.csv": csv_text(overdue_by_creditor(events))}
    payloads |= charts.chart_payloads(
        {"aging": charts.aging_chart(events.aging, scenario.name)}, formats=("png", "svg"))
    return events, payloads


def sensitivity_chart_files(table: pd.DataFrame, method: str, kpi: str,
                            scenario: str) -> Payloads:
    """The tornado chart, or bars of the Morris/Sobol indices, as PNG and SVG."""
    from circdebt import charts

    column, _, fy = kpi.partition("@")
    if method == "tornado":
        data = table.rename(columns={"kpi_at_low": "low_value", "kpi_at_high": "high_value"})
        data["low_label"] = [f"{v:,.4g}" for v in table["low"]]
        data["high_label"] = [f"{v:,.4g}" for v in table["high"]]
        fig = charts.tornado_chart(data, baseline_value=float(table["kpi_base"].iloc[0]),
                                   variable=column, scenario=scenario,
                                   title=f"What moves {column} in {fy}")
    else:
        fig = charts.index_chart(table[table["kpi"] == kpi], method, kpi, scenario)
    return dict(charts.chart_payloads({"sensitivity": fig}, formats=("png", "svg"),
                                      prefix="chart-"))


def backtest_chart_files(annual: pd.DataFrame, table: pd.DataFrame, scenario: str) -> Payloads:
    """Modelled CD stock with the published figures as points, as PNG and SVG."""
    from circdebt import charts

    history = table[table["quantity"] == "cd_stock_bn_pkr"][["fy", "actual_bn_pkr"]]
    history = history.rename(columns={"actual_bn_pkr": "cd_stock_bn_pkr"})
    fig = charts.stock_chart(annual, scenario=scenario, history=history)
    return dict(charts.chart_payloads({"backtest": fig}, formats=("png", "svg"),
                                      prefix="chart-"))


def months_chart_files(monthly: pd.DataFrame, points: pd.DataFrame, scenario: str) -> Payloads:
    """The model's month-end stocks with the published month-end figures as points, as
    PNG and SVG."""
    from circdebt import charts

    fig = charts.months_chart(monthly, points, scenario=scenario)
    return dict(charts.chart_payloads({"backtest-monthly": fig}, formats=("png", "svg"),
                                      prefix="chart-"))
