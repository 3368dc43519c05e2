"""Compile a scenario once into the typed arrays every month reads (docs/model.md §2).

:func:`compile_inputs` turns a validated scenario (whose values may be (paths,) arrays of
draws in a Monte Carlo run) into one frozen :class:`Inputs`: plant groups, consumer
classes, levers after policies, exogenous paths, fuel and creditor matrices, the cash
allocation plan, LPS terms, SEZ load and the terms of each step. Percentages become
fractions here; nothing downstream reads the scenario again. Both engines (the monthly
loop and the event-driven settlement) take the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.engine.compile_sez import SezTerms as SezTerms
from circdebt.engine.compile_sez import realisation_weights as realisation_weights
from circdebt.engine.compile_sez import sez_load as sez_load
from circdebt.engine.compile_sez import sez_terms
from circdebt.engine.levers import (
    NET_METERING,
    TRANSMISSION,
    Levers,
    base_levers,
    by_calendar_month,
    consumer_classes,
    creditor_names,
)
from circdebt.engine.policies import apply_policies
from circdebt.engine.series import build_exogenous
from circdebt.model.billing import monthly_rate
from circdebt.model.cash import AllocationPlan, AllocationRule
from circdebt.model.demand import ClassArrays
from circdebt.model.exogenous import ExogenousPaths
from circdebt.model.oneoffs import OneOff
from circdebt.model.supply import (
    COMPONENTS,
    LEGACY_PARTS,
    PARTS,
    ContractTerms,
    MonthRates,
    PlantArrays,
)
from circdebt.model.vectors import per_path, stack_last
from circdebt.scenario.schema import (
    SEZ_CLASS,
    ConsumerClass,
    PlantGroup,
    Scenario,
    Supply,
)
from circdebt.timeline import Timeline, parse_fy
from circdebt.units import PERCENT


@dataclass(frozen=True)
class Creditors:
    """Creditor classes of a run and how invoices and LPS reach them."""

    names: list[str]
    group_to_creditor: np.ndarray  # (groups, creditors) of 0/1
    lps_spread: np.ndarray  # (creditors,) or (paths, creditors) over KIBOR [fraction/yr]
    lps_accrues: np.ndarray  # (creditors,) 1 where contracts carry LPS, else 0
    transmission_col: int
    net_metering_col: int

    @property
    def n(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class TariffTerms:
    """Constant terms of tariff determination (docs/model.md §9)."""

    initial_determined_pkr_per_kwh: np.ndarray  # (paths,)
    initial_fuel_reference_pkr_per_kwh: np.ndarray | None  # (paths,); None: projected
    reference_fuel_pkr_per_kwh: np.ndarray  # (T,) published fuel references (nan: none)
    opening_bn: dict[str, np.ndarray]  # the opening book by kind (fca, qta, pya): (T,) each
    distribution_margin_pkr_per_kwh: float | np.ndarray  # at start-month prices
    transmission_pkr_per_kwh: float | np.ndarray  # at start-month prices
    rebasing_sales_growth: float | np.ndarray  # [fraction]
    dss_ends_when_phl_repaid: bool
    multiplier_changed: np.ndarray  # (T,) bool: a rebalancing changes class multipliers


@dataclass(frozen=True)
class SubsidyTerms:
    """Terms of the tariff subsidy (docs/model.md §11)."""

    pre_start_due_bn: np.ndarray | None  # (paths,): a month's due before the start
    fy_cap_bn: list[float | np.ndarray]  # by month: the fiscal year's cap (nan: none)
    fy_start: np.ndarray  # (T,) bool: the month opens a fiscal year
    release_bn: list[float | np.ndarray]  # by month: the budget's release on its calendar
    initial_arrears_bn: np.ndarray  # (paths,) fallen due and not released at the start


@dataclass(frozen=True)
class SolarTerms:
    """Constant terms of rooftop solar (docs/model.md §5)."""

    initial_mw: np.ndarray  # (paths,)
    capacity_factor: float | np.ndarray  # [fraction]
    lcoe_pkr_per_kwh: float | np.ndarray
    additions_mw_per_year: float | np.ndarray
    defection_elasticity: float | np.ndarray


@dataclass(frozen=True)
class ServiceTerms:
    """Each class's voltage level for the cost of service (docs/model.md §9)."""

    level_allowed_loss: np.ndarray  # (classes,) or (paths, classes) [fraction]; NaN: none
    level_dm_share: np.ndarray  # (classes,) or (paths, classes) [fraction]; NaN: none


@dataclass(frozen=True)
class EventTerms:
    """Timing of the payment chain for the event-driven engine (docs/events.md)."""

    collection_profile: np.ndarray  # weights of a month's days, day 1 first (empty: flat)
    payment_days: tuple[int, ...]  # days of the month with a payment run (31: the last)
    payment_terms_days: int  # an invoice falls due this many days after issue
    grace_days: np.ndarray  # (creditors,) days past due before LPS accrues
    subsidy_release_every_months: int
    subsidy_release_day: int
    initial_payables_age_months: int  # opening payables were issued evenly over these


@dataclass(frozen=True)
class InitialStocks:
    """Stocks the day before the first month. [Rs bn], over paths."""

    payables_bn: np.ndarray  # (paths, creditors)
    genco_fuel_payables_bn: np.ndarray  # (paths,)
    phl_debt_bn: np.ndarray  # (paths,)
    receivables_bn: np.ndarray  # (paths,)


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads, compiled once (fractions, not percents)."""

    name: str
    timeline: Timeline
    n_paths: int
    exo: ExogenousPaths
    levers: Levers
    plants: PlantArrays
    classes: ClassArrays
    creditors: Creditors
    allocation: AllocationPlan
    fuel_by_month: np.ndarray  # (T, paths, fuels + 1): fuel indices, the last column 1
    fuel_of_group: np.ndarray  # (groups,) column of each group's fuel
    frozen_pkr_per_usd_us_cpi: np.ndarray  # (paths, groups): fx x US CPI / PK CPI at conversion
    frozen_pkr_per_usd_fx: np.ndarray  # (paths, groups): fx / PK CPI at each group's conversion
    kibor_at_start: np.ndarray  # (paths,)
    transmission_loss: float  # [fraction] of generation lost before the DISCOs receive it
    loss_valuation: str  # how the excess-losses cause values lost units: "cost" | "tariff"
    sofr_at_start: np.ndarray  # (paths,)
    tariff: TariffTerms
    subsidy: SubsidyTerms
    solar: SolarTerms
    sez: SezTerms
    service: ServiceTerms
    arrears_monthly_rate: float | np.ndarray
    events: EventTerms
    initial: InitialStocks
    one_offs: tuple[tuple[OneOff, ...], ...]  # by month
    anchor_t: int = -1  # the month whose end re-anchors the stocks (-1: none)
    anchor_bn: tuple[float, float, float] = (0.0, 0.0, 0.0)  # payables, GENCO, PHL

    @property
    def n_months(self) -> int:
        return self.timeline.n_months

    def month_rates(self, t: int) -> MonthRates:
        """Month t's exogenous values for the capacity prices, (paths,) each."""
        e = self.exo
        return MonthRates(e.fx_pkr_per_usd[:, t], e.us_cpi_index[:, t], e.pk_cpi_index[:, t],
                          e.kibor[:, t], self.kibor_at_start, e.sofr[:, t], self.sofr_at_start)

    def contract_terms(self, t: int) -> ContractTerms:
        """Month t's contract levers for the capacity prices."""
        lv = self.levers
        return ContractTerms(lv.usd_converted[t], self.frozen_pkr_per_usd_us_cpi,
                             self.frozen_pkr_per_usd_fx, lv.cpp_usd_scale[t],
                             lv.cpp_pkr_scale[t], lv.active[t], lv.take_and_pay[t],
                             lv.debt_factor[t], lv.debt_outstanding[t])


def _by_month(tl: Timeline, values: dict[str, float], empty: float, add: bool = False
              ) -> np.ndarray:
    """Values keyed by month ``"YYYY-MM"`` as an array over the horizon (T,), ``empty``
    elsewhere (months outside the horizon are refused by the consistency checks)."""
    out = np.full(tl.n_months, empty)
    for month, value in values.items():
        t = tl.index_of(month)
        out[t] = out[t] + value if add else value
    return out


def multiplier_changes(scale: np.ndarray) -> np.ndarray:
    """(T,) bool: months whose class-multiplier scale differs from the month before's
    (a tariff rebalancing, docs/model.md §9); never the first month."""
    changed = np.zeros(len(scale), dtype=bool)
    for t in range(1, len(scale)):
        changed[t] = not np.array_equal(scale[t], scale[t - 1])
    return changed


def timeline_of(scenario: Scenario) -> Timeline:
    """The scenario's simulated months and fiscal years."""
    t = scenario.time
    return Timeline(t.start, t.end, t.fiscal_year_start_month)


def reported_timeline_of(scenario: Scenario) -> Timeline:
    """The months a run reports: the simulated ones, or those after the month a scenario's
    ``[anchor]`` re-anchors the stocks to (docs/model.md §2)."""
    tl = timeline_of(scenario)
    if scenario.anchor is None:
        return tl
    return Timeline(tl.labels[tl.index_of(scenario.anchor.month) + 1], tl.end,
                    tl.fy_start_month)


def availability_shares(plant: PlantGroup) -> list[float]:
    """Share of each part of a group's capacity price (:data:`PARTS`) paid on availability
    (the rest is paid on the dispatched share): all for take-or-pay, none for
    take-and-pay, and ``paid_on_availability_pct`` of each component for a hybrid."""
    if plant.contract == "take_or_pay":
        return [1.0] * len(PARTS)
    if plant.contract == "take_and_pay":
        return [0.0] * len(PARTS)
    given = {str(k): v for k, v in plant.paid_on_availability_pct.items()}
    return [0.0] * len(LEGACY_PARTS) + [given.get(c, 0.0) / PERCENT for c in COMPONENTS]


def plant_arrays(supply: Supply) -> PlantArrays:
    """The scenario's plant groups as arrays over groups."""
    plants = supply.plants
    shares = [availability_shares(p) for p in plants]
    by_part = [stack_last([row[k] for row in shares]) for k in range(len(PARTS))]

    def per_group(attr: str, scale: float = 1.0) -> np.ndarray:
        return stack_last([getattr(p, attr) / scale for p in plants])

    cf = np.array([
        [v / PERCENT for v in p.monthly_capacity_factor_pct] if p.monthly_capacity_factor_pct
        else [1.0] * 12 for p in plants
    ]).T
    return PlantArrays(
        names=[p.name for p in plants],
        creditor=[p.creditor for p in plants],
        fuel=[p.fuel for p in plants],
        capacity_mw=stack_last([p.capacity_mw for p in plants]),
        availability=stack_last([p.availability_pct / PERCENT for p in plants]),
        must_run=np.array([p.must_run for p in plants]),
        capacity_factor_by_month=cf,
        cpp_usd=stack_last([p.cpp_usd_per_kw_month for p in plants]),
        cpp_usd_debt_share=stack_last([p.cpp_usd_debt_share_pct / PERCENT for p in plants]),
        cpp_pkr=stack_last([p.cpp_pkr_per_kw_month for p in plants]),
        cpp_pkr_debt_share=stack_last([p.cpp_pkr_debt_share_pct / PERCENT for p in plants]),
        local_debt_spread=stack_last([p.local_debt_spread_pct / PERCENT for p in plants]),
        roe_usd=per_group("roe_usd_per_kw_month"),
        local_roe_pkr=per_group("local_roe_pkr_per_kw_month"),
        foreign_debt_principal_usd=per_group("foreign_debt_principal_usd_per_kw_month"),
        foreign_debt_interest_usd=per_group("foreign_debt_interest_usd_per_kw_month"),
        foreign_debt_spread=per_group("foreign_debt_spread_pct", PERCENT),
        local_debt_principal_pkr=per_group("local_debt_principal_pkr_per_kw_month"),
        local_debt_interest_pkr=per_group("local_debt_interest_pkr_per_kw_month"),
        foreign_om_usd=per_group("foreign_om_usd_per_kw_month"),
        local_om_pkr=per_group("local_om_pkr_per_kw_month"),
        insurance_usd=per_group("insurance_usd_per_kw_month"),
        paid_on_availability=np.stack(np.broadcast_arrays(*by_part), axis=-1),
        fuel_cost_pkr_per_kwh=stack_last([p.fuel_cost_pkr_per_kwh for p in plants]),
        vom_pkr_per_kwh=stack_last([p.vom_pkr_per_kwh for p in plants]),
    )


def class_arrays(scenario: Scenario) -> ClassArrays:
    """The consumer classes (and the SEZ class) as arrays over classes."""
    classes: list[ConsumerClass] = consumer_classes(scenario)
    seasonal = []
    for c in classes:
        profile = np.array(c.seasonal_profile if c.seasonal_profile else [1.0] * 12)
        seasonal.append(profile / profile.mean())
    shares = scenario.demand.rooftop_solar.class_shares_pct
    names = [c.name for c in classes]
    return ClassArrays(
        names=names,
        base_sales_gwh_per_month=stack_last([c.base_sales_gwh_per_year / 12.0 for c in classes]),
        growth_per_year=stack_last([c.growth_pct_per_year / PERCENT for c in classes]),
        seasonal_by_month=np.array(seasonal).T,
        price_elasticity=stack_last([c.price_elasticity for c in classes]),
        tariff_multiplier=stack_last([c.tariff_multiplier for c in classes]),
        billed_share=stack_last([c.billed_pct_of_determined / PERCENT for c in classes]),
        recovery=stack_last([c.recovery_pct / PERCENT for c in classes]),
        solar_share=stack_last([shares.get(c.name, 0.0) / PERCENT for c in classes]),
        loss_multiplier=stack_last([c.loss_multiplier for c in classes]),
        dm_share=stack_last([c.distribution_margin_pct / PERCENT for c in classes]),
        recovery_elasticity=stack_last([c.recovery_elasticity for c in classes]),
        fca_exempt_negative=np.array([float(c.fca_exemption == "negative") for c in classes]),
        fca_exempt_all=np.array([float(c.fca_exemption == "all") for c in classes]),
        sez_column=names.index(SEZ_CLASS),
    )


def service_terms(scenario: Scenario) -> ServiceTerms:
    """Each class's voltage level as arrays over classes (NaN: a class without one)."""
    levels = {v.name: v for v in scenario.cost_of_service.voltage_levels}
    voltages = [c.voltage for c in consumer_classes(scenario)]
    loss = [np.asarray(levels[v].allowed_loss_pct) / PERCENT if v else np.nan
            for v in voltages]
    dm = [np.asarray(levels[v].distribution_margin_pct) / PERCENT if v else np.nan
          for v in voltages]
    return ServiceTerms(stack_last(loss), stack_last(dm))


def creditor_terms(scenario: Scenario, plants: PlantArrays) -> Creditors:
    """Creditor classes, the group-to-creditor matrix and LPS terms by creditor."""
    names = creditor_names(scenario)
    matrix = np.zeros((plants.n, len(names)))
    for g, c in enumerate(plants.creditor):
        matrix[g, names.index(c)] = 1.0
    lps = scenario.debt.lps
    spread = stack_last([lps[c].spread_pct / PERCENT if c in lps else 0.0 for c in names])
    accrues = np.array([c in lps for c in names], dtype=float)
    return Creditors(names, matrix, spread, accrues, names.index(TRANSMISSION),
                     names.index(NET_METERING))


def allocation_plan(scenario: Scenario, creditors: list[str]) -> AllocationPlan:
    """Resolve ``[settlement]`` against the run's creditors; net-metering credits (bill
    credits to consumers) lead every priority list."""
    spec = scenario.settlement
    rule = AllocationRule(spec.allocation)
    priority = [creditors.index(NET_METERING)]
    if rule is AllocationRule.PRIORITY:
        priority += [creditors.index(c) for c in spec.priority]
    revolving = rule is AllocationRule.CPEC_REVOLVING
    return AllocationPlan(
        rule=rule, priority=priority,
        revolving_in=spec.revolving_collection_share_pct / PERCENT if revolving else 0.0,
        revolving_share=spec.revolving_invoice_share_pct / PERCENT,
        revolving_col=(creditors.index(spec.revolving_creditor)
                       if spec.revolving_creditor in creditors else -1))


def _fuel_matrix(exo: ExogenousPaths, plants: PlantArrays, n_months: int,
                 n_paths: int) -> tuple[np.ndarray, np.ndarray]:
    """Fuel indices month-major (T, paths, fuels + 1), the last column 1 for groups
    without a fuel, and each group's column."""
    fuel_names = list(exo.fuel_index)
    matrix = np.ones((n_months, n_paths, len(fuel_names) + 1))
    for j, name in enumerate(fuel_names):
        matrix[:, :, j] = exo.fuel_index[name].T
    of_group = np.array([fuel_names.index(f) if f else len(fuel_names) for f in plants.fuel],
                        dtype=int)
    return matrix, of_group


def event_terms(scenario: Scenario, creditors: list[str]) -> EventTerms:
    """The scenario's ``[settlement.events]`` settings, grace days by creditor."""
    ev = scenario.settlement.events
    return EventTerms(
        collection_profile=np.asarray(ev.collection_profile, dtype=float),
        payment_days=tuple(ev.payment_days), payment_terms_days=ev.payment_terms_days,
        grace_days=np.array([ev.grace_days_by_creditor.get(c, ev.grace_days) for c in creditors],
                            dtype=float),
        subsidy_release_every_months=ev.subsidy_release_every_months,
        subsidy_release_day=ev.subsidy_release_day,
        initial_payables_age_months=ev.initial_payables_age_months)


def _subsidy_terms(scenario: Scenario, timeline: Timeline, n_paths: int) -> SubsidyTerms:
    sub = scenario.subsidy
    cap_of_fy = {parse_fy(k): v for k, v in (sub.budget_cap_bn_pkr_per_fy or {}).items()}
    caps: list[float | np.ndarray] = [cap_of_fy.get(int(fy), np.nan)
                                      for fy in timeline.fiscal_year]
    pre_start = (None if sub.pre_start_due_bn_pkr_per_month is None
                 else per_path(sub.pre_start_due_bn_pkr_per_month, n_paths))
    shares = by_calendar_month(sub.release_by_month_pct, timeline, scale=1.0 / PERCENT)
    releases: list[float | np.ndarray] = [np.nan_to_num(cap) * w
                                          for cap, w in zip(caps, shares, strict=True)]
    return SubsidyTerms(pre_start, caps, fy_start=timeline.fy_starts, release_bn=releases,
                        initial_arrears_bn=per_path(scenario.initial.subsidy_arrears_bn_pkr,
                                                    n_paths))


def compile_inputs(
    scenario: Scenario, n_paths: int = 1, exo: ExogenousPaths | None = None,
    sez_weights: np.ndarray | None = None,
) -> Inputs:
    """Compile a scenario for ``n_paths`` paths (docs/model.md §2).

    ``exo`` are the exogenous paths (paths, T), deterministic from the scenario if not
    given; ``sez_weights`` (paths, zones) how much of each SEZ zone materialises on each
    path, by default the scenario's ``sez.realisation`` rule.
    """
    s = scenario
    tl = timeline_of(s)
    exo = exo if exo is not None else build_exogenous(s.exogenous, tl, n_paths)
    levers = apply_policies(base_levers(s, tl), s, tl)
    plants = plant_arrays(s.supply)
    classes = class_arrays(s)
    creditors = creditor_terms(s, plants)
    if sez_weights is None:
        sez_weights = realisation_weights(s.sez, n_paths)
    fuel_by_month, fuel_of_group = _fuel_matrix(exo, plants, tl.n_months, n_paths)
    # rupees per dollar (x US CPI for the parts on it) frozen at each group's conversion
    # date, per PK CPI then
    conv_t = np.maximum(levers.conversion_t, 0)
    frozen_fx = exo.fx_pkr_per_usd[:, conv_t] / exo.pk_cpi_index[:, conv_t]
    frozen_us_cpi = frozen_fx * exo.us_cpi_index[:, conv_t]
    payables = np.zeros((n_paths, creditors.n))
    for name, amount in s.initial.payables_bn_pkr.items():
        payables[:, creditors.names.index(name)] = amount
    one_offs: list[list[OneOff]] = [[] for _ in range(tl.n_months)]
    for event in levers.one_offs:
        one_offs[event.t].append(event)
    tf, solar = s.tariff, s.demand.rooftop_solar
    return Inputs(
        name=s.name, timeline=tl, n_paths=n_paths, exo=exo, levers=levers, plants=plants,
        classes=classes, creditors=creditors,
        allocation=allocation_plan(s, creditors.names),
        fuel_by_month=fuel_by_month, fuel_of_group=fuel_of_group,
        frozen_pkr_per_usd_us_cpi=frozen_us_cpi, frozen_pkr_per_usd_fx=frozen_fx,
        kibor_at_start=exo.kibor[:, 0], sofr_at_start=exo.sofr[:, 0],
        transmission_loss=s.supply.transmission_loss_pct / PERCENT,
        loss_valuation=s.losses.valuation,
        tariff=TariffTerms(
            initial_determined_pkr_per_kwh=per_path(tf.initial_determined_pkr_per_kwh, n_paths),
            initial_fuel_reference_pkr_per_kwh=(
                None if tf.initial_fuel_reference_pkr_per_kwh is None
                else per_path(tf.initial_fuel_reference_pkr_per_kwh, n_paths)),
            reference_fuel_pkr_per_kwh=_by_month(tl, tf.reference_fuel_cost_pkr_per_kwh,
                                                 np.nan),
            opening_bn={kind: _by_month(tl, {e.month: e.amount_bn_pkr for e in tf.opening_book
                                             if e.kind == kind}, 0.0, add=True)
                        for kind in ("fca", "qta", "pya")},
            distribution_margin_pkr_per_kwh=tf.distribution_margin_pkr_per_kwh,
            transmission_pkr_per_kwh=s.supply.transmission_pkr_per_kwh,
            rebasing_sales_growth=tf.rebasing_sales_growth_pct / PERCENT,
            dss_ends_when_phl_repaid=tf.dss_ends_when_phl_repaid,
            multiplier_changed=multiplier_changes(levers.tariff_multiplier_scale)),
        subsidy=_subsidy_terms(s, tl, n_paths),
        solar=SolarTerms(
            initial_mw=per_path(solar.capacity_mw, n_paths),
            capacity_factor=solar.capacity_factor_pct / PERCENT,
            lcoe_pkr_per_kwh=solar.lcoe_pkr_per_kwh,
            additions_mw_per_year=solar.additions_mw_per_year,
            defection_elasticity=solar.defection_elasticity),
        sez=sez_terms(s, tl, sez_weights),
        service=service_terms(s),
        arrears_monthly_rate=monthly_rate(s.settlement.arrears_recovery_pct_per_year / PERCENT),
        events=event_terms(s, creditors.names),
        initial=InitialStocks(
            payables_bn=payables,
            genco_fuel_payables_bn=per_path(s.initial.genco_fuel_payables_bn_pkr, n_paths),
            phl_debt_bn=per_path(s.initial.phl_debt_bn_pkr, n_paths),
            receivables_bn=per_path(s.initial.receivables_bn_pkr, n_paths)),
        one_offs=tuple(tuple(month) for month in one_offs),
        anchor_t=-1 if s.anchor is None else tl.index_of(s.anchor.month),
        anchor_bn=(0.0, 0.0, 0.0) if s.anchor is None else (
            s.anchor.payables_bn_pkr, s.anchor.genco_fuel_payables_bn_pkr,
            s.anchor.phl_debt_bn_pkr),
    )
