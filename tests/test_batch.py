"""The batch evaluator that every analysis runs through (docs/model.md §19)."""

import numpy as np
import pytest
from factories import small

import circdebt
from circdebt.analysis.batch import Rows, Want, evaluate, path_draws, zone_draws


def _uncertain():
    return small(losses={"actual_pct": {"dist": "normal", "mean": 17.5, "sd": 1.0}},
                 exogenous={"shocks": {"fx_pkr_per_usd": {"volatility_pct_per_year": 8.0}}})


def test_a_deterministic_row_equals_a_plain_run():
    s = small()
    batch = evaluate(s, Rows(1), Want(annual=("cd_stock_bn_pkr", "capacity_charge_pkr_per_kwh"),
                                      monthly=("cd_flow_bn_pkr",),
                                      kpis=("cd_stock_peak_bn_pkr",)))
    run = circdebt.run(s)
    np.testing.assert_allclose(batch.annual["cd_stock_bn_pkr"][0], run.annual["cd_stock_bn_pkr"])
    np.testing.assert_allclose(batch.annual["capacity_charge_pkr_per_kwh"][0],
                               run.annual["capacity_charge_pkr_per_kwh"])
    np.testing.assert_allclose(batch.monthly["cd_flow_bn_pkr"][0], run.monthly["cd_flow_bn_pkr"])
    assert batch.kpis["cd_stock_peak_bn_pkr"][0] == pytest.approx(
        run.monthly["cd_stock_bn_pkr"].max())
    assert batch.fys == list(run.annual["fy"]) and batch.draws == {}


def test_rows_set_values_and_chunks_do_not_change_results():
    s = small()
    rows = Rows(5, {"losses.actual_pct": np.array([12.0, 14.0, 16.0, 18.0, 20.0])})
    whole = evaluate(s, rows, Want(annual=("cd_stock_bn_pkr",)))
    chunked = evaluate(s, rows, Want(annual=("cd_stock_bn_pkr",)), chunk=2)
    np.testing.assert_array_equal(whole.annual["cd_stock_bn_pkr"],
                                  chunked.annual["cd_stock_bn_pkr"])
    assert (np.diff(whole.annual["cd_stock_bn_pkr"][:, -1]) > 0).all()  # more losses, more debt


def test_rows_on_random_paths_draw_that_path_s_values_and_shocks():
    s = _uncertain()
    a = evaluate(s, Rows(4, seed=3), Want(annual=("cd_stock_bn_pkr", "fx_pkr_per_usd")))
    b = evaluate(s, Rows(2, seed=3, path=np.array([2, 2])),
                 Want(annual=("cd_stock_bn_pkr", "fx_pkr_per_usd")))
    np.testing.assert_allclose(b.annual["cd_stock_bn_pkr"], a.annual["cd_stock_bn_pkr"][[2, 2]])
    np.testing.assert_allclose(b.draws["losses.actual_pct"], a.draws["losses.actual_pct"][[2, 2]])
    np.testing.assert_allclose(a.draws["losses.actual_pct"],
                               path_draws(s, 3, np.arange(4))["losses.actual_pct"])
    # a row's own value replaces its draw, and its shocks stay its path's
    c = evaluate(s, Rows(1, {"losses.actual_pct": np.array([17.5])}, seed=3, path=np.array([2])),
                 Want(annual=("fx_pkr_per_usd",)))
    np.testing.assert_allclose(c.annual["fx_pkr_per_usd"], a.annual["fx_pkr_per_usd"][[2]])


def test_a_swept_exogenous_value_moves_its_rows_on_random_paths_too():
    s = _uncertain()
    rows = Rows(2, {"exogenous.kibor_pct": np.array([5.0, 20.0])}, seed=1, path=np.array([0, 0]))
    batch = evaluate(s, rows, Want(annual=("kibor_pct",)))
    np.testing.assert_allclose(batch.annual["kibor_pct"][:, 0], [5.0, 20.0])


def test_zones_are_drawn_only_where_the_scenario_leaves_them_to_chance():
    zones = [{"name": "z", "start": "2025-07", "peak_load_mw": 100.0, "probability_pct": 50.0}]
    w = zone_draws(small(sez={"zones": zones}), 1, np.arange(2000))
    assert set(np.unique(w)) == {0.0, 1.0} and w.mean() == pytest.approx(0.5, abs=0.05)
    assert zone_draws(small(sez={"zones": zones, "realisation": "all"}), 1, np.arange(5)) is None


def test_unknown_columns_and_fiscal_years_are_refused():
    with pytest.raises(ValueError, match="not a result column"):
        evaluate(small(), Rows(1), Want(annual=("no_such_column",)))
    with pytest.raises(ValueError, match="outside the horizon"):
        evaluate(small(), Rows(1), Want(kpis=("avg_tariff_pkr_per_kwh",), fy="FY2040"))
