import numpy as np
import pytest
from factories import small

from circdebt.engine.loop import _check_finite, simulate
from circdebt.errors import SimulationError


def test_non_finite_state_is_named_with_month_and_quantity():
    rec = {"cd_stock_bn_pkr": np.array([[1.0, 2.0]]), "ppp_bn_pkr": np.array([[1.0, np.inf]])}
    _check_finite(rec, 0, "2025-07")
    with pytest.raises(SimulationError, match="ppp_bn_pkr became non-finite in 2025-08"):
        _check_finite(rec, 1, "2025-08")


def test_paths_are_independent_rows_of_one_vectorised_run():
    one = simulate(small()).series
    many = simulate(small(), n_paths=5).series
    for name in ("cd_stock_bn_pkr", "units_sold_gwh", "sez_total_usc_per_kwh"):
        assert many[name].shape == (5, 24)
        np.testing.assert_allclose(many[name], np.repeat(one[name], 5, axis=0), rtol=1e-12)


def test_extreme_but_valid_inputs_run():
    plants = [p.model_dump() | {"contract_expiry": "2025-08", "debt_maturity": None}
              for p in small().supply.plants]
    everything_expired = simulate(small(supply={"plants": plants})).series
    assert everything_expired["capacity_payments_bn_pkr"][0, 2:].sum() == 0
    assert everything_expired["unserved_energy_gwh"][0, 2:].min() > 0
    fx_times_ten = simulate(small(exogenous={"fx_pkr_per_usd": 2800.0})).series
    assert np.isfinite(fx_times_ten["cd_stock_bn_pkr"]).all()
