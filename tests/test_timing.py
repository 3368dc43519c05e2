"""Cash and fiscal timing (docs/model.md §10, §11, §13, §16): the collection lag and
seasonal recovery, seasonal losses and their valuation, the subsidy's release calendar,
budget heads by month, and PHL repaid on a loan's instalment schedule. Hand numbers."""

import re

import numpy as np
import pytest
from factories import small, small_data

from circdebt.engine import simulate_scenario
from circdebt.engine.policies import instalments_left
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.model import billing, debt, losses, subsidy
from circdebt.model.causes import CAUSES

# ------------------------------------------------------------------ collection (§10)


def test_a_lagged_share_of_last_month_s_bills_falls_due_now():
    now, before = np.array([[100.0, 50.0]]), np.array([[60.0, 40.0]])
    np.testing.assert_allclose(billing.collectable_bn(now, before, 0.5), [[80.0, 45.0]])
    np.testing.assert_allclose(billing.collectable_bn(now, before, 0.0), now)


def test_collections_follow_the_bills_falling_due_and_unpaid_bills_join_receivables():
    billed, before = np.array([[100.0]]), np.array([[60.0]])
    due = billing.collectable_bn(billed, before, 0.5)  # 80 falls due
    c = billing.collect(billed, np.array([[0.9]]), np.array([500.0]), 0.0, due)
    np.testing.assert_allclose(c.collected_bn, [72.0])  # 0.9 x 80
    np.testing.assert_allclose(c.receivables_bn, [528.0])  # 500 + 100 - 72


def test_nobody_pays_more_than_is_owed():
    c = billing.collect(np.array([[100.0]]), np.array([[1.5]]), np.array([20.0]), 0.0)
    np.testing.assert_allclose(c.collected_bn, [120.0])  # the bill and the arrears, no more
    np.testing.assert_allclose(c.receivables_bn, [0.0])


def test_seasonal_recovery_points_add_and_may_pass_one():
    rates = np.array([[0.9, 0.99]])
    np.testing.assert_allclose(billing.seasonal_recovery_rates(rates, 0.05), [[0.95, 1.04]])
    np.testing.assert_allclose(billing.seasonal_recovery_rates(rates, -0.95), [[0.0, 0.04]])


# ------------------------------------------------------------------------ losses (§6)


def test_seasonal_loss_adds_points():
    np.testing.assert_allclose(losses.seasonal_loss(np.array([0.1755]), 0.0286), [0.2041])
    assert losses.seasonal_loss(0.05, -0.10) == 0.0


def test_excess_losses_at_the_tariff_value_lost_units_at_the_average_tariff():
    # 1,000 GWh bought for 800 GWh sold that at the allowed loss needed 900: 100 GWh lost
    # above it, at 30 Rs/kWh (24 Rs bn over 800 GWh) = Rs3bn
    value = losses.excess_losses_at_tariff_bn(np.array([1000.0]), np.array([900.0]),
                                              np.array([24.0]), np.array([800.0]))
    np.testing.assert_allclose(value, [3.0])


# ---------------------------------------------------------------------- subsidy (§11)


def test_a_release_pays_what_is_owed_and_may_exceed_the_month_s_due():
    queue = np.zeros((3, 1))
    s = subsidy.pay_subsidy(queue, 1, 0, np.array([20.0]), None, 0.95, np.zeros(1), False,
                            np.nan, owed_bn=np.array([50.0]), release_bn=60.0)
    np.testing.assert_allclose(s.paid_bn, [60.0])  # above the month's due of 20
    np.testing.assert_allclose(s.owed_bn, [10.0])  # 50 + 20 - 60
    assert s.due_bn - s.paid_bn < 0  # the subsidy line is negative: arrears cleared


def test_a_release_never_pays_more_than_is_owed():
    queue = np.zeros((3, 1))
    s = subsidy.pay_subsidy(queue, 1, 0, np.array([20.0]), None, 0.95, np.zeros(1), False,
                            np.nan, owed_bn=np.array([5.0]), release_bn=100.0)
    np.testing.assert_allclose(s.paid_bn, [25.0])
    np.testing.assert_allclose(s.owed_bn, [0.0])


def test_off_the_calendar_the_payment_share_pays_and_nothing_stays_owed():
    queue = np.zeros((3, 1))
    s = subsidy.pay_subsidy(queue, 1, 0, np.array([20.0]), None, 0.95, np.zeros(1), False,
                            np.nan, owed_bn=np.array([7.0]))
    np.testing.assert_allclose(s.paid_bn, [19.0])
    np.testing.assert_allclose(s.owed_bn, [7.0])


CALENDAR = [11.8, 11.8, 11.8, 11.8, 11.8, 23.4, 0.0, 5.4, 5.4, 2.3, 2.3, 2.2]


def test_the_release_calendar_releases_the_budget_by_its_shares():
    s = small(subsidy={"release_by_month_pct": CALENDAR, "lag_months": 0,
                       "budget_cap_bn_pkr_per_fy": {"FY2026": 300.0, "FY2027": 300.0}},
              initial={"subsidy_arrears_bn_pkr": 1000.0})  # always owed: releases bind
    paid = simulate_scenario(s).series["tds_paid_bn_pkr"][0]
    # July 0, August 5.4% of 300 = 16.2, June 23.4% = 70.2
    np.testing.assert_allclose(paid[[0, 1, 11]], [0.0, 16.2, 70.2])
    np.testing.assert_allclose(paid[:12].sum(), 300.0)


def test_a_subsidy_reform_takes_the_subsidy_off_the_calendar():
    data = small_data(subsidy={"release_by_month_pct": CALENDAR, "lag_months": 0,
                               "budget_cap_bn_pkr_per_fy": {"FY2026": 300.0,
                                                            "FY2027": 300.0}})
    data["policies"] = [{"type": "subsidy_reform", "start": "2026-07", "payment_pct": 100.0,
                         "lag_months": 0}]
    rec = simulate_scenario(validate_scenario_data(data, "t.toml")).series
    np.testing.assert_allclose(rec["tds_paid_bn_pkr"][0][12:], rec["tds_due_bn_pkr"][0][12:])
    assert rec["tds_paid_bn_pkr"][0][0] == 0.0  # July 2025, on the calendar: nothing


def test_a_calendar_without_a_budget_is_refused():
    data = small_data(subsidy={"release_by_month_pct": CALENDAR})
    data["subsidy"].pop("budget_cap_bn_pkr_per_fy")
    with pytest.raises(ScenarioError, match="subsidy.budget_cap_bn_pkr_per_fy"):
        validate_scenario_data(data, "t.toml")


def test_a_calendar_that_does_not_sum_to_100_is_refused():
    with pytest.raises(ScenarioError, match=r"release_by_month_pct.*sum to 100"):
        small(subsidy={"release_by_month_pct": [10.0] * 12})


def test_budget_heads_follow_their_release_calendar():
    shares = [0.0] * 5 + [100.0] + [0.0] * 6  # all in June
    rec = simulate_scenario(small(budget={"release_by_month_pct": shares})).series
    budget = -rec["flow_budget_payments_bn_pkr"][0]
    np.testing.assert_allclose(budget[11], 120.0)
    np.testing.assert_allclose(np.delete(budget[:12], 11), 0.0)


# ------------------------------------------------------------------------- PHL (§13)


def test_instalment_months_count_down_then_keep_one():
    left = instalments_left(12, 2, 3, 3)
    np.testing.assert_array_equal(left, [0, 0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 1])


def _service(**changes):
    args = dict(debt_bn=np.array([1200.0]), accrued_interest_bn=np.array([0.0]),
                account_bn=np.array([100.0]), repaid_in_fy_bn=np.array([0.0]),
                kibor=np.array([0.12]), spread=0.0, budget_bn=0.0, dss_bn=np.array([30.0]),
                instalments_left=0, fy_cap_bn=np.nan, fy_starts=False)
    return debt.phl_instalment_service(**(args | changes))


def test_between_instalments_the_dss_is_held_and_interest_accrues():
    m = _service()
    np.testing.assert_allclose(m.interest_bn, [12.0])  # 1,200 x 12% / 12
    np.testing.assert_allclose(m.debt_bn, [1212.0])
    np.testing.assert_allclose(m.account_bn, [130.0])
    assert m.dss_applied_bn == 0.0


def test_an_instalment_pays_interest_and_a_share_of_principal_and_passes_on_the_rest():
    m = _service(accrued_interest_bn=np.array([24.0]), instalments_left=24)
    # owed 1,212 with 36 interest: due 36 + 1,176 / 24 = 85; account 130 pays it, 45 on
    np.testing.assert_allclose(m.dss_used_bn, [85.0])
    np.testing.assert_allclose(m.debt_bn, [1127.0])
    np.testing.assert_allclose(m.dss_left_bn, [45.0])
    np.testing.assert_allclose(m.account_bn, [0.0])


def test_the_annual_cap_limits_an_instalment():
    m = _service(accrued_interest_bn=np.array([24.0]), instalments_left=24,
                 repaid_in_fy_bn=np.array([300.0]), fy_cap_bn=323.0)
    np.testing.assert_allclose(m.dss_used_bn, [23.0])
    np.testing.assert_allclose(m.repaid_in_fy_bn, [323.0])
    assert _service(instalments_left=24, repaid_in_fy_bn=np.array([300.0]), fy_cap_bn=323.0,
                    fy_starts=True).dss_used_bn[0] > 23.0  # a new fiscal year resets it


def test_once_repaid_all_dss_money_flows_on():
    m = _service(debt_bn=np.array([0.0]))
    np.testing.assert_allclose(m.dss_left_bn, [130.0])
    np.testing.assert_allclose(m.account_bn, [0.0])


def _interest_only(debt_bn=1200.0, budget_bn=0.0, dss_bn=5.0):
    return debt.phl_interest_only_service(np.array([debt_bn]), np.array([0.12]), 0.0,
                                          budget_bn, np.array([dss_bn]))


def test_interest_only_the_dss_pays_interest_cppa_pays_the_rest_and_the_principal_stays():
    m = _interest_only()
    np.testing.assert_allclose(m.interest_bn, [12.0])  # 1,200 x 12% / 12
    np.testing.assert_allclose(m.debt_bn, [1200.0])
    np.testing.assert_allclose(m.dss_used_bn, [5.0])
    np.testing.assert_allclose(m.interest_from_cppa_bn, [7.0])
    np.testing.assert_allclose(m.dss_left_bn, [0.0])


def test_interest_only_dss_beyond_the_interest_flows_on_and_budget_repays_principal():
    m = _interest_only(budget_bn=50.0, dss_bn=30.0)
    np.testing.assert_allclose(m.debt_bn, [1150.0])
    np.testing.assert_allclose(m.dss_left_bn, [18.0])
    np.testing.assert_allclose(m.interest_from_cppa_bn, [0.0])
    m = _interest_only(debt_bn=10.0, budget_bn=50.0, dss_bn=30.0)
    np.testing.assert_allclose(m.debt_bn, [0.0])
    np.testing.assert_allclose(m.budget_left_bn, [40.0])  # what PHL cannot use flows on


def test_cppa_pays_the_phl_interest_out_of_its_cash():
    from circdebt.model import cash
    got = cash.cash_in_bn(np.array([100.0]), np.array([10.0]), np.array([5.0]), 0.0, 0.0,
                          np.array([0.0]), np.array([2.0]), np.array([7.0]))
    np.testing.assert_allclose(got, [90.0])


def test_interest_only_phl_moves_only_with_budget_money_and_the_identity_closes():
    data = small_data(debt={"phl_interest_only": True})
    data["tariff"]["dss_pkr_per_kwh"] = 0.5
    rec = simulate_scenario(validate_scenario_data(data, "t.toml")).series
    total = sum(rec[f"flow_{c}_bn_pkr"] for c in CAUSES)
    np.testing.assert_allclose(total, rec["cd_flow_bn_pkr"], atol=1e-9)
    phl = rec["phl_debt_bn_pkr"][0]
    # 660 at the start; the small scenario's budget pays PHL 60 over FY2027 only
    np.testing.assert_allclose(phl[:12], 660.0)
    np.testing.assert_allclose(phl[23], 600.0)
    np.testing.assert_allclose(rec["flow_dss_bn_pkr"], -rec["dss_collected_bn_pkr"], atol=1e-9)


def test_interest_only_and_a_held_dss_together_are_refused():
    data = small_data(debt={"phl_interest_only": True, "phl_dss_held": True})
    with pytest.raises(ScenarioError, match="phl_interest_only"):
        validate_scenario_data(data, "t.toml")


# --------------------------------------------------- the whole month, all features on


def timed_scenario():
    data = small_data(
        losses={"actual_by_month_pct_points": [-4.0] * 3 + [3.0] * 6 + [-4.0] * 3,
                "valuation": "tariff"},
        collection={"next_month_share_pct": 50.0,
                    "recovery_by_month_pct_points": [4.0] * 6 + [-4.0] * 6},
        subsidy={"release_by_month_pct": CALENDAR,
                 "budget_cap_bn_pkr_per_fy": {"FY2026": 150.0, "FY2027": 150.0}},
        budget={"release_by_month_pct": [0.0] * 5 + [100.0] + [0.0] * 6},
        debt={"phl_dss_held": True}, initial={"subsidy_arrears_bn_pkr": 20.0})
    data["tariff"]["dss_pkr_per_kwh"] = 3.0
    data["policies"] = [{"type": "debt_refinancing", "start": "2025-10",
                         "tranches": [{"month": "2026-01", "amount_bn_pkr": 200.0}],
                         "phl_spread_pct": -0.9, "instalments": 8,
                         "first_instalment": "2025-12", "repayment_cap_bn_pkr_per_fy": 323.0}]
    return validate_scenario_data(data, "t.toml")


def test_the_identity_closes_with_every_timing_feature_on():
    rec = simulate_scenario(timed_scenario(), 3).series
    total = sum(rec[f"flow_{c}_bn_pkr"] for c in CAUSES)
    np.testing.assert_allclose(total, rec["cd_flow_bn_pkr"], atol=1e-9)
    assert np.abs(rec["flow_dss_bn_pkr"]).max() > 1.0  # instalments happened
    assert (rec["phl_account_bn_pkr"] > 0).any()


def test_the_dss_reduces_the_stock_only_on_instalment_dates():
    rec = simulate_scenario(timed_scenario()).series
    dss = rec["flow_dss_bn_pkr"][0]
    # held from the start (phl_dss_held); instalments every 3 months from December 2025
    np.testing.assert_array_equal(np.flatnonzero(dss < 0), [5, 8, 11, 14, 17, 20, 23])


def test_the_stock_s_valuation_choice_moves_losses_not_the_flow():
    data = small_data(losses={"valuation": "tariff"})
    tariff = simulate_scenario(validate_scenario_data(data, "t.toml")).series
    cost = simulate_scenario(small()).series
    np.testing.assert_allclose(tariff["cd_flow_bn_pkr"], cost["cd_flow_bn_pkr"], atol=1e-9)
    moved = tariff["flow_excess_losses_bn_pkr"] - cost["flow_excess_losses_bn_pkr"]
    assert np.abs(moved).max() > 0.1
    np.testing.assert_allclose(moved, cost["flow_tariff_gap_bn_pkr"]
                               - tariff["flow_tariff_gap_bn_pkr"], atol=1e-9)


@pytest.mark.parametrize("change, key", [
    ({"instalments": 8}, "first_instalment"),
    ({"first_instalment": "2025-12"}, "instalments"),
    ({"amount_bn_pkr": 10.0, "tranches": [{"month": "2026-01", "amount_bn_pkr": 5.0}]},
     "tranches"),
    ({"tranches": [{"month": "2025-08", "amount_bn_pkr": 5.0}]}, "tranches[0].month"),
])
def test_a_loan_schedule_that_cannot_be_run_is_refused(change, key):
    data = small_data()
    data["policies"] = [{"type": "debt_refinancing", "start": "2025-10", **change}]
    with pytest.raises(ScenarioError, match=re.escape(f"policies[0].{key}")):
        validate_scenario_data(data, "t.toml")


# ------------------------------------------------------------- payment disputes (§10)


def test_a_disputing_class_withholds_its_share_and_a_settlement_pays_it():
    due, rate = np.array([[100.0, 50.0]]), np.array([[0.9, 1.0]])
    d = billing.dispute_month(due, rate, np.array([0.0, 1.0]), np.array([30.0]), 0.0)
    np.testing.assert_allclose(d.withheld_bn, [50.0])
    np.testing.assert_allclose(d.recovery, [[0.9, 0.0]])
    np.testing.assert_allclose(d.disputed_bn, [80.0])
    settled = billing.dispute_month(due, rate, np.zeros(2), np.array([80.0]), 0.5)
    np.testing.assert_allclose(settled.settled_bn, [40.0])
    np.testing.assert_allclose(settled.disputed_bn, [40.0])


def _disputed(**policy):
    data = small_data(settlement={"arrears_recovery_pct_per_year": 0.0})
    data["policies"] = [{"type": "payment_dispute", "start": "2025-10", "end": "2025-12",
                         "class_name": "industrial", **policy}]
    return simulate_scenario(validate_scenario_data(data, "t.toml")).series


def test_a_dispute_raises_under_recovery_while_it_lasts_and_a_settlement_reverses_it():
    base = simulate_scenario(small(settlement={"arrears_recovery_pct_per_year": 0.0})).series
    held = _disputed()
    extra = held["flow_under_recovery_bn_pkr"][0] - base["flow_under_recovery_bn_pkr"][0]
    assert (extra[3:6] > 1.0).all() and np.allclose(extra[:3], 0.0)
    np.testing.assert_allclose(held["disputed_dues_bn_pkr"][0][5], extra[3:6].sum())
    settled = _disputed(settled_in="2026-03")["flow_under_recovery_bn_pkr"][0]
    np.testing.assert_allclose(settled[8] - held["flow_under_recovery_bn_pkr"][0][8],
                               -extra[3:6].sum(), rtol=1e-9)


def test_a_settlement_outside_the_horizon_is_refused():
    with pytest.raises(ScenarioError, match=re.escape("policies[0].settled_in")):
        _disputed(settled_in="2030-01")


# ------------------------------------------------------------ the two fiscal cases


def test_the_two_baselines_differ_only_in_their_stated_fiscal_assumptions():
    from circdebt.io import load_scenario
    from circdebt.keypaths import flatten
    from circdebt.scenario.dump import scenario_dict

    current = flatten(scenario_dict(load_scenario("scenarios/baseline.toml")))
    nfa = flatten(scenario_dict(load_scenario("scenarios/no-further-action.toml")))
    differ = {k for k in current.keys() | nfa.keys() if current.get(k) != nfa.get(k)}
    later = {f"FY{y}" for y in range(2027, 2036)}
    assert differ == ({"name", "description", "fiscal_case", "fiscal_assumptions"}
                      | {f"budget.cppa_payments_bn_pkr_per_fy.{fy}" for fy in later}
                      | {f"subsidy.budget_cap_bn_pkr_per_fy.{fy}" for fy in later})
    assert all(nfa[f"budget.cppa_payments_bn_pkr_per_fy.{fy}"] == 0.0 for fy in later)
    assert all(nfa[f"subsidy.budget_cap_bn_pkr_per_fy.{fy}"] == 249.0 for fy in later)
    assert current["fiscal_case"] == "current_policy"
    assert nfa["fiscal_case"] == "no_further_action"


# ------------------------------------- the baseline's facility against its published terms


def test_the_baseline_facility_follows_its_published_terms():
    """Rs1,225bn: 24 quarterly instalments (first March 2026, ASSUMPTION; the 24th in
    December 2031), repayments within Rs323bn a fiscal year, the DSS ended after the last
    instalment (scenarios/baseline.toml, bank_refinancing_2025)."""
    import circdebt

    m = circdebt.run("scenarios/baseline.toml").monthly
    paid = m[m["phl_repaid_bn_pkr"] > 0]
    months = paid["month"].tolist()
    assert len(months) == 24 and months[0] == "2026-03" and months[-1] == "2031-12"
    gaps = np.diff([int(x[:4]) * 12 + int(x[5:]) for x in months])
    assert (gaps == 3).all()
    assert m.groupby("fy")["phl_repaid_bn_pkr"].sum().max() <= 323.0 + 1e-9
    after = m[m["month"] > "2031-12"]
    assert (after["phl_debt_bn_pkr"] <= 1e-6).all() and (after["dss_collected_bn_pkr"] == 0).all()
    # the fresh tranche moved producer dues into PHL in January 2026 (at most Rs565.4bn,
    # at most what the three IPP classes were owed after December's stock payments)
    jan = m.set_index("month").loc[["2025-12", "2026-01"]]
    moved = jan["phl_debt_bn_pkr"].diff().iloc[-1]
    assert 300.0 < moved <= 565.4 + 10.0  # + a month's interest


# ------------------------------------------- re-anchoring to published month-end stocks


def test_anchored_payables_keep_the_run_s_proportions():
    out = debt.anchored_payables_bn(np.array([[30.0, 10.0], [0.0, 0.0]]), 100.0)
    np.testing.assert_allclose(out, [[75.0, 25.0], [50.0, 50.0]])


def _anchored():
    return small(anchor={"month": "2025-12", "payables_bn_pkr": 700.0,
                         "genco_fuel_payables_bn_pkr": 80.0, "phl_debt_bn_pkr": 600.0})


def test_a_run_re_anchored_reports_from_the_month_after_with_the_published_stocks():
    import circdebt

    full, anchored = circdebt.run(small()).monthly, circdebt.run(_anchored()).monthly
    assert anchored["month"].iloc[0] == "2026-01" and len(anchored) == len(full) - 6
    first = anchored.iloc[0]
    # the first month's flow starts from the anchored stock, 700 + 80 + 600 - cash
    np.testing.assert_allclose(first["cd_stock_bn_pkr"] - first["cd_flow_bn_pkr"],
                               1380.0 - full.iloc[5]["cppa_cash_bn_pkr"], atol=1e-9)
    np.testing.assert_allclose(anchored["genco_fuel_payables_bn_pkr"], 80.0)
    total = sum(anchored[f"flow_{c}_bn_pkr"] for c in CAUSES)
    np.testing.assert_allclose(total, anchored["cd_flow_bn_pkr"], atol=1e-9)
    assert circdebt.run(_anchored()).annual["fy"].iloc[0] == "FY2026"  # Jan-Jun 2026


def test_an_anchor_outside_the_horizon_is_refused():
    with pytest.raises(ScenarioError, match=re.escape("anchor.month")):
        small(anchor={"month": "2027-06", "payables_bn_pkr": 1.0,
                      "genco_fuel_payables_bn_pkr": 1.0, "phl_debt_bn_pkr": 1.0})


def test_the_packaged_record_gives_the_december_2025_split():
    from circdebt.data import record

    stocks = record.month_end_stocks("2025-12")
    assert stocks is not None
    assert (stocks["payables_bn_pkr"], stocks["phl_debt_bn_pkr"]) == (903.0, 694.0)
    assert stocks["genco_fuel_payables_bn_pkr"] == 1689.0 - 903.0 - 694.0
    assert record.month_end_stocks("2026-03") is None


@pytest.mark.parametrize("table, key, value, says", [
    ("collection", "recovery_by_month_pct_points", [0.05] * 6 + [-0.05] * 6, "fraction"),
    ("losses", "actual_by_month_pct_points", [0.03] * 6 + [-0.03] * 6, "fraction"),
    ("budget", "release_by_month_pct", [1 / 12] * 12, "fractions? give percents"),
])
def test_profiles_typed_as_fractions_are_refused(table, key, value, says):
    data = small_data()
    data.setdefault(table, {})[key] = value
    with pytest.raises(ScenarioError, match=re.escape(says)) as err:
        validate_scenario_data(data, "t.toml")
    assert f"{table}.{key}" in str(err.value)
