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


# --------------------------------------------------------------------------- the months


def test_record_table_reads_ranges_of_months():
    from circdebt.analysis.backtest import _months_of, record_table
    assert _months_of("2025-07..2025-09") == ["2025-07", "2025-08", "2025-09"]
    assert _months_of("2025-11..2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert _months_of("2025-09..2025-07") is None  # out of order
    assert _months_of("2025-07..2025-13") is None  # no such month
    assert _months_of("2025-07..") is None
    months = [f"2025-{m:02d}" for m in range(6, 13)]
    monthly = pd.DataFrame({"month": months,
                            "cd_flow_bn_pkr": [9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                            "cd_stock_bn_pkr": [100.0, 101.0, 103.0, 106.0, 110.0, 115.0,
                                                121.0]})
    record = pd.DataFrame({
        "period": ["2025-07..2025-11", "2025-10..2025-11", "2025-06..2025-06",
                   "2025-07..2025-10", "2025-11..2026-01", "2025-12..2025-07"],
        "series": ["cd_flow_bn_pkr", "cd_flow_bn_pkr", "cd_flow_bn_pkr", "cd_stock_bn_pkr",
                   "cd_flow_bn_pkr", "cd_flow_bn_pkr"],
        "value": [14.0, 10.0, 8.0, 111.0, 1.0, 1.0], "use": ["check"] * 6,
        "source_title": ["s"] * 6})
    table = record_table(monthly, record).set_index(["period", "series"])
    assert table.loc[("2025-07..2025-11", "cd_flow_bn_pkr"), "modelled"] == 15.0  # 1+..+5
    assert table.loc[("2025-07..2025-11", "cd_flow_bn_pkr"), "error"] == 1.0
    assert table.loc[("2025-10..2025-11", "cd_flow_bn_pkr"), "modelled"] == 9.0
    assert table.loc[("2025-06..2025-06", "cd_flow_bn_pkr"), "modelled"] == 9.0
    assert table.loc[("2025-07..2025-10", "cd_stock_bn_pkr"), "modelled"] == 110.0  # October's
    # past the run's last month, or months out of order: not compared
    assert ("2025-11..2026-01", "cd_flow_bn_pkr") not in table.index
    assert ("2025-12..2025-07", "cd_flow_bn_pkr") not in table.index


def _tiny_months() -> pd.DataFrame:
    """July 2024 - December 2025 (FY2025 and half of FY2026), hand numbers."""
    months = [f"{2024 + (m >= 6)}-{(m + 6) % 12 + 1:02d}" for m in range(18)]
    flow = np.arange(1.0, 19.0)  # 1, 2, ..., 18
    return pd.DataFrame({"month": months, "cd_flow_bn_pkr": flow,
                         "cd_stock_bn_pkr": 1000.0 + np.cumsum(flow),
                         "payables_bn_pkr": np.full(18, 500.0),
                         "flow_under_recovery_bn_pkr": np.full(18, 10.0),
                         "flow_excess_losses_bn_pkr": np.full(18, 4.0)})


def _record(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"period": [r[0] for r in rows], "series": [r[1] for r in rows],
                         "value": [r[2] for r in rows], "use": ["check"] * len(rows),
                         "source_title": [f"s{i}" for i in range(len(rows))]})


def test_months_table_compares_month_ends_flows_and_cause_lines_by_hand():
    from circdebt.analysis.backtest import months_table
    record = _record([
        ("2024-09", "cd_stock_bn_pkr", 1000.0),           # model 1,006
        ("2025-06", "cd_stock_bn_pkr", 1100.0),           # model 1,078 (the June month-end)
        ("2024-11", "payables_bn_pkr", 400.0),            # model 500
        ("FY2025-Q2", "cd_stock_bn_pkr", 1020.0),         # at end-December: model 1,021
        ("FY2025-Q1", "cd_flow_bn_pkr", 5.0),             # model 1+2+3 = 6, since June
        ("2024-10..2024-11", "cd_flow_bn_pkr", 10.0),     # model 4+5 = 9, within the year
        ("2025-07..2025-11", "cd_flow_bn_pkr", 70.0),     # model 13+..+17 = 75, since June
        ("FY2025", "cd_flow_bn_pkr", 70.0),               # a whole year: the annual backtest's
        ("2025-07..2026-01", "cd_flow_bn_pkr", 1.0),      # past the run: left out
        ("FY2025-Q1", "flow_under_recovery_bn_pkr", 25.0),
        ("FY2025-Q1", "flow_ke_non_payment_bn_pkr", 5.0),  # added to under-recovery
        ("FY2026-H1", "flow_ke_non_payment_bn_pkr", 9.0),  # no under-recovery line: left out
        ("2024-07", "flow_excess_losses_bn_pkr", 5.0),
    ])
    table = months_table(_tiny_months(), record)
    rows = table.set_index(["quantity", "period"])
    assert list(table["kind"]) == ["stock"] * 4 + ["flow"] * 3 + ["cause"] * 2
    assert list(table["period"][:3]) == ["2024-09", "FY2025-Q2", "2025-06"]  # by period end
    assert rows.loc[("cd_stock_bn_pkr", "2024-09"), "modelled_bn_pkr"] == 1006.0
    assert rows.loc[("cd_stock_bn_pkr", "FY2025-Q2"), "modelled_bn_pkr"] == 1021.0
    assert rows.loc[("cd_stock_bn_pkr", "FY2025-Q2"), "window"] == "month-end"
    assert rows.loc[("cd_stock_bn_pkr", "2025-06"), "error_bn_pkr"] == -22.0
    assert rows.loc[("cd_stock_bn_pkr", "2025-06"), "error_pct"] == pytest.approx(-2.0)
    assert rows.loc[("payables_bn_pkr", "2024-11"), "error_pct"] == 25.0
    assert rows.loc[("cd_flow_bn_pkr", "FY2025-Q1"), "modelled_bn_pkr"] == 6.0
    assert rows.loc[("cd_flow_bn_pkr", "2024-10..2024-11"), "modelled_bn_pkr"] == 9.0
    assert rows.loc[("cd_flow_bn_pkr", "2025-07..2025-11"), "modelled_bn_pkr"] == 75.0
    assert rows.loc[("cd_flow_bn_pkr", "2025-07..2025-11"), "fy"] == "FY2026"
    windows = rows["window"].to_dict()
    assert windows[("cd_stock_bn_pkr", "2024-09")] == "month-end"
    assert windows[("cd_flow_bn_pkr", "FY2025-Q1")] == "since June"
    assert windows[("cd_flow_bn_pkr", "2024-10..2024-11")] == "within the year"
    assert windows[("cd_flow_bn_pkr", "2025-07..2025-11")] == "since June"
    assert ("cd_flow_bn_pkr", "FY2025") not in rows.index
    assert ("cd_flow_bn_pkr", "2025-07..2026-01") not in rows.index
    # the published under-recovery carries K-Electric's non-payment, as the annual one does
    under = rows.loc[("flow:under_recovery", "FY2025-Q1")]
    assert (under["modelled_bn_pkr"], under["published_bn_pkr"]) == (30.0, 30.0)
    assert ("flow:under_recovery", "FY2026-H1") not in rows.index
    assert rows.loc[("flow:excess_losses", "2024-07"), "error_bn_pkr"] == -1.0
    assert rows.loc[("cd_flow_bn_pkr", "FY2025-Q1"), "source_title"] == "s4"
    # from a fiscal year: the points that end in it or later
    later = months_table(_tiny_months(), record, from_fy="FY2026")
    assert list(later["period"]) == ["2025-07..2025-11"]


def test_error_summary_mape_bias_and_mae_by_hand():
    from circdebt.analysis.errors import error_summary
    # errors +10 (10%), -30 (-15%), +5 against a published zero (no percentage)
    points, mape_pct, bias, mae = error_summary([10.0, -30.0, 5.0], [10.0, -15.0, np.nan])
    assert points == 3
    assert mape_pct == pytest.approx(12.5)  # (10 + 15) / 2: the zero has no percentage
    assert bias == pytest.approx(-5.0)      # (10 - 30 + 5) / 3: signed, model runs low
    assert mae == pytest.approx(15.0)       # (10 + 30 + 5) / 3
    assert error_summary([], [])[0] == 0


def test_months_errors_groups_stocks_flows_by_window_and_cause_lines():
    from circdebt.analysis.backtest import months_table
    from circdebt.analysis.errors import months_errors
    record = _record([
        ("2024-09", "cd_stock_bn_pkr", 1000.0),           # +6, +0.6%
        ("2025-06", "cd_stock_bn_pkr", 1100.0),           # -22, -2%
        ("FY2025-Q1", "cd_flow_bn_pkr", 5.0),             # +1, +20%
        ("2025-07..2025-11", "cd_flow_bn_pkr", 70.0),     # +5, +7.14%
        ("2024-10..2024-11", "cd_flow_bn_pkr", 10.0),     # -1, -10%
        ("2024-07", "flow_excess_losses_bn_pkr", 5.0),    # -1, -20%
        ("FY2025-Q1", "flow_excess_losses_bn_pkr", 10.0),  # +2, +20%
    ])
    errors = months_errors(months_table(_tiny_months(), record))
    rows = errors.set_index(["quantity", "window"])
    stock = rows.loc[("cd_stock_bn_pkr", "month-end")]
    assert stock["points"] == 2
    assert stock["mape_pct"] == pytest.approx(1.3)
    assert stock["bias_bn_pkr"] == pytest.approx(-8.0)
    assert stock["mae_bn_pkr"] == pytest.approx(14.0)
    since = rows.loc[("cd_flow_bn_pkr", "since June")]
    assert since["points"] == 2
    assert since["mape_pct"] == pytest.approx((20 + 100 * 5 / 70) / 2)
    assert since["bias_bn_pkr"] == pytest.approx(3.0)
    assert rows.loc[("cd_flow_bn_pkr", "within the year"), "bias_bn_pkr"] == -1.0
    losses = rows.loc[("flow:excess_losses", "all")]
    assert (losses["points"], losses["bias_bn_pkr"], losses["mape_pct"]) == (2, 0.5, 20.0)
    # groups with no point are left out
    assert ("payables_bn_pkr", "month-end") not in rows.index
    assert set(errors["kind"]) == {"stock", "flow", "cause"}


def test_calibration_at_months_recovers_parameters_and_tests_later_years():
    from circdebt.analysis.errors import errors_by_fy
    truth = circdebt.run(small(losses={"actual_pct": 21.0})).monthly.set_index("month")
    periods = ["2025-09", "2026-03", "2026-06", "2026-12", "2027-06"]
    record = _record([(p, "cd_stock_bn_pkr", float(truth.loc[p, "cd_stock_bn_pkr"]))
                      for p in periods]
                     + [("FY2026-Q1", "cd_flow_bn_pkr", 1.0),  # another series: not read
                        ("FY2026", "cd_stock_bn_pkr", 1.0)])   # a whole year: not a point
    fit = calibrate(small(losses={"actual_pct": 16.0}), ["losses.actual_pct"],
                    pd.DataFrame(), record=record, fit_to="FY2026")
    assert fit.success and fit.layer == "monthly"
    assert fit.values()["losses.actual_pct"] == pytest.approx(21.0, abs=1e-3)
    assert list(fit.table["period"]) == periods
    assert list(fit.table["in_fit"]) == [True, True, True, False, False]
    assert fit.fit_fys == ["FY2026"]
    assert fit.rmse_out_of_sample < 1e-2
    by_fy = errors_by_fy(fit.table).set_index("fy")
    assert by_fy.loc["FY2026", "points"] == 3 and bool(by_fy.loc["FY2026", "in_fit"])
    assert by_fy.loc["FY2027", "points"] == 2 and not by_fy.loc["FY2027", "in_fit"]
    with pytest.raises(ValueError, match="no month-end or partial-year point"):
        calibrate(small(), ["losses.actual_pct"], pd.DataFrame(), record=record,
                  fit_from="FY2030")
    with pytest.raises(ValueError, match="to fit at months"):
        calibrate(small(), ["losses.actual_pct"], pd.DataFrame(), "flow_lps_bn_pkr",
                  record=record)


def test_errors_by_fy_by_hand():
    from circdebt.analysis.errors import errors_by_fy
    table = pd.DataFrame({"fy": ["FY2020", "FY2020", "FY2021", "FY2021", "FY2022"],
                          "modelled": [0.0] * 5, "actual": [1.0, 1.0, 1.0, 1.0, np.nan],
                          "error": [3.0, -1.0, 4.0, 4.0, 9.0],
                          "in_fit": [True, True, False, False, False]})
    rows = errors_by_fy(table).set_index("fy")
    assert rows.loc["FY2020", "rmse"] == pytest.approx(np.sqrt(5.0))
    assert rows.loc["FY2020", "bias"] == 1.0
    assert rows.loc["FY2021", "rmse"] == 4.0 and not rows.loc["FY2021", "in_fit"]
    assert "FY2022" not in rows.index  # nothing published
