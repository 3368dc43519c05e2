"""Commands that draw: ``chart`` (from a run's saved outputs) and ``report``.

matplotlib is imported only when a command draws.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from circdebt.cli.common import DebugOption, bad, check_fys, handle_errors, say, status
from circdebt.errors import OutputError, Problem, ScenarioError
from circdebt.io.paths import display_path
from circdebt.version import __version__

#: What ``chart`` may write in its output folder (checked before any work).
CHART_FILES = ("chart-*", "run.json")


class ChartKind(enum.StrEnum):
    """Which chart ``circdebt chart`` draws."""

    stock = "stock"
    flows = "flows"
    capacity = "capacity"
    tariff = "tariff"
    payables = "payables"
    sez = "sez"
    all = "all"


class PdfEngine(enum.StrEnum):
    """How ``circdebt report --pdf`` makes the PDF."""

    auto = "auto"
    chromium = "chromium"
    matplotlib = "matplotlib"


def _formats(text: str) -> tuple[str, ...]:
    from circdebt.charts import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",")
                                 if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise ScenarioError([Problem("--format", "", "a comma-separated list of "
                                     + ", ".join(FORMATS), repr(text))])
    return chosen


def chart(
    result_dir: Annotated[Path, typer.Argument(
        help="Output folder of 'circdebt run'.", metavar="RESULT_DIR")],
    kind: Annotated[list[ChartKind] | None, typer.Option(
        "--kind", "-k", help="Chart to draw (repeatable; default: all).")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", metavar="png,svg,pdf", help="File formats, comma-separated.")
    ] = "png,svg,pdf",
    dpi: Annotated[int, typer.Option("--dpi", min=50, max=1200,
                                     help="Resolution of PNG files.")] = 200,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False, metavar="DIR",
        help="Where to write the charts (default: RESULT_DIR).")] = None,
    debug: DebugOption = False,
) -> None:
    """Draw charts from a run's saved outputs, without running the model again.

    Reads annual.csv (or annual.parquet, or results.xlsx), monthly.* and run.json
    from RESULT_DIR and writes chart-<kind>.<format> for each kind: stock (circular
    debt by FY), flows (what adds to it and what reduces it), capacity (capacity
    payments and charge per kWh), tariff (average tariff vs cost recovery), payables
    (by creditor class), sez (SEZ cost per kWh by component, with benchmarks).

    Example:

    \b
        circdebt run scenarios/baseline.toml --out out/base
        circdebt chart out/base --kind stock --kind flows --format png
    """
    from circdebt import io

    with handle_errors(debug):
        from circdebt import charts
        from circdebt.io import exports
        from circdebt.report import cd_stock_history

        formats = _formats(fmt)
        shown = display_path(result_dir)
        if not (result_dir / "run.json").is_file():
            raise ScenarioError([Problem(shown, "", "the output folder of 'circdebt run' "
                                         "(with run.json)", "no run.json")])
        annual = exports.read_table(result_dir, "annual")
        if annual is None:
            raise ScenarioError([Problem(shown, "", "annual.csv, annual.parquet or "
                                         "results.xlsx written by 'circdebt run'",
                                         "none of them")])
        monthly = exports.read_table(result_dir, "monthly")
        check_result_tables(annual, monthly)
        name, benchmarks = run_json_chart_inputs(exports.read_run_json(result_dir),
                                                 display_path(result_dir / "run.json"))
        kinds = [k.value for k in (kind or [ChartKind.all])]
        kinds = list(charts.STANDARD_KINDS) if "all" in kinds else list(dict.fromkeys(kinds))
        target = out if out is not None else result_dir
        with io.claim_output_folder(target, (), CHART_FILES) as folder, \
                status("drawing charts…"):
            try:
                figures = charts.standard_charts(annual, scenario=name, monthly=monthly,
                                                 benchmarks=benchmarks, kinds=kinds,
                                                 history=cd_stock_history())
            except ValueError as exc:  # a column missing: not a circdebt annual table
                raise ScenarioError([Problem(shown, "", "tables written by 'circdebt run'",
                                             str(exc))]) from None
            payloads: dict[str, str | bytes] = dict(charts.chart_payloads(figures, formats,
                                                                          dpi))
            if target.resolve() != result_dir.resolve():
                payloads["run.json"] = io.run_json_text({
                    "circdebt_version": __version__, "command": "chart",
                    "source": str(result_dir), "scenario_name": name})
            written = io.write_output_set(folder, payloads)
        say(f"charts in {display_path(target)}/ ({', '.join(p.name for p in written)})")


def check_result_tables(annual: Any, monthly: Any | None) -> None:
    """Refuse (exit 2, naming the file and column) tables that are not as 'circdebt run'
    wrote them: fiscal years and months as labels, every other column numbers, and as
    many monthly rows as the annual table counts months."""
    from pandas.api.types import is_numeric_dtype

    from circdebt.timeline import is_fy, is_month

    for table in (annual, monthly):
        if table is None:
            continue
        shown = display_path(table.attrs.get("source", "table"))
        for column in table.columns:
            labels = {"fy": is_fy, "month": is_month}.get(str(column))
            if labels is not None:
                wrong = [v for v in table[column] if not labels(v)]
                if wrong:
                    raise ScenarioError([Problem(shown, str(column), "labels written by "
                                                 "'circdebt run'", repr(wrong[0])[:60])])
            elif not is_numeric_dtype(table[column]):
                raise ScenarioError([Problem(shown, str(column), "numbers",
                                             "text in a column of numbers")])
    if monthly is not None and "months" in annual and int(annual["months"].sum()) != \
            len(monthly):
        raise ScenarioError([Problem(display_path(monthly.attrs.get("source", "monthly")), "",
                                     "a month per row for every month of the annual table "
                                     f"({int(annual['months'].sum())})",
                                     f"{len(monthly)} rows; a truncated file?")])


def run_json_chart_inputs(meta: dict[str, Any], shown: str) -> tuple[str, list[Any]]:
    """The scenario name and SEZ benchmarks recorded in a run.json, checked (exit 2
    naming the key when they are not as circdebt writes them)."""
    from pydantic import ValidationError

    from circdebt.scenario.fields import NAME_PATTERN
    from circdebt.scenario.schema import SezBenchmark

    name = meta.get("scenario_name", "")
    if not isinstance(name, str):
        raise ScenarioError([Problem(shown, "scenario_name", "text", type(name).__name__)])
    if name and re.fullmatch(NAME_PATTERN, name) is None:  # as a scenario's name must be
        raise ScenarioError([Problem(shown, "scenario_name", "a scenario name (letters, "
                                     "digits, '_' and '-')", "other characters")])
    node: Any = meta
    for key in ("scenario", "sez", "benchmarks"):
        node = node.get(key, {} if key != "benchmarks" else []) if isinstance(node, dict) \
            else None
        if node is None:
            break
    if not isinstance(node, list):
        raise ScenarioError([Problem(shown, "scenario.sez.benchmarks", "a list of benchmark "
                                     "tables", type(node).__name__)])
    benchmarks = []
    for i, raw in enumerate(node):
        try:
            benchmarks.append(SezBenchmark.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ScenarioError([Problem(shown, f"scenario.sez.benchmarks[{i}]"
                                         + (f".{where}" if where else ""), err["msg"],
                                         repr(err.get("input"))[:60])]) from None
    return name, benchmarks


def report(
    scenarios: Annotated[list[Path], typer.Argument(
        help="Scenario TOML files.", metavar="SCENARIO")],
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", metavar="SCENARIO",
        help="Which of the scenarios differences are taken against (default: first).")
    ] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, metavar="FILE.html",
        help="The HTML file (default: out/report-<name1>-<name2>…/report.html).")] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write a PDF of the same content next to the HTML file.")
    ] = False,
    pdf_engine: Annotated[PdfEngine, typer.Option(
        "--pdf-engine", help="auto: headless Chromium if installed, else matplotlib.")
    ] = PdfEngine.auto,
    fy: Annotated[str | None, typer.Option(
        "--fy", metavar="FY2030", help="Fiscal year of the per-kWh KPIs (default: the last).")
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Write a report to send: one self-contained HTML file (and a PDF with --pdf).

    Runs the scenarios and writes one HTML page that opens offline: a short narrative
    of the key numbers, KPI and target tables, charts of each scenario and of the
    scenarios side by side, the assumptions (key inputs, policies and their sources)
    and run metadata. With --pdf, the same content as a PDF: printed from the HTML by
    headless Chromium when it is installed, otherwise drawn with matplotlib (charts as
    vector pages, text pages for the tables).

    Example:

    \b
        circdebt report scenarios/baseline.toml scenarios/reform-package.toml -o report.html --pdf
    """
    import circdebt
    from circdebt import io

    with handle_errors(debug):
        from circdebt import report as report_mod

        check_fys("--fy", fy)
        base_index = 0
        if baseline is not None:
            matches = [i for i, p in enumerate(scenarios) if p.resolve() == baseline.resolve()]
            if not matches:
                raise bad("--baseline", "one of the scenarios in the report", str(baseline))
            base_index = matches[0]
        loaded = [circdebt.load_scenario(p) for p in scenarios]
        check_fys("--fy", fy, within=loaded)
        if output is None:
            output = io.default_folder("report", [s.name for s in loaded]) / "report.html"
        pdf_path = output.with_suffix(".pdf")
        if output.is_dir():
            raise OutputError(f"{display_path(output)}: is a folder; give a file name")
        names = (output.name, *([pdf_path.name] if pdf else []), "run.json")
        if len(set(names)) < len(names):
            raise OutputError(f"{display_path(output)}: the report, its PDF and run.json need "
                              "three different names; give --output another name")
        inputs = [f for p in scenarios for f in io.scenario_files(p)]
        replaced = [p.name for p in (output, pdf_path) if p.is_file() and (p == output or pdf)]
        with io.claim_output_folder(output.parent, inputs, names, "--output") as folder, \
                status("running the scenarios and drawing the report…"):
            results = [circdebt.run(s) for s in loaded]
            try:
                report = report_mod.build_report(
                    results, base_index, fy=fy, history=report_mod.cd_stock_history(),
                    generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            except ValueError as exc:
                raise ScenarioError([Problem("--fy", "", "a fiscal year inside every horizon",
                                             str(exc))]) from None
            html = report_mod.to_html(report)
            payloads: dict[str, str | bytes] = {output.name: html}
            engine = ""
            if pdf:
                engine, payloads[pdf_path.name] = _pdf_bytes(report_mod, report, html,
                                                             pdf_engine)
            payloads["run.json"] = io.run_json_text({
                "circdebt_version": __version__, "command": "report",
                "report": output.name, "runs": [r.metadata for r in results]})
            written = [p for p in io.write_output_set(folder, payloads)
                       if p.name != "run.json"]
        what = ", ".join(display_path(p) for p in written)
        notes = [f"PDF by {engine}"] if engine else []
        if replaced:
            notes.append(f"replaced the earlier {' and '.join(replaced)}")
        say(f"report in {what}" + (f" ({'; '.join(notes)})" if notes else ""))


def _pdf_bytes(report_mod: Any, report: Any, html: str, engine: PdfEngine) -> tuple[str, bytes]:
    """The report as a PDF by the chosen engine: (the engine's name, the PDF)."""
    import tempfile

    from circdebt.io.chromium import find_chromium, html_to_pdf_chromium

    chromium = find_chromium() if engine is not PdfEngine.matplotlib else None
    if engine is PdfEngine.chromium and chromium is None:
        raise ScenarioError([Problem("--pdf-engine", "", "a Chromium or Chrome executable on "
                                     "PATH (or in CIRCDEBT_CHROMIUM)", "none")])
    if chromium is None:
        return "matplotlib", report_mod.to_pdf(report)
    with tempfile.TemporaryDirectory(prefix="circdebt-report-") as tmp:
        page, printed = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, "utf-8")
        html_to_pdf_chromium(page, printed, chromium)
        return f"headless Chromium ({Path(chromium).name})", printed.read_bytes()
