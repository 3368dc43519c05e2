import numpy as np
import pytest
from factories import small

from circdebt.engine import simulate_scenario
from circdebt.engine.record import Recorder
from circdebt.errors import SimulationError
from circdebt.timeline import Timeline


def test_non_finite_state_is_named_with_month_and_quantity():
    rec = Recorder(Timeline("2025-07", "2025-08"), 1, ["c"], ["k"], None, detail=False)
    rec.write(0, {"cd_stock_bn_pkr": np.array([1.0]), "ppp_bn_pkr": np.array([1.0])})
    rec.check_finite(0)
    rec.write(1, {"cd_stock_bn_pkr": np.array([np.nan]), "ppp_bn_pkr": np.array([np.inf])})
    with pytest.raises(SimulationError, match="cd_stock_bn_pkr became non-finite in 2025-08"):
        rec.check_finite(1)


def test_paths_are_independent_rows_of_one_vectorised_run():
    one = simulate_scenario(small()).series
    many = simulate_scenario(small(), n_paths=5).series
    for name in ("cd_stock_bn_pkr", "units_sold_gwh", "sez_total_usc_per_kwh"):
        assert many[name].shape == (5, 24)
        np.testing.assert_allclose(many[name], np.repeat(one[name], 5, axis=0), rtol=1e-12)


def test_extreme_but_valid_inputs_run():
    plants = [p.model_dump() | {"contract_expiry": "2025-08", "debt_maturity": None}
              for p in small().supply.plants]
    everything_expired = simulate_scenario(small(supply={"plants": plants})).series
    assert everything_expired["capacity_payments_bn_pkr"][0, 2:].sum() == 0
    assert everything_expired["unserved_energy_gwh"][0, 2:].min() > 0
    fx_times_ten = simulate_scenario(small(exogenous={"fx_pkr_per_usd": 2800.0})).series
    assert np.isfinite(fx_times_ten["cd_stock_bn_pkr"]).all()
