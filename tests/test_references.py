"""The regulator's monthly references (docs/model.md §9)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from circdebt.model.references import (
    References,
    projected_sales_by_class_gwh,
    references_from_projection,
    scaled_to_average_fuel,
    with_fuel_references,
)


def test_references_from_a_projected_year_on_hand_numbers():
    # two classes; 1,000 and 500 GWh a month; units 1,800 at the actual loss, 1,650 allowed
    sales = np.broadcast_to(np.array([1000.0, 500.0]), (1, 12, 2))
    refs = references_from_projection(
        sales, np.full((1, 12), 1800.0), np.full((1, 12), 1650.0), np.full((1, 12), 18.0),
        np.full((1, 12), 180.0), np.array([3.0]), np.array([1.0, 0.0]))
    assert refs.fuel_pkr_per_kwh[0, 0] == pytest.approx(10.0)  # 18 bn / 1,800 GWh
    assert refs.nonfuel_allowed_bn[0, 0] == pytest.approx(180 * 1650 / 1800)
    assert refs.dm_bn[0, 0] == pytest.approx(3.0 * 1000 / 1e3)  # the bulk class carries none
    expected = (10 * 1650 / 1e3 + 165.0 + 3.0) / 1500 * 1e3
    assert refs.uniform_pkr_per_kwh[0] == pytest.approx(expected)


def test_projected_sales_spread_a_grown_year_by_season():
    seasonal = np.ones((12, 1))
    seasonal[0], seasonal[6] = 0.5, 1.5
    sales = projected_sales_by_class_gwh(np.array([[12_000.0]]), 0.05, seasonal)
    assert sales[0, 0, 0] == pytest.approx(1000 * 1.05 * 0.5)
    assert sales[0, 6, 0] == pytest.approx(1000 * 1.05 * 1.5)
    assert sales.sum() == pytest.approx(12_000 * 1.05)


def test_published_fuel_references_replace_the_projection_where_given():
    refs = References(*(np.ones((2, 12)) for _ in range(5)))
    given = np.full(12, np.nan)
    given[7] = 7.31  # August
    out = with_fuel_references(refs, given)
    np.testing.assert_allclose(out.fuel_pkr_per_kwh[:, 7], [7.31, 7.31])
    np.testing.assert_allclose(out.fuel_pkr_per_kwh[:, 6], [1.0, 1.0])


def test_a_yearly_average_scales_the_seasonal_shape():
    fuel = np.linspace(6.0, 12.0, 12)[None, :]
    refs = References(np.full((1, 12), 100.0), np.full((1, 12), 110.0), fuel,
                      np.zeros((1, 12)), np.zeros((1, 12)))
    out = scaled_to_average_fuel(refs, np.array([11.0]))
    average = (out.fuel_pkr_per_kwh * 110.0).sum() / 1200.0
    assert average == pytest.approx(11.0)
    assert out.fuel_pkr_per_kwh[0, -1] / out.fuel_pkr_per_kwh[0, 0] == pytest.approx(2.0)


positive = arrays(float, (1, 12), elements=st.floats(1.0, 1e4))


@settings(max_examples=60, deadline=None)
@given(positive, positive, positive, positive)
def test_the_planned_timing_sums_to_zero_over_the_year(sales, units, fuel, nonfuel):
    refs = References(sales, units, fuel / 100, nonfuel, np.zeros((1, 12)))
    total = sum(refs.timing_bn(m)[0] for m in range(1, 13))
    scale = refs.requirement_bn.sum()
    assert total == pytest.approx(0.0, abs=1e-9 * scale)


@settings(max_examples=60, deadline=None)
@given(positive, st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True))
def test_sales_weights_sum_to_one(sales, months):
    refs = References(sales, sales, sales, sales, sales)
    assert refs.sales_weights(np.array(months)).sum() == pytest.approx(1.0)
