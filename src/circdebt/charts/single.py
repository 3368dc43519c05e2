"""Charts of one run: the debt stock, its flows by cause, capacity payments, tariff vs
cost recovery, payables by creditor and the SEZ cost per kWh."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from circdebt.charts.style import (
    DARK_GREY,
    GREY,
    LIGHT_GREY,
    PALETTE,
    RC,
    TEXT,
    annual_of,
    footnote_text,
    fy_ticks,
    fy_year,
    legend_right,
    name_of,
    need_columns,
    new_figure,
    one_decimal,
    stack_legend,
    stacked_bars,
    thousands,
)
from circdebt.model.sez import COMPONENTS
from circdebt.results.result import Result
from circdebt.results.tables import FLOW_COLUMNS
from circdebt.units import axis_label, unit_of

#: Flow causes: (label, colour, hatch), in stacking order.
CAUSE_STYLE: dict[str, tuple[str, str, str]] = {
    "flow_excess_losses_bn_pkr": ("excess T&D losses", "#E69F00", ""),
    "flow_tariff_gap_bn_pkr": ("tariff gap (cost above tariff)", "#56B4E9", ""),
    "flow_seasonal_timing_bn_pkr": ("seasonal timing of the uniform tariff", "#A6D6F0", ".."),
    "flow_pending_adjustments_bn_pkr": ("FCA/QTA not yet charged", "#56B4E9", "//"),
    "flow_prior_year_adjustment_bn_pkr": ("prior-year adjustment", "#56B4E9", "\\\\"),
    "flow_under_recovery_bn_pkr": ("unpaid bills", "#009E73", ""),
    "flow_subsidy_shortfall_bn_pkr": ("unpaid tariff subsidy", "#F0E442", ""),
    "flow_sez_package_bn_pkr": ("unfunded SEZ package", "#CC79A7", "//"),
    "flow_lps_bn_pkr": ("late-payment surcharge", "#D55E00", ""),
    "flow_phl_interest_bn_pkr": ("interest on PHL debt", "#CC79A7", ""),
    "flow_dss_bn_pkr": ("debt servicing surcharge", "#0072B2", ""),
    "flow_budget_payments_bn_pkr": ("budget payments", "#4D4D4D", ""),
    "flow_policy_one_offs_bn_pkr": ("policy one-offs", "#BBBBBB", "xx"),
}

#: SEZ cost components: (label, colour, hatch), in stacking order.
SEZ_STYLE: dict[str, tuple[str, str, str]] = {
    "energy": ("energy (fuel, O&M)", "#0072B2", ""),
    "capacity_used": ("capacity used", "#56B4E9", ""),
    "capacity_idle": ("idle capacity", "#E69F00", ""),
    "transmission_distribution": ("transmission & distribution", "#009E73", ""),
    "allowed_losses": ("allowed T&D losses", "#F0E442", ""),
    "tariff_lag": ("tariff lag", "#BBBBBB", ""),
    "cross_subsidy": ("cross-subsidy", "#CC79A7", ""),
    "package_support": ("SEZ package", "#CC79A7", "//"),
    "legacy_debt_dss": ("legacy debt (DSS)", "#D55E00", ""),
    "taxes": ("taxes and duties", "#4D4D4D", ""),
}

#: Creditor classes as people write them (others: underscores become spaces).
CREDITOR_LABELS = {
    "public": "public-sector plants", "renewable_ipp": "renewable IPPs",
    "cpec_ipp": "CPEC IPPs", "ipp": "other IPPs", "genco": "GENCOs",
    "transmission": "transmission (NTDC)", "net_metering": "net-metering prosumers",
}

#: The chart set ``run --charts`` and ``chart --kind all`` write, in order.
STANDARD_KINDS = ("stock", "flows", "capacity", "tariff", "payables", "sez")


# --------------------------------------------------------------------------- one scenario


def stock_chart(
    data: Result | pd.DataFrame, *, scenario: str | None = None,
    monthly: pd.DataFrame | None = None, history: pd.DataFrame | None = None,
) -> Figure:
    """The circular-debt stock at the end of each fiscal year.

    Parameters
    ----------
    data
        A Result, or its annual table (``fy``, ``cd_stock_bn_pkr``, optionally
        ``cd_stock_pct_gdp``).
    scenario
        Scenario name for the footnote (default: the Result's).
    monthly
        The monthly table (``month``, ``cd_stock_bn_pkr``, ``cd_flow_bn_pkr``): drawn
        as a thin month-end line from the opening stock. Taken from a Result if not given.
    history
        Historical actuals to overlay: ``fy`` (``"FY2020"`` or 2020), ``cd_stock_bn_pkr``
        and optionally ``source``. [Rs bn, stock at 30 June]
    """
    annual = annual_of(data)
    need_columns(annual, ["cd_stock_bn_pkr"])
    name = name_of(data, scenario)
    if monthly is None and isinstance(data, Result):
        monthly = data.monthly
    years = np.array([fy_year(f) for f in annual["fy"]])
    stock = annual["cd_stock_bn_pkr"].to_numpy(float)
    note = "Circular debt: payables to power producers + GENCO fuel payables + debt parked " \
           "in Power Holding Ltd - CPPA-G cash."
    if history is not None and "source" in history.columns:
        sources = "; ".join(dict.fromkeys(str(s) for s in history["source"].dropna()))
        note += f" Actuals: {sources}." if sources else ""
    with mpl.rc_context(RC):
        fig = new_figure(
            "Circular debt of the power sector",
            f"{axis_label('cd_stock_bn_pkr')}, stock at the end of each fiscal year (30 June)",
            footnote_text([name], note))
        ax = fig.add_subplot()
        left = float(years.min()) - 1.0
        if monthly is not None and {"month", "cd_stock_bn_pkr", "cd_flow_bn_pkr"} <= set(
                monthly.columns) and len(monthly):
            months = pd.PeriodIndex(monthly["month"], freq="M")
            mx: np.ndarray = np.asarray(months.year + months.month / 12.0 - 0.5)
            opening = monthly["cd_stock_bn_pkr"].iloc[0] - monthly["cd_flow_bn_pkr"].iloc[0]
            mx = np.concatenate([[mx[0] - 1 / 12.0], mx])
            my = np.concatenate([[opening], monthly["cd_stock_bn_pkr"].to_numpy(float)])
            ax.plot(mx, my, color=PALETTE[0], linewidth=0.9, alpha=0.45, label="month end",
                    gid="cd_stock_monthly")
            ax.fill_between(mx, 0, my, color=PALETTE[0], alpha=0.08, linewidth=0)
            left = min(left, float(mx[0]))
        else:
            ax.fill_between(years, 0, stock, color=PALETTE[0], alpha=0.08, linewidth=0)
        ax.plot(years, stock, color=PALETTE[0], linewidth=2.4, marker="o", markersize=5,
                label=f"{name or 'scenario'} (projection)", gid="cd_stock")
        all_years = list(years)
        if history is not None and len(history):
            need_columns(history, ["fy", "cd_stock_bn_pkr"])
            hy = np.array([fy_year(f) for f in history["fy"]])
            hv = history["cd_stock_bn_pkr"].to_numpy(float)
            ax.plot(hy, hv, color=TEXT, linewidth=1.8, linestyle="--", marker="s",
                    markersize=4.5, markerfacecolor="white", label="actual", gid="history")
            all_years = sorted(set(all_years) | set(hy.tolist()))
        last = len(stock) - 1
        label = f"Rs {stock[last]:,.0f} bn"
        if "cd_stock_pct_gdp" in annual.columns:
            label += f"\n{annual['cd_stock_pct_gdp'].iloc[last]:.1f}% of GDP"
        ax.annotate(label, (years[last], stock[last]), xytext=(-8, 8),
                    textcoords="offset points", ha="right", va="bottom", fontsize=9,
                    fontweight="bold", color=PALETTE[0])
        fy_ticks(ax, range(min(all_years), max(all_years) + 1))
        ax.set_xlim(min(left, min(all_years) - 1.0) - 0.15, max(all_years) + 0.4)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylabel(axis_label("cd_stock_bn_pkr"))
        ax.set_xlabel("fiscal year (July to June, named after the year it ends in)")
        ax.margins(y=0.14)
        low = min(0.0, float(np.nanmin(stock)))
        ax.set_ylim(bottom=low)
        ax.legend(loc="upper left")
    return fig


def flows_chart(data: Result | pd.DataFrame, *, scenario: str | None = None) -> Figure:
    """What changes the debt each fiscal year: one stacked bar per FY, causes that add
    to the debt above zero and those that reduce it below, the net change as a line.

    Causes that are zero in every year are left out. Bar heights are the ``flow_*``
    columns of the annual table. [Rs bn per FY]
    """
    annual = annual_of(data)
    need_columns(annual, ["cd_flow_bn_pkr", *FLOW_COLUMNS])
    name = name_of(data, scenario)
    years = np.array([fy_year(f) for f in annual["fy"]])
    series = {c: (annual[c].to_numpy(float), *CAUSE_STYLE[c]) for c in FLOW_COLUMNS
              if np.nanmax(np.abs(annual[c].to_numpy(float)), initial=0.0) > 1e-9}
    with mpl.rc_context(RC):
        fig = new_figure(
            "What adds to the circular debt, and what takes it away",
            f"{axis_label('cd_flow_bn_pkr')} per fiscal year; above zero: causes that add to "
            "the debt, below zero: payments that reduce it. Line: net change in the stock.",
            footnote_text([name], "The causes add up to the net change in every month."),
            size=(10.0, 5.6))
        ax = fig.add_subplot()
        stacked_bars(ax, years, series)
        ax.axhline(0, color=DARK_GREY, linewidth=0.9)
        ax.plot(years, annual["cd_flow_bn_pkr"].to_numpy(float), color=TEXT, linewidth=1.6,
                marker="D", markersize=5.5, markerfacecolor="white", markeredgewidth=1.5,
                label="net change in the debt", gid="cd_flow", zorder=5)
        fy_ticks(ax, years)
        ax.margins(y=0.08)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylabel(axis_label("cd_flow_bn_pkr") + " per year")
        legend_right(ax, *stack_legend(ax, series, first=["net change in the debt"]))
    return fig


def capacity_chart(data: Result | pd.DataFrame, *, scenario: str | None = None) -> Figure:
    """Capacity payments by FY, and the capacity charge per kWh against units sold.

    The model does not record utilisation (units generated over units available), so
    the right panel uses units sold as its stand-in: the same capacity payments spread
    over fewer units make a higher charge per kWh. [Rs bn; Rs/kWh; GWh]
    """
    annual = annual_of(data)
    cols = ["capacity_payments_bn_pkr", "capacity_charge_pkr_per_kwh", "units_sold_gwh"]
    need_columns(annual, cols)
    name = name_of(data, scenario)
    years = np.array([fy_year(f) for f in annual["fy"]])
    pay = annual["capacity_payments_bn_pkr"].to_numpy(float)
    charge = annual["capacity_charge_pkr_per_kwh"].to_numpy(float)
    sold = annual["units_sold_gwh"].to_numpy(float)
    with mpl.rc_context(RC):
        fig = new_figure(
            "Capacity payments and what they add to each kWh sold",
            "Left: capacity payments due to generators. Right: capacity charge per kWh "
            "sold against units sold (utilisation is not recorded; units sold stand in "
            "for it).",
            footnote_text([name], "Capacity charge = capacity payments / units sold to "
                          "grid consumers."),
            size=(10.0, 5.0))
        left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
        bars = left.bar(years, pay, 0.68, color=PALETTE[0], label="capacity payments")
        left.bar_label(bars, labels=[thousands(v) for v in pay], fontsize=7, padding=2,
                       color=DARK_GREY)
        fy_ticks(left, years)
        left.yaxis.set_major_formatter(FuncFormatter(thousands))
        left.set_ylabel(axis_label("capacity_payments_bn_pkr") + " per year")
        left.set_title("Capacity payments")
        right.plot(sold, charge, color=LIGHT_GREY, linewidth=0.9, linestyle=":", zorder=2)
        right.plot(sold, charge, linestyle="none", marker="o", markersize=7,
                   color=PALETTE[1], markeredgecolor="white", markeredgewidth=0.8, zorder=3,
                   gid="capacity_charge")
        labelled = range(len(years)) if len(years) <= 15 else {0, len(years) - 1}
        for i in labelled:
            right.annotate(f"FY{years[i] % 100:02d}", (sold[i], charge[i]), xytext=(6, 0),
                           textcoords="offset points", va="center", fontsize=7.5,
                           color=DARK_GREY)
        right.margins(x=0.12, y=0.1)
        right.grid(True, axis="both")
        right.xaxis.set_major_formatter(FuncFormatter(thousands))
        right.set_xlabel(f"units sold [{unit_of('units_sold_gwh')} per year]")
        right.set_ylabel(axis_label("capacity_charge_pkr_per_kwh") + " sold")
        right.set_title("Capacity charge vs units sold")
    return fig


def tariff_chart(data: Result | pd.DataFrame, *, scenario: str | None = None) -> Figure:
    """The average notified tariff against the cost-recovery level, and the gap.

    Top: both per kWh sold; bottom: tariff minus cost (negative: tariffs recover less
    than cost at the allowed losses, which adds to the debt). [Rs/kWh]
    """
    annual = annual_of(data)
    need_columns(annual, ["avg_tariff_pkr_per_kwh", "cost_recovery_pkr_per_kwh"])
    name = name_of(data, scenario)
    years = np.array([fy_year(f) for f in annual["fy"]])
    tariff = annual["avg_tariff_pkr_per_kwh"].to_numpy(float)
    cost = annual["cost_recovery_pkr_per_kwh"].to_numpy(float)
    gap = tariff - cost
    with mpl.rc_context(RC):
        fig = new_figure(
            "Average tariff against the cost-recovery level",
            f"{axis_label('avg_tariff_pkr_per_kwh')} sold, by fiscal year. Cost recovery: "
            "the sector's cost at the allowed T&D losses per kWh sold.",
            footnote_text([name], "Tariff = what notified tariffs recover (billed + subsidy "
                          "due) per kWh sold."))
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.25])
        top.plot(years, cost, color=PALETTE[3], linewidth=2.2, linestyle="--", marker="s",
                 markersize=4, label="cost-recovery level", gid="cost_recovery")
        top.plot(years, tariff, color=PALETTE[0], linewidth=2.2, marker="o", markersize=4.5,
                 label="average notified tariff", gid="avg_tariff")
        top.fill_between(years, tariff, cost, where=cost > tariff, interpolate=True,
                         color=PALETTE[3], alpha=0.18, linewidth=0,
                         label="shortfall (adds to the debt)")
        top.set_ylabel(axis_label("avg_tariff_pkr_per_kwh"))
        top.yaxis.set_major_formatter(FuncFormatter(one_decimal))
        top.legend(loc="upper left")
        colours = [PALETTE[3] if g < 0 else PALETTE[2] for g in np.nan_to_num(gap)]
        bottom.bar(years, np.nan_to_num(gap), 0.6, color=colours, label="tariff minus cost")
        bottom.axhline(0, color=DARK_GREY, linewidth=0.8)
        bottom.set_ylabel("tariff - cost\n[Rs/kWh]")
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:+.2f}".replace(
            "+0.00", "0").replace("-0.00", "0")))
        lim = max(0.1, float(np.nanmax(np.abs(gap), initial=0.0)) * 1.25)
        bottom.set_ylim(-lim, lim)
        fy_ticks(bottom, years)
    return fig


def payables_chart(data: Result | pd.DataFrame, *, scenario: str | None = None) -> Figure:
    """Payables to power producers and other creditors, by creditor class, at each FY
    end (columns ``payables_<creditor>_bn_pkr``). [Rs bn]"""
    annual = annual_of(data)
    cols = [c for c in annual.columns if c.startswith("payables_") and c != "payables_bn_pkr"]
    if not cols:
        raise ValueError("the table has no payables_<creditor>_bn_pkr columns")
    name = name_of(data, scenario)
    years = np.array([fy_year(f) for f in annual["fy"]])
    series = {}
    for i, c in enumerate(cols):
        values = annual[c].to_numpy(float)
        if np.nanmax(np.abs(values), initial=0.0) <= 1e-9:
            continue
        creditor = c.removeprefix("payables_").removesuffix("_bn_pkr")
        label = CREDITOR_LABELS.get(creditor, creditor.replace("_", " "))
        series[c] = (values, label, PALETTE[i % len(PALETTE)], "")
    total = sum((v for v, *_ in series.values()), np.zeros(len(years)))
    with mpl.rc_context(RC):
        fig = new_figure(
            "Who is owed: payables by creditor class",
            f"{axis_label('payables_bn_pkr')}, unpaid dues of CPPA-G at the end of each "
            "fiscal year (30 June)",
            footnote_text([name], "Payables are the largest part of the circular debt; "
                          "GENCO fuel payables and PHL debt are not shown."))
        ax = fig.add_subplot()
        containers = stacked_bars(ax, years, series)
        if containers and len(years) <= 15:
            ax.bar_label(containers[-1], labels=[thousands(t) for t in total], fontsize=7.5,
                         padding=2, color=DARK_GREY)
        if not series:  # every creditor paid in full at every fiscal-year end
            ax.plot(years, total, color=DARK_GREY, linewidth=1.0)
            ax.text(0.5, 0.5, "no payables outstanding at any fiscal-year end",
                    transform=ax.transAxes, ha="center", va="center", color=DARK_GREY)
        fy_ticks(ax, years)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylabel(axis_label("payables_bn_pkr"))
        legend_right(ax, *stack_legend(ax, series))
    return fig


def _benchmark_rows(benchmarks: Iterable[Any]) -> list[dict[str, Any]]:
    rows = []
    for b in benchmarks:
        get = b.get if isinstance(b, Mapping) else lambda k, b=b: getattr(b, k, None)
        rows.append({"country": str(get("country")),
                     "tariff_usc_per_kwh": float(get("tariff_usc_per_kwh") or "nan"),
                     "year": get("year"), "source": get("source") or ""})
    return rows


def sez_chart(
    data: Result | pd.DataFrame, *, scenario: str | None = None,
    benchmarks: Iterable[Any] | None = None, fys: Sequence[str] | None = None,
) -> Figure:
    """What a kWh costs a manufacturer in a Special Economic Zone, stacked by component,
    with regional industrial tariffs as reference lines.

    Parameters
    ----------
    data
        A Result or its annual table (``sez_<component>_usc_per_kwh`` for each of
        :data:`circdebt.sez.COMPONENTS`, and ``sez_total_usc_per_kwh``).
    benchmarks
        Objects or mappings with ``country``, ``tariff_usc_per_kwh``, ``year`` (e.g.
        ``scenario.sez.benchmarks``; taken from a Result if not given). [US cents/kWh]
    fys
        Fiscal years to show (default: all).
    """
    annual = annual_of(data)
    need_columns(annual, ["sez_total_usc_per_kwh", *(f"sez_{c}_usc_per_kwh" for c in COMPONENTS)])
    name = name_of(data, scenario)
    if benchmarks is None and isinstance(data, Result):
        benchmarks = data.scenario.sez.benchmarks
    bench = _benchmark_rows(benchmarks or [])
    if fys:
        annual = annual[annual["fy"].isin(list(fys))]
    years = np.array([fy_year(f) for f in annual["fy"]])
    series = {c: (annual[f"sez_{c}_usc_per_kwh"].to_numpy(float), *SEZ_STYLE[c])
              for c in COMPONENTS
              if np.nanmax(np.abs(annual[f"sez_{c}_usc_per_kwh"].to_numpy(float)),
                           initial=0.0) > 1e-9}
    total = annual["sez_total_usc_per_kwh"].to_numpy(float)
    with mpl.rc_context(RC):
        fig = new_figure(
            "What a kWh costs a manufacturer in a Special Economic Zone",
            f"{axis_label('sez_total_usc_per_kwh')}, average of each fiscal year, by "
            "component; below zero: components that lower the bill"
            + ("; dashed: industrial tariffs elsewhere" if bench else ""),
            footnote_text([name], "Components add up to the total." + (
                " Benchmarks: the scenario's sez.benchmarks, whose sources and caveats "
                "(industrial tariff or average, year) are listed there and in the report."
                if bench else "")),
            size=(10.0, 5.6))
        ax = fig.add_subplot()
        stacked_bars(ax, years, series)
        ax.axhline(0, color=DARK_GREY, linewidth=0.9)
        ax.plot(years, total, linestyle="none", marker="D", markersize=5.5,
                markerfacecolor="white", markeredgewidth=1.5, color=TEXT, label="total",
                gid="sez_total", zorder=5)
        if len(years) <= 15:
            tops = sum((np.clip(np.nan_to_num(v), 0, None) for v, *_ in series.values()),
                       np.zeros(len(years)))
            for x, t, top in zip(years, total, tops, strict=True):
                ax.annotate(f"{t:.1f}", (x, top), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, fontweight="bold",
                            color=TEXT)
        fy_ticks(ax, years)
        ax.yaxis.set_major_formatter(FuncFormatter(one_decimal))
        ax.set_ylabel(axis_label("sez_total_usc_per_kwh"))
        ax.margins(y=0.08)
        if bench:
            _benchmark_lines(ax, years, bench)
        legend_right(ax, *stack_legend(ax, series, first=["total"]))
    return fig


def _benchmark_lines(ax: Any, years: np.ndarray, bench: list[dict[str, Any]]) -> None:
    """Dashed reference lines over the bars, labelled in a blank zone to their right
    (labels nudged apart where values are close)."""
    labels = [f"{b['country']} ({b['year']}): {b['tariff_usc_per_kwh']:.1f}" for b in bench]
    n_units = float(years.max() - years.min()) + 1.2
    label_in = 0.058 * max(len(t) for t in labels) + 0.2  # [inches] at 7.5 pt
    extra = label_in * n_units / max(6.6 - label_in, 1.0)  # axes about 6.6 in wide
    x0, x1 = years.min() - 0.6, years.max() + 0.5
    for b in bench:
        v = b["tariff_usc_per_kwh"]
        ax.plot([x0, x1], [v, v], color=TEXT, linestyle=(0, (4, 2.5)), linewidth=1.0,
                alpha=0.85, zorder=4, gid=f"benchmark:{b['country']}",
                label=f"_benchmark:{b['country']}")
    ax.set_xlim(x0, x1 + extra)
    values = np.array([b["tariff_usc_per_kwh"] for b in bench])
    low, high = ax.get_ylim()
    gap = (high - low) * 0.04
    placed: list[float] = []
    for i in np.argsort(values):
        y = values[i] if not placed else max(values[i], placed[-1] + gap)
        placed.append(y)
        ax.annotate(labels[i], (x1, values[i]), xytext=(x1 + 0.12, y),
                    textcoords="data", va="center", ha="left", fontsize=7.5, color=TEXT,
                    arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6,
                                "shrinkA": 0, "shrinkB": 0} if abs(y - values[i]) > 1e-9
                    else None)


#: Chart kind -> function of (result or annual table, scenario=..., ...).
KINDS = {"stock": stock_chart, "flows": flows_chart, "capacity": capacity_chart,
         "tariff": tariff_chart, "payables": payables_chart, "sez": sez_chart}


def standard_charts(
    data: Result | pd.DataFrame, *, scenario: str | None = None,
    monthly: pd.DataFrame | None = None, benchmarks: Iterable[Any] | None = None,
    history: pd.DataFrame | None = None, kinds: Sequence[str] = STANDARD_KINDS,
) -> dict[str, Figure]:
    """The standard chart set of one run, by kind (see :data:`STANDARD_KINDS`)."""
    figures = {}
    for kind in kinds:
        if kind == "stock":
            figures[kind] = stock_chart(data, scenario=scenario, monthly=monthly,
                                        history=history)
        elif kind == "sez":
            figures[kind] = sez_chart(data, scenario=scenario, benchmarks=benchmarks)
        else:
            figures[kind] = KINDS[kind](data, scenario=scenario)
    return figures
