"""A report to send: one self-contained HTML file (and a PDF of the same content).

:func:`build_report` gathers what a reader needs from finished runs (no model runs
here): a generated narrative of the key numbers, KPI and target tables, the standard
charts of each scenario and the comparison charts, the scenario assumptions (key inputs,
policies and their sources) and the run metadata. :func:`to_html` writes it as one HTML
page whose charts are embedded PNGs (``data:`` URIs) and whose style is inline, under a
Content-Security-Policy that allows nothing else, so it opens offline and runs no
script. The page is a Jinja2 template with autoescaping, so every piece of user text
(scenario names, descriptions, policy names, sources) is HTML-escaped. :func:`to_pdf`
renders the same content with matplotlib; :func:`circdebt.io.chromium.html_to_pdf_chromium`
prints the HTML page itself with headless Chromium.
"""

from circdebt.report.content import (
    CHART_CAPTIONS,
    Report,
    build_report,
    cd_stock_history,
    key_inputs,
    kpi_rows,
    narrative,
    policy_rows,
    scenario_paragraph,
)
from circdebt.report.page import CSP, CSS, esc, linkify, to_html
from circdebt.report.pdf import to_pdf

__all__ = [
    "CHART_CAPTIONS", "CSP", "CSS", "Report", "build_report", "cd_stock_history", "esc",
    "key_inputs", "kpi_rows", "linkify", "narrative", "policy_rows", "scenario_paragraph",
    "to_html", "to_pdf",
]
