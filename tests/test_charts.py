"""Charts (circdebt.charts): every kind renders headless for every scenario, and what
is drawn is the data it was given (bar heights, line values), not only a file."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

import circdebt
from circdebt import charts
from circdebt.analysis import compare
from circdebt.cli.app import app
from circdebt.io.writing import save_figure
from circdebt.model.sez import COMPONENTS
from circdebt.results.tables import FLOW_COLUMNS
from circdebt.units import axis_label

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
TWO_YEARS = Path(__file__).parent / "data" / "worked_example_24m.toml"


@pytest.fixture(scope="module")
def results() -> dict[str, circdebt.Result]:
    """Every scenario of scenarios/ and the two-year test scenario, each run once."""
    runs = {p.stem: circdebt.run(circdebt.load_scenario(p)) for p in [*SCENARIOS, TWO_YEARS]}
    assert "baseline" in runs
    return runs


@pytest.fixture(scope="module")
def baseline(results) -> circdebt.Result:
    return results["baseline"]


@pytest.fixture(scope="module")
def figures(results) -> dict[tuple[str, str], Figure]:
    """The standard chart set of every scenario, built once: {(scenario, kind): figure}."""
    return {(name, kind): fig for name, result in results.items()
            for kind, fig in charts.standard_charts(result).items()}


def _line(ax, gid: str):
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(lines) == 1, f"no single line {gid!r}: {[ln.get_gid() for ln in ax.get_lines()]}"
    return lines[0]


def _containers(ax) -> dict[str, list[float]]:
    """Bar containers by label: the bar heights (or widths, for horizontal bars)."""
    out = {}
    for c in ax.containers:
        if c.orientation == "horizontal":
            out[c.get_label()] = [p.get_width() for p in c]
        else:
            out[c.get_label()] = [p.get_height() for p in c]
    return out


def _texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


# --------------------------------------------------------------------------- every scenario


def test_every_kind_renders_for_every_scenario(results, figures):
    """Every artist of every chart is drawn (layout, text, transforms); the baseline's and
    the test scenario's charts are also rasterised by Agg, pixels and all (the draw
    calls of the others are the same code with the pixel painting switched off, at
    half the time)."""
    assert len(SCENARIOS) >= 1
    assert len(figures) == len(results) * len(charts.STANDARD_KINDS)
    for (name, kind), fig in figures.items():
        fig.set_dpi(20)  # small canvas: this checks drawing, not looks
        if name in ("baseline", TWO_YEARS.stem):
            fig.canvas.draw()
            pixels = np.asarray(fig.canvas.buffer_rgba())
            assert pixels.shape[0] > 50 and pixels.shape[1] > 100, (name, kind)
            assert pixels[..., :3].std() > 10, (name, kind)  # not a blank canvas
        else:
            fig.draw_without_rendering()
        width, height = fig.canvas.get_width_height()
        assert width > 100 and height > 50, (name, kind)
        assert results[name].scenario.name in _texts(fig), (name, kind)
        assert fig.axes and all(ax.has_data() for ax in fig.axes if ax.get_visible())


def test_flow_bars_are_the_annual_flows_for_every_scenario(results, figures):
    labels = {style[0]: col for col, style in charts.CAUSE_STYLE.items()}
    for name, result in results.items():
        annual = result.annual
        ax = figures[name, "flows"].axes[0]
        bars = _containers(ax)
        drawn = {labels[label]: heights for label, heights in bars.items()}
        for col in FLOW_COLUMNS:
            values = annual[col].to_numpy(float)
            if np.abs(values).max() > 1e-9:
                np.testing.assert_allclose(drawn[col], values, atol=1e-9, err_msg=f"{name} {col}")
            else:
                assert col not in drawn, (name, col)
        net = _line(ax, "cd_flow")
        np.testing.assert_allclose(net.get_ydata(), annual["cd_flow_bn_pkr"])
        # the causes drawn add up to the net change (up and down stacks)
        np.testing.assert_allclose(np.sum(list(drawn.values()), axis=0),
                                   annual["cd_flow_bn_pkr"], atol=1e-6)


def test_stacks_go_up_from_zero_for_positive_and_down_for_negative(baseline):
    ax = charts.flows_chart(baseline).axes[0]
    n = len(baseline.annual)
    for i in range(n):
        ups = sorted([(p.get_y(), p.get_height()) for c in ax.containers for p in [c[i]]
                      if p.get_height() > 0])
        downs = sorted([(p.get_y(), p.get_height()) for c in ax.containers for p in [c[i]]
                        if p.get_height() < 0], reverse=True)
        top = 0.0
        for y, h in ups:
            assert y == pytest.approx(top)
            top += h
        bottom = 0.0
        for y, h in downs:
            assert y == pytest.approx(bottom)
            bottom += h


def test_stock_line_is_the_fy_end_stock_for_every_scenario(results, figures):
    for name, result in results.items():
        ax = figures[name, "stock"].axes[0]
        line = _line(ax, "cd_stock")
        np.testing.assert_allclose(line.get_ydata(), result.annual["cd_stock_bn_pkr"])
        assert list(line.get_xdata()) == [charts.fy_year(f) for f in result.annual["fy"]]
        monthly = _line(ax, "cd_stock_monthly")
        # the monthly line starts at the opening stock and ends at the last month end
        m = result.monthly
        assert monthly.get_ydata()[0] == pytest.approx(m["cd_stock_bn_pkr"].iloc[0]
                                                       - m["cd_flow_bn_pkr"].iloc[0])
        assert monthly.get_ydata()[-1] == pytest.approx(m["cd_stock_bn_pkr"].iloc[-1])
        assert monthly.get_xdata()[-1] == pytest.approx(line.get_xdata()[-1])


def test_stock_chart_overlays_history(baseline):
    history = pd.DataFrame({"fy": ["FY2023", "FY2024", 2025],
                            "cd_stock_bn_pkr": [2310.0, 2393.0, 1614.0],
                            "source": ["Power Division", "Power Division", "IMF"]})
    fig = charts.stock_chart(baseline, history=history)
    ax = fig.axes[0]
    actual = _line(ax, "history")
    assert list(actual.get_xdata()) == [2023, 2024, 2025]
    assert list(actual.get_ydata()) == [2310.0, 2393.0, 1614.0]
    assert "Power Division; IMF" in _texts(fig)
    assert ax.get_xlim()[0] < 2023 and ax.get_xlim()[1] > 2035


def test_months_chart_draws_model_month_ends_and_published_points():
    monthly = pd.DataFrame({"month": ["2025-05", "2025-06", "2025-07"],
                            "cd_stock_bn_pkr": [2400.0, 1700.0, 1750.0],
                            "payables_bn_pkr": [1500.0, 900.0, 950.0],
                            "phl_debt_bn_pkr": [700.0, 700.0, 700.0]})
    points = pd.DataFrame({"kind": ["stock", "stock", "stock", "flow"],
                           "quantity": ["cd_stock_bn_pkr", "cd_stock_bn_pkr",
                                        "payables_bn_pkr", "cd_flow_bn_pkr"],
                           "period": ["2025-05", "2025-06", "2025-07", "FY2026-Q1"],
                           "published_bn_pkr": [2470.0, 1614.0, 908.0, 79.0]})
    fig = charts.months_chart(monthly, points, scenario="hand")
    ax = fig.axes[0]
    model = _line(ax, "model:cd_stock_bn_pkr")
    np.testing.assert_allclose(model.get_xdata(), [2025 - 1 / 12, 2025.0, 2025 + 1 / 12])
    assert list(model.get_ydata()) == [2400.0, 1700.0, 1750.0]
    published = _line(ax, "published:cd_stock_bn_pkr")
    np.testing.assert_allclose(published.get_xdata(), [2025 - 1 / 12, 2025.0])
    assert list(published.get_ydata()) == [2470.0, 1614.0]
    assert list(_line(ax, "published:payables_bn_pkr").get_ydata()) == [908.0]
    # a series without a published point is not drawn; flows are not stocks
    gids = {line.get_gid() for line in ax.get_lines()}
    assert "model:phl_debt_bn_pkr" not in gids and "published:cd_flow_bn_pkr" not in gids
    assert "hand" in _texts(fig)


def test_capacity_chart_values(results, figures):
    for name, result in results.items():
        annual = result.annual
        fig = figures[name, "capacity"]
        left, right = fig.axes
        np.testing.assert_allclose(_containers(left)["capacity payments"],
                                   annual["capacity_payments_bn_pkr"])
        points = _line(right, "capacity_charge")
        np.testing.assert_allclose(points.get_xdata(), annual["units_sold_gwh"])
        np.testing.assert_allclose(points.get_ydata(), annual["capacity_charge_pkr_per_kwh"])
        assert "GWh" in right.get_xlabel() and "Rs" in right.get_ylabel()
        assert "stand in" in _texts(fig)  # the proxy for utilisation is said


def test_tariff_chart_values(results, figures):
    for name, result in results.items():
        annual = result.annual
        top, bottom = figures[name, "tariff"].axes
        np.testing.assert_allclose(_line(top, "avg_tariff").get_ydata(),
                                   annual["avg_tariff_pkr_per_kwh"])
        np.testing.assert_allclose(_line(top, "cost_recovery").get_ydata(),
                                   annual["cost_recovery_pkr_per_kwh"])
        np.testing.assert_allclose(
            _containers(bottom)["tariff minus cost"],
            annual["avg_tariff_pkr_per_kwh"] - annual["cost_recovery_pkr_per_kwh"])


def test_payables_bars_are_the_creditor_payables_and_add_up(results, figures):
    labels = {v: k for k, v in charts.CREDITOR_LABELS.items()}
    for name, result in results.items():
        annual = result.annual
        bars = _containers(figures[name, "payables"].axes[0])
        cols = [c for c in annual.columns if c.startswith("payables_")
                and c != "payables_bn_pkr"]
        for col in cols:
            creditor = col.removeprefix("payables_").removesuffix("_bn_pkr")
            label = charts.CREDITOR_LABELS.get(creditor, creditor.replace("_", " "))
            if annual[col].abs().max() > 1e-9:
                np.testing.assert_allclose(bars[label], annual[col], atol=1e-9, err_msg=name)
            else:
                assert label not in bars
        assert set(bars) <= set(labels) | {c.removeprefix("payables_").removesuffix(
            "_bn_pkr").replace("_", " ") for c in cols}
        np.testing.assert_allclose(np.sum(list(bars.values()), axis=0),
                                   annual["payables_bn_pkr"], rtol=1e-9, atol=1e-6)


def test_sez_chart_components_and_total(results, figures):
    labels = {style[0]: comp for comp, style in charts.SEZ_STYLE.items()}
    for name, result in results.items():
        annual = result.annual
        ax = figures[name, "sez"].axes[0]
        drawn = {labels[k]: v for k, v in _containers(ax).items()}
        for comp in COMPONENTS:
            values = annual[f"sez_{comp}_usc_per_kwh"].to_numpy(float)
            if np.abs(values).max() > 1e-9:
                np.testing.assert_allclose(drawn[comp], values, err_msg=f"{name} {comp}")
            else:
                assert comp not in drawn
        np.testing.assert_allclose(_line(ax, "sez_total").get_ydata(),
                                   annual["sez_total_usc_per_kwh"])
        np.testing.assert_allclose(np.sum(list(drawn.values()), axis=0),
                                   annual["sez_total_usc_per_kwh"], atol=1e-9)


def test_sez_chart_benchmarks_as_reference_lines(baseline):
    benchmarks = [{"country": "Bangladesh", "tariff_usc_per_kwh": 9.5, "year": 2024,
                   "source": "BERC"},
                  {"country": "Viet Nam", "tariff_usc_per_kwh": 7.8, "year": 2024}]
    fig = charts.sez_chart(baseline, benchmarks=benchmarks)
    ax = fig.axes[0]
    assert list(_line(ax, "benchmark:Bangladesh").get_ydata()) == [9.5, 9.5]
    assert _line(ax, "benchmark:Viet Nam").get_ydata()[0] == 7.8
    assert "sez.benchmarks" in _texts(fig)
    labels = {t.get_text() for t in ax.texts}
    assert {"Bangladesh (2024): 9.5", "Viet Nam (2024): 7.8"} <= labels
    assert not any("benchmark" in label for label in ax.get_legend_handles_labels()[1])


def test_sez_chart_takes_benchmarks_from_the_scenario(baseline):
    from circdebt.scenario.schema import SezBenchmark

    sez = baseline.scenario.sez.model_copy(update={"benchmarks": [
        SezBenchmark(country="India", tariff_usc_per_kwh=8.0, year=2025)]})
    result = circdebt.Result(baseline.scenario.model_copy(update={"sez": sez}),
                             baseline.trajectories, baseline.metadata)
    ax = charts.sez_chart(result, fys=["FY2026", "FY2030"]).axes[0]
    assert _line(ax, "benchmark:India").get_ydata()[0] == 8.0
    assert len(_line(ax, "sez_total").get_ydata()) == 2


# --------------------------------------------------------------------------- several scenarios


def test_compare_charts_values(results):
    names = ["baseline", *[n for n in results if n not in ("baseline", TWO_YEARS.stem)][:3]]
    comparison = compare.compare([results[n] for n in names])
    ax = charts.compare_stock_chart(comparison.annual, baseline="baseline").axes[0]
    for n in comparison.kpis["scenario"]:
        rows = comparison.annual[comparison.annual["scenario"] == n]
        np.testing.assert_allclose(_line(ax, f"cd_stock:{n}").get_ydata(),
                                   rows["cd_stock_bn_pkr"])
    assert _line(ax, "cd_stock:baseline").get_color() == charts.TEXT
    fig = charts.compare_kpis_chart(comparison.kpis, baseline="baseline")
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == len(charts.DEFAULT_KPIS)
    for ax, kpi in zip(visible, charts.DEFAULT_KPIS, strict=True):
        np.testing.assert_allclose(_containers(ax)[kpi], comparison.kpis[kpi])
        labels = [t.get_text() for t in ax.texts]
        for _, row in comparison.kpis.iterrows():
            if row["scenario"] != "baseline":
                assert any("(+" in t or "(-" in t for t in labels)


# --------------------------------------------------------------------------- uncertainty


def _percentiles(n: int = 6) -> pd.DataFrame:
    fy = [f"FY{2026 + i}" for i in range(n)]
    mid = np.linspace(1600, 4000, n)
    return pd.DataFrame({"fy": fy, "p5": mid * 0.7, "p25": mid * 0.85, "p50": mid,
                         "p75": mid * 1.2, "p95": mid * 1.5})


def test_fan_chart_bands_and_median():
    table = _percentiles()
    fig = charts.fan_chart(table, scenario="baseline", paths=500,
                           central=table["p50"] * 1.01)
    ax = fig.axes[0]
    np.testing.assert_allclose(_line(ax, "median").get_ydata(), table["p50"])
    np.testing.assert_allclose(_line(ax, "central").get_ydata(), table["p50"] * 1.01)
    bands = {c.get_gid(): c for c in ax.collections}
    for gid, lo, hi in (("band_p5_p95", "p5", "p95"), ("band_p25_p75", "p25", "p75")):
        ys = bands[gid].get_paths()[0].vertices[:, 1]
        assert np.isclose(ys.min(), table[lo].min()) and np.isclose(ys.max(), table[hi].max())
        for value in (*table[lo], *table[hi]):
            assert np.isclose(ys, value).any()
    assert "500 Monte Carlo paths" in _texts(fig)
    assert "Rs billion" in ax.get_ylabel()


def test_fan_chart_by_month_and_bad_input():
    months = pd.period_range("2025-07", periods=24, freq="M").astype(str)
    table = pd.DataFrame({"month": months, **{c: np.arange(24.0) + i
                                               for i, c in enumerate(charts.FAN_COLUMNS)}})
    fig = charts.fan_chart(table, variable="avg_tariff_pkr_per_kwh")
    assert len(_line(fig.axes[0], "median").get_ydata()) == 24
    assert "Rs per kWh" in fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match="p95"):
        charts.fan_chart(table.drop(columns="p95"))
    with pytest.raises(ValueError, match="'fy' or a 'month'"):
        charts.fan_chart(table.drop(columns="month"))


def test_tornado_chart_sorted_by_swing_bars_from_the_centre():
    table = pd.DataFrame({"parameter": ["kibor", "fx", "losses"],
                          "low_value": [6900.0, 6000.0, 6500.0],
                          "high_value": [7100.0, 8500.0, 7600.0],
                          "low_label": ["8%", "-10%", "15%"],
                          "high_label": ["12%", "+10%", "19%"]})
    fig = charts.tornado_chart(table, baseline_value=7000.0, scenario="baseline")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ys = [t.get_position()[1] for t in ax.get_yticklabels()]
    order = [label for _, label in sorted(zip(ys, labels, strict=True), reverse=True)]
    assert order == ["fx", "losses", "kibor"]  # widest swing on top
    low = ax.containers[0]
    high = ax.containers[1]
    assert [p.get_x() for p in low] == [7000.0] * 3
    np.testing.assert_allclose([p.get_width() for p in low], [-1000.0, -500.0, -100.0])
    np.testing.assert_allclose([p.get_width() for p in high], [1500.0, 600.0, 100.0])
    assert {"-10%", "+10%", "8%"} <= {t.get_text() for t in ax.texts}


def test_fan_chart_takes_a_monte_carlo_percentile_table():
    from circdebt.analysis import montecarlo

    mc = montecarlo.run_monte_carlo(circdebt.load_scenario(TWO_YEARS), 40, seed=1)
    table = mc.annual_percentiles()
    assert {"variable", "fy", *charts.FAN_COLUMNS} <= set(table.columns)
    for variable in ("cd_stock_bn_pkr", "cd_flow_bn_pkr"):
        fig = charts.fan_chart(table, variable=variable, paths=40)
        rows = table[table["variable"] == variable]
        np.testing.assert_allclose(_line(fig.axes[0], "median").get_ydata(), rows["p50"])
    with pytest.raises(ValueError, match="no rows"):
        charts.fan_chart(table, variable="nothing_bn_pkr")


def test_tornado_chart_takes_the_sensitivity_table():
    from circdebt.analysis import sensitivity

    scenario = circdebt.load_scenario(TWO_YEARS)
    params = sensitivity.parameters(scenario, ["subsidy.payment_pct",
                                               "tariff.dss_pkr_per_kwh"])
    table = sensitivity.tornado(scenario, sensitivity.Kpi("cd_stock_bn_pkr", "FY2027"), params)
    ax = charts.tornado_chart(table, scenario=scenario.name).axes[0]
    base = float(table["kpi_base"].iloc[0])
    low, high = ax.containers
    assert [p.get_x() for p in low] == pytest.approx([base] * len(table))
    np.testing.assert_allclose([p.get_width() for p in low], table["kpi_at_low"] - base)
    np.testing.assert_allclose([p.get_width() for p in high], table["kpi_at_high"] - base)
    assert f"{params[0].low:g}" in {t.get_text() for t in ax.texts}


# --------------------------------------------------------------------------- style and saving


def test_house_style_title_units_footnote(baseline):
    fig = charts.stock_chart(baseline)
    text = _texts(fig)
    assert "Circular debt of the power sector" in text
    assert f"circdebt {circdebt.__version__}" in text and "Scenario: baseline" in text
    assert fig.axes[0].get_ylabel() == "Rs billion"  # from variables.csv: Rs bn
    assert axis_label("sez_total_usc_per_kwh") == "US cents per kWh"
    assert axis_label("units_sold_gwh") == "GWh"
    colours = {c.lower() for c in charts.PALETTE}
    assert colours == {c.lower() for c in charts.OKABE_ITO.values()}


def test_save_writes_each_format_atomically(tmp_path, baseline):
    fig = charts.tariff_chart(baseline)
    written = save_figure(fig, tmp_path / "sub" / "tariff.png", dpi=50)
    assert [p.name for p in written] == ["tariff.png", "tariff.svg", "tariff.pdf"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ET.fromstring(written[1].read_bytes())  # well-formed SVG
    assert written[2].read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(
        p.name for p in written)  # no temporary files left behind
    png = matplotlib.image.imread(written[0])
    assert png.shape[1] == int(charts.SIZE[0] * 50)
    with pytest.raises(ValueError, match="format"):
        charts.figure_bytes(fig, "jpg")


def test_the_same_chart_gives_the_same_bytes(baseline):
    for fmt in ("png", "svg", "pdf"):
        a = charts.figure_bytes(charts.tariff_chart(baseline), fmt, dpi=40)
        b = charts.figure_bytes(charts.tariff_chart(baseline), fmt, dpi=40)
        assert a == b, fmt


def test_charts_leave_the_global_backend_alone():
    code = ("import matplotlib; matplotlib.use('template'); import sys, circdebt;"
            "from circdebt import charts;"
            "r = circdebt.run(circdebt.load_scenario(sys.argv[1]));"
            "charts.figure_bytes(charts.stock_chart(r), 'png', 20);"
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(TWO_YEARS)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["template", "False"]


def test_missing_columns_are_a_clear_error(baseline):
    with pytest.raises(ValueError, match="cd_flow_bn_pkr"):
        charts.flows_chart(baseline.annual.drop(columns="cd_flow_bn_pkr"))
    with pytest.raises(ValueError, match="fy"):
        charts.stock_chart(pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------- commands


def test_run_charts_writes_the_standard_set(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "--charts",
                                      "-q"])
    assert result.exit_code == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    expected = {f"chart-{k}.{f}" for k in charts.STANDARD_KINDS for f in ("png", "svg", "pdf")}
    assert expected <= names
    assert {"monthly.csv", "annual.csv", "run.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    assert "chart-stock.png" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_chart_command_draws_from_saved_outputs(tmp_path, fmt):
    out = tmp_path / "run"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "--format", fmt,
                               "-q"]).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    meta = json.loads((out / "run.json").read_text())
    result = runner.invoke(app, ["chart", str(out), "--kind", "flows", "--kind", "stock",
                                 "--format", "png,svg", "--dpi", "50"])
    assert result.exit_code == 0, result.stderr
    made = {p.name for p in out.iterdir()} - set(before)
    assert made == {"chart-flows.png", "chart-flows.svg", "chart-stock.png", "chart-stock.svg"}
    for name, mtime in before.items():  # the saved outputs are not touched
        if name != "run.json":
            assert (out / name).stat().st_mtime_ns == mtime
    # run.json only lists the charts among the files circdebt wrote (issue 13)
    after = json.loads((out / "run.json").read_text())
    assert {k: v for k, v in after.items() if k != "files"} == \
        {k: v for k, v in meta.items() if k != "files"}
    assert set(after["files"]) == set(meta["files"]) | made
    # the chart drawn from the files is the chart of the run
    annual = circdebt.run(circdebt.load_scenario(TWO_YEARS)).annual
    fig = charts.flows_chart(pd.read_csv(out / "annual.csv") if fmt == "csv" else annual)
    np.testing.assert_allclose(_line(fig.axes[0], "cd_flow").get_ydata(),
                               annual["cd_flow_bn_pkr"])


def test_chart_command_to_another_folder_and_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "-q"]).exit_code == 0
    elsewhere = tmp_path / "charts"
    result = runner.invoke(app, ["chart", str(out), "-k", "payables", "--format", "pdf",
                                 "--out", str(elsewhere)])
    assert result.exit_code == 0, result.stderr
    assert {p.name for p in elsewhere.iterdir()} == {"chart-payables.pdf", "run.json"}
    # again into the same folder: it is circdebt's own now, so it may be overwritten
    assert runner.invoke(app, ["chart", str(out), "-k", "payables", "--format", "pdf",
                               "--out", str(elsewhere)]).exit_code == 0
    bad = runner.invoke(app, ["chart", str(out), "--format", "png,gif"])
    assert bad.exit_code == 2 and "png, svg, pdf" in bad.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = runner.invoke(app, ["chart", str(empty)])
    assert missing.exit_code == 2 and "run.json" in missing.stderr
    kind = runner.invoke(app, ["chart", str(out), "--kind", "pie"])
    assert kind.exit_code == 2
