"""Policy levers (docs/model.md §17): each policy transforms the levers a run is given.

Policies apply in the order listed, each to the levers left by the ones before it, so
they compose. A policy starts in its ``start`` month and reaches full strength over
``phase_in_months``: its weight w_t rises linearly from 1/n in the start month to 1
(n = phase-in months; w is a step when n = 0). Glide policies move a lever from its
current path toward a target, x'_t = (1 - w_t) x_t + w_t target; cuts scale it,
x'_t = x_t (1 - w_t cut). One-off moves (settlements, waivers of accrued surcharge,
refinancing, budget injections) become :class:`~circdebt.model.oneoffs.OneOff` events, which
the engine books under their own cause so the flow identity still closes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from circdebt.engine.levers import Levers, consumer_classes, creditor_names
from circdebt.model.oneoffs import OneOff, OneOffKind
from circdebt.model.sez import Funding
from circdebt.model.supply import outstanding_principal_share
from circdebt.scenario import policies as sc
from circdebt.scenario.schema import Scenario
from circdebt.timeline import Timeline
from circdebt.units import PERCENT


def weight(tl: Timeline, start: str, phase_in_months: int, delay_months: int = 0) -> np.ndarray:
    """Strength of a policy in each month, 0..1. (T,)"""
    s = tl.index_of(start) + delay_months
    t = np.arange(tl.n_months)
    if phase_in_months <= 0:
        return (t >= s).astype(float)
    return np.clip((t - s + 1) / phase_in_months, 0.0, 1.0)


def _like(w: np.ndarray, lever: np.ndarray) -> np.ndarray:
    """A (T,) weight or mask shaped to broadcast against a (T, ...) lever."""
    return w.reshape(w.shape + (1,) * (lever.ndim - 1))


def _glide(current: np.ndarray, target: float | np.ndarray, w: np.ndarray) -> np.ndarray:
    w = _like(w, current)
    return (1.0 - w) * current + w * target


class _Context:
    """Names a policy may refer to, resolved to indices."""

    def __init__(self, s: Scenario, tl: Timeline):
        self.tl = tl
        self.groups = [p.name for p in s.supply.plants]
        self.group_creditor = [p.creditor for p in s.supply.plants]
        self.maturity = [tl.index_of(p.debt_maturity) if p.debt_maturity else None
                         for p in s.supply.plants]
        self.classes = [c.name for c in consumer_classes(s)]
        self.creditors = creditor_names(s)

    def group_mask(self, names: list[str]) -> np.ndarray:
        return np.isin(self.groups, names)

    def class_mask(self, names: list[str]) -> np.ndarray:
        return np.isin(self.classes, names) if names else np.ones(len(self.classes), bool)

    def creditor_mask(self, names: list[str]) -> np.ndarray:
        return np.isin(self.creditors, names)

    def creditors_of(self, group_names: list[str]) -> list[str]:
        return sorted({c for g, c in zip(self.groups, self.group_creditor, strict=True)
                       if g in group_names})

    def spread(self, t0: int, n: int, kind: OneOffKind, amount: float,
               creditors: np.ndarray | None = None) -> list[OneOff]:
        """A one-off of ``amount`` spread evenly over ``n`` months from ``t0``."""
        months = [t for t in range(t0, t0 + max(n, 1)) if 0 <= t < self.tl.n_months]
        if not months or amount == 0:
            return []
        each = amount / max(n, 1)
        return [OneOff(t, kind, each, creditors) for t in months]


def _ipp_renegotiation(p: sc.IppRenegotiation, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)[:, None]
    g = cx.group_mask(p.groups)
    lv.cpp_usd_scale = np.where(g, lv.cpp_usd_scale * (1 - w * p.cpp_usd_cut_pct / PERCENT),
                                lv.cpp_usd_scale)
    lv.cpp_pkr_scale = np.where(g, lv.cpp_pkr_scale * (1 - w * p.cpp_pkr_cut_pct / PERCENT),
                                lv.cpp_pkr_scale)
    if p.usd_to_pkr_conversion_pct > 0:
        share = w * p.usd_to_pkr_conversion_pct / PERCENT
        lv.usd_converted = np.where(g, lv.usd_converted + (1 - lv.usd_converted) * share,
                                    lv.usd_converted)
        lv.conversion_t = np.where(g, cx.tl.index_of(p.start), lv.conversion_t)
    if p.debt_reprofiling_months > 0:
        _reprofile(p, lv, cx, g)
    creditors = cx.creditor_mask(cx.creditors_of(p.groups))
    if p.lps_waiver_pct > 0:
        waive = _like(w[:, 0], lv.lps_waiver) * p.lps_waiver_pct / PERCENT
        lv.lps_waiver = np.where(creditors, 1 - (1 - lv.lps_waiver) * (1 - waive), lv.lps_waiver)
    lv.one_offs += cx.spread(cx.tl.index_of(p.start), 1, OneOffKind.WAIVER,
                             p.accrued_lps_waiver_bn_pkr, creditors)


def _reprofile(p: sc.IppRenegotiation, lv: Levers, cx: _Context, groups: np.ndarray) -> None:
    """Spread the remaining debt service of ``groups`` over e more months."""
    start, e = cx.tl.index_of(p.start), p.debt_reprofiling_months
    t = np.arange(cx.tl.n_months)
    for j in np.flatnonzero(groups):
        maturity = cx.maturity[j]
        if maturity is None or maturity <= start:
            continue  # no debt left to reprofile
        remaining = maturity - start
        factor = np.where(t < start, lv.debt_factor[:, j],
                          np.where(t < maturity + e, remaining / (remaining + e), 0.0))
        lv.debt_factor[:, j] = factor
        # the principal outstanding at the start is repaid over remaining + e months
        # (a policy starts inside the horizon: scenario/consistency.py)
        rest = lv.debt_outstanding[start, j] * outstanding_principal_share(t - start,
                                                                           remaining + e)
        lv.debt_outstanding[:, j] = np.where(t < start, lv.debt_outstanding[:, j], rest)


def _ipp_termination(p: sc.IppTermination, lv: Levers, cx: _Context) -> None:
    g = cx.group_mask(p.groups)
    after = weight(cx.tl, p.start, 0)[:, None] > 0
    lv.active = lv.active & ~(g & after)
    lv.one_offs += cx.spread(cx.tl.index_of(p.start), p.phase_in_months, OneOffKind.SETTLEMENT,
                             p.settlement_bn_pkr, cx.creditor_mask(cx.creditors_of(p.groups)))


def _take_and_pay(p: sc.TakeAndPay, lv: Levers, cx: _Context) -> None:
    after = weight(cx.tl, p.start, 0)[:, None] > 0
    lv.take_and_pay = lv.take_and_pay | (cx.group_mask(p.groups) & after)


def _loss_reduction(p: sc.LossReduction, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    lv.loss_actual = _glide(lv.loss_actual, p.target_loss_pct / PERCENT, w)


def _recovery_improvement(p: sc.RecoveryImprovement, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    target = _glide(lv.recovery, p.target_recovery_pct / PERCENT, w)
    lv.recovery = np.where(cx.class_mask(p.classes), target, lv.recovery)


def _disco_privatisation(p: sc.DiscoPrivatisation, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months, p.delay_months)
    # not clipped at zero: a reduction larger than the loss is refused by the horizon
    # check (engine/checks.py), not silently held at 0%
    cut = _like(w, lv.loss_actual) * p.loss_reduction_pct_points / PERCENT
    lv.loss_actual = lv.loss_actual - cut
    gain = np.minimum(lv.recovery + _like(w, lv.recovery) * p.recovery_gain_pct_points / PERCENT,
                      1.0)
    lv.recovery = np.where(cx.class_mask(p.classes), np.maximum(gain, lv.recovery), lv.recovery)


def _subsidy_reform(p: sc.SubsidyReform, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    if p.payment_pct is not None:
        lv.subsidy_payment = _glide(lv.subsidy_payment, p.payment_pct / PERCENT, w)
    if p.lag_months is not None:
        lv.subsidy_lag = np.where(w > 0, p.lag_months, lv.subsidy_lag)
    if p.payment_pct is not None or p.lag_months is not None:
        # paid as it falls due, not on the budget's release calendar (docs/model.md §11)
        lv.subsidy_on_calendar = np.where(w > 0, False, lv.subsidy_on_calendar)
    if p.protected_billed_pct_of_determined is not None:
        protected = lv.billed_share[0] < 1.0
        chosen = cx.class_mask(p.classes) & protected if p.classes else protected
        target = _glide(lv.billed_share, p.protected_billed_pct_of_determined / PERCENT, w)
        lv.billed_share = np.where(chosen, target, lv.billed_share)


def _tariff_automation(p: sc.TariffAutomation, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    on = w > 0
    if p.pass_through_pct is not None:
        lv.pass_through = _glide(lv.pass_through, p.pass_through_pct / PERCENT, w)
    if p.fca_lag_months is not None:
        lv.fca_lag = np.where(on, p.fca_lag_months, lv.fca_lag)
    if p.qta_lag_months is not None:
        lv.qta_lag = np.where(on, p.qta_lag_months, lv.qta_lag)
    if p.qta_period_months is not None:
        lv.qta_period = np.where(on, p.qta_period_months, lv.qta_period)
    if p.rebasing_month is not None:
        lv.rebasing = np.where(on, cx.tl.calendar_month == p.rebasing_month, lv.rebasing)


def _debt_refinancing(p: sc.DebtRefinancing, lv: Levers, cx: _Context) -> None:
    t0 = cx.tl.index_of(p.start)
    on = weight(cx.tl, p.start, 0) > 0
    generators = [c for c in cx.creditors if c in set(cx.group_creditor)]
    creditors = cx.creditor_mask(p.creditors or generators)
    lv.one_offs += cx.spread(t0, p.phase_in_months, OneOffKind.REFINANCING, p.amount_bn_pkr,
                             creditors)
    for tranche in p.tranches:
        lv.one_offs += cx.spread(cx.tl.index_of(tranche.month), 1, OneOffKind.REFINANCING,
                                 tranche.amount_bn_pkr, creditors)
    if p.instalments is not None and p.first_instalment is not None:
        lv.phl_on_schedule = lv.phl_on_schedule | on
        lv.phl_instalments_left = np.where(on, instalments_left(
            cx.tl.n_months, cx.tl.index_of(p.first_instalment), p.instalments,
            p.instalment_every_months), lv.phl_instalments_left)
        cap = np.nan if p.repayment_cap_bn_pkr_per_fy is None else p.repayment_cap_bn_pkr_per_fy
        lv.phl_cap_bn_per_fy = np.where(on, cap, lv.phl_cap_bn_per_fy)
    if p.phl_spread_pct is not None:
        lv.phl_spread = np.where(_like(on, lv.phl_spread), p.phl_spread_pct / PERCENT,
                                 lv.phl_spread)
    if p.dss_pkr_per_kwh is not None:
        lv.dss_pkr_per_kwh = np.where(_like(on, lv.dss_pkr_per_kwh), p.dss_pkr_per_kwh,
                                      lv.dss_pkr_per_kwh)
    if p.tenor_months is not None:
        ended = np.arange(cx.tl.n_months) >= t0 + p.tenor_months
        lv.dss_pkr_per_kwh = np.where(_like(ended, lv.dss_pkr_per_kwh), 0.0, lv.dss_pkr_per_kwh)


def instalments_left(n_months: int, first: int, instalments: int, every: int) -> np.ndarray:
    """(T,) int: in each instalment month, the instalments left including it (the last
    ``instalments`` months from ``first`` every ``every`` months count down to 1; later
    instalment dates keep 1, repaying what a cap left); 0 in other months."""
    t = np.arange(n_months)
    k = (t - first) // every
    due = (t >= first) & ((t - first) % every == 0)
    return np.where(due, np.maximum(instalments - k, 1), 0)


def _payment_dispute(p: sc.PaymentDispute, lv: Levers, cx: _Context) -> None:
    t = np.arange(cx.tl.n_months)
    end = cx.tl.n_months - 1 if p.end is None else cx.tl.index_of(p.end)
    during = (t >= cx.tl.index_of(p.start)) & (t <= end)
    chosen = cx.class_mask([p.class_name])
    lv.withheld = np.where(during[:, None] & chosen, p.withheld_pct / PERCENT, lv.withheld)
    if p.settled_in is not None:
        lv.dispute_settled[cx.tl.index_of(p.settled_in)] = p.settled_pct / PERCENT


def _budget_injection(p: sc.BudgetInjection, lv: Levers, cx: _Context) -> None:
    kind = OneOffKind.INJECTION_PHL if p.to == "phl" else OneOffKind.INJECTION_CPPA
    lv.one_offs += cx.spread(cx.tl.index_of(p.start), p.phase_in_months, kind, p.amount_bn_pkr)


def _net_metering_reform(p: sc.NetMeteringReform, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    if p.buyback_pkr_per_kwh is not None:
        lv.buyback_pkr_per_kwh = _glide(lv.buyback_pkr_per_kwh, p.buyback_pkr_per_kwh, w)
    if p.metering == "gross":
        lv.self_consumption = _glide(lv.self_consumption, 0.0, w)


def _captive_to_grid(p: sc.CaptiveToGrid, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    c = cx.class_mask([p.class_name])
    lv.extra_sales_gwh_per_month = lv.extra_sales_gwh_per_month + np.outer(
        w, c * p.load_gwh_per_year / 12.0)


def _tariff_rebalancing(p: sc.TariffRebalancing, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    scaled = lv.tariff_multiplier_scale * (1 + _like(w, lv.tariff_multiplier_scale)
                                           * p.multiplier_change_pct / PERCENT)
    lv.tariff_multiplier_scale = np.where(cx.class_mask(p.classes), scaled,
                                          lv.tariff_multiplier_scale)


def _solar_surge(p: sc.SolarSurge, lv: Levers, cx: _Context) -> None:
    w = weight(cx.tl, p.start, p.phase_in_months)
    extra = w * p.extra_additions_mw_per_year / 12
    lv.solar_extra_mw_per_month = lv.solar_extra_mw_per_month + extra


def _sez_tariff_package(p: sc.SezTariffPackage, lv: Levers, cx: _Context) -> None:
    """From its start the SEZ class pays the package price (phased in from its tariff)."""
    w = weight(cx.tl, p.start, p.phase_in_months)
    on = w > 0
    lv.sez_package_weight = np.where(on, w, lv.sez_package_weight)
    pkr = np.nan if p.price_pkr_per_kwh is None else p.price_pkr_per_kwh
    usc = np.nan if p.price_usc_per_kwh is None else p.price_usc_per_kwh
    lv.sez_package_pkr_per_kwh = np.where(on, pkr, lv.sez_package_pkr_per_kwh)
    lv.sez_package_usc_per_kwh = np.where(on, usc, lv.sez_package_usc_per_kwh)
    funding = lv.sez_package_funding.copy()  # an object array: keep the enum members
    funding[on] = Funding(p.funding)
    lv.sez_package_funding = funding
    lv.sez_package_cap = np.where(on, p.mode == "cap", lv.sez_package_cap)


def _incremental_tariff(p: sc.IncrementalTariff, lv: Levers, cx: _Context) -> None:
    """From its start to its end the classes' units above the reference pay the price."""
    w = weight(cx.tl, p.start, p.phase_in_months)
    if p.end is not None:
        w = np.where(np.arange(cx.tl.n_months) <= cx.tl.index_of(p.end), w, 0.0)
    on = np.outer(w > 0, cx.class_mask(p.classes))
    lv.incremental_weight = np.where(on, w[:, None], lv.incremental_weight)
    lv.incremental_price_pkr_per_kwh = np.where(on, p.price_pkr_per_kwh,
                                                lv.incremental_price_pkr_per_kwh)
    lv.incremental_reference_share = np.where(on, p.reference_pct_of_last_year / PERCENT,
                                              lv.incremental_reference_share)
    elasticity = np.nan if p.price_elasticity is None else p.price_elasticity
    lv.incremental_elasticity = np.where(on, elasticity, lv.incremental_elasticity)


_APPLY: dict[type, Callable[..., None]] = {
    sc.IncrementalTariff: _incremental_tariff,
    sc.SezTariffPackage: _sez_tariff_package,
    sc.IppRenegotiation: _ipp_renegotiation,
    sc.IppTermination: _ipp_termination,
    sc.TakeAndPay: _take_and_pay,
    sc.LossReduction: _loss_reduction,
    sc.RecoveryImprovement: _recovery_improvement,
    sc.DiscoPrivatisation: _disco_privatisation,
    sc.SubsidyReform: _subsidy_reform,
    sc.TariffAutomation: _tariff_automation,
    sc.DebtRefinancing: _debt_refinancing,
    sc.BudgetInjection: _budget_injection,
    sc.PaymentDispute: _payment_dispute,
    sc.NetMeteringReform: _net_metering_reform,
    sc.CaptiveToGrid: _captive_to_grid,
    sc.SolarSurge: _solar_surge,
    sc.TariffRebalancing: _tariff_rebalancing,
}


def apply_policies(levers: Levers, s: Scenario, tl: Timeline) -> Levers:
    """Apply the scenario's policies, in order, to ``levers`` (modified and returned)."""
    context = _Context(s, tl)
    for policy in s.policies:
        _APPLY[type(policy)](policy, levers, context)
    return levers
