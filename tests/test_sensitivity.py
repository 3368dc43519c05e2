import numpy as np
import pytest
from factories import small

from circdebt.analysis.sensitivity import (
    Kpi,
    evaluate_design,
    global_sensitivity,
    morris_analysis,
    parameters,
    sobol_analysis,
    tornado,
)
from circdebt.engine import simulate_scenario

A = np.array([4.0, 2.0, 1.0, 0.0])


def additive(X):
    return X @ A


def test_sobol_indices_of_an_additive_function_match_the_analytic_values():
    table = sobol_analysis(["a", "b", "c", "d"], [[0, 1]] * 4, additive, n=2048, seed=1)
    expected = A**2 / (A**2).sum()  # first order = total for an additive function
    np.testing.assert_allclose(table["S1"], expected, atol=0.03)
    np.testing.assert_allclose(table["ST"], expected, atol=0.03)
    assert table.loc[3, "interval_crosses_zero"]  # the inert input is flagged
    assert (table["st_change_from_half"] < 0.05).all()


def test_morris_ranks_an_additive_function():
    table = morris_analysis(["a", "b", "c", "d"], [[0, 1]] * 4, additive, trajectories=40)
    np.testing.assert_allclose(table["mu_star"], A, atol=1e-9)  # linear: effects are exact
    assert list(table.sort_values("mu_star", ascending=False)["parameter"]) == ["a", "b", "c",
                                                                               "d"]


def test_kpi_parse():
    assert Kpi.parse("cd_stock_bn_pkr@FY2030") == Kpi("cd_stock_bn_pkr", "FY2030")
    with pytest.raises(ValueError, match="COLUMN@FYyyyy"):
        Kpi.parse("cd_stock_bn_pkr in 2030")


def test_parameters_from_distributions_or_percent_within_schema_bounds():
    s = small(losses={"actual_pct": {"dist": "uniform", "low": 15.0, "high": 20.0}})
    (p,) = parameters(s)
    assert (p.low, p.high) == pytest.approx((15.25, 19.75), abs=0.02)
    (q,) = parameters(s, ["demand.classes[1].recovery_pct"], pct=10)
    assert (q.low, q.high, q.central) == pytest.approx((88.2, 100.0, 98.0))
    with pytest.raises(ValueError, match="not a key path"):
        parameters(s, ["tariff.no_such_key"])
    with pytest.raises(ValueError, match="no uncertain inputs"):
        parameters(small())


def test_evaluate_matches_a_plain_run_and_tornado_orders_by_swing():
    s = small()
    params = parameters(s, ["losses.actual_pct", "demand.rooftop_solar.additions_mw_per_year"])
    kpi = Kpi("cd_stock_bn_pkr", "FY2027")
    y = evaluate_design(s, params, np.array([[17.5, 1500.0]]), [kpi])
    plain = simulate_scenario(s).series["cd_stock_bn_pkr"][0, -1]
    assert y[0, 0] == pytest.approx(plain, rel=1e-12)
    table = tornado(s, kpi, params)
    assert table["parameter"][0] == "losses.actual_pct"
    assert (table["kpi_at_high"][0] > table["kpi_base"][0] > table["kpi_at_low"][0])
    assert table["swing"].is_monotonic_decreasing


def test_global_sensitivity_by_fiscal_year():
    s = small()
    params = parameters(s, ["losses.actual_pct", "demand.classes[0].recovery_pct"])
    table = global_sensitivity(s, Kpi("cd_stock_bn_pkr", "FY2027"), params, "sobol", n=64,
                               by_fy=True)
    assert set(table["kpi"]) == {"cd_stock_bn_pkr@FY2026", "cd_stock_bn_pkr@FY2027"}
    assert set(table["rank"]) == {1, 2}
    with pytest.raises(ValueError, match="method"):
        global_sensitivity(s, Kpi("cd_stock_bn_pkr", "FY2027"), params, "fast")
