"""Charts of several scenarios side by side: debt paths and headline numbers."""

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
    legend_right,
    need_columns,
    new_figure,
    one_decimal,
    thousands,
)
from circdebt.results.kpis import KPIS
from circdebt.units import axis_label, unit_of


def compare_stock_chart(annual: pd.DataFrame, *, baseline: str | None = None) -> Figure:
    """Circular-debt paths of several scenarios (``Comparison.annual``: ``scenario``,
    ``fy``, ``cd_stock_bn_pkr``). The baseline is drawn in black. [Rs bn, 30 June]"""
    need_columns(annual, ["scenario", "fy", "cd_stock_bn_pkr"])
    names = list(dict.fromkeys(annual["scenario"]))
    baseline = baseline if baseline in names else names[0]
    others = [n for n in names if n != baseline]
    with mpl.rc_context(RC):
        fig = new_figure(
            "Circular debt under each scenario",
            f"{axis_label('cd_stock_bn_pkr')}, stock at the end of each fiscal year; "
            f"black: {baseline}",
            footnote_text(names), size=(10.0, 5.6))
        ax = fig.add_subplot()
        all_years: set[int] = set()
        for i, n in enumerate([baseline, *others]):
            rows = annual[annual["scenario"] == n]
            years = np.array([fy_year(f) for f in rows["fy"]])
            all_years |= set(years.tolist())
            is_base = n == baseline
            colour = TEXT if is_base else PALETTE[(i - 1) % len(PALETTE)]
            ax.plot(years, rows["cd_stock_bn_pkr"].to_numpy(float), color=colour,
                    linewidth=2.8 if is_base else 1.8, marker="o", markersize=3.5,
                    label=n, gid=f"cd_stock:{n}", zorder=4 if is_base else 3)
        ax.axhline(0, color=DARK_GREY, linewidth=0.8)
        fy_ticks(ax, sorted(all_years))
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylabel(axis_label("cd_stock_bn_pkr"))
        legend_right(ax)
    return fig


#: The KPIs :func:`compare_kpis_chart` shows by default.
DEFAULT_KPIS = ("cd_stock_end_bn_pkr", "cd_stock_end_pct_gdp", "cd_flow_avg_annual_bn_pkr",
                "capacity_charge_pkr_per_kwh")


def compare_kpis_chart(
    kpis: pd.DataFrame, *, baseline: str | None = None, which: Sequence[str] = DEFAULT_KPIS,
) -> Figure:
    """Headline numbers side by side, one panel per KPI, each bar labelled with its value
    and its difference from the baseline (``Comparison.kpis``)."""
    need_columns(kpis, ["scenario", *which])
    names = list(kpis["scenario"])
    baseline = baseline if baseline in names else names[0]
    fy = str(kpis["fy"].iloc[0]) if "fy" in kpis.columns else ""
    n = len(which)
    ncols = min(n, 2)
    nrows = int(np.ceil(n / ncols))
    height = 1.6 + nrows * (0.5 + 0.34 * len(names))
    with mpl.rc_context(RC):
        fig = new_figure(
            "Headline numbers by scenario",
            f"Bars: value; in brackets: difference from {baseline}. Per-kWh numbers are for "
            f"{fy}, debt at the end of the horizon." if fy else
            f"Bars: value; in brackets: difference from {baseline}.",
            footnote_text(names), size=(10.0, max(3.6, height)))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        y = np.arange(len(names))[::-1]
        for ax, kpi in zip(axes, which, strict=False):
            values = kpis[kpi].to_numpy(float)
            base = float(kpis.loc[kpis["scenario"] == baseline, kpi].iloc[0])
            colours = [TEXT if s == baseline else PALETTE[0] for s in names]
            bars = ax.barh(y, values, 0.62, color=colours, label=kpi)
            decimals = 2 if abs(base) < 100 else 0
            labels = []
            for s, v in zip(names, values, strict=True):
                text = f"{v:,.{decimals}f}"
                if s != baseline:
                    text += f" ({v - base:+,.{decimals}f})"
                labels.append(text)
            ax.bar_label(bars, labels=labels, padding=3, fontsize=7.5, color=DARK_GREY)
            ax.set_yticks(y, names)
            ax.grid(True, axis="x")
            ax.grid(False, axis="y")
            ax.axvline(0, color=DARK_GREY, linewidth=0.8)
            lo, hi = min(0.0, np.nanmin(values)), max(0.0, np.nanmax(values))
            span = hi - lo or 1.0
            ax.set_xlim(lo - (0.3 * span if lo < 0 else 0), hi + 0.42 * span)
            known = KPIS.get(kpi)
            title = known.title(fy) if known else kpi
            ax.set_title(f"{title} [{known.unit if known else unit_of(kpi)}]", fontsize=9.5)
            ax.xaxis.set_major_formatter(FuncFormatter(thousands if decimals == 0
                                                       else one_decimal))
        for ax in axes[n:]:
            ax.set_visible(False)
    return fig
