"""Targets on windows: fiscal-year quarters, halves, years and month-ends (issue 15).

Windows follow the scenario's fiscal-year start month; a flow's value over a window is
its sum over the window's months and a stock's its value at the window's last
month-end; a window not wholly simulated is "outside horizon"; Monte Carlo runs report
the share of paths that breach each target.
"""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from factories import small, small_data
from typer.testing import CliRunner

import circdebt
from circdebt.analysis import compare
from circdebt.analysis.montecarlo import run_monte_carlo
from circdebt.analysis.targets import check_targets
from circdebt.cli.app import app
from circdebt.errors import ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.results.tables import window_arrays
from circdebt.scenario.policies import TargetColumn
from circdebt.timeline import Timeline, is_window, month_label, window_months

QUARTERLY = DATA / "quarterly_targets.toml"
TARGET_COLUMNS = TargetColumn.__args__  # type: ignore[attr-defined]


def _months(window: str, fy_start_month: int) -> tuple[str, str]:
    first, last = window_months(window, fy_start_month)
    return month_label(first), month_label(last)


# ------------------------------------------------------------------ parsing windows


@pytest.mark.parametrize(("fy_start", "window", "first", "last"), [
    # July year (Pakistan): FY2026 is July 2025 - June 2026
    (7, "FY2026", "2025-07", "2026-06"),
    (7, "FY2026-Q1", "2025-07", "2025-09"),
    (7, "FY2026-Q2", "2025-10", "2025-12"),
    (7, "FY2026-Q3", "2026-01", "2026-03"),
    (7, "FY2026-Q4", "2026-04", "2026-06"),
    (7, "FY2026-H1", "2025-07", "2025-12"),
    (7, "FY2026-H2", "2026-01", "2026-06"),
    (7, "2025-12", "2025-12", "2025-12"),
    # calendar year: FY2026 is 2026
    (1, "FY2026", "2026-01", "2026-12"),
    (1, "FY2026-Q2", "2026-04", "2026-06"),
    (1, "FY2026-Q4", "2026-10", "2026-12"),
    (1, "FY2026-H2", "2026-07", "2026-12"),
    (1, "2025-12", "2025-12", "2025-12"),
    # April year: FY2026 is April 2025 - March 2026
    (4, "FY2026", "2025-04", "2026-03"),
    (4, "FY2026-Q1", "2025-04", "2025-06"),
    (4, "FY2026-Q2", "2025-07", "2025-09"),
    (4, "FY2026-Q4", "2026-01", "2026-03"),
    (4, "FY2026-H1", "2025-04", "2025-09"),
    (4, "FY2026-H2", "2025-10", "2026-03"),
])
def test_windows_follow_the_fiscal_year_start_month(fy_start, window, first, last):
    assert _months(window, fy_start) == (first, last)


@pytest.mark.parametrize("text", [
    "FY2026Q2", "FY2026-Q5", "FY2026-Q0", "FY2026-H3", "fy2026-q2", "FY26-Q2", "2025-13",
    "2025-12-31", " FY2026", "FY2026-Q2\n", "Q2-FY2026", "2026", "FY1899-Q1", ""])
def test_malformed_windows_are_not_windows(text):
    assert not is_window(text)
    with pytest.raises(ValueError, match="must be a fiscal year"):
        window_months(text)


def test_a_window_is_inside_the_horizon_only_if_every_month_is_simulated():
    two_years = Timeline("2025-07", "2027-06")
    assert two_years.window_span("FY2026-Q2") == (3, 5)
    assert two_years.window_span("2027-06") == (23, 23)
    assert two_years.window_span("FY2027") == (12, 23)
    assert two_years.window_span("FY2028-Q1") is None
    assert two_years.window_span("2025-06") is None
    cut = Timeline("2025-08", "2026-11")  # FY2026 and FY2027 are both cut
    assert cut.window_span("FY2026") is None
    assert cut.window_span("FY2026-Q1") is None  # July 2025 is not simulated
    assert cut.window_span("FY2026-Q2") == (2, 4)
    assert cut.window_span("FY2027-H1") is None  # December 2026 is not simulated
    assert cut.window_span("FY2027-Q1") == (11, 13)
    january = Timeline("2025-07", "2027-06", fy_start_month=1)
    assert january.window_span("FY2026-Q2") == (9, 11)  # April-June 2026
    assert january.window_span("FY2027-H1") == (18, 23)
    assert january.window_span("FY2027") is None


# ------------------------------------------------------------------ values over windows


def test_a_flow_window_sums_its_months_and_a_stock_window_takes_the_last():
    columns = {"cd_flow_bn_pkr": np.array([[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]]),
               "cd_stock_bn_pkr": np.array([[10.0, 20.0, 30.0, 40.0, 50.0, 60.0]]),
               # a price is recomputed from its summed parts: Rs bn / GWh * 1e3 = Rs/kWh
               "capacity_payments_bn_pkr": np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]),
               "units_sold_gwh": np.array([[100.0, 100.0, 200.0, 300.0, 100.0, 100.0]])}
    values = window_arrays(columns, 1, 3)
    assert values["cd_flow_bn_pkr"][0] == 2.0 + 4.0 + 8.0
    assert values["cd_stock_bn_pkr"][0] == 40.0
    assert values["capacity_charge_pkr_per_kwh"][0] == pytest.approx(9.0 / 600.0 * 1e3)
    one_month = window_arrays(columns, 5, 5)
    assert one_month["cd_flow_bn_pkr"][0] == 32.0 and one_month["cd_stock_bn_pkr"][0] == 60.0


@pytest.mark.parametrize("fy_start", [7, 1])
def test_a_run_judges_each_window_on_its_own_months(fy_start):
    windows = ["FY2026-Q2", "FY2026-H1", "2025-12", "FY2027-Q4"]
    targets = [{"name": f"{c} {w}", "column": c, "window": w, "max": 1e6}
               for w in windows for c in ("cd_flow_bn_pkr", "cd_stock_bn_pkr")]
    data = small_data(targets=targets)
    data["time"]["fiscal_year_start_month"] = fy_start
    result = circdebt.run(validate_scenario_data(data, "small"))
    table = check_targets(result).set_index("target")
    monthly = result.monthly.set_index("month")
    for window in windows:
        first, last = _months(window, fy_start)
        if first < "2025-07" or last > "2027-06":
            assert table.loc[f"cd_flow_bn_pkr {window}", "status"] == "outside horizon"
            continue
        months = monthly.loc[first:last]
        assert table.loc[f"cd_flow_bn_pkr {window}", "result"] == pytest.approx(
            months["cd_flow_bn_pkr"].sum(), rel=1e-12)
        assert table.loc[f"cd_stock_bn_pkr {window}", "result"] == pytest.approx(
            monthly.loc[last, "cd_stock_bn_pkr"], rel=1e-12)
    # the quarter is not the calendar's: October-December for July, April-June for January
    q2 = monthly.loc["2025-10":"2025-12"] if fy_start == 7 else monthly.loc["2026-04":"2026-06"]
    assert table.loc["cd_flow_bn_pkr FY2026-Q2", "result"] == pytest.approx(
        q2["cd_flow_bn_pkr"].sum(), rel=1e-12)
    assert table.loc["cd_flow_bn_pkr 2025-12", "fy"] == ("FY2026" if fy_start == 7 else "FY2025")
    assert table.loc["cd_flow_bn_pkr FY2027-Q4", "status"] == (
        "pass" if fy_start == 7 else "outside horizon")


def test_a_fiscal_year_window_is_the_annual_value_whether_written_fy_or_window():
    targets = [{"name": f"{c} {key}", "column": c, key: "FY2027", "max": 0.0}
               for c in TARGET_COLUMNS for key in ("fy", "window")]
    result = circdebt.run(small(targets=targets))
    table = check_targets(result).set_index("target")
    annual = result.annual.set_index("fy")
    for column in TARGET_COLUMNS:
        for key in ("fy", "window"):
            row = table.loc[f"{column} {key}"]
            assert row["result"] == pytest.approx(annual.at["FY2027", column], rel=1e-12)
            assert row["window"] == "FY2027" and row["fy"] == "FY2027"


def test_a_value_at_the_ceiling_passes_and_margins_are_ceiling_minus_value():
    probe = small(targets=[
        {"name": "flow", "column": "cd_flow_bn_pkr", "window": "FY2026-Q2", "max": 0.0},
        {"name": "stock", "column": "cd_stock_bn_pkr", "window": "2025-12", "max": 0.0}])
    flow, stock = check_targets(circdebt.run(probe))["result"]
    s = small(targets=[
        {"name": "at", "column": "cd_flow_bn_pkr", "window": "FY2026-Q2", "max": flow},
        {"name": "below", "column": "cd_flow_bn_pkr", "window": "FY2026-Q2",
         "max": flow - 1.0},
        {"name": "stock", "column": "cd_stock_bn_pkr", "window": "2025-12",
         "max": stock + 5.0},
        {"name": "later", "column": "cd_stock_bn_pkr", "window": "FY2028-Q1", "max": 0.0}])
    table = check_targets(circdebt.run(s)).set_index("target")
    assert table.loc["at", "status"] == "pass"
    assert table.loc["below", "status"] == "fail"
    assert table.loc["below", "margin"] == pytest.approx(-1.0)
    assert table.loc["stock", "margin"] == pytest.approx(5.0)
    assert table.loc["later", "status"] == "outside horizon"
    assert np.isnan(table.loc["later", "margin"]) and np.isnan(table.loc["later", "result"])


def test_compare_reports_each_target_with_its_window():
    c = compare.compare([circdebt.load_scenario(QUARTERLY), small()])
    assert list(c.targets["window"]) == ["FY2026-H1", "FY2026-Q2", "2025-12", "FY2027",
                                         "FY2028-Q1"]
    assert list(c.targets["status"]) == ["fail", "pass", "pass", "fail", "outside horizon"]


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(("target", "key", "says"), [
    ({"window": "FY2026Q2"}, "targets[0].window", "did you mean 'FY2026-Q2'?"),
    ({"window": "Q2 FY26"}, "targets[0].window", "did you mean 'FY2026-Q2'?"),
    ({"window": "2025-12-31"}, "targets[0].window", "did you mean '2025-12'?"),
    ({"window": "FY2026-Q5"}, "targets[0].window", "quarters run Q1-Q4"),
    ({"window": "end of year"}, "targets[0].window", "a quarter 'FY2026-Q2'"),
    ({"fy": "FY2026-Q2"}, "targets[0].fy", "did you mean window = 'FY2026-Q2'?"),
    ({"fy": "2030"}, "targets[0].fy", "did you mean 'FY2030'?"),
    ({"fy": "FY2026", "window": "FY2026-Q2"}, "targets[0].window", "not both"),
    ({}, "targets[0].window", "a required key, missing"),
])
def test_bad_windows_are_refused_naming_the_key_path(target, key, says):
    data = small_data(targets=[{"name": "t", "column": "cd_flow_bn_pkr", "max": 0.0,
                                **target}])
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(data, "s.toml")
    problems = caught.value.problems
    assert [p.key_path for p in problems] == [key]
    assert says in str(problems[0])


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(("name", "key", "says"), [
    ("target_bad_window.toml", "targets[0].window", "did you mean 'FY2026-Q2'?"),
    ("target_fy_and_window.toml", "targets[0].window", "not both"),
    ("target_without_window.toml", "targets[0].window", "missing"),
    ("target_quarter_in_fy.toml", "targets[0].fy", "window = 'FY2026-Q2'"),
])
def test_the_cli_refuses_a_bad_window_with_exit_2_and_no_traceback(tmp_path, verb, name,
                                                                     key, says):
    args = [verb, str(DATA / "bad" / name)]
    args += ["--out", str(tmp_path / "out")] if verb == "run" else []
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{name}: {key}: " in result.stderr and says in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ Monte Carlo

G_NORMAL = {"dist": "normal", "mean": 93.0, "sd": 10.0}


def test_monte_carlo_breach_probability_is_the_share_of_paths_above_the_ceiling():
    # GENCO fuel payables are a constant part of the stock and no part of the flow: on
    # each path the stock is the central run's plus (draw - 93), the flow is the central
    base = circdebt.run(small()).monthly.set_index("month")
    stock = float(base.loc["2025-12", "cd_stock_bn_pkr"])
    flow = float(base.loc["2026-01":"2026-06", "cd_flow_bn_pkr"].sum())
    s = small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL}, targets=[
        {"name": "stock", "column": "cd_stock_bn_pkr", "window": "2025-12", "max": stock + 5},
        {"name": "flow above", "column": "cd_flow_bn_pkr", "window": "FY2026-H2",
         "max": flow - 1},
        {"name": "flow below", "column": "cd_flow_bn_pkr", "window": "FY2026-H2",
         "max": flow + 1},
        {"name": "later", "column": "cd_flow_bn_pkr", "window": "FY2028-Q1", "max": 0.0}])
    mc = run_monte_carlo(s, 400, seed=7)
    table = mc.target_breaches().set_index("target")
    draws = mc.draws["initial.genco_fuel_payables_bn_pkr"]
    # by hand: the stock breaches stock + 5 when the draw is above 93 + 5
    assert table.loc["stock", "breach_probability"] == (draws > 98.0).mean()
    assert 0.2 < table.loc["stock", "breach_probability"] < 0.45
    assert table.loc["stock", "p50"] == pytest.approx(stock + np.median(draws) - 93.0)
    assert table.loc["flow above", "breach_probability"] == 1.0
    assert table.loc["flow below", "breach_probability"] == 0.0
    assert table.loc["flow above", "p50"] == pytest.approx(flow)
    assert np.isnan(table.loc["later", "breach_probability"])
    assert table.loc["later", "status"] == "outside horizon"
    assert (table["paths"] == 400).all()


def test_monte_carlo_breach_is_strictly_above_the_ceiling():
    s = small(initial={"genco_fuel_payables_bn_pkr": G_NORMAL}, targets=[
        {"name": "stock", "column": "cd_stock_bn_pkr", "window": "FY2026-Q2", "max": 0.0}])
    mc = run_monte_carlo(s, 200, seed=2)
    values = next(iter(mc.windows.values()))
    at = values[17]
    s = s.model_copy(update={"targets": [s.targets[0].model_copy(update={"max": at})]})
    mc = run_monte_carlo(s, 200, seed=2)
    draws = mc.draws["initial.genco_fuel_payables_bn_pkr"]
    share = mc.target_breaches()["breach_probability"].item()
    assert share == (draws > draws[17]).mean() == (values > at).mean()


def test_run_with_paths_prints_and_writes_breach_probabilities(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(QUARTERLY), "--paths", "64", "--seed", "4",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "targets across 64 paths" in result.stdout
    assert "FY2026-Q2" in result.stdout and "outside horizon" in result.stdout
    table = pd.read_csv(out / "target_breaches.csv")
    assert list(table["window"]) == ["FY2026-H1", "FY2026-Q2", "2025-12", "FY2027",
                                     "FY2028-Q1"]
    assert table["breach_probability"].iloc[:4].between(0.0, 1.0).all()
    assert 0.0 < table["breach_probability"].iloc[0] < 1.0  # the uncertain losses matter
    assert np.isnan(table["breach_probability"].iloc[4])
    result = CliRunner().invoke(app, ["run", str(QUARTERLY), "--paths", "64", "--seed", "4",
                                      "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rows = payload["monte_carlo"]["targets"]
    assert [r["breach_probability"] for r in rows[:4]] == pytest.approx(
        list(table["breach_probability"].iloc[:4]))
    assert rows[4]["breach_probability"] is None


def test_run_prints_each_target_with_its_window(tmp_path):
    result = CliRunner().invoke(app, ["run", str(QUARTERLY), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[1].strip(): line for line in result.stdout.splitlines()
             if line.startswith(" quarterly_targets ")}
    assert "FY2026-H1" in lines["flow July-December 2025"]
    assert "PASS" in lines["flow October-December 2025"]
    assert "OUTSIDE HORIZON" in lines["flow after the horizon"]
    assert not (tmp_path / "target_breaches.csv").exists()


def test_the_report_shows_each_target_with_its_window():
    from circdebt import report

    result = circdebt.run(circdebt.load_scenario(QUARTERLY))
    built = report.build_report([result], 0)
    page = report.to_html(built, dpi=20)
    targets = page[page.index(">Targets</h2>"):page.index(">Assumptions</h2>")]
    assert "<th>window</th>" in targets
    for window in ("FY2026-H1", "FY2026-Q2", "2025-12", "FY2027", "FY2028-Q1"):
        assert f"<td>{window}</td>" in targets
    assert '<td class="pass">PASS</td>' in targets and "outside horizon" in targets
    assert "flow July-December 2025 (FY2026-H1: " in built.narrative[0]
