"""Cost of service by class and voltage, and the cross-subsidy each class pays
(docs/model.md §9)."""

import numpy as np
import pytest
from factories import SMALL, small, small_data
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from circdebt.engine import simulate_scenario
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.model.service import (
    class_dm_weight,
    class_gross_up,
    cost_of_service,
    cross_subsidy,
)

NAN = np.nan

LEVELS = [
    {"name": "132kv", "allowed_loss_pct": 3.0, "distribution_margin_pct": 0.0},
    {"name": "11kv", "allowed_loss_pct": 6.0, "distribution_margin_pct": 50.0},
    {"name": "400v", "allowed_loss_pct": 14.0, "distribution_margin_pct": 100.0},
]


ZONES = [{"name": "z", "start": "2025-07", "ramp_months": 0, "peak_load_mw": 200.0}]


def voltages_data(residential="400v", industrial="11kv", sez=None):
    data = small_data(cost_of_service={"voltage_levels": LEVELS},
                      sez={"zones": ZONES} if sez else {})
    for c, v in zip(data["demand"]["classes"], (residential, industrial), strict=True):
        c["voltage"] = v
    if sez:
        data["sez"]["voltage"] = sez
    return data


def with_voltages(residential="400v", industrial="11kv", sez=None):
    return validate_scenario_data(voltages_data(residential, industrial, sez), "t.toml")


def test_gross_up_uses_the_level_loss_or_the_class_allowed_loss():
    allowed = np.array([[0.10, 0.02, 0.20]])
    gross_up = class_gross_up(allowed, np.array([0.05, NAN, 0.5]))
    np.testing.assert_allclose(gross_up, [[1 / 0.95, 1 / 0.98, 2.0]])


def test_dm_weight_uses_the_level_share_or_the_class_share():
    weight = class_dm_weight(np.array([1.0, 0.0, 1.0]), np.array([0.6, NAN, NAN]), (2, 3))
    np.testing.assert_allclose(weight, [[0.6, 0.0, 1.0]] * 2)


def test_cost_of_service_on_hand_numbers():
    # PPP at the allowed loss Rs 30 bn, DM Rs 4 bn; sales 600 GWh at 400 V (gross-up 1.25,
    # DM weight 1) and 400 GWh at 11 kV (gross-up 1.0, DM weight 0.5).
    # supply: 30 / (600 x 1.25 + 400 x 1.0) = Rs 0.026087 bn/GWh per unit of gross-up;
    # distribution: 4 / (600 + 200) = Rs 5/kWh per unit of weight.
    cos = cost_of_service(np.array([30.0]), np.array([4.0]), np.array([[600.0, 400.0]]),
                          np.array([[1.25, 1.0]]), np.array([[1.0, 0.5]]))
    per_gross_up = 30.0 / 1150.0 * 1e3
    np.testing.assert_allclose(cos.supply_pkr_per_kwh, [[1.25 * per_gross_up, per_gross_up]])
    np.testing.assert_allclose(cos.distribution_pkr_per_kwh, [[5.0, 2.5]])
    np.testing.assert_allclose(cos.total_pkr_per_kwh,
                               cos.supply_pkr_per_kwh + cos.distribution_pkr_per_kwh)
    # the costs add up to what was allocated: 30 + 4 = Rs 34 bn
    assert (cos.total_pkr_per_kwh * [600.0, 400.0]).sum() / 1e3 == pytest.approx(34.0)


def test_cost_of_service_spreads_dm_per_kwh_when_no_sales_carry_weight():
    cos = cost_of_service(np.array([10.0]), np.array([2.0]), np.array([[100.0, 100.0]]),
                          np.ones((1, 2)), np.zeros((1, 2)))
    np.testing.assert_allclose(cos.distribution_pkr_per_kwh, [[10.0, 10.0]])
    none = cost_of_service(np.array([10.0]), np.array([2.0]), np.zeros((1, 2)),
                           np.ones((1, 2)), np.ones((1, 2)))
    np.testing.assert_array_equal(none.total_pkr_per_kwh, np.zeros((1, 2)))


def test_cross_subsidy_on_hand_numbers():
    # a protected class billed 50% of Rs 20 pays Rs 10 against a cost of Rs 30: -20/kWh
    # on 100 GWh = -Rs 2 bn; an industrial class pays Rs 36 against Rs 32: +4 on 500 GWh
    x = cross_subsidy(np.array([[20.0, 36.0]]), np.array([0.5, 1.0]),
                      np.array([[30.0, 32.0]]), np.array([[100.0, 500.0]]))
    np.testing.assert_allclose(x.pkr_per_kwh, [[-20.0, 4.0]])
    np.testing.assert_allclose(x.bn, [[-2.0, 2.0]])


positive = st.one_of(st.just(0.0), st.floats(1e-3, 1e3))  # GWh: none, or some


@settings(max_examples=200, deadline=None)
@given(ppp=st.floats(0.0, 500.0), dm=st.floats(0.0, 50.0),
       sales=arrays(float, 4, elements=positive),
       loss=arrays(float, 4, elements=st.floats(0.0, 0.5)),
       weight=arrays(float, 4, elements=st.floats(0.0, 1.0)))
def test_costs_of_service_add_up_to_what_is_allocated(ppp, dm, sales, loss, weight):
    """For any sales, losses and weights, sum_c COS_c S_c = PPP* + DM whenever anything is
    sold, and every class's cost is at least zero."""
    cos = cost_of_service(np.array([ppp]), np.array([dm]), sales[None],
                          class_gross_up(loss[None], np.full(4, NAN)), weight[None])
    assert (cos.total_pkr_per_kwh >= 0).all()
    if sales.sum() > 1e-6:
        total = (cos.total_pkr_per_kwh[0] * sales).sum() / 1e3
        assert total == pytest.approx(ppp + dm, rel=1e-9, abs=1e-9)


def test_without_levels_the_cost_of_service_is_the_classes_own_allowed_cost():
    """No voltage levels: a class's cost is PPP/U / (1 - its allowed loss) + dm x share, so
    a class with a lower loss multiplier and no distribution margin costs less."""
    s = small()
    classes = [s.demand.classes[0], s.demand.classes[1].model_copy(
        update={"loss_multiplier": 0.2, "distribution_margin_pct": 0.0})]
    traj = simulate_scenario(s.model_copy(update={
        "demand": s.demand.model_copy(update={"classes": classes})}))
    rec, cos = traj.series, traj.by_class["cost_of_service_pkr_per_kwh"][0]
    ppp_per_unit = rec["ppp_bn_pkr"][0] / rec["units_purchased_gwh"][0] * 1e3
    dm_rate = (rec["distribution_margin_bn_pkr"][0] * 1e3
               / traj.by_class["sales_gwh"][0][:, 0])  # only residential carries DM
    np.testing.assert_allclose(cos[:, 0], ppp_per_unit / (1 - 0.115) + dm_rate, rtol=1e-9)
    np.testing.assert_allclose(cos[:, 1], ppp_per_unit / (1 - 0.115 * 0.2), rtol=1e-9)


def unrecovered(rec):
    """RR* - RR_passed: what tariffs leave of the cost at the allowed loss. [Rs bn]"""
    return (rec["revenue_requirement_allowed_bn_pkr"][0] - rec["tariff_recovered_bn_pkr"][0])


def tariff_lines(rec):
    """The flow causes that split RR* - RR_passed (§16): the tariff gap, and any lines a
    tariff model splits off it."""
    lines = ("tariff_gap", "seasonal_timing", "pending_adjustments", "prior_year_adjustment")
    return sum(rec[f"flow_{c}_bn_pkr"][0] for c in lines if f"flow_{c}_bn_pkr" in rec)


def test_cross_subsidies_and_tds_add_up_to_minus_the_tariff_gap_every_month():
    """sum_c X_c + TDS due = RR_passed - RR* = -tariff_gap, month by month."""
    traj = simulate_scenario(with_voltages(sez="132kv"))
    rec = traj.series
    total = traj.by_class["cross_subsidy_bn_pkr"][0].sum(axis=1) + rec["tds_due_bn_pkr"][0]
    np.testing.assert_allclose(total, -unrecovered(rec), atol=1e-9)
    assert np.abs(unrecovered(rec)).max() > 1.0  # a test that can fail
    np.testing.assert_allclose(unrecovered(rec), tariff_lines(rec), atol=1e-9)


@pytest.mark.parametrize("funding", ["budget", "cross_subsidy", "unfunded"])
def test_the_identity_holds_with_an_sez_package(funding):
    """With an SEZ package the unfunded gap is its own cause: sum_c X_c + TDS due +
    sez_package = -tariff_gap."""
    data = voltages_data(sez="11kv")
    data["policies"] = [{"type": "sez_tariff_package", "start": "2025-10",
                         "price_pkr_per_kwh": 15.0, "funding": funding}]
    traj = simulate_scenario(validate_scenario_data(data, "t.toml"))
    rec = traj.series
    total = (traj.by_class["cross_subsidy_bn_pkr"][0].sum(axis=1) + rec["tds_due_bn_pkr"][0]
             + rec["flow_sez_package_bn_pkr"][0])
    np.testing.assert_allclose(total, -unrecovered(rec), atol=1e-9)
    assert rec["sez_package_support_bn_pkr"][0].sum() > 1.0


def test_higher_voltage_costs_less_per_kwh():
    cos = simulate_scenario(with_voltages()).by_class["cost_of_service_pkr_per_kwh"][0]
    assert (cos[:, 1] < cos[:, 0]).all()  # industrial at 11 kV, residential at 400 V
    same = simulate_scenario(with_voltages(industrial="400v"))
    np.testing.assert_allclose(same.by_class["cost_of_service_pkr_per_kwh"][0][:, 1],
                               same.by_class["cost_of_service_pkr_per_kwh"][0][:, 0])


def test_sez_cross_subsidy_line_is_against_its_own_cost_of_service():
    """The SEZ breakdown's first five components add up to the SEZ class's cost of
    service, and its cross-subsidy is T_sez - COS_sez - tariff lag."""
    from circdebt.model.sez import COMPONENTS

    traj = simulate_scenario(with_voltages(sez="132kv"))
    rec, sez_col = traj.series, traj.class_names.index("sez")
    fx = rec["fx_pkr_per_usd"][0]
    pkr = {c: rec[f"sez_{c}_usc_per_kwh"][0] * fx / 100 for c in COMPONENTS}
    cos = traj.by_class["cost_of_service_pkr_per_kwh"][0][:, sez_col]
    supply = sum(pkr[c] for c in COMPONENTS[:5])
    np.testing.assert_allclose(supply, cos, rtol=1e-9)
    tariff = traj.by_class["tariff_pkr_per_kwh"][0][:, sez_col]
    np.testing.assert_allclose(pkr["cross_subsidy"], tariff - cos - pkr["tariff_lag"],
                               rtol=1e-9, atol=1e-9)
    # at 132 kV the SEZ carries no distribution margin: T&D is transmission only
    tx = rec["transmission_bn_pkr"][0] / rec["units_purchased_gwh"][0] * 1e3
    np.testing.assert_allclose(pkr["transmission_distribution"], tx, rtol=1e-9)


def test_monthly_and_annual_tables_carry_class_cost_of_service():
    from circdebt.results.tables import annual_table, monthly_table

    traj = simulate_scenario(with_voltages())
    monthly = monthly_table(traj)
    for c in traj.class_names:
        for col in (f"cost_of_service_{c}_pkr_per_kwh", f"cross_subsidy_{c}_pkr_per_kwh",
                    f"cross_subsidy_{c}_bn_pkr"):
            assert col in monthly.columns
    annual = annual_table(monthly)
    first = monthly[monthly["fy"] == "FY2026"]
    sales = first["sales_industrial_gwh"]
    weighted = (first["cross_subsidy_industrial_pkr_per_kwh"] * sales).sum() / sales.sum()
    assert annual["cross_subsidy_industrial_pkr_per_kwh"][0] == pytest.approx(weighted)
    assert annual["cross_subsidy_industrial_bn_pkr"][0] == pytest.approx(
        first["cross_subsidy_industrial_bn_pkr"].sum())
    assert annual["cross_subsidy_industrial_bn_pkr"][0] == pytest.approx(
        weighted * sales.sum() / 1e3)


def _problems(data):
    with pytest.raises(ScenarioError) as err:
        validate_scenario_data(data, "x.toml")
    return err.value.problems


def test_unknown_voltage_is_refused_naming_the_key():
    data = voltages_data(residential="11kw")
    data["sez"]["voltage"] = "33kv"
    problems = _problems(data)
    keys = {p.key_path: p for p in problems}
    assert set(keys) == {"demand.classes[0].voltage", "sez.voltage"}
    assert "did you mean '11kv'" in str(keys["demand.classes[0].voltage"])
    assert "11kv, 132kv, 400v" in str(keys["sez.voltage"])


def test_duplicate_level_and_bad_loss_are_refused():
    problems = _problems({**SMALL, "cost_of_service": {"voltage_levels": [
        LEVELS[0], {**LEVELS[0]}]}})
    assert [p.key_path for p in problems] == ["cost_of_service.voltage_levels[1].name"]
    problems = _problems({**SMALL, "cost_of_service": {"voltage_levels": [
        {"name": "lv", "allowed_loss_pct": 100.0}]}})
    assert [p.key_path for p in problems] == ["cost_of_service.voltage_levels[0].allowed_loss_pct"]


def test_a_drawn_voltage_level_gives_each_path_its_own_cost_of_service():
    """A level's margin share drawn per path (Monte Carlo) gives each path the cost of
    service of a single run with that value."""
    from circdebt.engine.compile import compile_inputs
    from circdebt.engine.loop import simulate
    from circdebt.keypaths import with_values

    key = "cost_of_service.voltage_levels[1].distribution_margin_pct"
    s = with_voltages()
    both = simulate(compile_inputs(with_values(s, {key: np.array([20.0, 90.0])}), 2))
    for path, value in enumerate((20.0, 90.0)):
        alone = simulate_scenario(with_values(s, {key: value}))
        np.testing.assert_allclose(both.by_class["cost_of_service_pkr_per_kwh"][path],
                                   alone.by_class["cost_of_service_pkr_per_kwh"][0],
                                   rtol=1e-12)
    assert not np.allclose(both.by_class["cost_of_service_pkr_per_kwh"][0],
                           both.by_class["cost_of_service_pkr_per_kwh"][1])
