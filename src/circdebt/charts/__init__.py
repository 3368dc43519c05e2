"""Charts for reports, briefs and slides: one house style, pure functions of results.

Every chart function takes results (a :class:`~circdebt.results.Result` or the tables a
run writes) and returns a :class:`matplotlib.figure.Figure`; none reads files or runs the
model; :func:`chart_payloads` turns figures into file contents, and
:func:`circdebt.io.writing.save_figure` writes one as PNG, SVG and PDF, each atomically.

Figures are built from :class:`~matplotlib.figure.Figure` with the Agg canvas attached,
so no global backend is chosen and a user's own choice (a notebook's inline backend, a
GUI) is left alone. The style (:data:`RC`) is applied with ``rc_context`` while a chart
is drawn and saved, never globally.

House style: a bold left-aligned title with a grey subtitle that states the unit and
what is shown, horizontal grid lines only, no top or right spine, the Okabe-Ito
colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design",
https://jfly.uni-koeln.de/color/), DejaVu Sans (shipped with matplotlib, so every
machine draws the same figure), and a footnote naming the scenario(s), the circdebt
version and the source. Axis units come from ``data/variables.csv``.
"""

from circdebt.charts.months import MONTHS_STYLE, months_chart
from circdebt.charts.settlement import aging_chart
from circdebt.charts.several import (
    DEFAULT_KPIS,
    compare_kpis_chart,
    compare_stock_chart,
)
from circdebt.charts.single import (
    CAUSE_STYLE,
    CREDITOR_LABELS,
    KINDS,
    SEZ_STYLE,
    STANDARD_KINDS,
    capacity_chart,
    flows_chart,
    payables_chart,
    sez_chart,
    standard_charts,
    stock_chart,
    tariff_chart,
)
from circdebt.charts.style import (
    DARK_GREY,
    FORMATS,
    GREY,
    LIGHT_GREY,
    OKABE_ITO,
    PALETTE,
    RC,
    SIZE,
    TEXT,
    chart_payloads,
    figure_bytes,
    footnote_text,
    fy_year,
    new_figure,
)
from circdebt.charts.uncertainty import (
    FAN_COLUMNS,
    TORNADO_COLUMNS,
    fan_chart,
    index_chart,
    tornado_chart,
)

__all__ = [
    "CAUSE_STYLE", "CREDITOR_LABELS", "DARK_GREY", "DEFAULT_KPIS", "FAN_COLUMNS", "FORMATS",
    "GREY", "KINDS", "LIGHT_GREY", "MONTHS_STYLE", "OKABE_ITO", "PALETTE", "RC", "SEZ_STYLE",
    "SIZE", "STANDARD_KINDS", "TEXT", "TORNADO_COLUMNS", "aging_chart", "capacity_chart",
    "chart_payloads", "compare_kpis_chart", "compare_stock_chart", "fan_chart", "figure_bytes",
    "flows_chart", "footnote_text", "fy_year", "index_chart", "months_chart", "new_figure",
    "payables_chart", "sez_chart", "standard_charts", "stock_chart", "tariff_chart",
    "tornado_chart",
]
