"""Charts of uncertainty: fan charts of Monte Carlo percentiles and tornado charts of
one-at-a-time sensitivities. They take tables (shapes in each docstring), so any
Monte Carlo or sensitivity code that produces those tables can use them."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from circdebt.charts.style import (
    DARK_GREY,
    PALETTE,
    RC,
    TEXT,
    footnote_text,
    fy_ticks,
    fy_year,
    need_columns,
    new_figure,
    one_decimal,
    thousands,
)
from circdebt.units import axis_label, variables

#: Columns a fan chart needs, one row per fiscal year (or month).
FAN_COLUMNS = ("p5", "p25", "p50", "p75", "p95")


def fan_chart(
    percentiles: pd.DataFrame, *, variable: str = "cd_stock_bn_pkr", scenario: str = "",
    central: pd.Series | Sequence[float] | None = None, title: str | None = None,
    paths: int | None = None,
) -> Figure:
    """A fan chart of a Monte Carlo output: P5-P95 and P25-P75 bands and the median.

    Parameters
    ----------
    percentiles
        One row per period, in time order: ``fy`` (``"FY2030"``) or ``month``
        (``"2030-06"``), and the percentiles ``p5``, ``p25``, ``p50``, ``p75``, ``p95``
        of ``variable`` across paths. [unit of ``variable``] A long table with a
        ``variable`` column holding several outputs (as
        ``MonteCarloResult.annual_percentiles()`` returns) is filtered to ``variable``.
    variable
        The output column the percentiles are of (its unit labels the axis).
    central
        Optional deterministic run of the same scenario, drawn as a dashed line.
    paths
        Number of Monte Carlo paths, for the footnote.
    """
    need_columns(percentiles, FAN_COLUMNS)
    if "variable" in percentiles.columns:
        percentiles = percentiles[percentiles["variable"] == variable]
        if percentiles.empty:
            raise ValueError(f"the percentile table has no rows for variable {variable!r}")
    if "fy" in percentiles.columns:
        x = np.array([fy_year(f) for f in percentiles["fy"]], float)
        monthly = False
    elif "month" in percentiles.columns:
        months = pd.PeriodIndex(percentiles["month"], freq="M")
        x = np.asarray(months.year + months.month / 12.0 - 0.5, float)
        monthly = True
    else:
        raise ValueError("the percentile table needs a 'fy' or a 'month' column")
    p = {c: percentiles[c].to_numpy(float) for c in FAN_COLUMNS}
    note = f"{paths:,} Monte Carlo paths." if paths else "Monte Carlo paths."
    with mpl.rc_context(RC):
        fig = new_figure(
            title or f"Uncertainty: {_describe(variable)}",
            f"{axis_label(variable)}; bands: 5th-95th and 25th-75th percentiles across "
            "paths, line: median", footnote_text([scenario], note))
        ax = fig.add_subplot()
        ax.fill_between(x, p["p5"], p["p95"], color=PALETTE[0], alpha=0.18, linewidth=0,
                        label="P5-P95", gid="band_p5_p95")
        ax.fill_between(x, p["p25"], p["p75"], color=PALETTE[0], alpha=0.38, linewidth=0,
                        label="P25-P75", gid="band_p25_p75")
        ax.plot(x, p["p50"], color=PALETTE[0], linewidth=2.2, label="median", gid="median")
        if central is not None:
            ax.plot(x, np.asarray(central, float), color=TEXT, linewidth=1.4,
                    linestyle="--", label="deterministic run", gid="central")
        if monthly:
            years = sorted({int(np.floor(v + 0.5)) for v in x})
            fy_ticks(ax, years)
        else:
            fy_ticks(ax, x.astype(int))
        ax.yaxis.set_major_formatter(FuncFormatter(thousands if np.nanmax(np.abs(p["p95"]),
                                                                           initial=0) >= 100
                                                   else one_decimal))
        ax.set_ylabel(axis_label(variable))
        ax.legend(loc="upper left")
    return fig


def _describe(column: str) -> str:
    known = variables().get(column)
    return known.description.split(":")[0] if known else column


#: Columns a tornado chart needs, one row per uncertain input.
TORNADO_COLUMNS = ("parameter", "low_value", "high_value")


def tornado_chart(
    sensitivity: pd.DataFrame, *, baseline_value: float | None = None,
    variable: str = "cd_stock_bn_pkr",
    scenario: str = "", title: str | None = None, max_bars: int = 15,
) -> Figure:
    """A tornado chart: how far one output moves when each input goes to its low and its
    high value, the others held at their central values.

    Parameters
    ----------
    sensitivity
        One row per input: ``parameter`` (its label), ``low_value`` and ``high_value``
        (the output with the input at its low and its high value), and optionally
        ``low_label`` and ``high_label`` (the input values, e.g. ``"12%"``).
        [unit of ``variable``] The table ``circdebt.sensitivity.tornado`` returns
        (``kpi_at_low``, ``kpi_at_high``, ``kpi_base``, ``low``, ``high``) is read as
        such: its input values become the labels.
    baseline_value
        The output with every input at its central value (default: ``kpi_base``).
        [unit of ``variable``]
    variable
        The output column (its unit labels the axis).

    Bars are sorted by swing, widest on top; at most ``max_bars`` are drawn.
    """
    sensitivity = _tornado_columns(sensitivity)
    need_columns(sensitivity, TORNADO_COLUMNS)
    if baseline_value is None:
        if "kpi_base" not in sensitivity.columns:
            raise ValueError("give baseline_value (or a 'kpi_base' column)")
        baseline_value = float(sensitivity["kpi_base"].iloc[0])
    table = sensitivity.assign(
        swing=(sensitivity["high_value"] - sensitivity["low_value"]).abs())
    table = table.sort_values("swing", ascending=False, kind="stable").head(max_bars)
    y = np.arange(len(table))[::-1]
    low = table["low_value"].to_numpy(float)
    high = table["high_value"].to_numpy(float)
    height = 1.9 + 0.36 * len(table)
    with mpl.rc_context(RC):
        fig = new_figure(
            title or f"What moves the result most: {_describe(variable)}",
            f"{axis_label(variable)}; each bar: the result with one input at its low (blue) "
            f"or high (orange) value, the others central. Centre line: {baseline_value:,.0f}",
            footnote_text([scenario]), size=(10.0, max(3.8, height)))
        ax = fig.add_subplot()
        lo_bars = ax.barh(y, low - baseline_value, 0.62, left=baseline_value,
                          color=PALETTE[0], label="input at its low value")
        hi_bars = ax.barh(y, high - baseline_value, 0.62, left=baseline_value,
                          color=PALETTE[1], label="input at its high value")
        for bars, col in ((lo_bars, "low_label"), (hi_bars, "high_label")):
            if col in table.columns:
                ax.bar_label(bars, labels=[str(v) for v in table[col]], padding=3,
                             fontsize=7.5, color=DARK_GREY)
        ax.axvline(baseline_value, color=TEXT, linewidth=1.1)
        ax.set_yticks(y, [str(p) for p in table["parameter"]])
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_xlabel(axis_label(variable))
        span = max(np.nanmax(np.abs(np.r_[low, high] - baseline_value), initial=0.0), 1e-9)
        ax.set_xlim(baseline_value - 1.25 * span, baseline_value + 1.25 * span)
        ax.legend(loc="lower right")
    return fig


def _tornado_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Read the column names of ``circdebt.sensitivity.tornado`` as this chart's."""
    renamed = table.rename(columns={"kpi_at_low": "low_value", "kpi_at_high": "high_value"})
    for side in ("low", "high"):
        if f"{side}_label" not in renamed.columns and side in renamed.columns:
            renamed[f"{side}_label"] = [f"{v:g}" for v in renamed[side]]
    return renamed


def index_chart(table: pd.DataFrame, method: str, kpi: str, scenario: str = "") -> Figure:
    """Horizontal bars of Morris mu* or Sobol total and first-order indices, with their
    95% intervals (``table``: the rows of one KPI of
    :func:`circdebt.analysis.sensitivity.global_sensitivity`)."""
    with mpl.rc_context(RC):
        fig = new_figure(
            f"What moves {kpi}", f"{method.capitalize()} indices, 95% intervals; "
            "hatched where the interval reaches zero",
            footnote_text([scenario], "Sensitivity analysis with SALib."),
            size=(8.0, 1.6 + 0.35 * len(table)))
        ax = fig.add_subplot()
        rows = table.iloc[::-1]
        y = np.arange(len(rows))
        if method == "morris":
            ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color=PALETTE[0],
                    hatch=["//" if c else "" for c in rows["interval_crosses_zero"]])
            unit = axis_label(kpi.partition("@")[0])
            ax.set_xlabel(f"mu* (mean absolute elementary effect) [{unit}]")
        else:
            hatch = ["//" if c else "" for c in rows["interval_crosses_zero"]]
            ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total",
                    color=PALETTE[0], hatch=hatch)
            ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order",
                    color=PALETTE[1], hatch=hatch)
            ax.set_xlabel("share of output variance")
            ax.legend(frameon=False, loc="lower right")
        ax.set_yticks(y, rows["parameter"])
    return fig
