"""Monte Carlo: distributions, reproducibility, percentiles, thresholds, shocks."""

import numpy as np
import pytest
from factories import small, small_data

from circdebt.analysis.batch import zone_draws
from circdebt.analysis.montecarlo import Threshold, paired_differences, run_monte_carlo
from circdebt.engine import simulate_scenario
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.keypaths import with_values
from circdebt.scenario.distributions import Distribution
from circdebt.streams import BLOCK, sample_blocks

G_NORMAL = {"dist": "normal", "mean": 93.0, "sd": 10.0}


def test_distributions_sample_their_moments():
    rng = np.random.default_rng(1)
    cases = [
        (Distribution(dist="normal", mean=5.0, sd=2.0), 5.0, 2.0),
        (Distribution(dist="lognormal", mean=5.0, sd=2.0), 5.0, 2.0),
        (Distribution(dist="uniform", low=0.0, high=12.0), 6.0, 12 / np.sqrt(12)),
        (Distribution(dist="triangular", low=0.0, mode=3.0, high=9.0), 4.0,
         np.sqrt((0 + 9 + 81 - 0 - 0 - 27) / 18)),
        (Distribution(dist="choice", values=[1.0, 3.0], weights=[3.0, 1.0]), 1.5,
         np.sqrt(0.75)),
    ]
    for dist, mean, sd in cases:
        x = dist.sample(rng, 200_000)
        assert x.mean() == pytest.approx(mean, abs=0.03), dist.dist
        assert x.std() == pytest.approx(sd, rel=0.02), dist.dist
    assert Distribution(dist="choice", values=[1.0, 3.0], weights=[3.0, 1.0]).central == 1.0
    assert Distribution(dist="triangular", low=0.0, mode=3.0, high=9.0).central == 4.0


def test_bad_distributions_are_refused_at_their_key_path():
    data = small_data(initial={"genco_fuel_payables_bn_pkr": {"dist": "normal", "mean": 93.0}})
    data["tariff"]["fca_lag_months"] = {"dist": "choice", "values": [1.0, 2.0]}
    data["supply"]["plants"][0]["monthly_capacity_factor_pct"] = [
        {"dist": "uniform", "low": 1.0, "high": 2.0}, *([50.0] * 11)]
    data["policies"] = [{"type": "loss_reduction", "start": "2026-01",
                         "target_loss_pct": {"dist": "uniform", "low": 10.0, "high": 12.0}}]
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "s.toml")
    text = str(info.value)
    assert "initial.genco_fuel_payables_bn_pkr: a normal distribution needs mean, sd" in text
    assert "tariff.fca_lag_months" in text
    data["tariff"]["fca_lag_months"] = 2
    data["initial"]["genco_fuel_payables_bn_pkr"] = G_NORMAL
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "s.toml")
    paths = {p.key_path for p in info.value.problems}
    assert paths == {"supply.plants[0].monthly_capacity_factor_pct[0]",
                     "policies[0].target_loss_pct"}


def _uncertain():
    return small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL},
                 demand={"rooftop_solar": {"additions_mw_per_year":
                                           {"dist": "uniform", "low": 500.0, "high": 2500.0}}})


def test_percentiles_of_a_known_distribution_come_out_right():
    # GENCO fuel payables are a constant part of the stock: the stock's spread over paths
    # is exactly the spread of that input
    s = small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL})
    mc = run_monte_carlo(s, 20_000, seed=3)
    table = mc.annual_percentiles().query("variable == 'cd_stock_bn_pkr'").iloc[-1]
    base = simulate_scenario(s).series["cd_stock_bn_pkr"][0, -1]
    for p, z in ((5, -1.6449), (25, -0.6745), (50, 0.0), (75, 0.6745), (95, 1.6449)):
        assert table[f"p{p}"] - base == pytest.approx(10.0 * z, abs=0.35)


def test_same_seed_same_results_different_seed_different_chunking_irrelevant():
    s = _uncertain()
    a = run_monte_carlo(s, 1500, seed=11)
    b = run_monte_carlo(s, 1500, seed=11, chunk_paths=BLOCK)
    c = run_monte_carlo(s, 1500, seed=12)
    np.testing.assert_array_equal(a.annual["cd_stock_bn_pkr"], b.annual["cd_stock_bn_pkr"])
    assert not np.array_equal(a.annual["cd_stock_bn_pkr"], c.annual["cd_stock_bn_pkr"])
    # paths beyond the first block are the same draws however the run is split
    first_only = run_monte_carlo(s, 1100, seed=11)
    np.testing.assert_array_equal(first_only.annual["cd_stock_bn_pkr"],
                                  a.annual["cd_stock_bn_pkr"][:1100])


def test_one_path_at_the_means_equals_the_deterministic_run():
    s = _uncertain()
    central = {k: np.array([d.central]) for k, d in s.uncertainty.items()}
    one = simulate_scenario(with_values(s, central), n_paths=1).series
    det = simulate_scenario(s).series
    for name in ("cd_stock_bn_pkr", "units_sold_gwh", "sez_total_usc_per_kwh"):
        np.testing.assert_allclose(one[name], det[name], rtol=1e-12)


def test_common_random_numbers_across_scenarios_and_paired_differences():
    base = _uncertain()
    other = small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL},
                  losses={"actual_pct": 15.0})
    a, b = run_monte_carlo(base, 1200, seed=5), run_monte_carlo(other, 1200, seed=5)
    key = "initial.genco_fuel_payables_bn_pkr"
    np.testing.assert_array_equal(a.draws[key], b.draws[key])
    diff = paired_differences(a, b, "cd_stock_bn_pkr")
    assert (diff["p95"] < 0).all()  # fewer losses lower the debt on every path
    with pytest.raises(ValueError):
        paired_differences(a, run_monte_carlo(other, 1200, seed=6), "cd_stock_bn_pkr")


def test_thresholds_parse_and_count():
    t = Threshold.parse("cd_stock_bn_pkr>3000@FY2030")
    assert (t.column, t.above, t.value, t.fy) == ("cd_stock_bn_pkr", True, 3000.0, "FY2030")
    assert str(t) == "cd_stock_bn_pkr>3000@FY2030"
    with pytest.raises(ValueError, match="COLUMN>VALUE@FYyyyy"):
        Threshold.parse("stock above 3000")
    mc = run_monte_carlo(small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL}), 4000, seed=1)
    median = float(np.median(mc.value("cd_stock_bn_pkr", "FY2027")))
    assert mc.probability(Threshold("cd_stock_bn_pkr", True, median, "FY2027")) == \
        pytest.approx(0.5, abs=0.01)
    with pytest.raises(KeyError, match="outside the horizon"):
        mc.value("cd_stock_bn_pkr", "FY2040")


def test_exchange_rate_shocks_are_centred_and_jumps_devalue():
    gbm = small(exogenous={"shocks": {"fx_pkr_per_usd": {"volatility_pct_per_year": 10.0}}})
    mc = run_monte_carlo(gbm, 8000, seed=2)
    det = simulate_scenario(gbm).series["fx_pkr_per_usd"][0]
    fx_end = mc.monthly["fx_pkr_per_usd"][:, -1]
    assert fx_end.mean() == pytest.approx(det[-1], rel=0.01)
    assert fx_end.std() > 0.05 * det[-1]
    jumps = small(exogenous={"shocks": {"fx_pkr_per_usd": {
        "jump_probability_pct_per_month": 5.0, "jump_mean_pct": 20.0}}})
    fx_jump = run_monte_carlo(jumps, 2000, seed=2).monthly["fx_pkr_per_usd"][:, -1]
    assert (fx_jump >= det[-1] * (1 - 1e-6)).all()
    # 23 months x 5% = 1.15 jumps of +20% expected: E[1.2^N] = exp(1.15 x 0.2) = 1.26
    assert fx_jump.mean() / det[-1] == pytest.approx(np.exp(23 * 0.05 * 0.2), rel=0.03)


def test_kibor_shock_never_goes_negative():
    s = small(exogenous={"kibor_pct": 0.5,
                         "shocks": {"kibor_pct": {"volatility_pct_points_per_year": 5.0}}})
    mc = run_monte_carlo(s, 1000, seed=4)
    assert mc.annual["kibor_pct"].min() >= 0.0
    assert mc.annual["kibor_pct"].std() > 0


def test_sofr_shock_draws_its_own_stream_and_never_goes_negative():
    shock = {"volatility_pct_points_per_year": 3.0}
    s = small(exogenous={"sofr_pct": 0.5, "shocks": {"sofr_pct": shock}})
    mc = run_monte_carlo(s, 500, seed=4)
    assert mc.annual["sofr_pct"].min() >= 0.0
    assert mc.annual["sofr_pct"].std() > 0
    assert np.ptp(mc.annual["kibor_pct"], axis=0).max() == 0  # KIBOR has no shock here
    # the same draws as a KIBOR shock would get only if the streams were shared: not so
    both = small(exogenous={"sofr_pct": 11.0, "kibor_pct": 11.0,
                            "shocks": {"sofr_pct": shock, "kibor_pct": shock}})
    annual = run_monte_carlo(both, 50, seed=4).annual
    assert not np.allclose(annual["sofr_pct"], annual["kibor_pct"])


def test_zones_are_drawn_per_path_with_their_probability():
    s = small(sez={"zones": [{"name": "z", "start": "2025-07", "peak_load_mw": 100.0,
                              "ramp_months": 0, "probability_pct": 30.0}]})
    w = zone_draws(s, 9, np.arange(20_000))
    assert set(np.unique(w)) == {0.0, 1.0}
    assert w.mean() == pytest.approx(0.3, abs=0.01)
    mc = run_monte_carlo(s, 3000, seed=9)
    load = mc.annual["sez_load_gwh"][:, 0]
    assert ((load == 0) | (load > 0.5 * load.max())).all()


def test_block_sampling_is_independent_of_the_window():
    def draw(rng, n):
        return rng.standard_normal(n)
    whole = sample_blocks(draw, 1, "x", 0, 3 * BLOCK)
    window = sample_blocks(draw, 1, "x", BLOCK - 5, 10)
    np.testing.assert_array_equal(window, whole[BLOCK - 5:BLOCK + 5])


def test_a_run_too_large_for_memory_is_refused_up_front():
    from circdebt.analysis.montecarlo import estimate_memory_bytes
    s = small()
    assert estimate_memory_bytes(s, 10_000) < estimate_memory_bytes(s, 100_000)
    with pytest.raises(ValueError, match="would need about"):
        run_monte_carlo(s, 100_000, seed=1, max_memory_gb=0.01)
