"""Schema and cross-field checks on scenario data (files are tested in test_cli/test_io)."""

import pytest
from factories import small_data

from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data


def problems(data):
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "s.toml")
    return info.value.problems


def test_valid_small_scenario_passes():
    assert validate_scenario_data(small_data(), "s.toml").name == "small"


def test_unknown_key_is_refused_with_suggestion():
    data = small_data()
    data["supply"]["plants"][1]["capacity_mwh"] = 5.0
    (p,) = problems(data)
    assert p.key_path == "supply.plants[1].capacity_mwh"
    assert "capacity_mw" in p.suggestion


def test_all_problems_reported_at_once_with_key_paths():
    data = small_data()
    data["supply"]["plants"][0]["capacity_mw"] = -5.0
    data["demand"]["classes"][1]["recovery_pct"] = 120.0
    data["tariff"]["pass_through_pct"] = "full"
    del data["losses"]["allowed_pct"]
    paths = {p.key_path for p in problems(data)}
    assert paths == {"supply.plants[0].capacity_mw", "demand.classes[1].recovery_pct",
                     "tariff.pass_through_pct", "losses.allowed_pct"}


def test_series_errors_point_inside_the_table():
    data = small_data(exogenous={"fx_pkr_per_usd": {"initial": 280.0, "growht_pct_per_year": 3}})
    (p,) = problems(data)
    assert p.key_path == "exogenous.fx_pkr_per_usd.growht_pct_per_year"
    assert "growth_pct_per_year" in p.suggestion


def test_end_before_start_is_refused():
    (p,) = problems(small_data(time={"start": "2026-07", "end": "2026-06"}))
    assert p.key_path == "time.end"


def test_dangling_references_are_refused_with_suggestions():
    data = small_data(initial={"payables_bn_pkr": {"cpec_ipps": 10.0}})
    data["supply"]["plants"][1]["fuel"] = "lng"
    found = {p.key_path: p for p in problems(data)}
    assert "cpec_ipp" in found["initial.payables_bn_pkr.cpec_ipps"].suggestion
    assert "supply.plants[1].fuel" in found


def test_fraction_typed_for_percent_is_caught():
    data = small_data()
    data["demand"]["classes"][0]["recovery_pct"] = 0.92
    (p,) = problems(data)
    assert p.key_path == "demand.classes[0].recovery_pct" and "92" in p.suggestion


def test_nan_and_inf_are_refused():
    data = small_data(tariff={"dss_pkr_per_kwh": float("nan")},
                      exogenous={"kibor_pct": float("inf")})
    assert {p.key_path for p in problems(data)} == {"tariff.dss_pkr_per_kwh",
                                                    "exogenous.kibor_pct"}


def test_duplicate_names_and_bad_fy_keys():
    data = small_data(budget={"cppa_payments_bn_pkr_per_fy": {"2027": 5.0}})
    data["demand"]["classes"][1]["name"] = "residential"
    paths = {p.key_path for p in problems(data)}
    assert paths == {"demand.classes[1].name", "budget.cppa_payments_bn_pkr_per_fy.2027",
                     "demand.rooftop_solar.class_shares_pct.industrial"}  # now dangling
