"""Reference runs of every shipped scenario: what they record and how they compare.

``tests/test_scenarios.py`` runs every file in ``scenarios/`` (and ``scenarios/history/``)
and compares a summary of each month with the file saved here, to 1e-9 relative. The
summary is every cause of the monthly flow, the stock and its parts, and the key series
of each step of the month (volumes, payments, tariffs, cash, subsidy, SEZ cost), plus
payables by creditor and sales by class.

Regenerate after a change that is meant to move results (say why in the commit message)::

    .venv/bin/python -m tests.reference.regenerate          # every scenario
    .venv/bin/python -m tests.reference.regenerate baseline # only names containing 'baseline'

This module is test support: it never runs on import.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
REFERENCE = Path(__file__).resolve().parent / "scenarios"
ANALYSES = Path(__file__).resolve().parent / "analyses"

#: Relative tolerance of the comparison; each column also gets an absolute tolerance of
#: RTOL times its largest magnitude (at least 1: Rs 1 bn, 1 GWh, Rs 1/kWh), so values
#: that cross zero, or are rounding noise around it, compare sensibly.
RTOL = 1e-9

#: Monthly series recorded besides every flow cause, payables by creditor and sales by class.
KEY_SERIES = (
    "cd_stock_bn_pkr", "cd_flow_bn_pkr", "payables_bn_pkr", "genco_fuel_payables_bn_pkr",
    "phl_debt_bn_pkr", "cppa_cash_bn_pkr", "revolving_account_bn_pkr", "receivables_bn_pkr",
    "units_purchased_gwh", "units_sold_gwh", "units_allowed_gwh", "unserved_energy_gwh",
    "rooftop_solar_mw", "net_metering_export_gwh", "capacity_payments_bn_pkr",
    "energy_payments_bn_pkr", "transmission_bn_pkr", "net_metering_bn_pkr",
    "distribution_margin_bn_pkr", "revenue_requirement_allowed_bn_pkr",
    "tariff_recovered_bn_pkr", "notified_base_tariff_pkr_per_kwh", "fca_pkr_per_kwh",
    "qta_pkr_per_kwh", "billed_bn_pkr", "collected_bn_pkr", "arrears_recovered_bn_pkr",
    "tds_due_bn_pkr", "tds_paid_bn_pkr", "dss_collected_bn_pkr", "cppa_cash_in_bn_pkr",
    "sez_load_gwh", "sez_captive_gwh", "sez_package_support_bn_pkr", "sez_total_usc_per_kwh",
)


def scenario_files() -> list[Path]:
    """Every shipped scenario file, in a stable order."""
    return sorted([*SCENARIOS.glob("*.toml"), *SCENARIOS.glob("history/*.toml")])


def reference_path(scenario: Path) -> Path:
    """Where the reference run of a scenario file is saved."""
    return REFERENCE / scenario.relative_to(SCENARIOS).with_suffix(".csv")


def summary(monthly: pd.DataFrame) -> pd.DataFrame:
    """The columns of a monthly table that a reference run pins, in a stable order."""
    flows = [c for c in monthly.columns if c.startswith("flow_")]
    by_creditor = [c for c in monthly.columns
                   if c.startswith("payables_") and c != "payables_bn_pkr"]
    by_class = [c for c in monthly.columns if c.startswith("sales_") and c.endswith("_gwh")]
    columns = ["month", *flows, *KEY_SERIES, *by_creditor, *by_class]
    return monthly[columns].copy()


def run_summary(scenario: Path) -> pd.DataFrame:
    """The reference summary of one scenario file, computed now."""
    import circdebt

    return summary(circdebt.run(circdebt.load_scenario(scenario)).monthly)


def differences(expected: pd.DataFrame, actual: pd.DataFrame, key: str = "month") -> list[str]:
    """Human-readable differences beyond the tolerance (empty: the runs agree).

    ``key`` is the label column (months, or whatever rows the table has)."""
    problems = []
    if list(expected.columns) != list(actual.columns):
        missing = [c for c in expected.columns if c not in actual.columns]
        extra = [c for c in actual.columns if c not in expected.columns]
        problems.append(f"columns differ: missing {missing}, new {extra}")
    if [str(v) for v in expected[key]] != [str(v) for v in actual[key]]:
        problems.append(f"{key} labels differ")
        return problems
    for column in expected.columns:
        if column == key or column not in actual.columns:
            continue
        e = expected[column].to_numpy(float)
        a = actual[column].to_numpy(float)
        scale = np.nanmax(np.abs(e)) if np.isfinite(e).any() else 0.0
        close = np.isclose(a, e, rtol=RTOL, atol=RTOL * max(scale, 1.0), equal_nan=True)
        if not close.all():
            i = int(np.flatnonzero(~close)[0])
            problems.append(f"{column}: first differs at {expected[key].iloc[i]} "
                            f"(expected {e[i]!r}, got {a[i]!r}; {int((~close).sum())} months)")
    return problems


# --------------------------------------------------------------------------- beyond one run

#: Monte Carlo reference: paths and seed (small, so the suite stays quick).
MC_PATHS, MC_SEED = 64, 7


def monte_carlo_baseline() -> pd.DataFrame:
    """The baseline's Monte Carlo run: every path's FY-end stock and flow, and the
    monthly stock percentiles."""
    import circdebt
    from circdebt.analysis.montecarlo import run_monte_carlo

    mc = run_monte_carlo(circdebt.load_scenario(SCENARIOS / "baseline.toml"), MC_PATHS, MC_SEED)
    rows = {"row": [f"path{p}" for p in range(MC_PATHS)]}
    for column in ("cd_stock_bn_pkr", "cd_flow_bn_pkr", "capacity_payments_bn_pkr",
                   "sez_total_usc_per_kwh"):
        for j, fy in enumerate(mc.fys):
            rows[f"{column}@{fy}"] = mc.annual[column][:, j]
    return pd.DataFrame(rows)


def events_baseline() -> pd.DataFrame:
    """The baseline through the event-driven engine: monthly stock, LPS and payables."""
    import circdebt
    from circdebt.api import run_events

    events = run_events(circdebt.load_scenario(SCENARIOS / "baseline.toml"))
    monthly = events.monthly
    columns = ["month", "cd_stock_bn_pkr", "cd_flow_bn_pkr", "flow_lps_bn_pkr",
               "payables_bn_pkr", "cppa_cash_bn_pkr",
               *[c for c in monthly.columns if c.startswith("payables_") and
                 c != "payables_bn_pkr"]]
    table = monthly[columns].copy()
    over = events.aging.pivot_table(index="month", columns=["creditor", "bucket"],
                                    values="payables_bn_pkr", sort=False)
    over.columns = [f"aging_{c}_{b}" for c, b in over.columns]
    return table.merge(over.reset_index(), on="month")


def extra_runs() -> dict:
    """Reference tables beyond the scenario runs, by name (file ``<name>.csv``)."""
    return {"montecarlo-baseline": monte_carlo_baseline, "events-baseline": events_baseline}
