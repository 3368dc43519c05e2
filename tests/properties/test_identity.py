"""Invariants that hold for every valid scenario (hypothesis).

- The circular-debt identity: each month, on each path, the change in the stock equals
  the sum of its causes (docs/model.md §16).
- The stock is the sum of its parts: payables + GENCO fuel payables + PHL - CPPA-G cash.
- No creditor is ever paid more than it is owed; payables never go negative.
"""

import numpy as np
from factories import only_reached_fiscal_years, small_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circdebt.engine import simulate_scenario
from circdebt.io import validate_scenario_data
from circdebt.model.causes import CAUSES

# percent values; (0, 1] is refused as a fraction typed for a percent on share keys
pct = st.one_of(st.just(0.0), st.floats(min_value=1.6, max_value=100.0))
loss_pct = st.one_of(st.just(0.0), st.floats(min_value=1.6, max_value=40.0))

scenario_changes = st.fixed_dictionaries({
    "time": st.fixed_dictionaries({"end": st.sampled_from(["2025-07", "2026-02", "2027-06"])}),
    "exogenous": st.fixed_dictionaries({
        "fx_pkr_per_usd": st.fixed_dictionaries({
            "initial": st.floats(50.0, 1000.0),
            "growth_pct_per_year": st.floats(-20.0, 60.0)}),
        "kibor_pct": st.floats(0.0, 30.0),
    }),
    "losses": st.fixed_dictionaries({"actual_pct": loss_pct, "allowed_pct": loss_pct}),
    "tariff": st.fixed_dictionaries({
        "initial_determined_pkr_per_kwh": st.floats(5.0, 80.0),
        "pass_through_pct": pct,
        "fca_lag_months": st.integers(0, 6),
        "qta_lag_months": st.integers(0, 6),
        "qta_period_months": st.sampled_from([1, 3, 6, 12]),
        "rebasing_month": st.integers(1, 12),
        "dss_pkr_per_kwh": st.floats(0.0, 10.0),
    }),
    "subsidy": st.fixed_dictionaries({"lag_months": st.integers(0, 12), "payment_pct": pct}),
    "settlement": st.fixed_dictionaries({
        "allocation": st.sampled_from(["pro_rata", "priority", "fuel_first",
                                       "cpec_revolving"]),
        "priority": st.sampled_from([[], ["cpec_ipp"], ["genco", "ipp"]]),
        "revolving_collection_share_pct": st.floats(0.0, 30.0),
        "revolving_invoice_share_pct": pct,
        "arrears_recovery_pct_per_year": pct,
    }),
    "initial": st.fixed_dictionaries({"phl_debt_bn_pkr": st.floats(0.0, 3000.0),
                                      "receivables_bn_pkr": st.floats(0.0, 500.0)}),
})


def _recovery_variant(changes, recovery):
    s = validate_scenario_data(only_reached_fiscal_years(small_data(**changes)), "small")
    classes = [c.model_copy(update={"recovery_pct": recovery}) for c in s.demand.classes]
    return s.model_copy(update={"demand": s.demand.model_copy(update={"classes": classes})})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=scenario_changes, recovery=st.floats(40.0, 100.0))
def test_flow_decomposition_closes_every_month(changes, recovery):
    traj = simulate_scenario(_recovery_variant(changes, recovery))
    rec = traj.series
    causes = sum(rec[f"flow_{c}_bn_pkr"] for c in CAUSES)
    scale = 1.0 + np.abs(rec["cd_stock_bn_pkr"]).max()
    np.testing.assert_allclose(rec["cd_flow_bn_pkr"], causes, rtol=0, atol=1e-9 * scale)

    parts = (rec["payables_bn_pkr"] + rec["genco_fuel_payables_bn_pkr"]
             + rec["phl_debt_bn_pkr"] - rec["cppa_cash_bn_pkr"])  # cash incl. the account
    np.testing.assert_allclose(rec["cd_stock_bn_pkr"], parts, rtol=0, atol=1e-9 * scale)
    stock_change = np.diff(rec["cd_stock_bn_pkr"], axis=1)
    np.testing.assert_allclose(stock_change, rec["cd_flow_bn_pkr"][:, 1:], atol=1e-9 * scale)

    assert (traj.by_creditor["payables_bn_pkr"] >= -1e-9 * scale).all()
    assert (rec["phl_debt_bn_pkr"] >= 0).all()
