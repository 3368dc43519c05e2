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
