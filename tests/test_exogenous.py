import numpy as np
import pytest

from circdebt.engine.series import series_path
from circdebt.model.exogenous import index_from_inflation
from circdebt.scenario.series import SeriesSpec
from circdebt.timeline import Timeline

TL = Timeline("2025-07", "2027-06")


def test_constant_and_growth():
    assert (series_path(5.0, TL) == 5.0).all()
    path = series_path(SeriesSpec(initial=100.0, growth_pct_per_year=10.0), TL)
    assert path[0] == 100.0
    assert path[12] == pytest.approx(110.0)
    assert path[6] == pytest.approx(100 * 1.1 ** 0.5)


def test_schedule_interpolates_between_anchors_and_is_flat_outside():
    # FY2026 anchors at 2026-01 (index 6), "2027-01" at index 18
    path = series_path(SeriesSpec(schedule={"FY2026": 10.0, "2027-01": 22.0}), TL)
    assert path[0] == 10.0 and path[6] == 10.0
    assert path[12] == pytest.approx(16.0)
    assert path[18] == 22.0 and path[23] == 22.0


def test_initial_anchors_schedule_at_start():
    path = series_path(SeriesSpec(initial=11.0, schedule={"2025-12": 10.5}), TL)
    assert path[0] == 11.0 and path[5] == 10.5
    assert path[1] == pytest.approx(11.0 - 0.1)


def test_cpi_index_starts_at_one_and_compounds():
    index = index_from_inflation(np.full(25, 12.0))
    assert index[0] == 1.0
    assert index[12] == pytest.approx(1.12)
    assert index[24] == pytest.approx(1.12 ** 2)


def test_shock_processes_on_hand_draws():
    from circdebt.model.exogenous import gbm_factor, jump_factor, ou_deviation

    normals = np.array([[9.0, 1.0, -1.0]])
    g = gbm_factor(0.12, normals)
    step = 0.12 * np.sqrt(1 / 12)
    np.testing.assert_allclose(g, [[1.0, np.exp(step - 0.0006), 1.0 * np.exp(-0.0012)]])
    j = jump_factor(np.array([[True, True, False, True]]), np.array([[50.0, 10.0, 10.0, -99.0]]))
    np.testing.assert_allclose(j, [[1.0, 1.1, 1.1, 1.1 * 0.05]])  # none in month 0; floored
    x = ou_deviation(2.0, 6.0, np.array([[5.0, 1.0, 0.0]]))
    e = 0.02 * np.sqrt(1 / 12)
    np.testing.assert_allclose(x, [[0.0, e, e * 0.5]])


def test_exogenous_rows_pick_paths():
    from circdebt.engine.series import build_exogenous
    from circdebt.scenario.schema import Exogenous

    exo = build_exogenous(Exogenous.model_validate({
        "fx_pkr_per_usd": 280.0, "kibor_pct": 11.0, "pk_cpi_inflation_pct_per_year": 7.0,
        "us_cpi_inflation_pct_per_year": 2.0, "gdp_bn_pkr_per_year": 1e5}), TL, 2)
    exo = exo.rows(np.array([1, 1, 0]))
    assert exo.n_paths == 3 and exo.kibor.shape == (3, TL.n_months)
