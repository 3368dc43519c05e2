"""Cross-field rules a schema cannot express, checked before every run.

Each ``check_*`` function returns a list of :class:`~circdebt.errors.Problem`; they
never raise, so a user sees every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from circdebt.errors import Problem, did_you_mean
from circdebt.scenario.contracts import (
    COMPONENT_CAPACITY_KEYS,
    DEBT_COMPONENT_KEYS,
    LEGACY_CAPACITY_KEYS,
)
from circdebt.scenario.fields import NotAFraction, Range
from circdebt.scenario.policies import DebtRefinancing
from circdebt.scenario.ranges import fraction_hint, marked, series_values
from circdebt.scenario.schema import SEZ_CLASS, Scenario
from circdebt.scenario.series import SeriesSpec
from circdebt.timeline import (
    MAX_MONTHS,
    anchor_month,
    fiscal_year_of,
    fy_label,
    is_fy,
    month_number,
)


def check_time(s: Scenario, file: str) -> list[Problem]:
    start, end = month_number(s.time.start), month_number(s.time.end)
    if end < start:
        return [Problem(file, "time.end", f"a month on or after time.start ({s.time.start})",
                        repr(s.time.end))]
    if end - start + 1 > MAX_MONTHS:
        return [Problem(file, "time.end", f"a horizon of at most {MAX_MONTHS} months",
                        f"{end - start + 1} months")]
    return []


def _unique(names: Iterable[str], key: str, file: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, name in enumerate(names):
        if name in seen:
            problems.append(Problem(file, f"{key}[{i}].name", "a unique name", repr(name)))
        seen.add(name)
    return problems


def check_names(s: Scenario, file: str) -> list[Problem]:
    """Plant and class names are unique; references point at things that exist."""
    problems = _unique((p.name for p in s.supply.plants), "supply.plants", file)
    problems += _unique((c.name for c in s.demand.classes), "demand.classes", file)
    problems += _unique((z.name for z in s.sez.zones), "sez.zones", file)
    for i, c in enumerate(s.demand.classes):
        if c.name == SEZ_CLASS:
            problems.append(Problem(file, f"demand.classes[{i}].name",
                                    f"a name other than {SEZ_CLASS!r}, which is reserved for "
                                    "the load of [[sez.zones]]", repr(c.name)))
    fuels = set(s.exogenous.fuels)
    creditors = {p.creditor for p in s.supply.plants}
    classes = {c.name for c in s.demand.classes}
    for i, plant in enumerate(s.supply.plants):
        if plant.fuel is not None and plant.fuel not in fuels:
            problems.append(Problem(
                file, f"supply.plants[{i}].fuel",
                f"a fuel defined under exogenous.fuels ({', '.join(sorted(fuels)) or 'none'})",
                repr(plant.fuel), did_you_mean(plant.fuel, fuels)))
    for name in s.exogenous.shocks.fuels:
        if name not in fuels:
            problems.append(Problem(
                file, f"exogenous.shocks.fuels.{name}", "a fuel defined under exogenous.fuels",
                repr(name), did_you_mean(name, fuels)))
    for creditor in s.initial.payables_bn_pkr:
        if creditor not in creditors:
            problems.append(Problem(
                file, f"initial.payables_bn_pkr.{creditor}",
                f"a creditor class of some plant group ({', '.join(sorted(creditors))})",
                repr(creditor), did_you_mean(creditor, creditors)))
    for creditor in s.debt.lps:
        if creditor not in creditors:
            problems.append(Problem(
                file, f"debt.lps.{creditor}", "a creditor class of some plant group",
                repr(creditor), did_you_mean(creditor, creditors)))
    if s.settlement.allocation == "cpec_revolving" and \
            s.settlement.revolving_creditor not in creditors:
        problems.append(Problem(
            file, "settlement.revolving_creditor", "a creditor class of some plant group",
            repr(s.settlement.revolving_creditor),
            did_you_mean(s.settlement.revolving_creditor, creditors)))
    for creditor in s.settlement.events.grace_days_by_creditor:
        if creditor not in creditors:
            problems.append(Problem(
                file, f"settlement.events.grace_days_by_creditor.{creditor}",
                "a creditor class of some plant group", repr(creditor),
                did_you_mean(creditor, creditors)))
    for i, creditor in enumerate(s.settlement.priority):
        if creditor not in creditors:
            problems.append(Problem(
                file, f"settlement.priority[{i}]", "a creditor class of some plant group",
                repr(creditor), did_you_mean(creditor, creditors)))
    for i, zone in enumerate(s.sez.zones):
        if not month_number(s.time.start) - 600 <= month_number(zone.start) <= \
                month_number(s.time.end) + 600:
            problems.append(Problem(file, f"sez.zones[{i}].start",
                                    "a month within 50 years of the horizon", repr(zone.start)))
    problems += check_voltages(s, file)
    for name in s.demand.rooftop_solar.class_shares_pct:
        if name not in classes:
            problems.append(Problem(
                file, f"demand.rooftop_solar.class_shares_pct.{name}", "a consumer class name",
                repr(name), did_you_mean(name, classes)))
    shares = s.demand.rooftop_solar.class_shares_pct
    if shares and abs(sum(shares.values()) - 100.0) > 1e-6:
        problems.append(Problem(file, "demand.rooftop_solar.class_shares_pct",
                                "shares summing to 100", f"{sum(shares.values()):g}"))
    if s.demand.rooftop_solar.capacity_mw + s.demand.rooftop_solar.additions_mw_per_year > 0 \
            and not shares:
        problems.append(Problem(file, "demand.rooftop_solar.class_shares_pct",
                                "which classes host rooftop solar (shares in percent)", "none"))
    return problems


def check_voltages(s: Scenario, file: str) -> list[Problem]:
    """Voltage levels have unique names; a class's or the SEZ's ``voltage`` names one."""
    levels = s.cost_of_service.voltage_levels
    problems = _unique((v.name for v in levels), "cost_of_service.voltage_levels", file)
    names = {v.name for v in levels}
    wanted = [(f"demand.classes[{i}].voltage", c.voltage)
              for i, c in enumerate(s.demand.classes)] + [("sez.voltage", s.sez.voltage)]
    for key, voltage in wanted:
        if voltage is not None and voltage not in names:
            problems.append(Problem(
                file, key, "a level named under [[cost_of_service.voltage_levels]] ("
                + (", ".join(sorted(names)) or "none defined") + ")", repr(voltage),
                did_you_mean(voltage, names)))
    return problems


def _fy_tables(s: Scenario) -> dict[str, dict[str, float]]:
    """The scenario's tables keyed by fiscal year, by key path."""
    return {
        "budget.cppa_payments_bn_pkr_per_fy": s.budget.cppa_payments_bn_pkr_per_fy,
        "budget.phl_payments_bn_pkr_per_fy": s.budget.phl_payments_bn_pkr_per_fy,
        "subsidy.budget_cap_bn_pkr_per_fy": s.subsidy.budget_cap_bn_pkr_per_fy or {},
    }


def check_dates(s: Scenario, file: str) -> list[Problem]:
    """Contract dates and FY-keyed tables are well formed; monthly references and the
    opening book's entries fall inside the horizon."""
    problems = []
    start, end = month_number(s.time.start), month_number(s.time.end)
    inside = f"a month inside the horizon {s.time.start}..{s.time.end}"
    for month in s.tariff.reference_fuel_cost_pkr_per_kwh:
        if not start <= month_number(month) <= end:
            problems.append(Problem(file, f"tariff.reference_fuel_cost_pkr_per_kwh.{month}",
                                    inside, repr(month)))
    for i, entry in enumerate(s.tariff.opening_book):
        if not start <= month_number(entry.month) <= end:
            problems.append(Problem(file, f"tariff.opening_book[{i}].month", inside,
                                    repr(entry.month)))
    for i, plant in enumerate(s.supply.plants):
        if plant.commissioning and plant.contract_expiry and \
                month_number(plant.commissioning) >= month_number(plant.contract_expiry):
            problems.append(Problem(file, f"supply.plants[{i}].contract_expiry",
                                    "a month after commissioning", repr(plant.contract_expiry)))
        if plant.debt_maturity and plant.contract_expiry and \
                month_number(plant.debt_maturity) > month_number(plant.contract_expiry):
            problems.append(Problem(file, f"supply.plants[{i}].debt_maturity",
                                    "a month on or before contract_expiry",
                                    repr(plant.debt_maturity)))
    for key, table in _fy_tables(s).items():
        for fy in table:
            if not is_fy(fy):
                problems.append(Problem(file, f"{key}.{fy}", "a fiscal year like 'FY2027'",
                                        repr(fy)))
    return problems


def _nonzero(value: object) -> bool:
    """A number, or draws per path, that is not zero everywhere."""
    return bool(np.any(np.asarray(value, dtype=float) != 0))


def check_capacity_prices(s: Scenario, file: str) -> list[Problem]:
    """Capacity prices by contract component or by the legacy keys, never both (non-zero
    prices under both); a hybrid
    contract names its components paid on availability, and only a hybrid does; debt
    components need a maturity; foreign debt interest needs a SOFR path
    (docs/model.md §7)."""
    problems = []
    for i, plant in enumerate(s.supply.plants):
        key = f"supply.plants[{i}]"
        # by value, not by the keys written: a resolved scenario writes every default
        legacy = [k for k in LEGACY_CAPACITY_KEYS if _nonzero(getattr(plant, k))]
        components = [k for k in COMPONENT_CAPACITY_KEYS if _nonzero(getattr(plant, k))]
        if legacy and components:
            problems.append(Problem(
                file, f"{key}.{components[0]}",
                "capacity price components or the legacy cpp_* keys, not both",
                f"{components[0]} with {legacy[0]}",
                "give the whole price by component (the legacy keys index it more broadly)"))
        if plant.contract == "hybrid":
            if not plant.paid_on_availability_pct:
                problems.append(Problem(file, f"{key}.paid_on_availability_pct",
                                        "the components a hybrid contract pays on availability",
                                        "none"))
            if legacy:
                problems.append(Problem(file, f"{key}.{legacy[0]}",
                                        "capacity price components in a hybrid contract",
                                        legacy[0]))
        elif plant.paid_on_availability_pct:
            problems.append(Problem(file, f"{key}.paid_on_availability_pct",
                                    "only with contract = \"hybrid\"", repr(plant.contract)))
        debt = [k for k in DEBT_COMPONENT_KEYS if _nonzero(getattr(plant, k))]
        if debt and plant.debt_maturity is None:
            problems.append(Problem(file, f"{key}.debt_maturity",
                                    f"a month when the group has debt components ({debt[0]})",
                                    "none"))
    floating = [i for i, p in enumerate(s.supply.plants)
                if _nonzero(p.foreign_debt_interest_usd_per_kw_month)]
    if floating and s.exogenous.sofr_pct is None:
        problems.append(Problem(file, "exogenous.sofr_pct",
                                "a SOFR path when a group has foreign debt interest "
                                f"(supply.plants[{floating[0]}]"
                                ".foreign_debt_interest_usd_per_kw_month)", "none"))
    return problems


def _fraction_slip(value: object, at_most: float) -> tuple[str, float] | None:
    """(suffix, value) of the first number of a percent key that reads as a fraction, or
    None: a scalar, a list item (a monthly profile) or a series value in (0, at_most]."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        for i, v in enumerate(value):
            if 0 < float(v) <= at_most:
                return f"[{i}]", float(v)
        return None
    for suffix, v in series_values(value):
        if 0 < v <= at_most:
            return suffix, v
    return None


def check_units(s: Scenario, file: str) -> list[Problem]:
    """A fraction typed where a percent is expected, on every key marked
    :class:`~circdebt.scenario.fields.NotAFraction` (docs/model.md §21). (Losses that the
    largest class or zone multiplier takes to 95% are refused by the horizon check,
    :mod:`circdebt.engine.checks`, month by month.)"""
    problems = []
    for key, value, mark in marked(s, NotAFraction):
        slip = _fraction_slip(value, mark.at_most)
        if slip is not None:
            suffix, v = slip
            problems.append(Problem(
                file, key + suffix, "a percent (0-100)", repr(v),
                fraction_hint(v)))
    return problems


def check_ranges(s: Scenario, file: str) -> list[Problem]:
    """Every number a series is written with lies in its physical
    :class:`~circdebt.scenario.fields.Range` (the path between them is checked over the
    horizon by :mod:`circdebt.engine.checks`)."""
    problems = []
    for key, spec, rule in marked(s, Range):
        for suffix, v in series_values(spec):
            if not bool(rule.holds(v)):
                problems.append(Problem(file, key + suffix, rule.text(), repr(v)))
    return problems


def horizon_fiscal_years(s: Scenario) -> list[str]:
    """The fiscal-year labels the horizon touches, first to last."""
    fy_start = s.time.fiscal_year_start_month
    first = fiscal_year_of(month_number(s.time.start), fy_start)
    last = fiscal_year_of(month_number(s.time.end), fy_start)
    return [fy_label(year) for year in range(first, last + 1)]


def check_schedules(s: Scenario, file: str) -> list[Problem]:
    """Schedule anchors lie near the horizon (a typo'd year is refused), and every
    fiscal-year key of a payment table is a fiscal year the run reaches: an amount
    keyed to a year outside it would be dropped without a word. (A target outside the
    horizon is reported as such by the target check.)"""
    start, end = month_number(s.time.start), month_number(s.time.end)
    span = f"{s.time.start}..{s.time.end}"
    problems = []
    for key, spec, _ in marked(s, Range):
        if not isinstance(spec, SeriesSpec) or not spec.schedule:
            continue
        for anchor in spec.schedule:
            m = anchor_month(anchor, s.time.fiscal_year_start_month)
            if not start - 120 <= m <= end + 120:
                problems.append(Problem(file, f"{key}.schedule.{anchor}",
                                        f"an anchor within 10 years of {span}", repr(anchor)))
    fys = horizon_fiscal_years(s)
    if not fys:  # the horizon itself is wrong (check_time says so)
        return problems
    reached = f"a fiscal year the horizon {span} reaches ({fys[0]}..{fys[-1]})"
    for key, table in _fy_tables(s).items():
        for fy, amount in table.items():
            if is_fy(fy) and fy not in fys:
                problems.append(Problem(file, f"{key}.{fy}", reached, repr(fy),
                                        f"Rs {amount:g} bn keyed to it would never be paid"))
    return problems


def check_policies(s: Scenario, file: str) -> list[Problem]:
    """Policies start inside the horizon, spread their amounts inside it, and target
    groups, classes and creditors that exist."""
    start, end = month_number(s.time.start), month_number(s.time.end)
    known = {
        "groups": {p.name for p in s.supply.plants},
        "classes": {c.name for c in s.demand.classes} | {SEZ_CLASS},
        "creditors": {p.creditor for p in s.supply.plants},
    }
    problems = []
    for i, policy in enumerate(s.policies):
        key = f"policies[{i}]"
        if not start <= month_number(policy.start) <= end:
            problems.append(Problem(file, f"{key}.start",
                                    f"a month inside the horizon {s.time.start}..{s.time.end}",
                                    repr(policy.start)))
        policy_end = getattr(policy, "end", None)
        if policy_end is not None and month_number(policy_end) < month_number(policy.start):
            problems.append(Problem(file, f"{key}.end",
                                    f"a month on or after the policy's start ({policy.start})",
                                    repr(policy_end)))
        amount = getattr(policy, "amount_bn_pkr", 0.0)
        months = max(policy.phase_in_months, 1)
        inside = end - month_number(policy.start) + 1
        if amount and 0 < inside < months:  # an amount spread past the horizon's end
            lost = amount * (months - inside) / months
            problems.append(Problem(
                file, f"{key}.phase_in_months", f"a phase-in of at most {inside} months, "
                f"ending inside the horizon ({s.time.end})", str(policy.phase_in_months),
                f"Rs {lost:g} bn of the Rs {amount:g} bn would fall after it and never be "
                "paid"))
        for field, kind in (("groups", "groups"), ("classes", "classes"),
                            ("creditors", "creditors"), ("class_name", "classes")):
            value = getattr(policy, field, None)
            names = [value] if isinstance(value, str) else (value or [])
            for j, name in enumerate(names):
                if name not in known[kind]:
                    where = f"{key}.{field}" + ("" if isinstance(value, str) else f"[{j}]")
                    problems.append(Problem(
                        file, where, f"one of the scenario's {kind}: "
                        + ", ".join(sorted(known[kind])), repr(name),
                        did_you_mean(name, known[kind])))
    return problems + check_facilities(s, file)


def check_facilities(s: Scenario, file: str) -> list[Problem]:
    """A loan's tranches fall inside the horizon and after its start, and a repayment
    schedule says when it starts; a subsidy release calendar has a budget to release."""
    start, end = month_number(s.time.start), month_number(s.time.end)
    problems = []
    if s.anchor is not None and not start <= month_number(s.anchor.month) < end:
        problems.append(Problem(file, "anchor.month", f"a month from {s.time.start} to the "
                                f"month before {s.time.end} (results start the month after)",
                                repr(s.anchor.month)))
    if s.subsidy.release_by_month_pct is not None and not s.subsidy.budget_cap_bn_pkr_per_fy:
        problems.append(Problem(
            file, "subsidy.budget_cap_bn_pkr_per_fy", "the fiscal years' subsidy budget that "
            "subsidy.release_by_month_pct releases", "nothing",
            "a release calendar needs the amounts it releases"))
    if s.debt.phl_dss_held and s.debt.phl_interest_only:
        problems.append(Problem(
            file, "debt.phl_interest_only", "false when debt.phl_dss_held is true", "true",
            "PHL's DSS is either held for a loan's instalments or pays its interest monthly"))
    for i, policy in enumerate(s.policies):
        settled = getattr(policy, "settled_in", None)
        if settled is not None and not month_number(policy.start) <= month_number(settled) \
                <= end:
            problems.append(Problem(file, f"policies[{i}].settled_in",
                                    f"a month from the policy's start ({policy.start}) to "
                                    f"{s.time.end}", repr(settled)))
        if not isinstance(policy, DebtRefinancing):
            continue
        key = f"policies[{i}]"
        if policy.tranches and policy.amount_bn_pkr:
            problems.append(Problem(file, f"{key}.tranches", "either tranches or amount_bn_pkr",
                                    "both", "the tranches are the amount, on their dates"))
        for j, tranche in enumerate(policy.tranches):
            if not month_number(policy.start) <= month_number(tranche.month) <= end:
                problems.append(Problem(
                    file, f"{key}.tranches[{j}].month",
                    f"a month from the policy's start ({policy.start}) to {s.time.end}",
                    repr(tranche.month)))
        if policy.instalments is not None:
            first = policy.first_instalment
            if first is None:
                problems.append(Problem(file, f"{key}.first_instalment",
                                        "the month of the first instalment", "nothing",
                                        "instalments need a first date"))
            elif not max(start, month_number(policy.start)) <= month_number(first):
                problems.append(Problem(file, f"{key}.first_instalment",
                                        f"a month on or after the policy's start "
                                        f"({policy.start})", repr(first)))
        elif policy.first_instalment is not None or policy.repayment_cap_bn_pkr_per_fy:
            problems.append(Problem(file, f"{key}.instalments", "the number of instalments "
                                    "the schedule repays the loan in", "nothing"))
    return problems


def check_scenario(s: Scenario, file: str) -> list[Problem]:
    """Every cross-field rule; an empty list means the scenario can run."""
    return (check_time(s, file) + check_names(s, file) + check_dates(s, file)
            + check_capacity_prices(s, file)
            + check_units(s, file) + check_ranges(s, file) + check_schedules(s, file)
            + check_policies(s, file))
