import numpy as np
import pandas as pd
import pytest
from factories import small

import circdebt
from circdebt.analysis.backtest import backtest_table, calibrate, calibrated_scenario_data, mape


def test_backtest_errors_against_a_hand_made_history():
    annual = pd.DataFrame({
        "fy": ["FY2020", "FY2021", "FY2022"], "cd_stock_bn_pkr": [1100.0, 1300.0, 1500.0],
        "cd_flow_bn_pkr": [100.0, 200.0, 200.0],
        "flow_excess_losses_bn_pkr": [50.0, 60.0, 70.0],
        "flow_under_recovery_bn_pkr": [30.0, 30.0, 30.0],
        "flow_lps_bn_pkr": [10.0, 10.0, 10.0], "flow_phl_interest_bn_pkr": [5.0, 5.0, 5.0]})
    history = pd.DataFrame({
        "cd_stock_bn_pkr": [1000.0, 1250.0, np.nan],
        "flow_excess_losses_bn_pkr": [np.nan, 40.0, np.nan],
        "flow_under_recovery_bn_pkr": [np.nan, 20.0, np.nan],
        "flow_ke_non_payment_bn_pkr": [np.nan, 5.0, np.nan],
        "flow_lps_bn_pkr": [np.nan, 20.0, np.nan]},
        index=pd.Index(["FY2020", "FY2021", "FY2022"], name="fy"))
    table = backtest_table(annual, history).set_index(["fy", "quantity"])
    stock20 = table.loc[("FY2020", "cd_stock_bn_pkr")]
    assert (stock20["error_bn_pkr"], stock20["error_pct"]) == (100.0, 10.0)
    assert table.loc[("FY2021", "cd_stock_bn_pkr"), "error_pct"] == pytest.approx(4.0)
    assert ("FY2022", "cd_stock_bn_pkr") not in table.index  # no published value
    # under-recovery is compared with the published line plus K-Electric's non-payment
    assert table.loc[("FY2021", "flow:under_recovery"), "actual_bn_pkr"] == 25.0
    assert table.loc[("FY2021", "flow:interest_net_of_dss"), "modelled_bn_pkr"] == 15.0
    assert mape(table.reset_index()) == pytest.approx(7.0)
    later = backtest_table(annual, history, from_fy="FY2021")
    assert set(later["fy"]) == {"FY2021"}


def test_calibration_recovers_parameters_from_data_the_model_made():
    truth = small(losses={"actual_pct": 21.0}, initial={"receivables_bn_pkr": 100.0})
    annual = circdebt.run(truth).annual
    history = annual.set_index("fy")[["cd_stock_bn_pkr"]]
    start = small(losses={"actual_pct": 16.0})
    fit = calibrate(start, ["losses.actual_pct"], history)
    assert fit.success
    assert fit.values()["losses.actual_pct"] == pytest.approx(21.0, abs=1e-3)
    assert fit.rmse_fit < 1e-3


def test_calibration_reports_out_of_sample_years():
    truth = small(losses={"actual_pct": 21.0})
    history = circdebt.run(truth).annual.set_index("fy")[["cd_stock_bn_pkr"]]
    fit = calibrate(small(), ["losses.actual_pct"], history, fit_to="FY2026")
    assert fit.fit_fys == ["FY2026"]
    assert list(fit.table["in_fit"]) == [True, False]
    assert np.isfinite(fit.rmse_out_of_sample)
    with pytest.raises(ValueError, match="no fiscal year"):
        calibrate(small(), ["losses.actual_pct"], history, fit_from="FY2030")
    with pytest.raises(ValueError, match="not a key path"):
        calibrate(small(), ["losses.nope"], history)


def test_calibrated_scenario_extends_the_original_and_keeps_arrays_whole():
    from circdebt.analysis.backtest import Calibration
    from circdebt.io import scenario_dict, validate_scenario_data
    s = small()
    cal = Calibration(["losses.actual_pct", "supply.plants[1].capacity_mw"], np.zeros(2),
                      np.array([19.0, 6500.0]), [], pd.DataFrame(), 0.0, 0.0, True, "")
    body = calibrated_scenario_data(scenario_dict(s), cal, "small.toml")
    assert body["extends"] == "small.toml"
    assert body["losses"] == {"actual_pct": 19.0}
    assert len(body["supply"]["plants"]) == len(s.supply.plants)
    assert body["supply"]["plants"][1]["capacity_mw"] == 6500.0
    merged = scenario_dict(s) | {k: v for k, v in body.items() if k != "extends"}
    merged["losses"] = scenario_dict(s)["losses"] | body["losses"]
    assert validate_scenario_data(merged).supply.plants[1].capacity_mw == 6500.0


def test_record_table_sums_flows_over_quarters_and_takes_month_end_stocks():
    from circdebt.analysis.backtest import record_table
    months = [f"2025-{m:02d}" for m in range(7, 13)]
    monthly = pd.DataFrame({"month": months, "cd_flow_bn_pkr": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                            "cd_stock_bn_pkr": [10.0, 12.0, 15.0, 19.0, 24.0, 30.0],
                            "fca_determined_pkr_per_kwh": [-1.0] * 6,
                            "fuel_reference_pkr_per_kwh": [9.0] * 6})
    record = pd.DataFrame({
        "period": ["FY2026-Q1", "FY2026-Q2", "FY2026-H1", "2025-09", "2025-08", "FY2026",
                   "CY2026"],
        "series": ["cd_flow_bn_pkr", "cd_flow_bn_pkr", "cd_flow_bn_pkr", "cd_stock_bn_pkr",
                   "fuel_cost_actual_pkr_per_kwh", "cd_flow_bn_pkr", "cd_flow_bn_pkr"],
        "value": [7.0, 10.0, 20.0, 15.0, 8.5, 1.0, 1.0], "use": ["check"] * 7,
        "source_title": ["s"] * 7})
    table = record_table(monthly, record).set_index(["period", "series"])
    assert table.loc[("FY2026-Q1", "cd_flow_bn_pkr"), "modelled"] == 6.0
    assert table.loc[("FY2026-Q2", "cd_flow_bn_pkr"), "modelled"] == 15.0
    assert table.loc[("FY2026-H1", "cd_flow_bn_pkr"), "error"] == 1.0
    assert table.loc[("2025-09", "cd_stock_bn_pkr"), "modelled"] == 15.0
    assert table.loc[("2025-08", "fuel_cost_actual_pkr_per_kwh"), "modelled"] == 8.0
    # a fiscal year the run does not cover whole, and a calendar tariff year, are skipped
    assert ("FY2026", "cd_flow_bn_pkr") not in table.index
    assert ("CY2026", "cd_flow_bn_pkr") not in table.index
