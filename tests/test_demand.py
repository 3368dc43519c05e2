import numpy as np
import pytest
from factories import SUMMER, small

from circdebt.engine import simulate_scenario
from circdebt.engine.compile import class_arrays
from circdebt.model import demand


def test_annualised_sales_are_free_of_seasonal_bias():
    season = np.array(SUMMER) / np.mean(SUMMER)
    monthly = 1000.0 * season  # a year of sales, Jan..Dec, one class
    half = monthly[6:]  # July..December observed
    projected = demand.annualised_sales_gwh(half[:, None, None], season[6:, None])
    assert projected[0] == pytest.approx(monthly.sum())
    naive = half.sum() * 2
    assert abs(naive - monthly.sum()) > 100  # what a plain 12/6 scaling would get wrong


def test_loss_multiplier_lowers_the_units_bought_for_a_class():
    base = simulate_scenario(small()).series
    classes = [c.model_dump() for c in small().demand.classes]
    classes[1]["loss_multiplier"] = 0.0  # industry supplied with no losses at all
    bulk = simulate_scenario(small(demand={"classes": classes})).series
    assert (bulk["units_purchased_gwh"] < base["units_purchased_gwh"]).all()
    assert (bulk["flow_excess_losses_bn_pkr"] < base["flow_excess_losses_bn_pkr"]).all()


def test_underlying_sales_follow_growth_and_season():
    arrays = class_arrays(small())
    july = demand.underlying_sales_gwh(arrays.base_sales_gwh_per_month, arrays.growth_per_year,
                                       arrays.seasonal_by_month[6], 12)
    july0 = demand.underlying_sales_gwh(arrays.base_sales_gwh_per_month,
                                        arrays.growth_per_year, arrays.seasonal_by_month[6], 0)
    np.testing.assert_allclose(july[:2] / july0[:2], [1.02, 1.03])


def test_a_class_without_distribution_margin_lowers_the_margin_paid():
    base = simulate_scenario(small()).series
    classes = [c.model_dump() for c in small().demand.classes]
    classes[1]["distribution_margin_pct"] = 0.0
    bulk = simulate_scenario(small(demand={"classes": classes})).series
    ratio = bulk["distribution_margin_bn_pkr"][0, 0] / base["distribution_margin_bn_pkr"][0, 0]
    sales = base["units_sold_gwh"][0, 0]
    industrial = small().demand.classes[1].base_sales_gwh_per_year / 12
    residential = simulate_scenario(small()).series["units_sold_gwh"][0, 0] - industrial
    assert ratio == pytest.approx(residential / sales, rel=1e-6)


def test_recovery_falls_as_real_tariffs_rise_when_it_is_elastic():
    classes = [c.model_dump() | {"recovery_elasticity": 1.0, "recovery_pct": 95.0}
               for c in small().demand.classes]
    # a rupee falling 40% a year from a tariff set low: real tariffs rise
    changes = {"exogenous": {"fx_pkr_per_usd": {"initial": 280.0, "growth_pct_per_year": 40.0}},
               "tariff": {"initial_determined_pkr_per_kwh": 18.0}}
    stiff = simulate_scenario(small(demand={"classes": [c | {"recovery_elasticity": 0.0}
                                               for c in classes]}, **changes)).series
    elastic = simulate_scenario(small(demand={"classes": classes}, **changes)).series
    real = stiff["tariff_recovered_bn_pkr"] / stiff["units_sold_gwh"] / stiff["pk_cpi_index"]
    assert real[0, -1] > real[0, 0]
    assert elastic["flow_under_recovery_bn_pkr"].sum() > stiff["flow_under_recovery_bn_pkr"].sum()
    np.testing.assert_allclose(elastic["flow_under_recovery_bn_pkr"][0, 0],
                               stiff["flow_under_recovery_bn_pkr"][0, 0])  # month 1: same


# --------------------------------------------------------------------------- month steps


def test_price_response_is_the_constant_elasticity_factor():
    factor = demand.price_response(np.array([[36.0, 30.0]]), np.array([[30.0, 30.0]]),
                                   np.array([-0.5, -0.2]))
    np.testing.assert_allclose(factor, [[1.2 ** -0.5, 1.0]])


def test_smoothed_tariff_is_the_sales_weighted_mean_of_the_window():
    smoothed, ratio = demand.smoothed_real_tariff(
        np.array([[100 * 30 + 300 * 34.0, 0.0]]), np.array([[400.0, 0.0]]),
        np.array([[30.0, 25.0]]))
    np.testing.assert_allclose(smoothed, [[33.0, 25.0]])  # no sales: the reference
    np.testing.assert_allclose(ratio, [[1.1, 1.0]])


def test_the_window_adds_a_month_and_drops_the_oldest():
    sums = (np.array([[10.0]]), np.array([[2.0]]))
    added = demand.window_sums(sums, (np.array([[3.0]]), np.array([[1.0]])), None)
    assert (added[0][0, 0], added[1][0, 0]) == (13.0, 3.0)
    moved = demand.window_sums(added, (np.array([[3.0]]), np.array([[1.0]])),
                               (np.array([[5.0]]), np.array([[1.0]])))
    assert (moved[0][0, 0], moved[1][0, 0]) == (11.0, 3.0)


def test_real_tariff_paid_is_deflated_by_the_cpi():
    paid = demand.real_tariff_paid(np.array([[40.0, 30.0]]), np.array([0.5, 1.0]),
                                   np.array([1.25]))
    np.testing.assert_allclose(paid, [[16.0, 24.0]])


def test_sales_wanted_net_rooftop_solar_add_moved_load_and_sez_load():
    wanted = demand.sales_wanted_gwh(np.array([[100.0, 50.0, 0.0]]), np.array([[0.9, 1.0, 1.0]]),
                                     np.array([[95.0, 5.0, 0.0]]), np.array([0.0, 10.0, 0.0]),
                                     2, np.array([7.0]))
    np.testing.assert_allclose(wanted, [[0.0, 55.0, 7.0]])  # never below zero


def test_served_sales_scale_down_when_supply_falls_short():
    served = demand.served_sales_gwh(np.array([[80.0, 20.0]]), np.array([90.0]),
                                     np.array([120.0]))
    np.testing.assert_allclose(served, [[60.0, 15.0]])
    nothing = demand.served_sales_gwh(np.array([[0.0, 0.0]]), np.array([0.0]), np.array([0.0]))
    np.testing.assert_allclose(nothing, [[0.0, 0.0]])


def test_the_loop_responds_to_twelve_months_of_real_tariffs_at_the_class_elasticity():
    """Sales in month t are the underlying sales times (P̄_12 / P_0) ** e, P̄_12 the
    sales-weighted real tariff paid in the 12 months before t (docs/model.md §4)."""
    from circdebt.engine import compile_inputs, simulate

    classes = [c.model_dump() | {"price_elasticity": -0.3} for c in small().demand.classes]
    s = small(demand={"classes": classes, "rooftop_solar": {
        "capacity_mw": 0.0, "additions_mw_per_year": 0.0, "class_shares_pct": {}}},
        exogenous={"pk_cpi_inflation_pct_per_year": 12.0})
    x = compile_inputs(s)
    traj = simulate(x)
    sales = traj.by_class["sales_gwh"][0][:, :2]  # the two classes (the SEZ class sells 0)
    real = (traj.by_class["tariff_pkr_per_kwh"][0] * x.classes.billed_share)[:, :2] \
        / traj.series["pk_cpi_index"][0][:, None]
    t = 20
    window = slice(t - 12, t)
    smoothed = (real[window] * sales[window]).sum(axis=0) / sales[window].sum(axis=0)
    underlying = demand.underlying_sales_gwh(
        x.classes.base_sales_gwh_per_month, x.classes.growth_per_year,
        x.classes.seasonal_by_month[int(x.timeline.calendar_month[t]) - 1], t)
    np.testing.assert_allclose(sales[t] / underlying[:2], (smoothed / real[0]) ** -0.3,
                               rtol=1e-12)
