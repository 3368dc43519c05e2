import numpy as np
import pytest
from conftest import DATA
from factories import small
from typer.testing import CliRunner

import circdebt
from circdebt.analysis import compare
from circdebt.cli.app import app

PACKAGE = [
    {"type": "loss_reduction", "start": "2025-10", "target_loss_pct": 13.0, "name": "losses"},
    {"type": "recovery_improvement", "start": "2026-01", "target_recovery_pct": 99.0},
    {"type": "budget_injection", "start": "2026-03", "amount_bn_pkr": 100.0},
]


@pytest.fixture(scope="module")
def pair():
    return small(), small(name="package", policies=PACKAGE)


def test_one_row_per_scenario_with_correct_deltas(pair):
    base, package = pair
    c = compare.compare([base, package, base])
    assert list(c.kpis["scenario"]) == ["small", "package", "small-2"]
    end = c.kpis["cd_stock_end_bn_pkr"]
    assert c.kpis["cd_stock_end_bn_pkr_delta"].tolist() == pytest.approx(
        [0.0, end[1] - end[0], 0.0])
    assert c.kpis.loc[1, "cd_stock_end_bn_pkr"] == pytest.approx(
        c.results[1].annual["cd_stock_bn_pkr"].iloc[-1])
    assert set(c.annual["scenario"]) == {"small", "package", "small-2"}
    assert c.warnings == ["small-2 and small resolve to identical inputs"]


def test_attribution_wedges_add_up_to_the_package_effect(pair):
    base, package = pair
    table = compare.attribute(package, base)
    policies = table[table["policy"] != "all"]
    assert set(policies["policy"]) == {"losses", "recovery_improvement@2026-01",
                                       "budget_injection@2026-03"}
    for fy, rows in policies.groupby("fy"):
        total = table[(table["policy"] == "all") & (table["fy"] == fy)]["wedge_bn_pkr"].item()
        assert rows["wedge_bn_pkr"].sum() == pytest.approx(total)
    # an injection alone lowers the stock by exactly its amount plus the LPS it saves
    inj = policies[policies["type"] == "budget_injection"]["raw_effect_bn_pkr"].iloc[-1]
    assert inj < -100.0


def test_attribution_of_an_additive_package_has_no_interaction():
    base = small()
    package = small(policies=[
        {"type": "budget_injection", "start": "2025-10", "amount_bn_pkr": 50.0},
        {"type": "budget_injection", "start": "2026-10", "amount_bn_pkr": 70.0, "to": "phl"}],
        debt={"lps": {"cpec_ipp": {"spread_pct": -20.0}, "ipp": {"spread_pct": -20.0}},
              "phl_spread_pct": -20.0},
        exogenous={"kibor_pct": 0.0})
    base = small(debt=package.debt.model_dump(), exogenous={"kibor_pct": 0.0})
    table = compare.attribute(package, base)
    last = table[(table["policy"] == "all")].iloc[-1]
    assert last["wedge_bn_pkr"] == pytest.approx(-120.0)
    assert last["interaction_share"] == pytest.approx(0.0, abs=1e-9)


def test_targets_pass_and_fail_with_margins():
    s = small(targets=[
        {"name": "flow cap", "column": "cd_flow_bn_pkr", "fy": "FY2026", "max": 1e6},
        {"name": "stock cap", "column": "cd_stock_bn_pkr", "fy": "FY2027", "max": 0.0},
        {"name": "later", "column": "cd_stock_bn_pkr", "fy": "FY2040", "max": 0.0}])
    r = circdebt.run(s)
    t = compare.check_targets(r).set_index("target")
    assert t.loc["flow cap", "status"] == "pass"
    assert t.loc["stock cap", "status"] == "fail"
    assert t.loc["stock cap", "margin"] == pytest.approx(
        -r.annual["cd_stock_bn_pkr"].iloc[-1])
    assert t.loc["later", "status"] == "outside horizon"


def test_diff_lists_changed_keys_only(pair):
    base, package = pair
    d = compare.diff(base, base.model_copy(update={"description": "x"}))
    assert d["key"].tolist() == ["description"]
    d = compare.diff(base, package)
    assert "policies[0].target_loss_pct" in set(d["key"])
    assert (d.set_index("key").loc["policies[0].type", "a"]) == compare.ABSENT


def test_kpis_reject_a_fiscal_year_outside_the_horizon(pair):
    with pytest.raises(ValueError, match="outside the horizon"):
        compare.kpis(circdebt.run(pair[0]), "FY2040")


def test_compare_and_diff_commands(tmp_path):
    runner = CliRunner()
    a, b = str(DATA / "worked_example_24m.toml"), str(DATA / "extends" / "reform.toml")
    result = runner.invoke(app, ["compare", a, b, "--attribute", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {
        "compare.csv", "compare_annual.csv", "attribution.csv", "run.json"}
    import pandas as pd
    kpis = pd.read_csv(tmp_path / "compare.csv")
    assert len(kpis) == 2 and np.isclose(kpis["cd_stock_end_bn_pkr_delta"][0], 0.0)
    bad = runner.invoke(app, ["compare", a, b, "--baseline", "other.toml", "--out",
                              str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--baseline" in bad.output
    diff = runner.invoke(app, ["diff", a, b])
    assert diff.exit_code == 0 and "policies[1].target_recovery_pct" in diff.output


def test_paired_monte_carlo_differences_from_the_baseline(tmp_path):
    base = small(initial={"genco_fuel_payables_bn_pkr": {"dist": "normal", "mean": 93.0,
                                                         "sd": 10.0}})
    fewer_losses = small(name="fewer_losses", losses={"actual_pct": 15.0},
                         initial={"genco_fuel_payables_bn_pkr": {"dist": "normal",
                                                                 "mean": 93.0, "sd": 10.0}})
    table = compare.paired_comparison([base, fewer_losses], 0, 500, seed=3)
    stock = table[(table["column"] == "cd_stock_bn_pkr")]
    assert set(stock["scenario"]) == {"fewer_losses"}
    # the shared draw cancels path by path: the spread of the difference is tiny
    assert (stock["p95"] - stock["p5"]).max() < 1e-6 * stock["p50"].abs().max() + 1e-9
    assert (stock["p50"] < 0).all()
    r = CliRunner().invoke(app, ["compare", str(DATA / "worked_example_24m.toml"),
                                 str(DATA / "extends" / "reform.toml"), "--paths", "50",
                                 "--seed", "1", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "compare_paired.csv").exists() and "paired paths" in r.output
