"""Small valid scenarios for tests, built as plain data (no files read)."""

from __future__ import annotations

import copy
from typing import Any

from circdebt.io import merge_tables, validate_scenario_data
from circdebt.scenario.schema import Scenario

FLAT = [1.0] * 12
SUMMER = [0.8, 0.8, 0.9, 1.0, 1.2, 1.3, 1.3, 1.3, 1.2, 1.0, 0.8, 0.8]
HYDRO = [30.0, 30.0, 40.0, 55.0, 75.0, 95.0, 100.0, 100.0, 85.0, 55.0, 40.0, 30.0]

SMALL: dict[str, Any] = {
    "name": "small",
    "time": {"start": "2025-07", "end": "2027-06"},
    "exogenous": {
        "fx_pkr_per_usd": {"initial": 280.0, "growth_pct_per_year": 6.0},
        "kibor_pct": {"initial": 11.0, "schedule": {"FY2027": 10.0}},
        "pk_cpi_inflation_pct_per_year": 7.0,
        "us_cpi_inflation_pct_per_year": 2.5,
        "gdp_bn_pkr_per_year": {"initial": 115000.0, "growth_pct_per_year": 10.0},
        "fuels": {
            "rlng": {"currency": "usd", "index": {"initial": 1.0, "growth_pct_per_year": 2.0}},
            "local_coal": {"currency": "pkr"},
        },
    },
    "supply": {
        "transmission_pkr_per_kwh": 1.5,
        "plants": [
            {"name": "hydro", "creditor": "public", "capacity_mw": 9000.0, "must_run": True,
             "monthly_capacity_factor_pct": HYDRO, "cpp_pkr_per_kw_month": 1400.0},
            {"name": "coal_cpec", "creditor": "cpec_ipp", "fuel": "local_coal",
             "capacity_mw": 6000.0, "availability_pct": 88.0, "cpp_usd_per_kw_month": 26.0,
             "cpp_usd_debt_share_pct": 60.0, "debt_maturity": "2026-12",
             "fuel_cost_pkr_per_kwh": 13.0, "vom_pkr_per_kwh": 0.6},
            {"name": "rlng", "creditor": "ipp", "fuel": "rlng", "capacity_mw": 5000.0,
             "availability_pct": 90.0, "cpp_pkr_per_kw_month": 2500.0,
             "cpp_pkr_debt_share_pct": 40.0, "fuel_cost_pkr_per_kwh": 20.5,
             "vom_pkr_per_kwh": 0.8, "contract_expiry": "2027-01"},
            {"name": "peakers", "creditor": "genco", "fuel": "rlng", "capacity_mw": 3000.0,
             "availability_pct": 80.0, "contract": "take_and_pay",
             "cpp_pkr_per_kw_month": 900.0, "fuel_cost_pkr_per_kwh": 28.0},
        ],
    },
    "demand": {
        "classes": [
            {"name": "residential", "base_sales_gwh_per_year": 40000.0, "growth_pct_per_year": 2.0,
             "seasonal_profile": SUMMER, "tariff_multiplier": 0.85,
             "billed_pct_of_determined": 80.0, "recovery_pct": 92.0, "price_elasticity": -0.2},
            {"name": "industrial", "base_sales_gwh_per_year": 30000.0,
             "growth_pct_per_year": 3.0, "tariff_multiplier": 1.2, "recovery_pct": 98.0},
        ],
        "rooftop_solar": {"capacity_mw": 4000.0, "additions_mw_per_year": 1500.0,
                          "buyback_pkr_per_kwh": 20.0, "lcoe_pkr_per_kwh": 12.0,
                          "defection_elasticity": 1.0,
                          "class_shares_pct": {"residential": 80.0, "industrial": 20.0}},
    },
    "losses": {"actual_pct": 17.5, "allowed_pct": 11.5},
    "tariff": {"initial_determined_pkr_per_kwh": 24.0, "distribution_margin_pkr_per_kwh": 3.0,
               "pass_through_pct": 90.0, "dss_pkr_per_kwh": 3.23},
    "subsidy": {"lag_months": 2, "payment_pct": 85.0,
                "budget_cap_bn_pkr_per_fy": {"FY2027": 150.0}},
    "settlement": {"arrears_recovery_pct_per_year": 10.0},
    "debt": {"phl_spread_pct": 2.5, "lps": {"cpec_ipp": {"spread_pct": 4.5},
                                            "ipp": {"spread_pct": 2.0, "waiver_pct": 20.0}}},
    "budget": {"cppa_payments_bn_pkr_per_fy": {"FY2026": 120.0},
               "phl_payments_bn_pkr_per_fy": {"FY2027": 60.0}},
    "initial": {"payables_bn_pkr": {"cpec_ipp": 450.0, "ipp": 250.0, "genco": 150.0},
                "genco_fuel_payables_bn_pkr": 93.0, "phl_debt_bn_pkr": 660.0,
                "receivables_bn_pkr": 100.0},
}


def small_data(**changes: Any) -> dict[str, Any]:
    """The small scenario as data, with nested ``changes`` merged in (tables merge)."""
    return merge_tables(copy.deepcopy(SMALL), changes)


def small(**changes: Any) -> Scenario:
    """The small scenario validated, with ``changes`` merged in."""
    return validate_scenario_data(small_data(**changes), "small")


def only_reached_fiscal_years(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without FY-keyed payments and caps for fiscal years its horizon does not
    reach (validation refuses them: docs/model.md §21). For tests that vary the horizon."""
    from circdebt.timeline import fiscal_year_of, fy_label, month_number

    time = data["time"]
    fy_start = time.get("fiscal_year_start_month", 7)
    first, last = (fiscal_year_of(month_number(time[k]), fy_start) for k in ("start", "end"))
    reached = {fy_label(y) for y in range(first, last + 1)}
    for table, key in (("budget", "cppa_payments_bn_pkr_per_fy"),
                       ("budget", "phl_payments_bn_pkr_per_fy"),
                       ("subsidy", "budget_cap_bn_pkr_per_fy")):
        amounts = data.get(table, {}).get(key)
        if amounts:
            data[table][key] = {fy: v for fy, v in amounts.items() if fy in reached}
    return data
