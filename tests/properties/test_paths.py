"""Every step function treats paths independently: the result for many paths at once,
row by row, equals the result for each path alone (docs/model.md §2).

Each case builds random inputs for ``n`` paths; the step is called once on all of them
and once per path on that path's row (an array of one path), and the rows must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circdebt.model import (
    billing,
    cash,
    costs,
    debt,
    demand,
    incremental,
    losses,
    references,
    service,
    sez,
    solar,
    subsidy,
    supply,
    tariff,
)
from circdebt.model.cash import AllocationPlan, AllocationRule, Invoices
from circdebt.model.sez import Funding

C, G, K = 3, 4, 3  # classes, groups, creditors


def _plants(rng: np.random.Generator) -> supply.PlantArrays:
    return supply.PlantArrays(
        names=[f"g{i}" for i in range(G)], creditor=["a"] * G, fuel=[None] * G,
        capacity_mw=rng.uniform(100, 1000, G), availability=rng.uniform(0.5, 1, G),
        must_run=np.array([True, False, False, False]),
        capacity_factor_by_month=rng.uniform(0.2, 1, (12, G)),
        cpp_usd=rng.uniform(0, 20, G), cpp_usd_debt_share=rng.uniform(0, 0.7, G),
        cpp_pkr=rng.uniform(0, 2000, G), cpp_pkr_debt_share=rng.uniform(0, 0.5, G),
        local_debt_spread=np.full(G, 0.03), roe_usd=rng.uniform(0, 8, G),
        local_roe_pkr=rng.uniform(0, 300, G),
        foreign_debt_principal_usd=rng.uniform(0, 8, G),
        foreign_debt_interest_usd=rng.uniform(0, 4, G), foreign_debt_spread=np.full(G, 0.045),
        local_debt_principal_pkr=rng.uniform(0, 500, G),
        local_debt_interest_pkr=rng.uniform(0, 300, G), foreign_om_usd=rng.uniform(0, 2, G),
        local_om_pkr=rng.uniform(0, 300, G), insurance_usd=rng.uniform(0, 1, G),
        paid_on_availability=rng.uniform(0, 1, (G, len(supply.PARTS))),
        fuel_cost_pkr_per_kwh=rng.uniform(0, 30, G), vom_pkr_per_kwh=rng.uniform(0, 2, G))


class P(np.ndarray):
    """An argument with one row per path (the others are shared by every path)."""


def _paths(a: np.ndarray) -> P:
    return np.asarray(a).view(P)


def _cases(rng: np.random.Generator, n: int) -> dict[str, tuple[Callable[..., Any], list[Any]]]:
    """Step -> (function, arguments), path-shaped arguments with n rows first."""
    def u(low: float, high: float, shape: Any) -> np.ndarray:
        return rng.uniform(low, high, shape)

    def pu(low: float, high: float, shape: Any) -> P:
        return _paths(u(low, high, shape))

    plants = _plants(rng)
    plan = AllocationPlan(AllocationRule.PRO_RATA, [K - 1], 0.0, 0.0, -1)
    return {
        "demand.price_response": (demand.price_response, [
            pu(10, 40, (n, C)), pu(10, 40, (n, C)), np.array([-0.3, 0.0, -1.0])]),
        "demand.smoothed_real_tariff": (demand.smoothed_real_tariff, [
            pu(0, 1e4, (n, C)), pu(0, 400, (n, C)), pu(10, 40, (n, C))]),
        "demand.sales_wanted_gwh": (demand.sales_wanted_gwh, [
            pu(0, 500, (n, C)), pu(0.5, 1.5, (n, C)), pu(0, 50, (n, C)), np.zeros(C), C - 1,
            pu(0, 20, n)]),
        "demand.served_sales_gwh": (demand.served_sales_gwh, [
            pu(0, 500, (n, C)), pu(0, 1000, n), pu(1, 1000, n)]),
        "solar.rooftop_month": (solar.rooftop_month, [
            pu(1000, 2000, n), pu(0, 1000, n), 0.16, 720.0, 0.6, np.array([0.5, 0.3, 0.2])]),
        "losses.class_loss_multipliers": (lambda sez_multiplier: losses.class_loss_multipliers(
            np.array([1.0, 0.2, 1.0]), len(sez_multiplier), C - 1, sez_multiplier), [
            pu(0, 1, n)]),
        "losses.units_for_sales_gwh": (losses.units_for_sales_gwh, [
            pu(0, 500, (n, C)), pu(0, 0.3, (n, C))]),
        "supply.dispatch_month": (supply.dispatch_month, [
            plants, pu(0, 3000, n), pu(0.5, 2, (n, G)), pu(1, 2, n), 5, np.ones(G, bool), 744.0]),
        "supply.payments_due": (lambda *a: supply.payments_due(
            plants, supply.dispatch_month(plants, a[0], np.ones((len(a[0]), G)), a[1], 7,
                                          np.ones(G, bool), 744.0),
            supply.MonthRates(a[2], a[3], a[1], *a[4:8]), supply.ContractTerms(*a[8:])), [
            pu(0, 3000, n), pu(1, 2, n), pu(250, 400, n), pu(1, 1.3, n),
            pu(0.05, 0.2, n), pu(0.05, 0.2, n), pu(0.0, 0.08, n), pu(0.0, 0.08, n),
            np.full(G, 0.3), pu(250, 300, (n, G)), pu(200, 260, (n, G)), np.ones(G),
            np.ones(G), np.ones(G, bool), np.array([False, True, False, False]), np.ones(G),
            np.full(G, 0.7)]),
        "costs.sector_cost": (costs.sector_cost, [
            pu(0, 100, (n, G)), pu(0, 100, (n, G)), pu(0, 10, n), pu(0, 5, n), pu(0, 20, n),
            pu(1000, 2000, n), pu(900, 1000, n)]),
        "tariff.class_tariffs": (tariff.class_tariffs_pkr_per_kwh, [
            pu(20, 40, n), pu(0.7, 1.3, (n, C)), pu(-2, 2, (n, C)), pu(-2, 2, n), pu(-2, 2, n)]),
        "tariff.fca_by_class": (tariff.fca_by_class_pkr_per_kwh, [
            pu(-2, 2, n), np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])]),
        "tariff.fuel_deviation": (tariff.fuel_deviation, [
            pu(10, 100, n), pu(900, 1000, n), pu(1000, 2000, n), pu(900, 1000, n),
            pu(5, 12, n)]),
        "supply.fuel_cost_bn": (lambda g, i: supply.fuel_cost_bn(plants, g, i), [
            pu(0, 500, (n, G)), pu(0.5, 2, (n, G))]),
        "tariff.nonfuel_deviation": (tariff.nonfuel_deviation, [
            pu(100, 200, n), pu(1000, 2000, n), pu(900, 1000, n), pu(100, 200, n)]),
        "references.references_from_projection": (
            lambda *a: references.references_from_projection(*a).requirement_bn, [
                pu(0, 500, (n, 12, C)), pu(1000, 2000, (n, 12)), pu(900, 1000, (n, 12)),
                pu(10, 100, (n, 12)), pu(100, 200, (n, 12)), pu(2, 4, n),
                np.array([1.0, 0.0, 1.0])]),
        "sez.package_month": (sez.package_month, [
            pu(20, 40, (n, C)), np.array([0.8, 1.0, 1.0]), pu(1, 500, (n, C)), C - 1, 0.7,
            np.nan, 9.0, pu(250, 350, n), True, Funding.CROSS_SUBSIDY]),
        "sez.cost_breakdown": (sez.cost_breakdown_pkr_per_kwh, [
            pu(10, 100, n), pu(0, 5, n), pu(10, 200, n), pu(1, 10, n), pu(0.3, 0.9, n),
            pu(1000, 2000, n), pu(900, 1000, n), pu(800, 900, n), pu(2, 4, n), pu(25, 35, n),
            pu(25, 35, n), pu(20, 30, n), pu(0, 4, n), 0.18, pu(25, 35, n), pu(0, 4, n)]),
        "incremental.price_ratio": (incremental.price_ratio, [
            pu(10, 40, (n, C)), pu(10, 40, (n, C)), np.array([1.0, 0.5, 0.0])]),
        "incremental.induced_sales_gwh": (incremental.induced_sales_gwh, [
            pu(0, 500, (n, C)), pu(0, 500, (n, C)), pu(0.5, 1, (n, C)),
            np.array([-0.3, 0.0, -1.0])]),
        "incremental.discount": (incremental.discount, [
            pu(10, 40, (n, C)), pu(0, 500, (n, C)), pu(0, 500, (n, C)),
            np.array([22.98, np.nan, 30.0]), np.array([1.0, 0.0, 0.5])]),
        "service.class_gross_up": (service.class_gross_up, [
            pu(0, 0.3, (n, C)), np.array([0.05, np.nan, 0.12])]),
        "service.cost_of_service": (service.cost_of_service, [
            pu(10, 100, n), pu(0, 10, n), pu(0, 500, (n, C)), pu(1, 1.3, (n, C)),
            pu(0, 1, (n, C))]),
        "service.cross_subsidy": (service.cross_subsidy, [
            pu(10, 40, (n, C)), np.array([0.5, 1.0, 1.0]), pu(10, 40, (n, C)),
            pu(0, 500, (n, C))]),
        "sez.grid_and_captive_gwh": (sez.grid_and_captive_gwh, [
            pu(0, 100, n), pu(0, 0.5, n)]),
        "solar.next_capacity_mw": (solar.next_capacity_mw, [
            pu(1000, 9000, n), 10.0, 1200.0, pu(1, 3, n), pu(1, 3, n), 1.5]),
        "sez.captive_share_step": (sez.captive_share_step, [
            pu(0, 0.3, n), pu(5, 15, n), 8.0, 0.1, 0.02, 0.5]),
        "billing.bill": (billing.bill, [pu(10, 40, (n, C)), np.array([0.8, 1.0, 1.0]),
                                        pu(0, 500, (n, C))]),
        "billing.collect": (billing.collect, [
            pu(0, 20, (n, C)), pu(0.8, 1.0, (n, C)), pu(0, 200, n), 0.01]),
        "subsidy.subsidy_payment": (subsidy.subsidy_payment, [
            pu(0, 50, n), 0.9, pu(0, 120, n), 100.0]),
        "debt.late_payment_surcharge": (debt.late_payment_surcharge, [
            pu(0, 500, (n, K)), pu(0.05, 0.2, n), np.array([0.02, 0.045, 0.0]),
            np.zeros(K), np.array([1.0, 1.0, 0.0])]),
        "debt.phl_service": (debt.phl_service, [
            pu(0, 1000, n), pu(0.05, 0.2, n), 0.01, 5.0, pu(0, 40, n)]),
        "debt.phl_interest_only_service": (debt.phl_interest_only_service, [
            pu(0, 1000, n), pu(0.05, 0.2, n), 0.01, 5.0, pu(0, 40, n)]),
        "cash.pay_creditors": (lambda *a: cash.pay_creditors(
            plan, a[0], a[1], Invoices(a[2], a[3]), a[4], a[5], a[6], a[7]), [
            pu(0, 500, (n, K)), pu(0, 10, (n, K)), pu(0, 50, (n, K)), pu(0, 50, (n, K)),
            pu(-10, 600, n), pu(0, 20, n), _paths(np.zeros(n)), pu(100, 200, n)]),
    }


def _rows(value: Any, i: int) -> Any:
    """Path i's row of a per-path argument; shared arguments pass unchanged."""
    return np.asarray(value[i:i + 1]) if isinstance(value, P) else value


def _leaves(result: Any) -> list[np.ndarray]:
    if isinstance(result, dict):
        return [np.asarray(v) for v in result.values()]
    if isinstance(result, tuple):
        return [np.asarray(v) for v in result]
    return [np.asarray(result)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6))
def test_each_path_is_computed_as_if_alone(seed, n):
    cases = _cases(np.random.default_rng(seed), n)
    for name, (step, args) in cases.items():
        together = _leaves(step(*[np.asarray(a) if isinstance(a, P) else a for a in args]))
        for i in range(n):
            alone = _leaves(step(*[_rows(a, i) for a in args]))
            for whole, single in zip(together, alone, strict=True):
                if whole.ndim == 0 or whole.shape[0] != n:
                    continue  # not path-shaped (a count, a constant)
                np.testing.assert_allclose(whole[i:i + 1], single, rtol=1e-12, atol=1e-12,
                                           err_msg=name)


def test_the_cases_cover_the_steps_of_the_month():
    names = set(_cases(np.random.default_rng(0), 2))
    assert len(names) >= 20
    with pytest.raises(AssertionError):  # the check itself can fail: a step mixing paths
        def mixing(x):
            return x + x.mean()
        together = mixing(np.array([1.0, 3.0]))
        np.testing.assert_allclose(together[0:1], mixing(np.array([1.0])))
