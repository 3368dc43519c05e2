"""What a report says: the narrative, KPI rows, key inputs, policies and the figures,
gathered from finished runs (no model runs here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from circdebt import charts
from circdebt.analysis.compare import Comparison, check_targets, compare
from circdebt.results.kpis import KPIS
from circdebt.results.result import Result
from circdebt.results.tables import FLOW_COLUMNS
from circdebt.scenario.fiscal import fiscal_line
from circdebt.units import decimals as unit_decimals
from circdebt.units import unit_of

CHART_CAPTIONS = {
    "stock": "Circular-debt stock at the end of each fiscal year",
    "flows": "What adds to the debt and what reduces it, by fiscal year",
    "capacity": "Capacity payments, and the capacity charge per kWh against units sold",
    "tariff": "Average notified tariff against the cost-recovery level",
    "payables": "Payables by creditor class",
    "sez": "What a kWh costs an SEZ manufacturer, by component",
    "compare_stock": "Circular-debt paths of the scenarios",
    "compare_kpis": "Headline numbers with differences from the baseline",
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")




@dataclass
class Report:
    """Everything a report shows, before it is written as HTML or PDF."""

    title: str
    comparison: Comparison
    narrative: list[str]
    figures: list[tuple[str, str, Figure]]  # (section, caption, figure)
    generated: str = ""  # when the report was made (UTC, ISO 8601); the caller's clock

    @property
    def results(self) -> list[Result]:
        return self.comparison.results

    @property
    def names(self) -> list[str]:
        return list(self.comparison.kpis["scenario"])


# --------------------------------------------------------------------------- content


def _money(value: float) -> str:
    return f"Rs {value:,.0f} bn"


def _value(value: float, unit: str) -> str:
    if unit == "Rs bn":
        return _money(value)
    if unit in ("Rs/kWh", "USc/kWh", "% of GDP", "USD bn"):
        return f"{value:,.2f} {unit}".replace(" % of GDP", "% of GDP")
    return f"{value:,.0f} {unit}".strip()


def scenario_paragraph(result: Result, name: str, baseline: Result | None = None,
                       baseline_name: str = "") -> str:
    """A few sentences on one run's key numbers (plain text)."""
    annual, monthly = result.annual, result.monthly
    last = annual.iloc[-1]
    fy_first, fy_last = str(annual["fy"].iloc[0]), str(last["fy"])
    opening = float(monthly["cd_stock_bn_pkr"].iloc[0] - monthly["cd_flow_bn_pkr"].iloc[0])
    start = pd.Period(str(monthly["month"].iloc[0]), freq="M") - 1
    end = float(last["cd_stock_bn_pkr"])
    verb = "rises" if end > opening else "falls" if end < opening else "stays"
    text = (f"Under {name}, the circular debt {verb} from {_money(opening)} at the end of "
            f"{_MONTHS[start.month - 1]} {start.year} to {_money(end)} by the end of "
            f"{fy_last} ({last['cd_stock_pct_gdp']:.1f}% of GDP, US${last['cd_stock_bn_usd']:,.1f}"
            " bn).")
    if baseline is not None:
        base_end = float(baseline.annual["cd_stock_bn_pkr"].iloc[-1])
        delta = end - base_end
        if abs(delta) < 0.5:
            text += f" That is the same as under {baseline_name}."
        else:
            share = f" ({delta / base_end:+.0%})" if base_end > 0 else ""
            text += (f" That is {_money(abs(delta))} {'less' if delta < 0 else 'more'} than "
                     f"under {baseline_name}{share}.")
    years = annual["months"].sum() / 12.0
    avg = float(annual["cd_flow_bn_pkr"].sum() / years)
    text += (f" On average the debt {'grows' if avg >= 0 else 'shrinks'} by "
             f"{_money(abs(avg))} a year.")
    totals = {c: float(annual[c].sum()) for c in FLOW_COLUMNS}
    adds = max(totals, key=lambda c: totals[c])
    takes = min(totals, key=lambda c: totals[c])
    if totals[adds] > 0.5:
        text += (f" Over {fy_first}-{fy_last} the largest addition is "
                 f"{charts.CAUSE_STYLE[adds][0]} ({_money(totals[adds])} in total)")
        if totals[takes] < -0.5:
            text += (f", while {charts.CAUSE_STYLE[takes][0]} takes out "
                     f"{_money(-totals[takes])}")
        text += "."
    tariff, cost = last["avg_tariff_pkr_per_kwh"], last["cost_recovery_pkr_per_kwh"]
    if np.isfinite(tariff) and np.isfinite(cost):
        text += (f" In {fy_last} capacity payments come to "
                 f"{_money(last['capacity_payments_bn_pkr'])}, Rs "
                 f"{last['capacity_charge_pkr_per_kwh']:.2f} per kWh sold; the average tariff "
                 f"of Rs {tariff:.2f}/kWh {'covers' if tariff >= cost else 'falls short of'} "
                 f"the cost-recovery level of Rs {cost:.2f}/kWh.")
    targets = check_targets(result)
    judged = targets[targets["status"].isin(["pass", "fail"])]
    if len(judged):
        met = int((judged["status"] == "pass").sum())
        text += f" It meets {met} of its {len(judged)} target{'s' * (len(judged) != 1)}"
        missed = judged[judged["status"] == "fail"]
        if len(missed):
            unit = unit_of
            parts = [f"{r['target']} ({r['window']}: {_value(r['result'], unit(r['column']))} "
                     f"against a ceiling of {_value(r['ceiling'], unit(r['column']))})"
                     for _, r in missed.iterrows()]
            text += "; it misses " + "; ".join(parts)
        text += "."
    return text


def narrative(comparison: Comparison) -> list[str]:
    """The report's opening: one paragraph per scenario (plain text, not escaped)."""
    names = list(comparison.kpis["scenario"])
    base_i = names.index(comparison.baseline)
    base = comparison.results[base_i]
    paragraphs = [scenario_paragraph(base, names[base_i])]
    for i, (result, name) in enumerate(zip(comparison.results, names, strict=True)):
        if i != base_i:
            paragraphs.append(scenario_paragraph(result, name, base, names[base_i]))
    if len(names) > 2:
        k = comparison.kpis.set_index("scenario")["cd_stock_end_bn_pkr"]
        paragraphs.append(
            f"Of the {len(names)} scenarios, {k.idxmin()} ends with the smallest debt "
            f"({_money(k.min())}) and {k.idxmax()} with the largest ({_money(k.max())}).")
    return paragraphs


def build_report(
    results: Sequence[Result], baseline: int = 0, *, fy: str | None = None,
    history: pd.DataFrame | None = None, title: str | None = None, generated: str = "",
) -> Report:
    """Gather a report from finished runs (deltas against ``results[baseline]``).

    ``history`` (``fy``, ``cd_stock_bn_pkr``, optionally ``source``) is overlaid on each
    stock chart as actuals; :func:`cd_stock_history` gives the packaged one.
    """
    comparison = compare(list(results), baseline=baseline, fy=fy)
    names = list(comparison.kpis["scenario"])
    figures: list[tuple[str, str, Figure]] = []
    if len(results) > 1:
        figures.append(("Scenarios compared", CHART_CAPTIONS["compare_stock"],
                        charts.compare_stock_chart(comparison.annual,
                                                   baseline=comparison.baseline)))
        figures.append(("Scenarios compared", CHART_CAPTIONS["compare_kpis"],
                        charts.compare_kpis_chart(comparison.kpis,
                                                  baseline=comparison.baseline)))
    for result, name in zip(results, names, strict=True):
        for kind, fig in charts.standard_charts(result, scenario=name,
                                                history=history).items():
            figures.append((name, CHART_CAPTIONS[kind], fig))
    if title is None:
        title = ("Circular debt: " + names[0] if len(names) == 1 else
                 f"Circular debt: {comparison.baseline} and {len(names) - 1} other "
                 f"scenario{'s' * (len(names) > 2)}")
    return Report(title, comparison, narrative(comparison), figures, generated)


def cd_stock_history() -> pd.DataFrame | None:
    """The published circular-debt stock of past fiscal years (:mod:`circdebt.data.history`)
    as the stock chart takes it: ``fy``, ``cd_stock_bn_pkr`` [Rs bn, 30 June] and
    ``source`` (whose figure it is); ``None`` if the packaged history is unavailable."""
    from circdebt.data import history

    tidy = history.load()
    rows = tidy[tidy["series"] == "cd_stock_bn_pkr"]
    if rows.empty:
        return None
    return pd.DataFrame({"fy": rows["fy"].to_numpy(),
                         "cd_stock_bn_pkr": rows["value"].astype(float).to_numpy(),
                         "source": rows["basis"].to_numpy()})


def _series_text(value: Any, unit: str = "") -> str:
    """A scenario series (a number or a schedule / growth table) in a few words."""
    if isinstance(value, int | float):
        return f"{value:g}{unit}"
    schedule = getattr(value, "schedule", None)
    if schedule:
        items = list(schedule.items())
        first, last = items[0], items[-1]
        if len(items) == 1:
            return f"{first[1]:g}{unit}"
        return f"{first[1]:g}{unit} ({first[0]}) to {last[1]:g}{unit} ({last[0]})"
    initial = getattr(value, "initial", None)
    growth = getattr(value, "growth_pct_per_year", None)
    text = f"{initial:g}{unit}" if initial is not None else "?"
    return text + (f", {growth:+g}% a year" if growth else "")


def _subsidy_text(s) -> str:
    """How the budget pays the tariff subsidy, in words."""
    sub = s.subsidy
    if sub.release_by_month_pct is None:
        return f"{sub.payment_pct:g}% of what is due, {sub.lag_months} months late"
    start = s.time.fiscal_year_start_month
    first_half = sum(sub.release_by_month_pct[(start - 1 + i) % 12] for i in range(6))
    return (f"on a release calendar: {first_half:.1f}% of each fiscal year's budget released "
            "in its first half; arrears paid when released")


def key_inputs(result: Result) -> list[tuple[str, str]]:
    """The inputs a reader asks about first, as (label, text) rows."""
    s, annual = result.scenario, result.annual
    first, last = annual.iloc[0], annual.iloc[-1]
    classes = s.demand.classes
    plants = s.supply.plants
    rows = [
        ("Fiscal case", fiscal_line(s.fiscal_case, s.fiscal_assumptions)
         .removeprefix("Fiscal case: ")),
        ("Horizon", f"{s.time.start} to {s.time.end} ({annual['fy'].iloc[0]}-"
                    f"{annual['fy'].iloc[-1]})"),
        ("Exchange rate (FY average)", f"Rs {first['fx_pkr_per_usd']:,.1f} per US$ in "
         f"{first['fy']}, Rs {last['fx_pkr_per_usd']:,.1f} in {last['fy']}"),
        ("KIBOR (FY average)", f"{first['kibor_pct']:.2f}% in {first['fy']}, "
         f"{last['kibor_pct']:.2f}% in {last['fy']}"),
        ("T&D losses, actual", _series_text(s.losses.actual_pct, "%")),
        ("T&D losses, allowed by NEPRA", _series_text(s.losses.allowed_pct, "%")),
        ("Bill collection (recovery) by class",
         ", ".join(f"{c.name} {c.recovery_pct:g}%" for c in classes)),
        ("Tariff adjustments passed through", f"{s.tariff.pass_through_pct:g}% (FCA lag "
         f"{s.tariff.fca_lag_months} months, rebasing in {_MONTHS[s.tariff.rebasing_month - 1]}"
         ")"),
        ("Tariff subsidy paid by the budget", _subsidy_text(s)),
        ("Generation", f"{len(plants)} plant groups, {sum(p.capacity_mw for p in plants):,.0f}"
                       " MW contracted"),
        ("Opening stocks", f"payables {_money(sum(s.initial.payables_bn_pkr.values()))}, "
         f"PHL debt {_money(s.initial.phl_debt_bn_pkr)}, GENCO fuel payables "
         f"{_money(s.initial.genco_fuel_payables_bn_pkr)}"),
        ("Cash shared among creditors", s.settlement.allocation.replace("_", " ")),
    ]
    if s.sez.zones:
        rows.append(("SEZ zones", f"{len(s.sez.zones)} zones, realisation: "
                                  f"{s.sez.realisation}"))
    uncertain = getattr(s, "uncertainty", None)
    if uncertain:
        rows.append(("Uncertain inputs", ", ".join(uncertain)))
    return rows


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_param_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_param_text(v)}" for k, v in value.items())
    return str(value)


def policy_rows(result: Result) -> list[dict[str, str]]:
    """One row per policy: name, type, start, phase-in, parameters, source."""
    common = {"name", "type", "start", "phase_in_months", "source"}
    rows = []
    for p in result.scenario.policies:
        data = p.model_dump()
        params = "; ".join(f"{k} = {_param_text(v)}" for k, v in data.items()
                           if k not in common and v not in (None, [], {}, ""))
        rows.append({"name": p.name or "(unnamed)", "type": p.type, "start": p.start,
                     "phase_in": f"{p.phase_in_months} months", "parameters": params,
                     "source": p.source or "(none given)"})
    return rows


def kpi_rows(comparison: Comparison) -> list[list[str]]:
    """The KPI table as text: label, unit, one cell per scenario (delta in brackets)."""
    k = comparison.kpis
    fy = str(k["fy"].iloc[0])
    rows = []
    for kpi in KPIS.values():
        decimals = unit_decimals(kpi.unit)
        cells = []
        for _, row in k.iterrows():
            value, delta = row[kpi.name], row[f"{kpi.name}_delta"]
            text = "-" if not np.isfinite(value) else f"{value:,.{decimals}f}"
            if row["scenario"] != comparison.baseline and np.isfinite(delta):
                text += f" ({delta:+,.{decimals}f})"
            cells.append(text)
        rows.append([kpi.title(fy), kpi.unit, *cells])
    return rows
