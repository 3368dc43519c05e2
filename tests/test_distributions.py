"""Distributions on scenario values: central values, draws and exact quantiles."""

import numpy as np
import pytest

from circdebt.scenario.distributions import Distribution


@pytest.mark.parametrize("spec", [
    {"dist": "normal", "mean": 10.0, "sd": 2.0},
    {"dist": "lognormal", "mean": 10.0, "sd": 4.0},
    {"dist": "triangular", "low": 2.0, "mode": 3.0, "high": 9.0},
    {"dist": "uniform", "low": -1.0, "high": 3.0},
])
def test_quantiles_are_exact_and_agree_with_the_draws(spec):
    d = Distribution.model_validate(spec)
    low, high = d.percentile_range(0.05, 0.95)
    draws = d.sample(np.random.default_rng(0), 400_000)
    assert low == pytest.approx(np.quantile(draws, 0.05), rel=0.01, abs=0.01)
    assert high == pytest.approx(np.quantile(draws, 0.95), rel=0.01, abs=0.01)
    assert low < d.central < high


def test_normal_quantiles_on_hand_numbers():
    d = Distribution.model_validate({"dist": "normal", "mean": 10.0, "sd": 2.0})
    assert d.quantile(0.05) == pytest.approx(10 - 1.6448536 * 2)
    assert d.quantile(0.5) == pytest.approx(10.0)
    zero = Distribution.model_validate({"dist": "normal", "mean": 10.0, "sd": 0.0})
    assert zero.percentile_range() == (10.0, 10.0)


def test_a_choice_has_discrete_quantiles_and_its_most_likely_value_as_centre():
    d = Distribution.model_validate({"dist": "choice", "values": [1.0, 5.0, 9.0],
                                     "weights": [0.1, 0.6, 0.3]})
    assert d.central == 5.0
    assert d.quantile(0.05) == 1.0 and d.quantile(0.5) == 5.0 and d.quantile(0.95) == 9.0
    assert set(np.unique(d.sample(np.random.default_rng(1), 1000))) <= {1.0, 5.0, 9.0}


@pytest.mark.parametrize("key", [":", "a b", "x.y", "q[1]", "é"])
def test_a_distribution_under_a_key_no_key_path_can_spell_is_refused_not_a_crash(key):
    from factories import small_data

    from circdebt import io
    from circdebt.errors import ScenarioError
    data = small_data()
    data["supply"]["plants"][1]["name"] = {key: {"dist": "normal"}}
    with pytest.raises(ScenarioError, match="plain key"):
        io.validate_scenario_data(data, "x")
