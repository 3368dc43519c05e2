"""SEZ load, the SEZ cost breakdown, the captive switch and SEZ tariff packages."""

import numpy as np
import pytest
from factories import small

from circdebt.engine import simulate_scenario
from circdebt.engine.compile import realisation_weights, sez_load
from circdebt.model.sez import COMPONENTS, captive_share_step, grid_and_captive_gwh
from circdebt.scenario.schema import Sez
from circdebt.timeline import Timeline

ZONES = [
    {"name": "rashakai", "start": "2025-07", "ramp_months": 0, "peak_load_mw": 220.0,
     "load_factor_pct": 70.0},
    {"name": "dhabeji", "start": "2026-01", "ramp_months": 12, "peak_load_mw": 400.0,
     "load_factor_pct": 60.0, "probability_pct": 50.0},
]


def with_sez(**sez):
    return small(sez={"zones": ZONES, **sez})


def test_zone_load_ramps_and_weights_by_probability():
    tl = Timeline("2025-07", "2027-06")
    s = Sez.model_validate({"zones": ZONES})
    load = sez_load(s, tl, realisation_weights(s, 1))[0][0]
    assert load[0] == pytest.approx(220 * 0.7 * 744 / 1e3)
    # Dhabeji: 1/12 of its expected load in Jan 2026 (index 6), all of it from Dec 2026
    dhabeji_jan = load[6] - 220 * 0.7 * 744 / 1e3
    assert dhabeji_jan == pytest.approx(0.5 * 400 * 0.6 * 744 / 1e3 / 12)
    everything = sez_load(s, tl, realisation_weights(
        s.model_copy(update={"realisation": "all"}), 1))[0]
    assert everything[0, -1] > load[-1]
    none = Sez.model_validate({"zones": ZONES, "realisation": "none"})
    assert sez_load(none, tl, realisation_weights(none, 1))[0].sum() == 0.0


def test_components_sum_to_the_total_every_month():
    rec = simulate_scenario(with_sez(taxes_pct=18.0, tariff_multiplier=1.1)).series
    parts = sum(rec[f"sez_{c}_usc_per_kwh"] for c in COMPONENTS)
    np.testing.assert_allclose(parts, rec["sez_total_usc_per_kwh"], rtol=1e-12)
    fx = rec["fx_pkr_per_usd"]
    np.testing.assert_allclose(rec["sez_total_usc_per_kwh"] * fx / 100,
                               rec["sez_cost_pkr_per_kwh"], rtol=1e-12)
    assert (rec["sez_taxes_usc_per_kwh"] > 0).all()


def test_sez_load_joins_sales_and_spreads_capacity_costs_when_capacity_is_idle():
    without = simulate_scenario(small()).series
    with_ = simulate_scenario(with_sez(realisation="all")).series
    assert (with_["sez_load_gwh"] > 0).all()
    assert with_["units_sold_gwh"][0, 0] == pytest.approx(
        without["units_sold_gwh"][0, 0] + with_["sez_load_gwh"][0, 0])
    # same capacity bill, more units: a lower capacity charge for everyone
    cap_with = with_["capacity_payments_bn_pkr"] / with_["units_sold_gwh"]
    cap_without = without["capacity_payments_bn_pkr"] / without["units_sold_gwh"]
    assert (cap_with[0, :3] < cap_without[0, :3]).all()
    relief = (with_["capacity_payments_bn_pkr"] / with_["units_sold_excl_sez_gwh"]
              - cap_with)
    assert (relief[0] > 0).all()


def package(funding, **extra):
    return {"type": "sez_tariff_package", "start": "2026-01", "price_usc_per_kwh": 7.0,
            "funding": funding, **extra}


def _pair(funding):
    # no price response or solar defection: only the package's own money moves
    classes = [c.model_dump() | {"price_elasticity": 0.0} for c in small().demand.classes]
    changes = {"tariff": {"dss_pkr_per_kwh": 0.0},
               "demand": {"classes": classes, "rooftop_solar": {"defection_elasticity": 0.0}}}
    sez = {"zones": ZONES, "realisation": "all", "recovery_pct": 100.0}
    base = simulate_scenario(small(sez=sez, **changes)).series
    pkg = simulate_scenario(small(sez=sez, policies=[package(funding)], **changes)).series
    return base, pkg, Timeline("2025-07", "2027-06").index_of("2026-01")


def test_unfunded_package_adds_exactly_its_gap_to_the_debt():
    base, pkg, t = _pair("unfunded")
    gap = pkg["sez_package_support_bn_pkr"][0]
    assert gap[t] > 0 and gap[:t].sum() == 0
    np.testing.assert_allclose(pkg["flow_sez_package_bn_pkr"][0], gap)
    # in its first month (before any surcharge on it) the debt rises by exactly the gap
    assert pkg["cd_flow_bn_pkr"][0, t] - base["cd_flow_bn_pkr"][0, t] == pytest.approx(gap[t])
    assert pkg["sez_total_usc_per_kwh"][0, t] == pytest.approx(7.0)


def test_budget_funded_package_adds_its_gap_to_subsidies_not_to_the_debt():
    base, pkg, t = _pair("budget")
    gap = pkg["sez_package_support_bn_pkr"][0]
    np.testing.assert_allclose(pkg["tds_paid_bn_pkr"][0] - base["tds_paid_bn_pkr"][0], gap,
                               atol=1e-9)
    np.testing.assert_allclose(pkg["cd_stock_bn_pkr"], base["cd_stock_bn_pkr"], atol=1e-6)
    assert pkg["flow_sez_package_bn_pkr"].sum() == 0


def test_cross_subsidised_package_is_paid_by_other_consumers():
    base, pkg, t = _pair("cross_subsidy")
    assert pkg["flow_sez_package_bn_pkr"].sum() == 0
    np.testing.assert_allclose(pkg["tariff_recovered_bn_pkr"], base["tariff_recovered_bn_pkr"],
                               rtol=1e-12)
    # the SEZ class pays the package price; the others pay its gap on top of their tariffs
    assert pkg["sez_total_usc_per_kwh"][0, t] == pytest.approx(7.0)
    assert pkg["sez_package_support_bn_pkr"][0, t] > 0


def test_captive_switch_triggers_only_above_the_margin():
    share = np.zeros(3)
    grid = np.array([10.9, 11.0, 11.1])
    step = captive_share_step(share, grid, 10.0, 0.10, 0.05, 0.5)
    np.testing.assert_allclose(step, [0.0, 0.0, 0.05])
    assert captive_share_step(np.array([0.5]), np.array([20.0]), 10.0, 0.1, 0.05, 0.5) == 0.5
    assert captive_share_step(np.array([0.3]), np.array([5.0]), 10.0, 0.1, 0.05, 0.5) == 0.3


def test_captive_switch_in_a_run_lowers_grid_sales():
    cheap = with_sez(realisation="all", captive={"lcoe_usc_per_kwh": 3.0, "max_share_pct": 60.0,
                                                 "switch_speed_pct_per_month": 10.0})
    dear = with_sez(realisation="all", captive={"lcoe_usc_per_kwh": 99.0, "max_share_pct": 60.0})
    rec_cheap, rec_dear = simulate_scenario(cheap).series, simulate_scenario(dear).series
    assert rec_dear["sez_captive_gwh"].sum() == 0
    assert rec_cheap["sez_captive_gwh"][0, -1] > 0
    assert rec_cheap["sez_load_gwh"][0, -1] < rec_dear["sez_load_gwh"][0, -1]


def test_sez_class_name_is_reserved():
    from factories import small_data

    from circdebt.errors import ScenarioError
    from circdebt.io import validate_scenario_data
    data = small_data()
    data["demand"]["classes"][1]["name"] = "sez"
    data["demand"]["rooftop_solar"]["class_shares_pct"] = {"residential": 100.0}
    with pytest.raises(ScenarioError, match="reserved"):
        validate_scenario_data(data, "s.toml")


def test_sez_breakdown_table_and_command(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    import circdebt
    from circdebt.analysis.compare import sez_breakdown
    from circdebt.cli.app import app

    s = with_sez(benchmarks=[{"country": "Viet Nam", "tariff_usc_per_kwh": 8.5, "year": 2024}])
    table = sez_breakdown([circdebt.run(s)], ["FY2027"]).set_index("item")["value"]
    parts = sum(table[c] for c in COMPONENTS)
    assert parts == pytest.approx(table["total"])
    assert table["legacy_burden"] == pytest.approx(
        table["legacy_debt_dss"] + table["capacity_idle"])
    assert table["gap_to_viet_nam"] == pytest.approx(table["total"] - 8.5)
    with pytest.raises(ValueError, match="outside the horizon"):
        sez_breakdown([circdebt.run(s)], ["FY2040"])

    from conftest import DATA
    scenario = str(DATA / "worked_example_24m.toml")
    result = CliRunner().invoke(app, ["sez", scenario, scenario, "--fy", "FY2027",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "legacy debt (DSS)" in result.output
    csv = pd.read_csv(tmp_path / "sez.csv")
    assert set(csv["scenario"]) == {"worked_example", "worked_example-2"}
    bad = CliRunner().invoke(app, ["sez", scenario, "--fy", "FY2099", "--out",
                                   str(tmp_path / "b")])
    assert bad.exit_code == 2 and "FY2099" in bad.output


def test_a_capped_package_never_charges_more_than_the_tariff():
    # a 12-cent cap is above the SEZ tariff in most months: there it changes nothing
    fixed = simulate_scenario(small(sez={"zones": ZONES, "realisation": "all"},
                           policies=[package("unfunded") | {"price_usc_per_kwh": 12.0}])).series
    capped = simulate_scenario(small(sez={"zones": ZONES, "realisation": "all"},
                            policies=[package("unfunded") | {"price_usc_per_kwh": 12.0,
                                                            "mode": "cap"}])).series
    assert (fixed["sez_package_support_bn_pkr"] < 0).any()  # a fixed price above the tariff
    assert (capped["sez_package_support_bn_pkr"] >= -1e-12).all()


def test_zone_loss_multipliers_weight_the_sez_class_losses():
    tl = Timeline("2025-07", "2026-06")
    zones = [{"name": "a", "start": "2025-07", "ramp_months": 0, "peak_load_mw": 100.0,
              "load_factor_pct": 50.0, "loss_multiplier": 0.2, "voltage_kv": 132.0},
             {"name": "b", "start": "2025-07", "ramp_months": 0, "peak_load_mw": 300.0,
              "load_factor_pct": 50.0}]
    s = Sez.model_validate({"zones": zones, "loss_multiplier": 1.0})
    lm = sez_load(s, tl, realisation_weights(s, 1))[1]
    np.testing.assert_allclose(lm, 0.25 * 0.2 + 0.75 * 1.0)
    empty = Sez.model_validate({"loss_multiplier": 0.5})
    np.testing.assert_allclose(sez_load(empty, tl, realisation_weights(empty, 1))[1], 0.5)


def test_output_contract_has_the_sez_columns():
    import circdebt
    annual = circdebt.run(with_sez()).annual
    for column in ("sez_load_gwh", "sez_cost_pkr_per_kwh", "sez_cost_usc_per_kwh",
                   *(f"sez_{c}_usc_per_kwh" for c in COMPONENTS)):
        assert column in annual.columns, column
    np.testing.assert_allclose(annual["sez_cost_usc_per_kwh"], annual["sez_total_usc_per_kwh"])


# --------------------------------------------------------------------------- month steps


def test_zone_ramp_rises_from_its_start():
    from circdebt.model.sez import zone_ramp

    np.testing.assert_allclose(zone_ramp(6, 2, 3), [0, 0, 1 / 3, 2 / 3, 1, 1])
    np.testing.assert_allclose(zone_ramp(4, 1, 0), [0, 1, 1, 1])


def test_a_package_price_phases_in_and_is_funded_as_chosen():
    from circdebt.model.sez import Funding, package_funding, package_month

    tariffs = np.array([[20.0, 40.0, 30.0]])  # residential, industrial, sez
    sales = np.array([[600.0, 400.0, 100.0]])
    billed = np.array([0.8, 1.0, 1.0])
    fx = np.array([280.0])
    none = package_month(tariffs, billed, sales, 2, 0.0, np.nan, np.nan, fx, False,
                         Funding.UNFUNDED)
    np.testing.assert_allclose(none.class_tariff_pkr_per_kwh, tariffs)
    assert none.gap_bn[0] == 0.0
    # 9 US cents at Rs280 = Rs25.2/kWh, half phased in: 27.6; the gap 2.4 on 100 GWh
    half = package_month(tariffs, billed, sales, 2, 0.5, np.nan, 9.0, fx, False, Funding.BUDGET)
    assert half.sez_price_pkr_per_kwh[0] == pytest.approx(27.6)
    assert half.gap_bn[0] == pytest.approx(0.24)
    assert half.billed_share[0, 2] == pytest.approx(27.6 / 30.0)
    cross = package_month(tariffs, billed, sales, 2, 1.0, 25.2, np.nan, fx, False,
                          Funding.CROSS_SUBSIDY)
    # the gap, 0.48 bn, is charged on the other classes' 1,000 GWh: +0.48 Rs/kWh each
    np.testing.assert_allclose(cross.class_tariff_pkr_per_kwh, [[20.48, 40.48, 25.2]])
    np.testing.assert_allclose(cross.billed_share, [billed])
    capped = package_month(tariffs, billed, sales, 2, 1.0, 35.0, np.nan, fx, True,
                           Funding.UNFUNDED)
    assert capped.sez_price_pkr_per_kwh[0] == 30.0  # a cap never exceeds the tariff
    due = np.array([12.0])
    assert package_funding(due, half.gap_bn, Funding.BUDGET).budget_bn[0] == pytest.approx(0.24)
    assert package_funding(due, half.gap_bn, Funding.BUDGET).subsidy_due_bn[0] == \
        pytest.approx(11.76)
    assert package_funding(due, half.gap_bn, Funding.UNFUNDED).unfunded_bn[0] == \
        pytest.approx(0.24)
    assert package_funding(due, cross.gap_bn, Funding.CROSS_SUBSIDY).subsidy_due_bn[0] == 12.0


def test_cost_helpers_on_hand_numbers():
    from circdebt.model.sez import fleet_utilisation, per_kwh_sold, usc_per_kwh

    assert fleet_utilisation(np.array([[50.0, 25.0]]), np.array([[100.0, 50.0]]))[0] == 0.5
    np.testing.assert_allclose(per_kwh_sold(np.array([30.0, 1.0]), np.array([1000.0, 0.0])),
                               [30.0, 0.0])
    assert usc_per_kwh(np.array([28.0]), np.array([280.0]))[0] == pytest.approx(10.0)


def test_sez_load_splits_between_grid_and_captive_supply():
    grid, captive = grid_and_captive_gwh(np.array([100.0, 40.0]), np.array([0.25, 0.0]))
    np.testing.assert_allclose(grid, [75.0, 40.0])
    np.testing.assert_allclose(captive, [25.0, 0.0])


def test_cost_breakdown_on_hand_numbers_uses_the_sez_cost_of_service():
    """Rs bn 10 energy, 20 capacity (half used), 2 transmission on 1,000 GWh bought,
    1,100 GWh allowed, 900 GWh sold, DM Rs3/kWh on average; the SEZ's cost of service at
    its voltage is Rs38/kWh, of which Rs2 distribution; tariff Rs42 against an average
    notified tariff of Rs40; DSS Rs3; GST 18%."""
    from circdebt.model.sez import cost_breakdown_pkr_per_kwh

    one = np.array([1.0])
    parts = cost_breakdown_pkr_per_kwh(
        10 * one, 0 * one, 20 * one, 2 * one, 0.5 * one, 1000 * one, 1100 * one, 900 * one,
        3 * one, 40 * one, 42 * one, 42 * one, 3 * one, 0.18, 38 * one, 2 * one)
    expected = {"energy": 10.0, "capacity_used": 10.0, "capacity_idle": 10.0,
                "transmission_distribution": 4.0,  # 2 per unit bought + the SEZ's 2 of DM
                "allowed_losses": 4.0,  # 38 - 32 PPP per unit - 2 DM
                # average cost of supply c = 32 x 1,100 / 900 + 3 = 42.111
                "tariff_lag": 40.0 - (32 * 1100 / 900 + 3),
                "cross_subsidy": 42.0 - 38.0 - (40.0 - (32 * 1100 / 900 + 3)),
                "package_support": 0.0, "legacy_debt_dss": 3.0, "taxes": 0.18 * 45.0,
                "total": 45.0 * 1.18}
    for name, value in expected.items():
        assert parts[name][0] == pytest.approx(value), name
    assert sum(parts[c][0] for c in COMPONENTS) == pytest.approx(parts["total"][0])
