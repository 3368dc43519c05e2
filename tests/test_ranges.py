"""Every key has a physical range, checked where it is written and where it goes
(docs/model.md §21): fractions typed for percents, series outside their range, paths
that leave it over the horizon, fiscal-year keys the run never reaches, and
distributions truncated at the key's bounds."""

from __future__ import annotations

import copy
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from factories import small_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import circdebt.scenario.policies as policy_schema
import circdebt.scenario.schema as schema
import circdebt.scenario.series as series_schema
from circdebt import keypaths
from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.engine.checks import horizon_problems, lever_problems
from circdebt.engine.compile import timeline_of
from circdebt.engine.levers import base_levers
from circdebt.errors import ScenarioError
from circdebt.io import load_scenario, validate_scenario_data
from circdebt.scenario import ranges
from circdebt.scenario.distributions import Distribution
from circdebt.scenario.dump import scenario_dict
from circdebt.scenario.fields import HUGE, NotAFraction, Range

ROOT = Path(__file__).resolve().parents[1]

#: Numbers whose range is set elsewhere: a series' values take the Range on the field
#: holding the series (checked below); a target's ceiling is in the unit of whichever
#: result column it caps, flows included (which may be negative).
EXEMPT = {("SeriesSpec", "initial"), ("SeriesSpec", "schedule"), ("Target", "max")}


def _models() -> list[type[BaseModel]]:
    found = []
    for module in (schema, policy_schema, series_schema):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) \
                    and value.__module__ == module.__name__:
                found.append(value)
    return found


def _number_kind(annotation: Any) -> Any:
    """float or int if the field holds numbers (alone, in a list or as dict values)."""
    if annotation in (int, float):
        return annotation
    args = typing.get_args(annotation)
    if getattr(annotation, "__metadata__", None) is not None:
        return _number_kind(args[0])
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        kinds = [_number_kind(a) for a in args if a is not type(None)]
        return next((k for k in kinds if k is not None), None)
    if origin is dict:
        return _number_kind(args[1])
    return None


def _inner_bounds(annotation: Any) -> tuple[float, float]:
    """Bounds of a list's items or a dict's values."""
    for candidate in (annotation, *typing.get_args(annotation)):
        inner = typing.get_args(candidate)[0] if hasattr(candidate, "__metadata__") \
            else candidate
        origin = typing.get_origin(inner)
        if origin in (list, dict):
            item = typing.get_args(inner)[-1]
            return ranges._bounds(ranges._rules(item, []))
    return -np.inf, np.inf


def test_every_number_in_the_schema_has_a_physical_range():
    loose = []
    for model in _models():
        for name, field in model.model_fields.items():
            if _number_kind(field.annotation) is None or (model.__name__, name) in EXEMPT:
                continue
            low, high = ranges.field_bounds(model, name)
            if not (np.isfinite(low) and np.isfinite(high)):
                low, high = _inner_bounds(field.annotation)
            if not (low > -HUGE and high < HUGE):
                loose.append(f"{model.__name__}.{name}: [{low:g}, {high:g}]")
    assert not loose, "keys without a physical range:\n" + "\n".join(loose)


def test_every_series_field_carries_a_range():
    missing = [f"{model.__name__}.{name}" for model in _models()
               for name, field in model.model_fields.items()
               if "SeriesSpec" in repr(field.annotation) and model is not series_schema.SeriesSpec
               and not any(isinstance(r, Range) for r in ranges.field_rules(model, name))]
    assert not missing


@cache
def _shipped() -> dict[str, Any]:
    """Baseline and reform-package data (their fraction-marked keys cover policies too)."""
    return {name: scenario_dict(load_scenario(ROOT / "scenarios" / name))
            for name in ("baseline.toml", "reform-package.toml", "sez-package-budget.toml",
                         "net-metering-reform.toml")}


def _fraction_keys() -> list[tuple[str, str]]:
    keys = []
    for name, data in _shipped().items():
        scenario = validate_scenario_data(copy.deepcopy(data), name)
        for key, value, _ in ranges.marked(scenario, NotAFraction):
            if value is not None and (key, ) not in {(k,) for _, k in keys}:
                keys.append((name, key))
    return keys


def test_fraction_keys_cover_every_share_the_issue_named():
    keys = {k for _, k in _fraction_keys()}
    assert {"losses.actual_pct", "losses.allowed_pct", "demand.classes[0].recovery_pct",
            "supply.plants[0].monthly_capacity_factor_pct", "sez.recovery_pct",
            "sez.zones[0].load_factor_pct", "tariff.pass_through_pct"} <= keys
    assert len(keys) > 60


@pytest.mark.parametrize(("name", "key"), _fraction_keys())
def test_a_fraction_typed_for_a_percent_is_refused_on_every_share_key(name, key):
    data = copy.deepcopy(_shipped()[name])
    value = keypaths.get(data, key)
    fraction: Any
    if isinstance(value, list):
        fraction = [v / 100.0 for v in value]
    elif isinstance(value, dict):  # a series: its initial value (or first anchor)
        sub = "initial" if "initial" in value else "schedule"
        if sub == "initial":
            value["initial"] = value["initial"] / 100.0
        else:
            first = next(iter(value["schedule"]))
            value["schedule"][first] = value["schedule"][first] / 100.0
        fraction = value
    else:
        fraction = value / 100.0 if value > 1.0 else 0.5
    keypaths.set_in_data(data, key, fraction)
    data.pop("uncertainty", None)
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(data, name)
    mine = [p for p in caught.value.problems if p.key_path.startswith(key)]
    assert mine and "did you mean" in mine[0].suggestion, caught.value


def test_a_share_above_one_is_not_taken_for_a_fraction():
    validate_scenario_data(small_data(losses={"actual_pct": 1.2}), "small")


@pytest.mark.parametrize("key", [k for k, _, _ in ranges.marked(
    load_scenario(ROOT / "scenarios" / "baseline.toml"), Range)])
def test_a_series_value_outside_its_range_is_refused(key):
    data = copy.deepcopy(_shipped()["baseline.toml"])
    data.pop("uncertainty", None)
    rule = next(r for k, _, r in ranges.marked(validate_scenario_data(
        copy.deepcopy(data), "b"), Range) if k == key)
    keypaths.set_in_data(data, key, rule.high * 2 + 1 if np.isfinite(rule.high) else -1.0)
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(data, "b")
    assert any(p.key_path.startswith(key) for p in caught.value.problems), caught.value


def _long(**changes: Any) -> dict[str, Any]:
    return small_data(time={"start": "2025-07", "end": "2045-06"}, **changes)


@pytest.mark.parametrize(("changes", "key", "says"), [
    ({"losses": {"actual_pct": {"initial": 30.0, "growth_pct_per_year": 10.0}}},
     "losses.actual_pct", "growth_pct_per_year = 10"),
    ({"exogenous": {"gdp_bn_pkr_per_year": {"initial": 1e5, "growth_pct_per_year": -90.0}}},
     "exogenous.gdp_bn_pkr_per_year", "in every month"),
    ({"exogenous": {"pk_cpi_inflation_pct_per_year": {"initial": 10.0,
                                                      "growth_pct_per_year": 50.0}}},
     "exogenous.pk_cpi_inflation_pct_per_year", "inflation"),
    ({"exogenous": {"fx_pkr_per_usd": {"initial": 280.0, "growth_pct_per_year": 60.0}}},
     "exogenous.fx_pkr_per_usd", "exchange rate"),
    ({"losses": {"actual_pct": {"initial": 20.0, "growth_pct_per_year": 3.0}},
      "sez": {"loss_multiplier": 2.8}},
     "losses.actual_pct", "times the largest class or zone loss_multiplier"),
])
def test_a_path_leaving_its_range_over_the_horizon_is_refused(changes, key, says):
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(_long(**changes), "long.toml")
    assert validate_scenario_data(small_data(**changes), "small")  # fine in 2 years
    (problem,) = [p for p in caught.value.problems if p.key_path.startswith(key)]
    assert says in str(problem) and "20" in problem.found  # names the month (20xx-mm)


def test_levers_after_policies_are_checked_with_the_key_behind_them():
    s = validate_scenario_data(small_data(), "small")
    tl = timeline_of(s)
    levers = base_levers(s, tl)
    levers.recovery[30 % tl.n_months:, 1] = 1.05
    (problem,) = lever_problems(s, levers, tl, "small")
    assert problem.key_path == "demand.classes[1].recovery_pct"
    assert tl.labels[30 % tl.n_months] in problem.found and "105" in problem.found


@pytest.mark.parametrize(("changes", "key"), [
    ({"budget": {"cppa_payments_bn_pkr_per_fy": {"FY2062": 143.0}}},
     "budget.cppa_payments_bn_pkr_per_fy.FY2062"),
    ({"budget": {"phl_payments_bn_pkr_per_fy": {"FY2025": 10.0}}},
     "budget.phl_payments_bn_pkr_per_fy.FY2025"),
    ({"subsidy": {"budget_cap_bn_pkr_per_fy": {"FY2030": 10.0}}},
     "subsidy.budget_cap_bn_pkr_per_fy.FY2030"),
    ({"budget": {"cppa_payments_bn_pkr_per_fy": {"FY2026\n": 143.0}}},
     "budget.cppa_payments_bn_pkr_per_fy.FY2026\n"),
])
def test_a_fiscal_year_key_the_run_never_reaches_is_refused(changes, key):
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(small_data(**changes), "small")
    assert key in {p.key_path for p in caught.value.problems}, caught.value


def test_a_dropped_amount_is_named():
    with pytest.raises(ScenarioError, match="Rs 143 bn"):
        validate_scenario_data(small_data(
            budget={"cppa_payments_bn_pkr_per_fy": {"FY2062": 143.0}}), "small")


# -- distributions ------------------------------------------------------------------

DISTRIBUTIONS = st.one_of(
    st.builds(lambda m, s: Distribution(dist="normal", mean=m, sd=s),
              st.floats(-50, 150), st.floats(0, 40)),
    st.builds(lambda m, s: Distribution(dist="lognormal", mean=m, sd=s),
              st.floats(0.1, 150), st.floats(0, 60)),
    st.builds(lambda a, b, c: Distribution(dist="triangular", **dict(zip(
        ("low", "mode", "high"), sorted((a, b, c)), strict=True))),
              st.floats(-50, 150), st.floats(-50, 150), st.floats(-50, 150)),
    st.builds(lambda a, b: Distribution(dist="uniform", low=min(a, b), high=max(a, b)),
              st.floats(-50, 150), st.floats(-50, 150)),
    st.builds(lambda v: Distribution(dist="choice", values=v),
              st.lists(st.floats(-50, 150), min_size=1, max_size=5)),
)


@settings(max_examples=150, deadline=None)
@given(DISTRIBUTIONS, st.integers(0, 2**32 - 1))
def test_truncated_draws_stay_inside_the_bounds(dist, seed):
    if dist.mass_outside(0.0, 100.0) >= 1.0:
        return
    draws = dist.sample_within(np.random.default_rng(seed), 500, 0.0, 100.0)
    assert np.all((draws >= 0.0) & (draws <= 100.0))
    plain = dist.sample(np.random.default_rng(seed), 500)
    inside = (plain >= 0.0) & (plain <= 100.0)
    assert np.array_equal(draws[inside], plain[inside])  # draws inside are kept as drawn


def test_truncation_gives_the_truncated_distribution():
    from scipy import stats

    dist = Distribution(dist="normal", mean=97.0, sd=1.5)
    draws = dist.sample_within(np.random.default_rng(7), 400_000, 0.0, 100.0)
    truncated = stats.truncnorm((0 - 97) / 1.5, (100 - 97) / 1.5, 97, 1.5)
    assert draws.mean() == pytest.approx(truncated.mean(), abs=0.01)
    assert np.quantile(draws, 0.9) == pytest.approx(truncated.ppf(0.9), abs=0.02)


def test_a_distribution_mostly_outside_its_range_is_refused():
    data = small_data()
    data["demand"]["classes"][1]["recovery_pct"] = {"dist": "normal", "mean": 99.0, "sd": 3.0}
    with pytest.raises(ScenarioError, match="at most 10% of its mass outside"):
        validate_scenario_data(data, "small")
    data["demand"]["classes"][1]["recovery_pct"] = {"dist": "normal", "mean": 97.0, "sd": 2.0}
    scenario = validate_scenario_data(data, "small")
    assert ranges.truncated_shares(scenario) == {
        "demand.classes[1].recovery_pct": pytest.approx(6.6807, abs=1e-3)}


def test_monte_carlo_draws_respect_the_key_range():
    data = small_data()
    data["demand"]["classes"][1]["recovery_pct"] = {"dist": "normal", "mean": 97.0, "sd": 2.0}
    scenario = validate_scenario_data(data, "small")
    batch = evaluate(scenario, Rows(n=400, seed=3), Want(annual=("cd_flow_bn_pkr",)))
    drawn = batch.draws["demand.classes[1].recovery_pct"]
    assert drawn.max() <= 100.0 and (drawn > 99.0).any()


def test_drawn_values_that_leave_a_range_over_the_horizon_are_refused():
    data = _long()
    data["losses"]["actual_pct"] = {"initial": 20.0, "growth_pct_per_year": 3.0}
    data["demand"]["classes"][1]["loss_multiplier"] = {"dist": "uniform", "low": 1.0,
                                                       "high": 3.0}
    scenario = validate_scenario_data(data, "long")
    with pytest.raises(ScenarioError, match="rows 0..199") as caught:
        evaluate(scenario, Rows(n=200, seed=1), Want(annual=("cd_flow_bn_pkr",)))
    assert caught.value.problems[0].key_path == "losses.actual_pct"


# -- fuzz: time-varying inputs never give a silently absurd run ---------------------

SERIES_KEYS = ["exogenous.fx_pkr_per_usd", "exogenous.kibor_pct", "exogenous.sofr_pct",
               "exogenous.pk_cpi_inflation_pct_per_year", "exogenous.gdp_bn_pkr_per_year",
               "losses.actual_pct", "losses.allowed_pct"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SERIES_KEYS), st.floats(-1e3, 1e6), st.floats(-100, 500),
       st.integers(1, 30))
def test_a_time_varying_input_is_refused_or_runs_within_its_range(key, initial, growth, years):
    from circdebt.api import run

    data = small_data(time={"start": "2025-07", "end": f"{2025 + years}-06"})
    keypaths.set_in_data(data, key, {"initial": initial, "growth_pct_per_year": growth})
    try:
        scenario = validate_scenario_data(data, "fuzz")
    except ScenarioError as exc:
        assert all(p.key_path for p in exc.problems)
        return
    assert horizon_problems(scenario, "fuzz") == []
    monthly = run(scenario).monthly
    amounts = monthly[[c for c in monthly.columns if c.endswith(("_bn_pkr", "_gwh"))]]
    assert np.isfinite(amounts.to_numpy()).all()
    assert (monthly["units_sold_gwh"] >= 0).all() and (monthly["units_purchased_gwh"] >= 0).all()
    per_kwh = monthly[[c for c in monthly.columns if c.endswith("_per_kwh")]]
    sold = monthly["units_sold_gwh"].to_numpy() > 0  # a ratio is undefined on no sales
    assert np.isfinite(per_kwh.to_numpy()[sold]).all()


def test_a_monte_carlo_run_reports_the_truncated_share(tmp_path):
    import json

    from typer.testing import CliRunner

    from circdebt.cli.app import app
    from circdebt.scenario.dump import scenario_toml

    data = small_data()
    data["demand"]["classes"][1]["recovery_pct"] = {"dist": "normal", "mean": 97.0, "sd": 2.0}
    path = tmp_path / "small.toml"
    path.write_text(scenario_toml(validate_scenario_data(data, "small")), "utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--paths", "16", "--seed", "1",
                                      "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "demand.classes[1].recovery_pct: 6.6807% of its distribution" in result.stderr
    meta = json.loads((tmp_path / "out" / "run.json").read_text("utf-8"))
    assert meta["truncated_pct"] == {"demand.classes[1].recovery_pct": 6.6807}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(85.0, 100.0), st.floats(0.0, 15.0), st.floats(0.5, 3.0),
       st.integers(0, 2**16))
def test_a_distribution_near_its_bounds_is_refused_or_drawn_inside_them(mean, sd, mult, seed):
    """A share drawn near 100% and a loss multiplier drawn near its bound: refused with a
    key path, or every drawn value inside its range and every run's amounts finite."""
    data = small_data()
    data["demand"]["classes"][1]["recovery_pct"] = {"dist": "normal", "mean": mean, "sd": sd}
    data["demand"]["classes"][0]["loss_multiplier"] = {"dist": "uniform", "low": 0.5,
                                                       "high": mult}
    try:
        scenario = validate_scenario_data(data, "near")
        batch = evaluate(scenario, Rows(n=32, seed=seed),
                         Want(annual=("cd_stock_bn_pkr", "units_sold_gwh")))
    except ScenarioError as exc:
        assert all(p.key_path for p in exc.problems)
        return
    assert batch.draws["demand.classes[1].recovery_pct"].max() <= 100.0
    assert batch.draws["demand.classes[0].loss_multiplier"].max() <= 3.0
    assert np.isfinite(batch.annual["cd_stock_bn_pkr"]).all()
    assert (batch.annual["units_sold_gwh"] >= 0).all()


def test_a_profile_with_one_fraction_is_refused():
    data = small_data()
    data["supply"]["plants"][0]["monthly_capacity_factor_pct"] = [0.3] * 11 + [30.0]
    with pytest.raises(ScenarioError, match="did you mean 30"):
        validate_scenario_data(data, "small")


def test_a_loss_reduction_larger_than_the_loss_is_refused_not_held_at_zero():
    data = _long(policies=[{"type": "disco_privatisation", "start": "2026-07",
                            "loss_reduction_pct_points": 18.0}])
    with pytest.raises(ScenarioError, match="after policies") as caught:
        validate_scenario_data(data, "long")
    assert caught.value.problems[0].key_path == "losses.actual_pct"


def test_a_value_set_over_a_distribution_replaces_it(tmp_path):
    """--set, or a child file, giving a key a value of its own removes the distribution it
    inherits: the Monte Carlo runs at the value the user set."""
    data = small_data()
    data["losses"]["actual_pct"] = {"dist": "normal", "mean": 17.5, "sd": 1.0}
    parent = tmp_path / "parent.toml"
    from circdebt.scenario.dump import scenario_toml

    parent.write_text(scenario_toml(validate_scenario_data(data, "p")), "utf-8")
    assert "losses.actual_pct" in load_scenario(parent).uncertainty
    assert "losses.actual_pct" not in load_scenario(
        parent, ["losses.actual_pct=30"]).uncertainty
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\n[losses]\nactual_pct = 30.0\n', "utf-8")
    assert "losses.actual_pct" not in load_scenario(child).uncertainty
    again = tmp_path / "again.toml"
    again.write_text('extends = "parent.toml"\n[losses]\n'
                     'actual_pct = { dist = "normal", mean = 30.0, sd = 2.0 }\n', "utf-8")
    assert load_scenario(again).uncertainty["losses.actual_pct"].mean == 30.0


def test_an_amount_phased_in_past_the_horizon_is_refused_naming_what_would_be_lost():
    data = small_data(policies=[{"type": "budget_injection", "start": "2027-01",
                                 "phase_in_months": 12, "amount_bn_pkr": 400.0}])
    with pytest.raises(ScenarioError, match="Rs 200 bn of the Rs 400 bn") as caught:
        validate_scenario_data(data, "small")
    assert caught.value.problems[0].key_path == "policies[0].phase_in_months"
    data["policies"][0]["phase_in_months"] = 6  # Jan..Jun 2027: inside the horizon
    validate_scenario_data(data, "small")


def test_a_bad_set_value_is_named_as_given_with_set():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios" / "baseline.toml", ["losses.actual_pct=0.15"])
    (problem,) = caught.value.problems
    assert problem.file.endswith("baseline.toml with --set losses.actual_pct=0.15")
