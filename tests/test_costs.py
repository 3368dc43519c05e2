"""The sector's cost and the revenue requirement at the allowed loss (docs/model.md §8)."""

import numpy as np
import pytest

from circdebt.model import costs


def test_transmission_and_net_metering_on_hand_numbers():
    assert costs.transmission_bn(1.5, np.array([1.1]), np.array([6000.0]))[0] == \
        pytest.approx(1.5 * 1.1 * 6000 / 1000)
    assert costs.net_metering_bn(20.0, np.array([500.0]))[0] == pytest.approx(10.0)


def test_the_distribution_margin_is_charged_only_on_the_sales_that_carry_it():
    dm = costs.distribution_margin_bn(3.0, np.array([1.0]), np.array([[4000.0, 1000.0]]),
                                      np.array([1.0, 0.0]))
    assert dm[0] == pytest.approx(12.0)


def test_revenue_requirement_is_ppp_at_the_allowed_loss_plus_the_margin():
    cost = costs.sector_cost(np.array([[100.0, 50.0]]), np.array([[40.0, 20.0]]),
                             np.array([9.0]), np.array([1.0]), np.array([15.0]),
                             np.array([6000.0]), np.array([5400.0]))
    assert cost.capacity_bn[0] == 150.0 and cost.energy_bn[0] == 60.0
    assert cost.ppp_bn[0] == pytest.approx(220.0)
    assert cost.allowed_share[0] == pytest.approx(0.9)
    assert cost.revenue_requirement_allowed_bn[0] == pytest.approx(220 * 0.9 + 15)
    none = costs.sector_cost(np.zeros((1, 2)), np.zeros((1, 2)), np.zeros(1), np.zeros(1),
                             np.zeros(1), np.zeros(1), np.zeros(1))
    assert none.allowed_share[0] == 0.0
