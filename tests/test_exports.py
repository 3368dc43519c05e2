"""Exports (circdebt.io.exports): Parquet and Excel round-trip to the same numbers, with
units in the headers; ``--format`` on ``run`` and ``compare``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import circdebt
from circdebt.cli.app import app
from circdebt.io import csv_text, exports

DATA = Path(__file__).parent / "data"
TWO_YEARS = DATA / "worked_example_24m.toml"


@pytest.fixture(scope="module")
def result() -> circdebt.Result:
    return circdebt.run(circdebt.load_scenario(TWO_YEARS))


def _run(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "-q", *args])
    assert res.exit_code == 0, res.stderr
    return out


def test_column_units():
    assert exports.unit_of("cd_stock_bn_pkr") == "Rs bn"
    assert exports.unit_of("cd_stock_pct_gdp") == "% of GDP"
    assert exports.unit_of("kibor_pct") == "%"
    assert exports.unit_of("payables_cpec_ipp_bn_pkr") == "Rs bn"
    assert exports.unit_of("sales_industrial_gwh") == "GWh"
    assert exports.unit_of("cd_flow_avg_annual_bn_pkr") == "Rs bn/yr"
    assert exports.unit_of("avg_tariff_pkr_per_kwh_delta") == "Rs/kWh"
    assert exports.unit_of("sez_taxes_usc_per_kwh") == "USc/kWh"
    assert exports.unit_of("fy") == "" and exports.unit_of("scenario") == ""


def test_parquet_round_trip_same_numbers_and_units(tmp_path, result):
    out = _run(tmp_path, "--format", "parquet")
    assert {p.name for p in out.iterdir()} == {"monthly.parquet", "annual.parquet",
                                               "scenario.resolved.toml", "run.json"}
    for name, table in (("annual", result.annual), ("monthly", result.monthly)):
        back = pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(back, table, check_exact=True)
    schema = pq.read_schema(out / "annual.parquet")
    assert schema.field("cd_stock_bn_pkr").metadata == {b"unit": b"Rs bn"}
    assert schema.field("capacity_charge_pkr_per_kwh").metadata == {b"unit": b"Rs/kWh"}
    assert not schema.field("fy").metadata


def test_excel_one_sheet_per_table_units_in_row_two(tmp_path, result):
    out = _run(tmp_path, "--format", "xlsx")
    assert {p.name for p in out.iterdir()} == {"results.xlsx", "scenario.resolved.toml",
                                               "run.json"}
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert book.sheetnames == ["monthly", "annual"]
    ws = book["annual"]
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    units = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert header == list(result.annual.columns)
    by_col = dict(zip(header, units, strict=True))
    assert by_col["cd_stock_bn_pkr"] == "[Rs bn]"
    assert by_col["units_sold_gwh"] == "[GWh]"
    assert by_col["fy"] in ("", None)
    for name, table in (("annual", result.annual), ("monthly", result.monthly)):
        back = pd.read_excel(out / "results.xlsx", sheet_name=name, skiprows=[1],
                             engine="openpyxl")
        assert list(back.columns) == list(table.columns)
        pd.testing.assert_frame_equal(back, table, check_dtype=False, rtol=1e-12)


def test_csv_stays_the_default_and_unchanged(tmp_path, result):
    out = _run(tmp_path)
    assert (out / "annual.csv").read_text("utf-8") == csv_text(result.annual)
    assert not list(out.glob("*.parquet")) and not list(out.glob("*.xlsx"))


def test_read_table_reads_every_format(tmp_path, result):
    for fmt in ("csv", "parquet", "xlsx"):
        out = tmp_path / fmt
        CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "-q",
                                 "--format", fmt])
        back = exports.read_table(out, "annual")
        pd.testing.assert_frame_equal(back, result.annual, check_dtype=False, rtol=1e-12)
        assert exports.read_table(out, "nothing") is None


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_compare_format(tmp_path, fmt):
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(TWO_YEARS), str(DATA / "worked_example.toml"),
                                   "--out", str(out), "--format", fmt])
    assert res.exit_code == 0, res.stderr
    names = {p.name for p in out.iterdir()}
    if fmt == "parquet":
        assert {"compare.parquet", "compare_annual.parquet", "run.json"} <= names
        kpis = pd.read_parquet(out / "compare.parquet")
    else:
        assert names == {"compare.xlsx", "run.json"}
        assert openpyxl.load_workbook(out / "compare.xlsx").sheetnames[:2] == [
            "compare", "compare_annual"]
        kpis = pd.read_excel(out / "compare.xlsx", sheet_name="compare", skiprows=[1],
                             engine="openpyxl")
    assert list(kpis["scenario"]) == ["worked_example", "worked_example-2"]
    assert kpis["cd_stock_end_bn_pkr_delta"].iloc[0] == 0


def test_bad_format_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(tmp_path / "o"),
                                   "--format", "json"])
    assert res.exit_code == 2
    assert not (tmp_path / "o").exists()
