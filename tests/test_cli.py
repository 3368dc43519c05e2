"""The ``circdebt`` command line (docs/cli.md): outputs, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import circdebt
import circdebt.io.paths
from circdebt.cli.app import app
from circdebt.model.causes import CAUSES

DATA = Path(__file__).parent / "data"
ONE_MONTH = DATA / "worked_example.toml"
TWO_YEARS = DATA / "worked_example_24m.toml"
OUTPUT_FILES = {"monthly.csv", "annual.csv", "run.json", "scenario.resolved.toml"}

ANNUAL_CONTRACT = [
    "fy", "cd_stock_bn_pkr", "cd_flow_bn_pkr", *(f"flow_{c}_bn_pkr" for c in CAUSES),
    "payables_bn_pkr", "phl_debt_bn_pkr", "capacity_payments_bn_pkr",
    "energy_payments_bn_pkr", "units_purchased_gwh", "units_sold_gwh",
    "capacity_charge_pkr_per_kwh", "avg_tariff_pkr_per_kwh", "fx_pkr_per_usd",
    "unserved_energy_gwh",
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def bad_scenario(tmp_path: Path, old: str, new: str, name: str = "bad.toml") -> Path:
    """The worked example with one piece of text replaced."""
    text = ONE_MONTH.read_text("utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


# --------------------------------------------------------------------------- run


def test_run_writes_the_four_files_and_the_summary(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "run", TWO_YEARS, "--out", out, "--seed", "7")
    assert result.exit_code == 0, result.stderr
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    assert "FY2026" in result.stdout and "FY2027" in result.stdout
    assert "CD" in result.stdout and "Rs bn" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal
    last_line = result.stderr.strip().splitlines()[-1]
    assert "outputs in" in last_line and "out" in last_line

    annual = pd.read_csv(out / "annual.csv")
    assert list(annual["fy"]) == ["FY2026", "FY2027"]
    assert set(ANNUAL_CONTRACT) <= set(annual.columns)
    monthly = pd.read_csv(out / "monthly.csv", dtype={"month": str})
    assert len(monthly) == 24
    assert monthly["month"].iloc[0] == "2025-07" and monthly["month"].iloc[-1] == "2027-06"
    assert monthly["month"].str.fullmatch(r"\d{4}-\d{2}").all()

    meta = json.loads((out / "run.json").read_text("utf-8"))
    assert meta["seed"] == 7
    assert meta["circdebt_version"] == circdebt.__version__
    assert meta["scenario"]["time"]["end"] == "2027-06"
    resolved = tomllib.loads((out / "scenario.resolved.toml").read_text("utf-8"))
    assert "extends" not in resolved
    assert resolved["time"] == {"start": "2025-07", "end": "2027-06",
                                "fiscal_year_start_month": 7}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_annual_csv_matches_the_api(runner, tmp_path):
    out = tmp_path / "out"
    assert invoke(runner, "run", TWO_YEARS, "--out", out).exit_code == 0
    api = circdebt.run(circdebt.load_scenario(TWO_YEARS)).annual
    written = pd.read_csv(out / "annual.csv")
    pd.testing.assert_frame_equal(written[ANNUAL_CONTRACT[1:]], api[ANNUAL_CONTRACT[1:]],
                                  check_exact=True, check_dtype=False)


def test_same_inputs_give_byte_identical_csvs(runner, tmp_path):
    for name in ("a", "b"):
        assert invoke(runner, "run", TWO_YEARS, "--out", tmp_path / name).exit_code == 0
    for csv in ("monthly.csv", "annual.csv", "scenario.resolved.toml"):
        assert (tmp_path / "a" / csv).read_bytes() == (tmp_path / "b" / csv).read_bytes()


def test_unseeded_run_draws_and_records_a_seed(runner, tmp_path):
    assert invoke(runner, "run", ONE_MONTH, "--out", tmp_path / "o").exit_code == 0
    meta = json.loads((tmp_path / "o" / "run.json").read_text("utf-8"))
    assert isinstance(meta["seed"], int)


def test_default_out_is_out_slash_scenario_name(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "run", ONE_MONTH)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out" / "worked_example"
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    assert "out/worked_example/" in result.stderr.splitlines()[-1]


def test_rerun_says_it_replaced_its_own_output(runner, tmp_path):
    out = tmp_path / "out"
    first = invoke(runner, "run", ONE_MONTH, "--out", out)
    assert "earlier circdebt output" not in first.stderr
    second = invoke(runner, "run", ONE_MONTH, "--out", out)
    assert second.exit_code == 0
    assert "replaced an earlier circdebt output" in second.stderr.strip().splitlines()[-1]


def test_does_not_overwrite_files_circdebt_did_not_write(runner, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "annual.csv").write_text("my own work\n")
    result = invoke(runner, "run", ONE_MONTH, "--out", out)
    assert result.exit_code == 2
    assert "annual.csv" in result.stderr and "Traceback" not in result.output
    assert (out / "annual.csv").read_text() == "my own work\n"
    assert sorted(p.name for p in out.iterdir()) == ["annual.csv"]


def test_never_overwrites_its_input_file(runner, tmp_path):
    out = tmp_path / "out"
    assert invoke(runner, "run", ONE_MONTH, "--out", out).exit_code == 0
    resolved = out / "scenario.resolved.toml"
    before = resolved.read_bytes()
    result = invoke(runner, "run", resolved, "--out", out, "--set", "losses.actual_pct=15.0")
    assert result.exit_code == 2
    assert "input" in result.stderr
    assert resolved.read_bytes() == before


def test_json_summary_parses(runner, tmp_path):
    result = invoke(runner, "run", TWO_YEARS, "--out", tmp_path / "o", "--json", "--seed", "3")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["seed"] == 3
    assert [row["fy"] for row in payload["summary"]] == ["FY2026", "FY2027"]
    assert {"cd_stock_bn_pkr", "cd_flow_bn_pkr", "avg_tariff_pkr_per_kwh"} <= set(
        payload["summary"][0])
    assert "outputs in" in result.stderr


def test_quiet_prints_no_table(runner, tmp_path):
    result = invoke(runner, "run", ONE_MONTH, "--out", tmp_path / "o", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "o" / "annual.csv").is_file()


# --------------------------------------------------------------------------- --set


def test_set_overrides_an_existing_key(runner, tmp_path):
    base, low = tmp_path / "base", tmp_path / "low"
    assert invoke(runner, "run", ONE_MONTH, "--out", base).exit_code == 0
    result = invoke(runner, "run", ONE_MONTH, "--out", low, "--set", "losses.actual_pct=12.5")
    assert result.exit_code == 0, result.stderr
    a, b = pd.read_csv(base / "annual.csv"), pd.read_csv(low / "annual.csv")
    assert b["flow_excess_losses_bn_pkr"][0] < a["flow_excess_losses_bn_pkr"][0]
    meta = json.loads((low / "run.json").read_text("utf-8"))
    assert meta["scenario"]["losses"]["actual_pct"] == 12.5


def test_set_a_key_the_file_does_not_have(runner, tmp_path):
    out = tmp_path / "o"
    result = invoke(runner, "run", TWO_YEARS, "--out", out,
                    "--set", "budget.cppa_payments_bn_pkr_per_fy={FY2026 = 120.0}")
    assert result.exit_code == 0, result.stderr
    annual = pd.read_csv(out / "annual.csv")
    assert annual["flow_budget_payments_bn_pkr"].tolist() == [-120.0, 0.0]


def test_set_an_unknown_key_is_refused_with_a_suggestion(runner, tmp_path):
    out = tmp_path / "o"
    result = invoke(runner, "run", ONE_MONTH, "--out", out, "--set", "tariff.pass_thru_pct=80")
    assert result.exit_code == 2
    assert "tariff.pass_thru_pct" in result.stderr
    assert "did you mean 'pass_through_pct'" in result.stderr
    assert not out.exists()


def test_set_value_is_validated(runner, tmp_path):
    out = tmp_path / "o"
    result = invoke(runner, "run", ONE_MONTH, "--out", out, "--set", "losses.actual_pct=120")
    assert result.exit_code == 2
    assert "losses.actual_pct" in result.stderr and "120" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- bad input

BAD_INPUTS = {
    # case: (old text, new text, what the message must name)
    "missing key": ("kibor_pct = 11.0\n", "", ["exogenous.kibor_pct", "missing"]),
    "misspelled key": ("recovery_pct = 98.0", "recovry_pct = 98.0",
                       ["demand.classes[1].recovry_pct", "did you mean 'recovery_pct'"]),
    "string for a number": ("fx_pkr_per_usd = 280.0", 'fx_pkr_per_usd = "280"',
                            ["exogenous.fx_pkr_per_usd", "'280'"]),
    "negative capacity": ("capacity_mw = 40000.0", "capacity_mw = -40000.0",
                          ["supply.plants[0].capacity_mw", "-40000"]),
    "percentage above 100": ("recovery_pct = 90.0", "recovery_pct = 190.0",
                             ["demand.classes[0].recovery_pct", "190"]),
    "end before start": ('end = "2025-07"', 'end = "2024-07"', ["time.end", "2024-07"]),
    "malformed TOML": ("[time]", "[time", ["valid TOML"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_naming_file_and_key(runner, tmp_path, case):
    old, new, expected = BAD_INPUTS[case]
    path = bad_scenario(tmp_path, old, new)
    out = tmp_path / "out"
    result = invoke(runner, "run", path, "--out", out)
    assert result.exit_code == 2, result.output
    assert "bad.toml" in result.stderr
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_non_utf8_bytes(runner, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(ONE_MONTH.read_bytes().replace(b"Made-up", b"Made-up \xe9", 1))
    out = tmp_path / "out"
    result = invoke(runner, "run", path, "--out", out)
    assert result.exit_code == 2
    assert "latin1.toml" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_extends_cycle(runner, tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    out = tmp_path / "out"
    result = invoke(runner, "run", tmp_path / "a.toml", "--out", out)
    assert result.exit_code == 2
    assert "a.toml" in result.stderr and "extends" in result.stderr and "cycle" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_extends_of_a_missing_file(runner, tmp_path):
    path = tmp_path / "child.toml"
    path.write_text('extends = "no_such_parent.toml"\nname = "child"\n')
    out = tmp_path / "out"
    result = invoke(runner, "run", path, "--out", out)
    assert result.exit_code == 2
    assert "child.toml" in result.stderr and "extends" in result.stderr
    assert "no_such_parent.toml" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_scenario_file(runner, tmp_path):
    result = invoke(runner, "run", tmp_path / "nowhere.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "nowhere.toml" in result.stderr and "not found" in result.stderr
    assert not (tmp_path / "out").exists()


def test_all_problems_of_a_file_are_reported_at_once(runner, tmp_path):
    text = ONE_MONTH.read_text("utf-8")
    for old, new in [("capacity_mw = 40000.0", "capacity_mw = -1.0"),
                     ("recovery_pct = 90.0", "recovery_pct = 101.0"),
                     ("recovery_pct = 98.0", "recovry_pct = 98.0")]:
        text = text.replace(old, new, 1)
    path = tmp_path / "many.toml"
    path.write_text(text, "utf-8")
    result = invoke(runner, "run", path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "3 problems" in result.stderr
    for key in ("supply.plants[0].capacity_mw", "demand.classes[0].recovery_pct",
                "demand.classes[1].recovry_pct"):
        assert key in result.stderr


def test_bad_usage_exits_2(runner, tmp_path):
    assert invoke(runner, "run").exit_code == 2
    assert invoke(runner, "run", ONE_MONTH, "--seed", "abc").exit_code == 2
    assert invoke(runner, "run", ONE_MONTH, "--no-such-option").exit_code == 2
    assert invoke(runner, "frobnicate").exit_code == 2
    assert invoke(runner, "run", ONE_MONTH, "--set", "no_equals_sign").exit_code == 2


# --------------------------------------------------------------------------- failures


def test_simulation_error_exits_1_with_a_report_message(runner, tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise circdebt.SimulationError("cd_stock_bn_pkr is NaN in 2025-07")

    monkeypatch.setattr(circdebt, "run", explode)
    out = tmp_path / "out"
    result = invoke(runner, "run", ONE_MONTH, "--out", out)
    assert result.exit_code == 1
    assert "run failed" in result.stderr and "cd_stock_bn_pkr is NaN" in result.stderr
    assert "report" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()

    debug = invoke(runner, "run", ONE_MONTH, "--out", out, "--debug")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr


def test_unexpected_error_exits_1(runner, tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(circdebt, "run", explode)
    result = invoke(runner, "run", ONE_MONTH, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "ZeroDivisionError" in result.stderr and "Traceback" not in result.output


def test_ctrl_c_exits_130_and_writes_nothing(runner, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(circdebt, "run", interrupt)
    out = tmp_path / "out"
    result = invoke(runner, "run", ONE_MONTH, "--out", out)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert not out.exists()


def test_ctrl_c_while_writing_leaves_no_half_written_file(runner, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert invoke(runner, "run", ONE_MONTH, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # while writing the second file
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fsync)
    result = invoke(runner, "run", ONE_MONTH, "--out", out, "--set", "losses.actual_pct=12.0")
    assert result.exit_code == 130
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES  # no temporary files left
    assert (out / "annual.csv").read_bytes() == before["annual.csv"]  # old files whole
    assert (out / "monthly.csv").read_bytes() == before["monthly.csv"]
    # the provisional run.json says the folder is unfinished, so no one mistakes the mix
    assert '"status": "writing"' in (out / "run.json").read_text()


# --------------------------------------------------------------------------- other verbs


def test_validate(runner, tmp_path):
    bad = bad_scenario(tmp_path, "capacity_mw = 40000.0", "capacity_mw = -5.0")
    ok = invoke(runner, "validate", ONE_MONTH, TWO_YEARS)
    assert ok.exit_code == 0
    assert ok.stdout.splitlines() == [f"ok: {p}" for p in (
        circdebt.io.paths.display_path(ONE_MONTH), circdebt.io.paths.display_path(TWO_YEARS))]

    mixed = invoke(runner, "validate", ONE_MONTH, bad)
    assert mixed.exit_code == 2
    assert "ok:" in mixed.stdout and "bad.toml" not in mixed.stdout
    assert "bad.toml" in mixed.stderr and "supply.plants[0].capacity_mw" in mixed.stderr
    assert "Traceback" not in mixed.output


def test_show_prints_the_resolved_scenario(runner):
    result = invoke(runner, "show", TWO_YEARS, "--set", 'time.end="2026-06"')
    assert result.exit_code == 0
    shown = tomllib.loads(result.stdout)
    assert shown["time"] == {"start": "2025-07", "end": "2026-06",
                             "fiscal_year_start_month": 7}
    assert "extends" not in shown
    assert shown["tariff"]["pass_through_pct"] == 100.0  # defaults filled in
    assert circdebt.load_scenario(TWO_YEARS, ['time.end="2026-06"']).model_dump(
        mode="json", exclude_none=True) == shown


def test_show_bad_input_exits_2(runner, tmp_path):
    result = invoke(runner, "show", ONE_MONTH, "--set", "nonsense.key=1")
    assert result.exit_code == 2
    assert "nonsense" in result.stderr and result.stdout == ""


def test_version(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"circdebt {circdebt.__version__}\n"


def test_no_arguments_prints_help(runner):
    result = invoke(runner)
    assert result.exit_code in (0, 2)
    assert "Usage" in result.output
    for verb in ("run", "validate", "show"):
        assert verb in result.output


@pytest.mark.parametrize("verb", ["run", "validate", "show"])
def test_each_command_help_has_an_example(runner, verb):
    result = invoke(runner, verb, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"circdebt {verb} " in result.stdout


def test_installed_entry_point(tmp_path):
    exe = Path(sys.executable).with_name("circdebt")
    if not exe.exists():
        pytest.skip("the circdebt console script is not installed next to this Python")
    env = {**os.environ, "CI": "true"}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env,
                             check=False)
    assert version.returncode == 0 and version.stdout == f"circdebt {circdebt.__version__}\n"
    out = tmp_path / "out"
    proc = subprocess.run([exe, "run", ONE_MONTH, "--out", out, "--json"], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"][0]["fy"] == "FY2026"
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    bad = subprocess.run([exe, "run", tmp_path / "missing.toml"], capture_output=True,
                         text=True, env=env, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# ------------------------------------------------------------------ run --start (issue 15)


def test_run_start_re_anchors_to_the_published_month_end(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "run", "scenarios/baseline.toml", "--start", "2025-12",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    monthly = pd.read_csv(out / "monthly.csv")
    assert monthly["month"].iloc[0] == "2026-01"
    jan = monthly.iloc[0]
    # December 2025's published split: 903 + 92 + 694 = 1,689, less CPPA-G's cash
    opening = jan["cd_stock_bn_pkr"] - jan["cd_flow_bn_pkr"]
    assert abs(opening - 1689.0) < 50.0
    assert "Fiscal case: current policy" in result.stdout


@pytest.mark.parametrize("month", ["2026-03", "2025-13"])
def test_run_start_without_a_published_split_is_refused(runner, month):
    result = invoke(runner, "run", "scenarios/baseline.toml", "--start", month)
    assert result.exit_code == 2
    assert "--start" in result.stderr and "Traceback" not in result.stderr
