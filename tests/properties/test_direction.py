"""Directional rules: what must raise (or not lower) the circular debt.

- With zero excess losses, full recovery, full and immediate pass-through and subsidies
  paid in full on time, no cost is lost: FCAs and QTAs recover every deviation in the
  month, the prior-year adjustment recovers exactly the tariff gap of the determination
  before it, and the seasonal timing of a tariff year sums to zero.
- More losses, lower recovery, or faster depreciation with tariff lags never lower the
  debt (price response and solar defection switched off, so that only the accounting
  is tested).
"""

import numpy as np
from factories import small
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circdebt.engine import simulate_scenario

OPERATING = ("excess_losses", "pending_adjustments", "under_recovery", "subsidy_shortfall")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _classes(recovery=None, elasticity=None):
    base = small().demand.classes
    out = []
    for c in base:
        d = c.model_dump()
        if recovery is not None:
            d["recovery_pct"] = recovery
        if elasticity is not None:
            d["price_elasticity"] = elasticity
        out.append(d)
    return out


def _no_feedback(**changes):
    """Small scenario without price response or solar defection, with ``changes``."""
    changes.setdefault("demand", {})
    changes["demand"].setdefault("classes", _classes(elasticity=0.0))
    changes["demand"]["rooftop_solar"] = {"defection_elasticity": 0.0}
    return small(**changes)


@SETTINGS
# a loss rate in (0, 1] is refused as a fraction typed for a percent
@given(loss=st.one_of(st.just(0.0), st.floats(1.5, 30.0)), fx_growth=st.floats(-10.0, 50.0),
       rebasing=st.integers(1, 12), tariff0=st.floats(10.0, 60.0))
def test_no_cost_is_lost_under_full_cost_recovery(loss, fx_growth, rebasing, tariff0):
    s = small(
        exogenous={"fx_pkr_per_usd": {"initial": 280.0, "growth_pct_per_year": fx_growth}},
        losses={"actual_pct": loss, "allowed_pct": loss},
        demand={"classes": _classes(recovery=100.0)},
        tariff={"pass_through_pct": 100.0, "fca_lag_months": 0, "qta_lag_months": 0,
                "qta_period_months": 1, "rebasing_month": rebasing,
                "initial_determined_pkr_per_kwh": tariff0},
        subsidy={"lag_months": 0, "payment_pct": 100.0,
                 "budget_cap_bn_pkr_per_fy": {"FY2027": 1e7}},
        settlement={"arrears_recovery_pct_per_year": 0.0},
        initial={"receivables_bn_pkr": 0.0},
    )
    rec = simulate_scenario(s).series
    for cause in OPERATING:
        np.testing.assert_allclose(rec[f"flow_{cause}_bn_pkr"], 0.0, atol=1e-9)
    scale = float(np.abs(rec["revenue_requirement_allowed_bn_pkr"]).max())
    # the first rebasing after the start month (the start month itself is none)
    first = next(t for t in range(1, 24) if (6 + t) % 12 + 1 == rebasing)
    gap = rec["flow_tariff_gap_bn_pkr"][0]
    pya = rec["flow_prior_year_adjustment_bn_pkr"][0]
    timing = rec["flow_seasonal_timing_bn_pkr"][0]
    assert abs(gap[:first].sum() + pya[first:first + 12].sum()) <= 1e-9 * scale
    assert abs(pya[:first].sum()) <= 1e-12 * scale
    assert abs(timing[first:first + 12].sum()) <= 1e-9 * scale
    tariff_lines = gap + pya + timing
    financing = (rec["flow_lps_bn_pkr"] + rec["flow_phl_interest_bn_pkr"]
                 + rec["flow_dss_bn_pkr"] + rec["flow_budget_payments_bn_pkr"])
    np.testing.assert_allclose(rec["cd_flow_bn_pkr"], financing + tariff_lines, atol=1e-9)


def _stock(s):
    return simulate_scenario(s).series["cd_stock_bn_pkr"][0]


@SETTINGS
@given(loss=st.floats(11.5, 30.0), extra=st.floats(0.01, 10.0))
def test_more_losses_never_lower_the_debt(loss, extra):
    low = _stock(_no_feedback(losses={"actual_pct": loss}))
    high = _stock(_no_feedback(losses={"actual_pct": loss + extra}))
    assert (high >= low - 1e-9).all()
    assert high[-1] > low[-1]


@SETTINGS
@given(recovery=st.floats(50.0, 100.0), drop=st.floats(0.01, 20.0))
def test_lower_recovery_never_lowers_the_debt(recovery, drop):
    high_recovery = _stock(_no_feedback(demand={"classes": _classes(recovery, 0.0)}))
    low_recovery = _stock(_no_feedback(demand={"classes": _classes(max(recovery - drop, 0), 0.0)}))
    assert (low_recovery >= high_recovery - 1e-9).all()
    assert low_recovery[-1] > high_recovery[-1]


@SETTINGS
@given(growth=st.floats(-5.0, 40.0), extra=st.floats(0.5, 40.0), lag=st.integers(1, 6),
       pass_through=st.one_of(st.just(0.0), st.floats(1.6, 100.0)))
def test_faster_depreciation_with_lags_never_lowers_the_debt(growth, extra, lag, pass_through):
    def run(g):
        return _stock(_no_feedback(
            exogenous={"fx_pkr_per_usd": {"initial": 280.0, "growth_pct_per_year": g}},
            tariff={"fca_lag_months": lag, "qta_lag_months": lag,
                    "pass_through_pct": pass_through}))

    slow, fast = run(growth), run(growth + extra)
    assert (fast >= slow - 1e-9).all()
