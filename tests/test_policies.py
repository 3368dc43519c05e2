"""Each policy: at zero strength it changes nothing; at positive strength it moves its
target the right way; the flow identity still closes."""

import numpy as np
import pytest
from factories import small, small_data

from circdebt.engine import simulate_scenario
from circdebt.engine.levers import base_levers
from circdebt.engine.policies import weight
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.model.causes import CAUSES
from circdebt.timeline import Timeline

START = "2025-10"


def run(*policies, **changes):
    return simulate_scenario(small(policies=list(policies), **changes)).series


@pytest.fixture(scope="module")
def base():
    return run()


def total(series, name):
    """Sum over months; ``abs:column`` sums the absolute monthly values."""
    if name.startswith("abs:"):
        return np.abs(series[name[4:]][0]).sum()
    return series[name][0].sum()


def assert_identity(series):
    causes = sum(series[f"flow_{c}_bn_pkr"] for c in CAUSES)
    np.testing.assert_allclose(series["cd_flow_bn_pkr"], causes, atol=1e-8)


# (policy at zero strength, policy at positive strength, column, direction)
CASES = {
    "ipp_renegotiation": (
        {"type": "ipp_renegotiation", "groups": ["coal_cpec"]},
        {"type": "ipp_renegotiation", "groups": ["coal_cpec", "rlng"], "cpp_usd_cut_pct": 20.0,
         "cpp_pkr_cut_pct": 10.0, "phase_in_months": 3},
        "capacity_payments_bn_pkr", -1),
    "ipp_renegotiation_conversion": (
        {"type": "ipp_renegotiation", "groups": ["coal_cpec"], "usd_to_pkr_conversion_pct": 0.0},
        {"type": "ipp_renegotiation", "groups": ["coal_cpec"], "usd_to_pkr_conversion_pct": 100.0},
        "capacity_payments_bn_pkr", -1),  # the rupee depreciates faster than PK CPI here
    "ipp_renegotiation_lps": (
        {"type": "ipp_renegotiation", "groups": ["coal_cpec"], "lps_waiver_pct": 0.0},
        {"type": "ipp_renegotiation", "groups": ["coal_cpec"], "lps_waiver_pct": 50.0,
         "accrued_lps_waiver_bn_pkr": 100.0},
        "cd_flow_bn_pkr", -1),
    "ipp_termination": (
        {"type": "ipp_termination", "groups": ["rlng"], "start": "2027-06"},
        {"type": "ipp_termination", "groups": ["rlng"], "settlement_bn_pkr": 20.0},
        "capacity_payments_bn_pkr", -1),
    "take_and_pay": (
        {"type": "take_and_pay", "groups": ["rlng"], "start": "2027-06"},
        {"type": "take_and_pay", "groups": ["rlng", "coal_cpec"]},
        "capacity_payments_bn_pkr", -1),
    "loss_reduction": (
        {"type": "loss_reduction", "target_loss_pct": 17.5},
        {"type": "loss_reduction", "target_loss_pct": 12.0, "phase_in_months": 12},
        "flow_excess_losses_bn_pkr", -1),
    "recovery_improvement": (
        {"type": "recovery_improvement", "target_recovery_pct": 92.0,
         "classes": ["residential"]},
        {"type": "recovery_improvement", "target_recovery_pct": 99.0},
        "flow_under_recovery_bn_pkr", -1),
    "disco_privatisation": (
        {"type": "disco_privatisation", "delay_months": 6},
        {"type": "disco_privatisation", "delay_months": 6, "loss_reduction_pct_points": 4.0,
         "recovery_gain_pct_points": 3.0, "phase_in_months": 6},
        "cd_flow_bn_pkr", -1),
    "subsidy_reform": (
        {"type": "subsidy_reform", "payment_pct": 85.0},
        {"type": "subsidy_reform", "payment_pct": 100.0, "lag_months": 0},
        "flow_subsidy_shortfall_bn_pkr", -1),
    "subsidy_reform_targeting": (
        {"type": "subsidy_reform", "protected_billed_pct_of_determined": 80.0},
        {"type": "subsidy_reform", "protected_billed_pct_of_determined": 95.0},
        "tds_due_bn_pkr", -1),
    "tariff_automation": (
        {"type": "tariff_automation", "pass_through_pct": 90.0},
        {"type": "tariff_automation", "pass_through_pct": 100.0, "fca_lag_months": 0,
         "qta_lag_months": 0, "qta_period_months": 1},
        "abs:flow_tariff_gap_bn_pkr", -1),
    "debt_refinancing": (
        {"type": "debt_refinancing", "amount_bn_pkr": 0.0},
        {"type": "debt_refinancing", "amount_bn_pkr": 500.0, "phl_spread_pct": -0.9},
        "flow_lps_bn_pkr", -1),
    "budget_injection": (
        {"type": "budget_injection", "amount_bn_pkr": 0.0},
        {"type": "budget_injection", "amount_bn_pkr": 300.0, "phase_in_months": 3},
        "cd_flow_bn_pkr", -1),
    "net_metering_reform": (
        {"type": "net_metering_reform", "buyback_pkr_per_kwh": 20.0},
        {"type": "net_metering_reform", "buyback_pkr_per_kwh": 10.0},
        "net_metering_bn_pkr", -1),
    "net_metering_gross": (
        {"type": "net_metering_reform", "metering": "net"},
        {"type": "net_metering_reform", "metering": "gross"},
        "units_sold_gwh", +1),
    "captive_to_grid": (
        {"type": "captive_to_grid", "class_name": "industrial", "load_gwh_per_year": 0.0},
        {"type": "captive_to_grid", "class_name": "industrial", "load_gwh_per_year": 5000.0,
         "phase_in_months": 12},
        "units_sold_gwh", +1),
    "tariff_rebalancing": (
        {"type": "tariff_rebalancing", "classes": ["industrial"], "multiplier_change_pct": 0.0},
        {"type": "tariff_rebalancing", "classes": ["industrial"],
         "multiplier_change_pct": -12.0, "phase_in_months": 2},
        "tariff_recovered_bn_pkr", 0),
    "incremental_tariff": (  # a price above every tariff: no discount, no response
        {"type": "incremental_tariff", "classes": ["industrial"], "price_pkr_per_kwh": 1000.0},
        {"type": "incremental_tariff", "classes": ["industrial"], "price_pkr_per_kwh": 15.0,
         "reference_pct_of_last_year": 90.0, "end": "2027-03"},
        "flow_tariff_gap_bn_pkr", +1),
    "solar_surge": (
        {"type": "solar_surge", "extra_additions_mw_per_year": 0.0},
        {"type": "solar_surge", "extra_additions_mw_per_year": 3000.0},
        "units_sold_gwh", -1),
}


def _with_start(policy):
    return {"start": START, **policy}


@pytest.mark.parametrize("case", sorted(CASES))
def test_zero_strength_reproduces_the_baseline_exactly(base, case):
    zero, _, _, _ = CASES[case]
    series = run(_with_start(zero))
    for name in ("cd_stock_bn_pkr", "capacity_payments_bn_pkr", "units_sold_gwh"):
        np.testing.assert_array_equal(series[name], base[name])


@pytest.mark.parametrize("case", sorted(CASES))
def test_positive_strength_moves_its_target_the_right_way(base, case):
    _, strong, column, direction = CASES[case]
    series = run(_with_start(strong))
    change = total(series, column) - total(base, column)
    if direction == 0:  # revenue neutral: the total barely moves, the split does
        assert abs(change) < 0.02 * abs(total(base, column)), f"{column} moved by {change}"
    else:
        assert change * direction > 1e-6, f"{column} moved by {change}"
    assert_identity(series)


def test_one_offs_are_their_own_cause_and_refinancing_is_stock_neutral(base):
    settle = run(_with_start({"type": "ipp_termination", "groups": ["rlng"],
                              "settlement_bn_pkr": 40.0, "phase_in_months": 2}))
    assert total(settle, "flow_policy_one_offs_bn_pkr") == pytest.approx(40.0)
    inject = run(_with_start({"type": "budget_injection", "amount_bn_pkr": 90.0, "to": "phl"}))
    assert total(inject, "flow_policy_one_offs_bn_pkr") == pytest.approx(-90.0)
    refi = run(_with_start({"type": "debt_refinancing", "amount_bn_pkr": 300.0}))
    t = Timeline("2025-07", "2027-06").index_of(START)
    assert refi["flow_policy_one_offs_bn_pkr"][0, t] == 0.0
    # the month of the move: same stock, payables down and PHL up by the amount
    moved = base["payables_bn_pkr"][0, t] - refi["payables_bn_pkr"][0, t]
    assert moved > 250
    assert refi["phl_debt_bn_pkr"][0, t] - base["phl_debt_bn_pkr"][0, t] > 250


def test_policies_compose_in_order():
    both = small(policies=[
        {"type": "loss_reduction", "start": START, "target_loss_pct": 12.0},
        {"type": "disco_privatisation", "start": START, "loss_reduction_pct_points": 2.0}])
    tl = Timeline("2025-07", "2027-06")
    from circdebt.engine.policies import apply_policies
    lv = apply_policies(base_levers(both, tl), both, tl)
    assert lv.loss_actual[-1] == pytest.approx(0.10)


def test_weight_ramps_linearly():
    tl = Timeline("2025-07", "2026-06")
    np.testing.assert_allclose(weight(tl, "2025-09", 4), [0, 0, .25, .5, .75, 1, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(weight(tl, "2025-09", 0)[:4], [0, 0, 1, 1])
    np.testing.assert_allclose(weight(tl, "2025-09", 2, delay_months=3)[:8],
                               [0, 0, 0, 0, 0, .5, 1, 1])


def test_unknown_policy_or_parameter_is_refused_with_what_is_valid():
    data = small_data(policies=[
        {"type": "loss_reductoin", "start": START},
        {"type": "loss_reduction", "start": START, "target_loss_pct": 12, "speed": 1},
    ])
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "s.toml")
    found = {p.key_path: p for p in info.value.problems}
    assert "loss_reduction" in found["policies[0].type"].suggestion
    assert "target_loss_pct" in found["policies[1].speed"].expected


def test_policy_targets_and_dates_are_checked():
    data = small_data(policies=[
        {"type": "ipp_termination", "start": "2040-01", "groups": ["rlgn"]},
        {"type": "captive_to_grid", "start": START, "class_name": "industry",
         "load_gwh_per_year": 1.0},
    ])
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "s.toml")
    found = {p.key_path: p for p in info.value.problems}
    assert "policies[0].start" in found
    assert "rlng" in found["policies[0].groups[0]"].suggestion
    assert "industrial" in found["policies[1].class_name"].suggestion


def test_a_shorter_subsidy_lag_neither_drops_nor_repeats_dues():
    changes = {"subsidy": {"lag_months": 3, "payment_pct": 100.0,
                           "pre_start_due_bn_pkr_per_month": 10.0,
                           "budget_cap_bn_pkr_per_fy": {"FY2027": 1e7}}}
    reform = {"type": "subsidy_reform", "start": "2026-01", "lag_months": 1}
    s = simulate_scenario(small(policies=[reform], **changes)).series
    due, paid = s["tds_due_bn_pkr"][0], s["tds_paid_bn_pkr"][0]
    # 3 pre-start months, then every due except the last month's (due after the horizon)
    assert paid.sum() == pytest.approx(3 * 10.0 + due[:-1].sum())


def test_tariff_rebalancing_shifts_the_cross_subsidy_between_classes():
    cut = {"type": "tariff_rebalancing", "start": "2026-02", "classes": ["industrial"],
           "multiplier_change_pct": -12.0}
    traj_base = simulate_scenario(small())
    traj_cut = simulate_scenario(small(policies=[cut]))
    t = Timeline("2025-07", "2027-06").index_of("2026-02")
    ind, res = 1, 0
    base_tariff = traj_base.by_class["tariff_pkr_per_kwh"][0, t]
    cut_tariff = traj_cut.by_class["tariff_pkr_per_kwh"][0, t]
    assert cut_tariff[ind] < base_tariff[ind]  # industry pays less...
    assert cut_tariff[res] > base_tariff[res]  # ...households more
    assert_identity(traj_cut.series)


def test_debt_reprofiling_spreads_debt_service_over_a_longer_term():
    from circdebt.engine.levers import base_levers
    from circdebt.engine.policies import apply_policies
    reprofile = {"type": "ipp_renegotiation", "start": "2025-10", "groups": ["coal_cpec"],
                 "debt_reprofiling_months": 12}
    s = small(policies=[reprofile], time={"end": "2029-06"})
    tl = Timeline("2025-07", "2029-06")
    lv = apply_policies(base_levers(s, tl), s, tl)
    g = [p.name for p in s.supply.plants].index("coal_cpec")
    base = base_levers(small(time={"end": "2029-06"}), tl).debt_factor[:, g]
    # 14 months were left at the start (Oct 2025 -> Dec 2026), 12 are added
    np.testing.assert_allclose(lv.debt_factor[3:29, g], 14 / 26)
    assert lv.debt_factor[29:, g].sum() == 0 and (lv.debt_factor[:3, g] == 1).all()
    assert lv.debt_factor[:, g].sum() == pytest.approx(base.sum())  # same service, spread
    # near-term capacity payments fall, later ones rise
    plain = simulate_scenario(small(time={"end": "2029-06"})).series["capacity_payments_bn_pkr"][0]
    spread = simulate_scenario(s).series["capacity_payments_bn_pkr"][0]
    assert spread[5] < plain[5] and spread[20] > plain[20]


def test_debt_reprofiling_repays_the_outstanding_principal_over_the_longer_term():
    from circdebt.engine.levers import base_levers
    from circdebt.engine.policies import apply_policies
    reprofile = {"type": "ipp_renegotiation", "start": "2025-10", "groups": ["coal_cpec"],
                 "debt_reprofiling_months": 12}
    s = small(policies=[reprofile], time={"end": "2029-06"})
    tl = Timeline("2025-07", "2029-06")
    g = [p.name for p in s.supply.plants].index("coal_cpec")
    base = base_levers(small(time={"end": "2029-06"}), tl).debt_outstanding[:, g]
    lv = apply_policies(base_levers(s, tl), s, tl)
    # 17 months from the start to Dec 2026: 3 repaid by Oct 2025, 14 / 17 left, repaid
    # now in equal instalments over 14 + 12 = 26 months
    np.testing.assert_allclose(base[:4], [1, 16 / 17, 15 / 17, 14 / 17])
    np.testing.assert_allclose(lv.debt_outstanding[:4, g], base[:4])
    np.testing.assert_allclose(lv.debt_outstanding[3:30, g],
                               14 / 17 * np.clip((26 - np.arange(27)) / 26, 0, 1))
    assert (lv.debt_outstanding[29:, g] == 0).all()


def test_usd_cut_and_conversion_apply_to_every_dollar_component():
    # a group priced by component: the renegotiation's dollar cut scales RoE, and the
    # converted share of RoE follows PK CPI from the conversion month
    from circdebt.engine.compile import compile_inputs
    from circdebt.model import supply
    group = {"name": "wind", "creditor": "ipp", "capacity_mw": 1000.0, "must_run": True,
             "roe_usd_per_kw_month": 10.0, "local_om_pkr_per_kw_month": 500.0}
    policy = {"type": "ipp_renegotiation", "start": "2026-01", "groups": ["wind"],
              "cpp_usd_cut_pct": 20.0, "usd_to_pkr_conversion_pct": 100.0}
    plants = [*small_data()["supply"]["plants"], group]
    x = compile_inputs(small(supply={"plants": plants}, policies=[policy]))
    t0, t = 6, 18
    exo = x.exo
    roe = supply.month_prices_pkr_per_kw_month(x.plants, x.month_rates(t), x.contract_terms(t))
    k = supply.PARTS.index("roe")
    frozen = exo.fx_pkr_per_usd[0, t0] / exo.pk_cpi_index[0, t0]
    assert roe[0, -1, k] == pytest.approx(10.0 * 0.8 * frozen * exo.pk_cpi_index[0, t])
    before = supply.month_prices_pkr_per_kw_month(x.plants, x.month_rates(3),
                                                  x.contract_terms(3))
    assert before[0, -1, k] == pytest.approx(10.0 * exo.fx_pkr_per_usd[0, 3])
    # the rupee component is untouched by a dollar cut
    assert before[0, -1, supply.PARTS.index("local_om")] == \
        pytest.approx(500.0 * exo.pk_cpi_index[0, 3])
