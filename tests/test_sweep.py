import numpy as np
import pytest
from factories import small

from circdebt.analysis.montecarlo import run_monte_carlo
from circdebt.analysis.sweep import SWEEP_KPIS, grid_points, parse_grid, run_sweep
from circdebt.engine import simulate_scenario


def test_parse_grid_forms():
    assert parse_grid("losses.actual_pct=12,15,17.5") == ("losses.actual_pct", [12, 15, 17.5])
    key, values = parse_grid("tariff.pass_through_pct=50:100:3")
    assert key == "tariff.pass_through_pct" and values == [50.0, 75.0, 100.0]
    with pytest.raises(ValueError, match="KEY="):
        parse_grid("losses")
    with pytest.raises(ValueError, match="numbers"):
        parse_grid("losses.actual_pct=a,b")


def test_grid_is_the_cartesian_product():
    points = grid_points({"a": [1.0, 2.0], "b": [3.0, 4.0, 5.0]})
    assert len(points) == 6 and points.iloc[-1].tolist() == [2.0, 5.0]


def test_each_point_equals_a_single_run_with_that_value():
    s = small()
    sweep = run_sweep(s, {"losses.actual_pct": [12.0, 17.5, 25.0],
                          "tariff.pass_through_pct": [50.0, 100.0]}, chunk=4)
    table = sweep.table()
    assert len(table) == 6
    row = table.iloc[3]  # losses 17.5, pass-through 100
    single = small(losses={"actual_pct": 17.5}, tariff={"pass_through_pct": 100.0})
    expected = simulate_scenario(single).series["cd_stock_bn_pkr"][0, -1]
    assert row["cd_stock_end_bn_pkr"] == pytest.approx(expected, rel=1e-12)
    low, high = table.iloc[0], table.iloc[4]
    assert high["cd_stock_end_bn_pkr"] > low["cd_stock_end_bn_pkr"]


def test_sweep_with_paths_uses_common_random_numbers_and_percentiles():
    s = small(initial={"genco_fuel_payables_bn_pkr": {"dist": "normal", "mean": 93.0,
                                                      "sd": 10.0}})
    sweep = run_sweep(s, {"losses.actual_pct": [15.0, 20.0]}, paths=300, seed=4, chunk=256)
    # the same draws on every point: the difference between points is the same on every path
    diff = sweep.values[1, :, 0] - sweep.values[0, :, 0]
    assert diff.std() < 1e-6 * abs(diff.mean())
    table = sweep.table()
    assert {"cd_stock_end_bn_pkr_p5", "cd_stock_end_bn_pkr_p95"} <= set(table.columns)


def test_each_point_with_paths_is_the_monte_carlo_of_that_point_with_the_seed():
    s = small(initial={"genco_fuel_payables_bn_pkr": {"dist": "normal", "mean": 93.0,
                                                      "sd": 10.0}})
    sweep = run_sweep(s, {"losses.actual_pct": [15.0, 20.0]}, paths=40, seed=4, chunk=32)
    mc = run_monte_carlo(small(losses={"actual_pct": 20.0},
                               initial={"genco_fuel_payables_bn_pkr": {
                                   "dist": "normal", "mean": 93.0, "sd": 10.0}}), 40, seed=4)
    for k, name in enumerate(SWEEP_KPIS):
        np.testing.assert_allclose(sweep.values[1, :, k], mc.kpis[name], rtol=1e-12,
                                   err_msg=name)
    assert sweep.values[1, :, 0].std() > 1.0  # the paths differ: the seed's draws are used


def test_processes_and_dask_give_exactly_the_local_result():
    s = small()
    grid = {"losses.actual_pct": [12.0, 15.0, 17.5, 20.0], "demand.classes[0].recovery_pct":
            [85.0, 95.0]}
    local = run_sweep(s, grid, chunk=3).values
    np.testing.assert_array_equal(run_sweep(s, grid, chunk=3, workers=2).values, local)
    np.testing.assert_array_equal(run_sweep(s, grid, chunk=3, scheduler="local").values, local)


def test_resume_skips_finished_chunks():
    s = small()
    grid = {"losses.actual_pct": [12.0, 15.0, 17.5, 20.0]}
    saved = {}
    full = run_sweep(s, grid, chunk=2, on_chunk=lambda start, v: saved.__setitem__(start, v))
    assert sorted(saved) == [0, 2]
    calls = []
    resumed = run_sweep(s, grid, chunk=2, done={0: saved[0]},
                        on_chunk=lambda start, v: calls.append(start))
    assert calls == [2]
    np.testing.assert_array_equal(resumed.values, full.values)


def test_bad_grid_keys_are_refused():
    with pytest.raises(ValueError, match="not a key path"):
        run_sweep(small(), {"losses.nope": [1.0]})
    with pytest.raises(ValueError, match="not a decimal number"):
        run_sweep(small(), {"tariff.fca_lag_months": [1.0]})
