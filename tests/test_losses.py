"""Losses by class and the units bought for the sales (docs/model.md §6)."""

import numpy as np
import pytest

from circdebt.model import losses


def test_the_sez_column_takes_its_zones_multiplier():
    m = losses.class_loss_multipliers(np.array([1.0, 0.157, 1.0]), 2, 2, np.array([0.3, 0.5]))
    np.testing.assert_allclose(m, [[1.0, 0.157, 0.3], [1.0, 0.157, 0.5]])


def test_class_loss_rates_scale_the_system_loss():
    rates = losses.class_loss_rates(np.array([0.2, 0.1]), np.array([[1.0, 0.5], [1.0, 0.5]]))
    np.testing.assert_allclose(rates, [[0.2, 0.1], [0.1, 0.05]])
    np.testing.assert_allclose(losses.class_loss_rates(0.2, np.array([[1.0, 0.5]])),
                               [[0.2, 0.1]])


def test_units_purchased_gross_up_each_class_at_its_own_loss():
    units = losses.units_for_sales_gwh(np.array([[800.0, 90.0]]), np.array([[0.2, 0.1]]))
    assert units[0] == pytest.approx(800 / 0.8 + 90 / 0.9)


def test_transmission_losses_raise_generation_and_round_trip():
    units = np.array([9700.0, 0.0])
    generation = losses.generation_for_units_gwh(units, 0.03)
    np.testing.assert_allclose(generation, [10_000.0, 0.0])
    np.testing.assert_allclose(losses.delivered_gwh(generation, 0.03), units)
    np.testing.assert_allclose(losses.generation_for_units_gwh(units, 0.0), units)
