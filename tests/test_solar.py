"""Rooftop solar: generation, self-consumption, exports and grid defection (docs/model.md §5)."""

import numpy as np
import pytest

from circdebt.model import solar


def test_generation_is_capacity_times_capacity_factor_times_hours():
    assert solar.solar_energy_gwh(np.array([1000.0]), 0.16, 720.0)[0] == pytest.approx(115.2)


def test_only_capacity_added_since_the_start_lowers_class_sales():
    roof = solar.rooftop_month(np.array([1500.0]), 1000.0, 0.2, 500.0, 0.6,
                               np.array([0.75, 0.25]))
    assert roof.generation_gwh[0] == pytest.approx(150.0)
    # new capacity 500 MW -> 50 GWh, 60% self-consumed = 30 GWh, split 3:1
    np.testing.assert_allclose(roof.self_consumed_gwh, [[22.5, 7.5]])
    assert roof.export_offered_gwh[0] == pytest.approx(60.0)  # 40% of all generation


def test_the_grid_takes_no_more_exports_than_it_needs():
    np.testing.assert_allclose(solar.exports_used_gwh(np.array([50.0, 50.0]),
                                                      np.array([80.0, 30.0])), [50.0, 30.0])


def test_grid_defection_ratio_and_additions():
    ratio = solar.grid_to_solar_ratio(np.array([300.0]), np.array([10_000.0]), 15.0)
    assert ratio[0] == pytest.approx(2.0)  # billed 30 Rs/kWh over a 15 Rs/kWh solar cost
    added = solar.solar_additions_mw(1200.0, np.array([2.4]), np.array([2.0]), 1.5)
    assert added[0] == pytest.approx(100.0 * 1.2 ** 1.5)
    assert solar.solar_additions_mw(1200.0, np.array([2.4]), np.array([2.0]), 0.0)[0] == 100.0


def test_next_month_capacity_adds_policy_and_defection_additions():
    # 5000 MW + 50 MW a policy adds + 1200/12 = 100 MW at an unchanged grid-to-solar ratio
    after = solar.next_capacity_mw(np.array([5000.0]), 50.0, 1200.0, np.array([2.0]),
                                   np.array([2.0]), 1.5)
    assert after[0] == pytest.approx(5150.0)
