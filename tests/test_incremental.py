"""The incremental-consumption tariff: reference, incremental units, price response and
discount (docs/model.md §9, docs/policies.md)."""

import numpy as np
import pytest
from factories import small, small_data
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from circdebt.engine import simulate_scenario
from circdebt.engine.compile import compile_inputs
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.model.incremental import (
    discount,
    incremental_units_gwh,
    induced_sales_gwh,
    price_ratio,
    reference_sales_gwh,
)

NAN = np.nan


def policy(**changes):
    return {"type": "incremental_tariff", "start": "2025-10", "end": "2026-09",
            "classes": ["industrial"], "price_pkr_per_kwh": 20.0, **changes}


def test_reference_and_incremental_units_on_hand_numbers():
    reference = reference_sales_gwh(np.array([[1000.0, 500.0]]), np.array([0.8, 1.0]))
    np.testing.assert_allclose(reference, [[800.0, 500.0]])
    units = incremental_units_gwh(np.array([[1100.0, 450.0]]), reference)
    np.testing.assert_allclose(units, [[300.0, 0.0]])  # below its reference: none


def test_price_ratio_on_hand_numbers():
    # Rs 20 against a real tariff of Rs 40, at full weight: 0.5; half phased in: 0.75;
    # a price above the tariff: 1 (the class tariff applies); no price: 1
    ratio = price_ratio(np.array([[20.0, 20.0, 50.0, NAN]]), np.array([[40.0] * 4]),
                        np.array([1.0, 0.5, 1.0, 1.0]))
    np.testing.assert_allclose(ratio, [[0.5, 0.75, 1.0, 1.0]])
    np.testing.assert_array_equal(price_ratio(np.array([20.0]), None, np.array([1.0])), [1.0])


def test_induced_sales_on_hand_numbers():
    # 200 GWh above the reference at half the price with elasticity -0.3:
    # 200 x (0.5 ** -0.3 - 1) = 200 x 0.2311 = 46.2 GWh more; none below the reference
    wanted = induced_sales_gwh(np.array([[1000.0, 700.0]]), np.array([[800.0, 800.0]]),
                               np.array([[0.5, 0.5]]), np.array([-0.3, -0.3]))
    np.testing.assert_allclose(wanted, [[1000.0 + 200.0 * (0.5 ** -0.3 - 1.0), 700.0]])
    assert wanted[0, 0] == pytest.approx(1046.22, abs=0.01)


def test_discount_on_hand_numbers():
    # industrial: 1,000 GWh sold, 250 above the reference, tariff 34, price 22.98:
    # discount 11.02 x 250 = Rs 2.755 bn, average tariff 34 - 2.755 / 1,000 x 1,000 = 31.245
    # agricultural: price above its tariff (20): no discount; residential: no price
    inc = discount(np.array([[34.0, 20.0, 30.0]]), np.array([[1000.0, 100.0, 500.0]]),
                   np.array([[750.0, 50.0, 100.0]]), np.array([22.98, 22.98, NAN]),
                   np.array([1.0, 1.0, 0.0]))
    np.testing.assert_allclose(inc.discount_bn, [[2.755, 0.0, 0.0]])
    np.testing.assert_allclose(inc.class_tariff_pkr_per_kwh, [[31.245, 20.0, 30.0]])
    np.testing.assert_allclose(inc.units_gwh, [[250.0, 50.0, 0.0]])


amounts = st.floats(0.0, 5e3)


@settings(max_examples=200, deadline=None)
@given(sales=arrays(float, 3, elements=amounts), reference=arrays(float, 3, elements=amounts),
       tariff=arrays(float, 3, elements=st.floats(1.0, 80.0)),
       price=arrays(float, 3, elements=st.floats(1.0, 80.0)),
       w=arrays(float, 3, elements=st.floats(0.0, 1.0)),
       elasticity=arrays(float, 3, elements=st.floats(-2.0, 0.0)))
def test_the_package_never_raises_a_bill_or_cuts_consumption(sales, reference, tariff, price,
                                                             w, elasticity):
    """For any inputs: the average tariff stays between min(price, tariff) and the tariff,
    the bill falls by exactly the discount, and sales wanted never fall."""
    inc = discount(tariff[None], sales[None], reference[None], price, w)
    paid = inc.class_tariff_pkr_per_kwh[0]
    assert (paid <= tariff + 1e-9).all()
    assert (paid >= np.minimum(price, tariff) - 1e-9).all()
    np.testing.assert_allclose((tariff - paid) * sales / 1e3, inc.discount_bn[0], atol=1e-9)
    ratio = price_ratio(price[None], tariff[None], w)
    assert ((ratio > 0) & (ratio <= 1.0)).all()
    wanted = induced_sales_gwh(sales[None], reference[None], ratio, elasticity)
    assert (wanted[0] >= sales - 1e-9).all()


def test_levers_are_set_from_start_to_end_for_the_classes_only():
    x = compile_inputs(small(policies=[policy(reference_pct_of_last_year=90.0)]))
    lv, tl = x.levers, x.timeline
    c = x.classes.names.index("industrial")
    on = lv.incremental_weight[:, c] > 0
    assert tl.labels[np.flatnonzero(on)[0]] == "2025-10"
    assert tl.labels[np.flatnonzero(on)[-1]] == "2026-09"
    assert (lv.incremental_weight[:, [i for i in range(x.classes.n) if i != c]] == 0).all()
    np.testing.assert_array_equal(lv.incremental_price_pkr_per_kwh[on, c], 20.0)
    assert np.isnan(lv.incremental_price_pkr_per_kwh[~on, c]).all()
    np.testing.assert_array_equal(lv.incremental_reference_share[on, c], 0.9)


def test_the_discount_lands_in_the_tariff_gap():
    """Without a price response the package changes nothing in its first month but the
    bills: the tariff gap rises by exactly the discount; the flow by the part of it that
    would have been paid."""
    base = simulate_scenario(small())
    inc = simulate_scenario(small(policies=[policy(price_elasticity=0.0,
                                                   reference_pct_of_last_year=80.0)]))
    t = inc.timeline.labels.index("2025-10")
    d = inc.series["incremental_discount_bn_pkr"][0]
    assert d[t] > 0.5 and (d[:t] == 0).all()
    assert (inc.series["incremental_induced_gwh"][0] == 0).all()
    gap = inc.series["flow_tariff_gap_bn_pkr"][0] - base.series["flow_tariff_gap_bn_pkr"][0]
    assert gap[t] == pytest.approx(d[t], rel=1e-9)
    # industry pays 98% of its bills, so 2% of the discount was never going to be paid
    unpaid = (inc.series["flow_under_recovery_bn_pkr"][0]
              - base.series["flow_under_recovery_bn_pkr"][0])
    assert unpaid[t] == pytest.approx(-0.02 * d[t], rel=1e-9)
    flow = inc.series["cd_flow_bn_pkr"][0] - base.series["cd_flow_bn_pkr"][0]
    assert 0.97 * d[t] < flow[t] < d[t]  # (and a little less DSS collected)
    after = inc.timeline.labels.index("2026-10")
    assert (d[after:] == 0).all()


def test_incremental_units_draw_more_sales_with_a_price_response():
    base = simulate_scenario(small())
    inc = simulate_scenario(small(policies=[policy(price_elasticity=-0.5,
                                                   reference_pct_of_last_year=80.0)]))
    c = inc.class_names.index("industrial")
    t = inc.timeline.labels.index("2025-10")
    assert inc.series["incremental_induced_gwh"][0][t] > 1.0
    assert inc.by_class["sales_gwh"][0][t, c] > base.by_class["sales_gwh"][0][t, c]
    # before its start nothing differs
    np.testing.assert_array_equal(inc.series["cd_stock_bn_pkr"][0][:t],
                                  base.series["cd_stock_bn_pkr"][0][:t])


def test_an_end_before_the_start_is_refused_naming_the_key():
    with pytest.raises(ScenarioError) as err:
        validate_scenario_data(small_data(policies=[policy(end="2025-09")]), "x.toml")
    assert [p.key_path for p in err.value.problems] == ["policies[0].end"]
    assert "on or after the policy's start (2025-10)" in str(err.value.problems[0])


def test_an_unknown_class_is_refused_naming_the_key():
    with pytest.raises(ScenarioError) as err:
        validate_scenario_data(small_data(policies=[policy(classes=["industry"])]), "x.toml")
    assert [p.key_path for p in err.value.problems] == ["policies[0].classes[0]"]
    assert "did you mean 'industrial'" in str(err.value.problems[0])


def test_a_reference_typed_as_a_fraction_is_refused_naming_the_key():
    with pytest.raises(ScenarioError) as err:
        validate_scenario_data(small_data(policies=[policy(reference_pct_of_last_year=0.82)]),
                               "x.toml")
    assert [p.key_path for p in err.value.problems] == [
        "policies[0].reference_pct_of_last_year"]
    assert "did you mean 82?" in str(err.value.problems[0])
