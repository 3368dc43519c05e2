import numpy as np
import pytest
from factories import SUMMER, small

from circdebt import demand
from circdebt.engine import simulate


def test_annualised_sales_are_free_of_seasonal_bias():
    season = np.array(SUMMER) / np.mean(SUMMER)
    monthly = 1000.0 * season  # a year of sales, Jan..Dec, one class
    half = monthly[6:]  # July..December observed
    projected = demand.annualised_sales_gwh(half[:, None, None], season[6:, None])
    assert projected[0] == pytest.approx(monthly.sum())
    naive = half.sum() * 2
    assert abs(naive - monthly.sum()) > 100  # what a plain 12/6 scaling would get wrong


def test_loss_multiplier_lowers_the_units_bought_for_a_class():
    base = simulate(small()).series
    classes = [c.model_dump() for c in small().demand.classes]
    classes[1]["loss_multiplier"] = 0.0  # industry supplied with no losses at all
    bulk = simulate(small(demand={"classes": classes})).series
    assert (bulk["units_purchased_gwh"] < base["units_purchased_gwh"]).all()
    assert (bulk["flow_excess_losses_bn_pkr"] < base["flow_excess_losses_bn_pkr"]).all()


def test_underlying_sales_follow_growth_and_season():
    arrays = demand.class_arrays(small().demand.classes, small().demand)
    july = demand.underlying_sales_gwh(arrays, 12, 7)
    july0 = demand.underlying_sales_gwh(arrays, 0, 7)
    np.testing.assert_allclose(july / july0, [1.02, 1.03])


def test_a_class_without_distribution_margin_lowers_the_margin_paid():
    base = simulate(small()).series
    classes = [c.model_dump() for c in small().demand.classes]
    classes[1]["distribution_margin_pct"] = 0.0
    bulk = simulate(small(demand={"classes": classes})).series
    ratio = bulk["distribution_margin_bn_pkr"][0, 0] / base["distribution_margin_bn_pkr"][0, 0]
    sales = base["units_sold_gwh"][0, 0]
    residential = simulate(small()).series["units_sold_gwh"][0, 0] - small().demand.classes[
        1].base_sales_gwh_per_year / 12
    assert ratio == pytest.approx(residential / sales, rel=1e-6)
