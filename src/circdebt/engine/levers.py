"""Levers: every input the engine reads month by month, as arrays over time
(docs/model.md §17).

Shapes are (T, ...) or, for an input drawn per path, (T, paths, ...): indexing a
month gives what the engine broadcasts over paths.

A scenario's own values give the base levers (constant or following their series);
policies (:mod:`circdebt.engine.policies`) then transform them in order. The engine
reads levers only, so a policy never needs engine code of its own: it changes what the
engine is given. Shapes: (T,), (T, classes), (T, groups) or (T, creditors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from circdebt.engine.series import series_path
from circdebt.model.oneoffs import OneOff
from circdebt.model.sez import Funding
from circdebt.model.supply import outstanding_principal_share
from circdebt.model.vectors import over_time, stack_first, stack_last, time_first
from circdebt.scenario.schema import SEZ_CLASS, ConsumerClass, Scenario
from circdebt.timeline import Timeline, months_before, months_from
from circdebt.units import PERCENT

#: Creditors that exist in every run besides the plant groups' creditor classes.
TRANSMISSION = "transmission"
NET_METERING = "net_metering"


@dataclass
class Levers:
    """Time-varying inputs of one run (fractions, not percents)."""

    loss_actual: np.ndarray  # (T,)
    loss_allowed: np.ndarray  # (T,)
    loss_points: np.ndarray  # (T,) the calendar month's seasonal loss points [fraction]
    recovery: np.ndarray  # (T, C)
    recovery_points: np.ndarray  # (T,) the calendar month's seasonal recovery points
    next_month_share: np.ndarray  # (T,) share of a month's bills collected the month after
    withheld: np.ndarray  # (T, C) share of a class's payments withheld in a dispute
    dispute_settled: np.ndarray  # (T,) share of the disputed dues paid this month
    tariff_multiplier_scale: np.ndarray  # (T, C): scales the classes' tariff multipliers
    billed_share: np.ndarray  # (T, C)
    extra_sales_gwh_per_month: np.ndarray  # (T, C)
    pass_through: np.ndarray  # (T,)
    fca_lag: np.ndarray  # (T,) int
    qta_lag: np.ndarray  # (T,) int
    qta_period: np.ndarray  # (T,) int: months in a QTA period (closes when month % period == 0)
    rebasing: np.ndarray  # (T,) bool: a rebasing happens this month
    dss_pkr_per_kwh: np.ndarray  # (T,)
    subsidy_payment: np.ndarray  # (T,)
    subsidy_lag: np.ndarray  # (T,) int
    subsidy_on_calendar: np.ndarray  # (T,) bool: the budget releases TDS on its calendar
    cpp_usd_scale: np.ndarray  # (T, G)
    cpp_pkr_scale: np.ndarray  # (T, G)
    usd_converted: np.ndarray  # (T, G) share of the dollar part converted to rupees
    conversion_t: np.ndarray  # (G,) int: month index of the conversion (-1: none)
    active: np.ndarray  # (T, G) bool
    debt_factor: np.ndarray  # (T, G): share of the debt-service part still paid (1, then 0)
    debt_outstanding: np.ndarray  # (T, G): outstanding principal share (1 at the start)
    take_and_pay: np.ndarray  # (T, G) bool
    lps_waiver: np.ndarray  # (T, K)
    phl_spread: np.ndarray  # (T,)
    phl_on_schedule: np.ndarray  # (T,) bool: PHL repays a loan on its instalment schedule
    phl_interest_only: np.ndarray  # (T,) bool: off a schedule, the DSS services interest only
    phl_instalments_left: np.ndarray  # (T,) int: instalments left incl. this month's (0: none)
    phl_cap_bn_per_fy: np.ndarray  # (T,) the fiscal year's repayment cap (nan: none)
    buyback_pkr_per_kwh: np.ndarray  # (T,)
    self_consumption: np.ndarray  # (T,)
    solar_extra_mw_per_month: np.ndarray  # (T,)
    budget_cppa_bn_pkr: np.ndarray  # (T,) monthly
    budget_phl_bn_pkr: np.ndarray  # (T,) monthly
    sez_package_weight: np.ndarray  # (T,) strength of an SEZ tariff package, 0..1
    sez_package_pkr_per_kwh: np.ndarray  # (T,) package price in rupees (NaN: in cents)
    sez_package_usc_per_kwh: np.ndarray  # (T,) package price in US cents (NaN: in rupees)
    sez_package_funding: np.ndarray  # (T,) object: a Funding
    sez_package_cap: np.ndarray  # (T,) bool: the package price is a ceiling
    incremental_weight: np.ndarray  # (T, C) strength of an incremental tariff, 0..1
    incremental_price_pkr_per_kwh: np.ndarray  # (T, C) its price (NaN: none)
    incremental_reference_share: np.ndarray  # (T, C) reference / last year's sales
    incremental_elasticity: np.ndarray  # (T, C) price elasticity (NaN: the class's own)
    one_offs: list[OneOff] = field(default_factory=list)


def consumer_classes(scenario: Scenario) -> list[ConsumerClass]:
    """The scenario's consumer classes, then the class that carries SEZ load."""
    sez = scenario.sez
    # model_construct: the values may be per-path arrays in a Monte Carlo run
    return [*scenario.demand.classes, ConsumerClass.model_construct(
        name=SEZ_CLASS, base_sales_gwh_per_year=0.0, tariff_multiplier=sez.tariff_multiplier,
        recovery_pct=sez.recovery_pct, loss_multiplier=sez.loss_multiplier,
        voltage=sez.voltage)]


def creditor_names(scenario: Scenario) -> list[str]:
    """Creditor classes in order of first appearance, then transmission and net metering."""
    names: list[str] = []
    for plant in scenario.supply.plants:
        if plant.creditor not in names:
            names.append(plant.creditor)
    return [*names, TRANSMISSION, NET_METERING]


def by_calendar_month(profile: list[float] | None, tl: Timeline, empty: float = 0.0,
                      scale: float = 1.0) -> np.ndarray:
    """A January..December profile read for each month of the horizon, times ``scale``
    (``empty`` everywhere without a profile). (T,)"""
    if profile is None:
        return np.full(tl.n_months, empty)
    return np.asarray(profile, dtype=float)[tl.calendar_month - 1] * scale


def _by_fy(table: dict[str, float], tl: Timeline, shares: list[float] | None = None
           ) -> np.ndarray:
    """Monthly amounts from a per-fiscal-year table: each month's share of its fiscal
    year's amount (a twelfth each month without a release calendar). (T,) or (T, P)"""
    share = by_calendar_month(shares, tl, 1.0 / 12.0, 1.0 / PERCENT)
    return stack_first([table.get(fy, 0.0) * w for fy, w in zip(tl.fy_labels, share,
                                                                strict=True)])


def debt_outstanding(tl: Timeline, maturities: list[str | None]) -> np.ndarray:
    """(T, G): each group's outstanding principal share, repaid in equal instalments
    from the start month to its debt maturity (:func:`outstanding_principal_share`); 1
    throughout for a group without a maturity (only legacy-priced groups: debt
    components require a maturity)."""
    t = np.arange(tl.n_months)[:, None]
    months = np.array([tl.index_of(m) if m else np.inf for m in maturities], dtype=float)
    share = outstanding_principal_share(t, np.where(np.isfinite(months), months, 1.0))
    return np.where(np.isfinite(months), share, 1.0).reshape(tl.n_months, len(maturities))


def base_levers(s: Scenario, tl: Timeline) -> Levers:
    """The levers a scenario gives before any policy applies."""
    T = tl.n_months
    classes, plants = consumer_classes(s), s.supply.plants
    creditors = creditor_names(s)
    C, G = len(classes), len(plants)
    tf, sub, solar = s.tariff, s.subsidy, s.demand.rooftop_solar

    def per_class(attr: str) -> np.ndarray:
        return over_time(stack_last([getattr(c, attr) / PERCENT for c in classes]), T)

    return Levers(
        loss_actual=time_first(series_path(s.losses.actual_pct, tl) / PERCENT),
        loss_allowed=time_first(series_path(s.losses.allowed_pct, tl) / PERCENT),
        loss_points=by_calendar_month(s.losses.actual_by_month_pct_points, tl,
                                      scale=1.0 / PERCENT),
        recovery=per_class("recovery_pct"),
        recovery_points=by_calendar_month(s.collection.recovery_by_month_pct_points, tl,
                                          scale=1.0 / PERCENT),
        next_month_share=over_time(s.collection.next_month_share_pct / PERCENT, T),
        withheld=np.zeros((T, C)),
        dispute_settled=np.zeros(T),
        tariff_multiplier_scale=np.ones((T, C)),
        billed_share=per_class("billed_pct_of_determined"),
        extra_sales_gwh_per_month=np.zeros((T, C)),
        pass_through=over_time(tf.pass_through_pct / PERCENT, T),
        fca_lag=np.full(T, tf.fca_lag_months),
        qta_lag=np.full(T, tf.qta_lag_months),
        qta_period=np.full(T, tf.qta_period_months),
        rebasing=tl.calendar_month == tf.rebasing_month,
        dss_pkr_per_kwh=over_time(tf.dss_pkr_per_kwh, T),
        subsidy_payment=over_time(sub.payment_pct / PERCENT, T),
        subsidy_lag=np.full(T, sub.lag_months),
        subsidy_on_calendar=np.full(T, sub.release_by_month_pct is not None),
        cpp_usd_scale=np.ones((T, G)),
        cpp_pkr_scale=np.ones((T, G)),
        usd_converted=np.zeros((T, G)),
        conversion_t=np.full(G, -1),
        active=(months_before(tl, [p.contract_expiry for p in plants])
                & months_from(tl, [p.commissioning for p in plants])),
        debt_factor=months_before(tl, [p.debt_maturity for p in plants]).astype(float),
        debt_outstanding=debt_outstanding(tl, [p.debt_maturity for p in plants]),
        take_and_pay=np.tile([p.contract == "take_and_pay" for p in plants], (T, 1)),
        lps_waiver=over_time(stack_last([s.debt.lps[c].waiver_pct / PERCENT
                                         if c in s.debt.lps else 0.0 for c in creditors]), T),
        phl_spread=over_time(s.debt.phl_spread_pct / PERCENT, T),
        phl_on_schedule=np.full(T, s.debt.phl_dss_held),
        phl_interest_only=np.full(T, s.debt.phl_interest_only),
        phl_instalments_left=np.zeros(T, int),
        phl_cap_bn_per_fy=np.full(T, np.nan),
        buyback_pkr_per_kwh=over_time(solar.buyback_pkr_per_kwh, T),
        self_consumption=over_time(solar.self_consumption_pct / PERCENT, T),
        solar_extra_mw_per_month=np.zeros(T),
        budget_cppa_bn_pkr=_by_fy(s.budget.cppa_payments_bn_pkr_per_fy, tl,
                                  s.budget.release_by_month_pct),
        budget_phl_bn_pkr=_by_fy(s.budget.phl_payments_bn_pkr_per_fy, tl,
                                 s.budget.release_by_month_pct),
        sez_package_weight=np.zeros(T),
        sez_package_pkr_per_kwh=np.full(T, np.nan),
        sez_package_usc_per_kwh=np.full(T, np.nan),
        sez_package_funding=np.full(T, Funding.UNFUNDED, dtype=object),
        sez_package_cap=np.zeros(T, bool),
        incremental_weight=np.zeros((T, C)),
        incremental_price_pkr_per_kwh=np.full((T, C), np.nan),
        incremental_reference_share=np.ones((T, C)),
        incremental_elasticity=np.full((T, C), np.nan),
    )
