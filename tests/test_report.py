"""The report (circdebt.report and ``circdebt report``): one self-contained HTML file
whose user text is escaped, checked in a real headless browser; a PDF of the same
content."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from typer.testing import CliRunner

import circdebt
from circdebt import report as report_mod
from circdebt.cli.app import app
from circdebt.io import chromium as chromium_mod
from circdebt.results.result import run_scenario

DATA = Path(__file__).parent / "data"
TWO_YEARS = DATA / "worked_example_24m.toml"
ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
EVIL = '<script>alert("x")</script>&'
EVIL_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"

REFORM = """\
extends = "{base}"
name = "reform"
description = 'Losses cut <fast> & "cheap"'

[[policies]]
type = "loss_reduction"
name = '<b>cut</b> & "more"'
start = "2025-10"
phase_in_months = 6
target_loss_pct = 14.0
source = "Plan <2025> https://example.org/plan?a=1&b=2. Also javascript:alert(1)"

[[sez.benchmarks]]
country = "Viet <Nam> $5"
tariff_usc_per_kwh = 8.5
year = 2025
source = "EVN & co, https://example.org/evn"

[[targets]]
name = "stock below 100,000"
column = "cd_stock_bn_pkr"
fy = "FY2027"
max = 100000.0
source = "made up"

[[targets]]
name = "zero flow <FY2026>"
column = "cd_flow_bn_pkr"
fy = "FY2026"
max = 0.0
"""


@pytest.fixture(scope="module")
def reform_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    for name in ("worked_example.toml", "worked_example_24m.toml"):  # extends stay local
        (folder / name).write_text((DATA / name).read_text("utf-8"), "utf-8")
    path = folder / "reform.toml"
    path.write_text(REFORM.format(base="worked_example_24m.toml"), "utf-8")
    return path


@pytest.fixture(scope="module")
def runs(reform_file) -> list[circdebt.Result]:
    base = circdebt.load_scenario(TWO_YEARS)
    reform = circdebt.load_scenario(reform_file)
    evil = reform.model_copy(update={"name": EVIL})  # names are checked on load; not here
    # circdebt.run checks the scenario again and would refuse the name: run it unchecked
    return [circdebt.run(base), run_scenario(evil)]


@pytest.fixture(scope="module")
def built(runs) -> report_mod.Report:
    return report_mod.build_report(runs, 0)


@pytest.fixture(scope="module")
def page(built) -> str:
    return report_mod.to_html(built, dpi=30)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def _tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def _png(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return matplotlib.image.imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


# --------------------------------------------------------------------------- content


def test_user_text_is_escaped(page):
    assert EVIL not in page and "<script" not in page.lower()
    assert EVIL_ESCAPED in page
    assert "Losses cut &lt;fast&gt; &amp; &quot;cheap&quot;" in page
    assert "&lt;b&gt;cut&lt;/b&gt; &amp; &quot;more&quot;" in page
    assert "Plan &lt;2025&gt;" in page and "zero flow &lt;FY2026&gt;" in page
    assert "Viet &lt;Nam&gt; $5" in page and "EVN &amp; co" in page
    # a source URL becomes a link (escaped); javascript: never does
    assert '<a href="https://example.org/plan?a=1&amp;b=2" rel="noreferrer">' in page
    assert 'href="javascript' not in page
    tags = _tags(page)
    assert [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "link")] == []


TEMPLATE_LIKE = """<b>bold</b> {{ 7*7 }} {% if %} "'&"""


def _renamed(result: circdebt.Result, text: str) -> circdebt.Result:
    """``result`` with ``text`` as its scenario's name and description and as the source
    of each of its policies (the numbers stay those of the run)."""
    s = result.scenario
    policies = [p.model_copy(update={"source": text}) for p in s.policies]
    return dataclasses.replace(result, scenario=s.model_copy(
        update={"name": text, "description": text, "policies": policies}))


def test_template_syntax_in_user_text_is_only_text(runs):
    assert runs[1].scenario.policies  # the reform has a policy whose source is replaced
    plain = report_mod.to_html(report_mod.build_report(
        [runs[0], _renamed(runs[1], "plain")], 0), dpi=20)
    page = report_mod.to_html(report_mod.build_report(
        [runs[0], _renamed(runs[1], TEMPLATE_LIKE)], 0), dpi=20)
    # escaped, and left as it is rather than evaluated as template syntax
    assert "&lt;b&gt;bold&lt;/b&gt; {{ 7*7 }} {% if %} &quot;&#x27;&amp;" in page
    assert "<b>" not in page and "\"'&" not in page
    parser = _Tags()
    parser.feed(page)
    parser.close()
    text = "".join(parser.texts)
    assert text.count(TEMPLATE_LIKE) >= 6  # nav, headings, tables, description, source
    assert [attrs["alt"] for tag, attrs in parser.tags if tag == "img"].count(
        f"{report_mod.CHART_CAPTIONS['stock']} ({TEMPLATE_LIKE})") == 1
    # the same page otherwise: no tag more or less
    tables = [tag for tag, _ in parser.tags if tag == "table"]
    assert "b" not in [tag for tag, _ in parser.tags]
    assert len(tables) == len([tag for tag, _ in _tags(plain) if tag == "table"]) > 5
    assert len(parser.tags) == len(_tags(plain))


def test_page_is_self_contained(page, built):
    tags = _tags(page)
    imgs = [attrs for tag, attrs in tags if tag == "img"]
    assert len(imgs) == len(built.figures) == 2 + 2 * 6
    for attrs in imgs:
        picture = _png(attrs["src"])
        assert picture.shape[0] > 50 and picture.shape[1] > 100
        assert attrs["alt"]
    for tag, attrs in tags:
        for key in ("src", "href", "action", "poster", "data"):
            value = attrs.get(key) or ""
            if key == "href" and tag == "a":  # links to sources: followed only on a click
                assert value.startswith(("#", "https://", "http://")), value
            elif value:
                assert value.startswith("data:"), (tag, key, value[:40])
    assert "@import" not in page and "url(" not in page
    assert f'content="{report_mod.CSP}"' in page


def test_page_sections_numbers_and_targets(page, built, runs):
    for heading in ("Key numbers", "Scenarios compared", "Targets", "Assumptions",
                    "Run metadata"):
        assert f">{heading}</h2>" in page
    end = runs[0].annual["cd_stock_bn_pkr"].iloc[-1]
    assert f"Rs {end:,.0f} bn" in page
    first = built.narrative[0]
    assert first.startswith("Under worked_example, the circular debt")
    assert "June 2025" in first and "FY2027" in first and "% of GDP" in first
    other = built.narrative[1]
    assert " than under worked_example" in other and ("less" in other or "more" in other)
    assert "It meets 1 of its 2 targets" in other
    assert '<td class="pass">PASS</td>' in page and '<td class="fail">FAIL</td>' in page
    assert runs[0].metadata["scenario_hash"][:16] in page
    assert "target_loss_pct = 14" in page  # policy parameters in the assumptions


def test_narrative_of_a_falling_debt_says_so(runs):
    text = report_mod.scenario_paragraph(runs[1], "x", runs[0], "base")
    assert text.startswith("Under x, the circular debt ")
    assert "than under base" in text


def test_packaged_history_is_overlaid_on_the_stock_chart(runs):
    history = report_mod.cd_stock_history()
    assert list(history.columns) == ["fy", "cd_stock_bn_pkr", "source"]
    assert history["fy"].is_monotonic_increasing and (history["cd_stock_bn_pkr"] > 0).all()
    built = report_mod.build_report(runs[:1], history=history)
    stock = next(fig for _, caption, fig in built.figures
                 if caption == report_mod.CHART_CAPTIONS["stock"])
    actual = [ln for ln in stock.axes[0].get_lines() if ln.get_gid() == "history"]
    assert len(actual) == 1
    np.testing.assert_allclose(actual[0].get_ydata(), history["cd_stock_bn_pkr"])


# --------------------------------------------------------------------------- command


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory, reform_file) -> Path:
    """``circdebt report`` run once: HTML and a matplotlib PDF."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", str(TWO_YEARS), str(reform_file),
                                      "--baseline", str(reform_file), "-o", str(out),
                                      "--pdf", "--pdf-engine", "matplotlib"])
    assert result.exit_code == 0, result.stderr
    assert "PDF by matplotlib" in result.stderr and "report.html" in result.stderr
    return out


def test_report_command_writes_html_and_pdf(cli_report):
    text = cli_report.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "differences are against reform" in text
    pdf = cli_report.with_suffix(".pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 14 + 2  # a page per chart, and text pages
    assert [p.name for p in cli_report.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_report_command_bad_input(tmp_path, reform_file):
    runner = CliRunner()
    before = reform_file.read_text("utf-8")
    clash = runner.invoke(app, ["report", str(TWO_YEARS), "-o", str(TWO_YEARS)])
    assert clash.exit_code == 2 and "input" in clash.stderr
    assert TWO_YEARS.read_text("utf-8").startswith("# The worked example")
    stranger = runner.invoke(app, ["report", str(TWO_YEARS), "--baseline", str(reform_file),
                                   "-o", str(tmp_path / "r.html")])
    assert stranger.exit_code == 2 and "--baseline" in stranger.stderr
    fy = runner.invoke(app, ["report", str(TWO_YEARS), "--fy", "2030",
                             "-o", str(tmp_path / "r.html")])
    assert fy.exit_code == 2
    outside = runner.invoke(app, ["report", str(TWO_YEARS), "--fy", "FY2040",
                                  "-o", str(tmp_path / "r.html")])
    assert outside.exit_code == 2 and "FY2040" in outside.stderr
    assert not (tmp_path / "r.html").exists()
    assert reform_file.read_text("utf-8") == before


# --------------------------------------------------------------------------- browser

PROBE = ("window.addEventListener('load', function () {"
         " var all = Array.prototype.slice.call(document.images);"
         " var ok = all.filter(function (i) {"
         " return i.complete && i.naturalWidth > 0 && i.naturalHeight > 0; });"
         " document.body.setAttribute('data-images', ok.length + '/' + all.length); });")


def _chromium() -> str:
    found = chromium_mod.find_chromium()
    if found is None:
        pytest.skip("no chromium on PATH: .ci/run installs Debian's chromium with apt-get; "
                    "run 'apt-get install chromium' to run the browser checks here")
    return found


def _browse(chromium: str, profile: Path, url: str, *flags: str) -> subprocess.CompletedProcess:
    cmd = [chromium, *chromium_mod.CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", *flags, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _console(stderr: str) -> list[str]:
    """Console messages of the page (errors, CSP violations) in Chromium's log."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_report_in_a_headless_browser(cli_report, tmp_path):
    chromium = _chromium()
    url = cli_report.resolve().as_uri()
    # 1. the page as written: loads with no console message at all, images are data URIs
    dom = _browse(chromium, tmp_path / "p1", url, "--dump-dom")
    assert _console(dom.stderr) == []
    images = [attrs for tag, attrs in _tags(dom.stdout) if tag == "img"]
    assert len(images) == 14
    for attrs in images:
        assert _png(attrs["src"]).shape[1] > 500
    # 2. a copy with a probe script (allowed by its hash, everything else as strict as
    #    before): every image is decoded and has a size in the browser
    page = cli_report.read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    probed = page.replace("default-src 'none';",
                          f"default-src 'none'; script-src 'sha256-{digest}';", 1)
    probed = probed.replace("</body>", f"<script>{PROBE}</script></body>", 1)
    copy = cli_report.with_name("probe.html")
    copy.write_text(probed, "utf-8")
    done = _browse(chromium, tmp_path / "p2", copy.resolve().as_uri(), "--dump-dom",
                   "--virtual-time-budget=10000")
    assert _console(done.stderr) == []
    assert 'data-images="14/14"' in done.stdout
    # 3. a screenshot of the real page, kept as a test artefact
    shot = tmp_path / "report.png"
    _browse(chromium, tmp_path / "p3", url, f"--screenshot={shot}",
            "--window-size=1200,2600", "--hide-scrollbars")
    picture = matplotlib.image.imread(shot)
    assert picture.shape[:2] == (2600, 1200)
    assert picture.std() > 0.05  # not a blank page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "report.png")


def test_pdf_printed_by_chromium(cli_report, tmp_path):
    chromium = _chromium()
    pdf = tmp_path / "report.pdf"
    chromium_mod.html_to_pdf_chromium(cli_report, pdf, chromium)
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 5
