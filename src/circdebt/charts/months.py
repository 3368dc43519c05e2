"""The model against the published record by month: month-end stocks as lines, the
published month-end figures as points (``circdebt backtest``)."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from circdebt.charts.style import (
    PALETTE,
    RC,
    footnote_text,
    fy_ticks,
    legend_right,
    need_columns,
    new_figure,
    thousands,
)
from circdebt.units import axis_label

#: Month-end stocks of :func:`months_chart`: (label, colour), in drawing order.
MONTHS_STYLE: dict[str, tuple[str, str]] = {
    "cd_stock_bn_pkr": ("CD stock", PALETTE[0]),
    "payables_bn_pkr": ("payables to producers", PALETTE[1]),
    "phl_debt_bn_pkr": ("debt parked in PHL", PALETTE[2]),
    "genco_fuel_payables_bn_pkr": ("GENCO fuel payables", PALETTE[3]),
}


def month_end_x(months: Iterable[str]) -> np.ndarray:
    """Positions of month-ends on a fiscal-year axis: the end of June 2025 at 2025.0
    (FY2025's end), the end of July 2025 at 2025 + 1/12."""
    periods = pd.PeriodIndex(list(months), freq="M")
    return np.asarray(periods.year + periods.month / 12.0 - 0.5, dtype=float)


def months_chart(monthly: pd.DataFrame, points: pd.DataFrame, *,
                 scenario: str | None = None) -> Figure:
    """The model's month-end stocks as lines, the published month-end figures as points.

    Parameters
    ----------
    monthly
        A run's monthly table (``month`` and the stock columns of :data:`MONTHS_STYLE`).
    points
        :func:`circdebt.analysis.backtest.months_table`: its ``stock`` rows (``quantity``,
        ``period``, ``published_bn_pkr``) are drawn. A stock series is drawn only where
        it has a published point. [Rs bn]
    scenario
        Scenario name for the footnote.
    """
    need_columns(monthly, ["month"])
    need_columns(points, ["kind", "quantity", "period", "published_bn_pkr"])
    stocks = points[points["kind"] == "stock"]
    shown = [s for s in MONTHS_STYLE if s in set(stocks["quantity"]) and s in monthly.columns]
    x = month_end_x(monthly["month"])
    with mpl.rc_context(RC):
        fig = new_figure(
            "Circular debt by month: the model against the published record",
            f"{axis_label('cd_stock_bn_pkr')}, month-end stocks: the model as lines, the "
            "Power Division's published figures as points",
            footnote_text([scenario or ""], "Published: Power Division circular-debt "
                          "reports and statements as reported (src/circdebt/data/"
                          "record.csv, with sources)."))
        ax = fig.add_subplot()
        for series in shown:
            label, colour = MONTHS_STYLE[series]
            ax.plot(x, monthly[series].to_numpy(float), color=colour,
                    linewidth=2.0 if series == "cd_stock_bn_pkr" else 1.2,
                    label=f"{label}, model", gid=f"model:{series}")
            mine = stocks[stocks["quantity"] == series]
            ax.plot(month_end_x(mine["period"]), mine["published_bn_pkr"].to_numpy(float),
                    linestyle="none", marker="s" if series == "cd_stock_bn_pkr" else "o",
                    markersize=5, markerfacecolor="white", markeredgecolor=colour,
                    markeredgewidth=1.4, label=f"{label}, published",
                    gid=f"published:{series}")
        if len(x):
            years = range(int(np.floor(x.min())) + 1, int(np.ceil(x.max())) + 1)
            fy_ticks(ax, list(years))
            ax.set_xlim(float(x.min()) - 0.1, float(x.max()) + 0.1)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylabel(axis_label("cd_stock_bn_pkr"))
        ax.set_xlabel("fiscal year (July to June, named after the year it ends in)")
        ax.set_ylim(bottom=0.0)
        legend_right(ax)
    return fig
