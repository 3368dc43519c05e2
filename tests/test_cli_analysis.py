"""The sensitivity, sweep, backtest and calibrate commands."""

import json

import pandas as pd
import pytest
from conftest import DATA
from typer.testing import CliRunner

from circdebt.cli.app import app

RUNNER = CliRunner()
TWO_YEARS = str(DATA / "worked_example_24m.toml")
HISTORY = str(DATA / "history_small.toml")


def invoke(*args):
    return RUNNER.invoke(app, [str(a) for a in args])


def test_sensitivity_tornado_and_sobol(tmp_path):
    r = invoke("sensitivity", TWO_YEARS, "--kpi", "cd_stock_bn_pkr@FY2027", "--params",
               "losses.actual_pct,debt.phl_spread_pct", "--out", tmp_path / "t")
    assert r.exit_code == 0, r.output
    table = pd.read_csv(tmp_path / "t" / "sensitivity.csv")
    assert table["parameter"][0] == "losses.actual_pct"
    assert (tmp_path / "t" / "chart-sensitivity.png").stat().st_size > 1000
    r = invoke("sensitivity", TWO_YEARS, "--kpi", "cd_stock_bn_pkr@FY2027", "--params",
               "losses.actual_pct,debt.phl_spread_pct", "--method", "sobol", "-n", "64",
               "--out", tmp_path / "s")
    assert r.exit_code == 0, r.output
    assert {"S1", "ST", "interval_crosses_zero"} <= set(
        pd.read_csv(tmp_path / "s" / "sensitivity.csv").columns)


def test_sensitivity_bad_input_exits_2(tmp_path):
    r = invoke("sensitivity", TWO_YEARS, "--kpi", "stock in 2030", "--out", tmp_path)
    assert r.exit_code == 2 and "COLUMN@FYyyyy" in r.output
    r = invoke("sensitivity", TWO_YEARS, "--kpi", "cd_stock_bn_pkr@FY2027", "--out", tmp_path)
    assert r.exit_code == 2 and "no uncertain inputs" in r.output


def test_sweep_writes_one_row_per_point_and_resumes(tmp_path):
    out = tmp_path / "sw"
    r = invoke("sweep", TWO_YEARS, "--grid", "losses.actual_pct=12:18:4", "--grid",
               "tariff.distribution_margin_pkr_per_kwh=2,3", "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 8 and "cd_stock_end_bn_pkr" in table.columns
    assert not (out / "sweep.checkpoint").exists()
    # a file named like the checkpoint that circdebt did not write is refused, untouched
    mine = json.dumps({"config": {"other": 1}, "chunks": {}})
    (out / "sweep.checkpoint").write_text(mine)
    for resume in ([], ["--resume"]):
        r = invoke("sweep", TWO_YEARS, "--grid", "losses.actual_pct=12:18:4", *resume,
                   "--out", out, "--quiet")
        assert r.exit_code == 2 and "sweep.checkpoint" in r.output, r.output
        assert (out / "sweep.checkpoint").read_text() == mine
    r = invoke("sweep", TWO_YEARS, "--grid", "losses.nope=1,2", "--out", tmp_path / "x")
    assert r.exit_code == 2 and "not a key path" in r.output


def test_backtest_compares_with_the_packaged_history(tmp_path):
    r = invoke("backtest", HISTORY, "--out", tmp_path)
    assert r.exit_code == 0, r.output
    table = pd.read_csv(tmp_path / "backtest.csv")
    stock = table[table["quantity"] == "cd_stock_bn_pkr"].set_index("fy")
    assert stock.loc["FY2025", "actual_bn_pkr"] == 1614.0
    assert "MAPE of the CD stock" in r.output
    assert (tmp_path / "chart-backtest.png").exists()
    assert invoke("backtest", HISTORY, "--from", "2020", "--out", tmp_path).exit_code == 2


def test_backtest_prints_and_writes_the_months(tmp_path):
    # the small history runs FY2024-FY2025: the record's month-ends from July 2023 on
    r = invoke("backtest", HISTORY, "--out", tmp_path)
    assert r.exit_code == 0, r.output
    assert "the months, modelled vs published" in r.output
    assert "errors by month-end, flow and cause line" in r.output
    assert "month-end CD stock: MAPE" in r.output and "CD flow since June: MAPE" in r.output
    months = pd.read_csv(tmp_path / "backtest-monthly.csv")
    stock = months[months["quantity"] == "cd_stock_bn_pkr"].set_index("period")
    assert stock.loc["2024-02", "published_bn_pkr"] == 2679.0
    assert "2023-06" not in stock.index  # the opening month-end, before the run
    assert {"stock", "flow", "cause"} == set(months["kind"])
    assert set(months["fy"]) == {"FY2024", "FY2025"}
    errors = pd.read_csv(tmp_path / "backtest-monthly-errors.csv").set_index(
        ["quantity", "window"])
    stock_errors = errors.loc[("cd_stock_bn_pkr", "month-end")]
    assert stock_errors["points"] == len(stock)
    assert stock_errors["bias_bn_pkr"] == pytest.approx(stock["error_bn_pkr"].mean())
    meta = json.loads((tmp_path / "run.json").read_text())["months"]
    assert meta["month_end_stock_points"] == len(stock)
    assert meta["month_end_stock_mape_pct"] == pytest.approx(stock["error_pct"].abs().mean())
    assert (tmp_path / "chart-backtest-monthly.png").stat().st_size > 1000
    later = invoke("backtest", HISTORY, "--from", "FY2025", "--out", tmp_path / "later")
    assert later.exit_code == 0, later.output
    assert set(pd.read_csv(tmp_path / "later" / "backtest-monthly.csv")["fy"]) == {"FY2025"}


def test_calibrate_at_months_fits_earlier_years_and_tests_later_ones(tmp_path):
    r = invoke("calibrate", HISTORY, "--params", "losses.actual_pct", "--target", "cd_stock",
               "--monthly", "--fit-to", "FY2024", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    assert "Out of sample" in r.output and "of FY2025" in r.output
    assert "out of sample" in r.output and "errors by fiscal year" in r.output
    table = pd.read_csv(tmp_path / "calibration.csv")
    assert {"period", "fy", "window", "in_fit"} <= set(table.columns)
    assert set(table.loc[table["in_fit"], "fy"]) == {"FY2024"}
    assert set(table.loc[~table["in_fit"], "fy"]) == {"FY2025"}
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["layer"] == "monthly" and meta["fit_fys"] == ["FY2024"]
    assert "at the published months" in (tmp_path / "history_small-calibrated.toml").read_text()


@pytest.mark.parametrize("args, names", [
    (["--target", "nope"], "cd_flow, cd_stock"),
    (["--target", "flow_lps", "--monthly"], "cd_stock, payables"),
])
def test_calibrate_refuses_a_target_it_cannot_fit(tmp_path, args, names):
    r = invoke("calibrate", HISTORY, "--params", "losses.actual_pct", *args, "--out", tmp_path)
    assert r.exit_code == 2, r.output
    assert "--target" in r.output and names in r.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_calibrate_writes_a_new_scenario_that_extends_the_original(tmp_path):
    r = invoke("calibrate", HISTORY, "--params", "losses.actual_pct", "--target", "cd_stock",
               "--out", tmp_path)
    assert r.exit_code == 0, r.output
    written = tmp_path / "history_small-calibrated.toml"
    text = written.read_text()
    assert "extends" in text and "actual_pct" in text
    r = invoke("run", written, "--out", tmp_path / "rerun", "--quiet")
    assert r.exit_code == 0, r.output
    assert invoke("calibrate", HISTORY, "--params", "losses.nope", "--out",
                  tmp_path / "b").exit_code == 2


def test_run_with_paths_writes_percentiles_thresholds_and_paths(tmp_path):
    r = invoke("run", TWO_YEARS, "--paths", "300", "--seed", "5", "--threshold",
               "cd_stock_bn_pkr>2000@FY2027", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"annual_pct.csv", "monthly_pct.csv", "thresholds.csv", "paths.parquet",
            "annual.csv"} <= names
    pct = pd.read_csv(tmp_path / "annual_pct.csv")
    assert {"fy", "variable", "p5", "p50", "p95"} <= set(pct.columns)
    thresholds = pd.read_csv(tmp_path / "thresholds.csv")
    assert thresholds["event"][0] == "cd_stock_bn_pkr>2000@FY2027"
    assert json.loads((tmp_path / "run.json").read_text())["seed"] == 5
    assert len(pd.read_parquet(tmp_path / "paths.parquet")) == 300


def test_run_threshold_needs_paths_and_a_good_event(tmp_path):
    r = invoke("run", TWO_YEARS, "--threshold", "cd_stock_bn_pkr>1@FY2027", "--out", tmp_path)
    assert r.exit_code == 2 and "--paths" in r.output
    r = invoke("run", TWO_YEARS, "--paths", "10", "--threshold", "stock>1", "--out", tmp_path)
    assert r.exit_code == 2 and "COLUMN>VALUE@FYyyyy" in r.output
    assert not any(tmp_path.iterdir())


def test_run_with_the_event_engine_writes_aging(tmp_path):
    r = invoke("run", TWO_YEARS, "--engine", "events", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    aging = pd.read_csv(tmp_path / "aging.csv")
    annual = pd.read_csv(tmp_path / "annual.csv")
    last = aging[aging["month"] == aging["month"].iloc[-1]]["payables_bn_pkr"].sum()
    assert last == pytest.approx(annual["payables_bn_pkr"].iloc[-1])
    assert json.loads((tmp_path / "run.json").read_text())["engine"] == "events"
    assert "how overdue" in r.output
