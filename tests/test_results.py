import numpy as np
import pytest
from factories import small, small_data

import circdebt
from circdebt.io import validate_scenario_data
from circdebt.results.tables import FLOW_COLUMNS, RATIOS
from circdebt.units import variables

CONTRACT = ["fy", "cd_stock_bn_pkr", "cd_flow_bn_pkr", *FLOW_COLUMNS, "payables_bn_pkr",
            "phl_debt_bn_pkr", "capacity_payments_bn_pkr", "energy_payments_bn_pkr",
            "units_purchased_gwh", "units_sold_gwh", "capacity_charge_pkr_per_kwh",
            "avg_tariff_pkr_per_kwh", "fx_pkr_per_usd", "unserved_energy_gwh"]


@pytest.fixture(scope="module")
def result():
    return circdebt.run(small(time={"start": "2025-09", "end": "2027-02"}))


def test_annual_has_contract_columns_one_row_per_fy(result):
    annual = result.annual
    assert list(annual["fy"]) == ["FY2026", "FY2027"]
    assert list(annual["months"]) == [10, 8]
    for column in CONTRACT:
        assert column in annual.columns, column
    assert "month" in result.monthly.columns


def test_flows_sum_stocks_take_last_month_prices_recomputed(result):
    m, a = result.monthly, result.annual
    fy26 = m[m.fy == "FY2026"]
    assert a.loc[0, "cd_flow_bn_pkr"] == pytest.approx(fy26["cd_flow_bn_pkr"].sum())
    assert a.loc[0, "cd_stock_bn_pkr"] == fy26["cd_stock_bn_pkr"].iloc[-1]
    assert a.loc[0, "fx_pkr_per_usd"] == pytest.approx(fy26["fx_pkr_per_usd"].mean())
    assert a.loc[0, "capacity_charge_pkr_per_kwh"] == pytest.approx(
        fy26["capacity_payments_bn_pkr"].sum() / fy26["units_sold_gwh"].sum() * 1e3)
    assert a.loc[0, "cd_stock_bn_usd"] == pytest.approx(
        fy26["cd_stock_bn_pkr"].iloc[-1] / fy26["fx_pkr_per_usd"].iloc[-1])


def test_annual_flow_causes_sum_to_annual_flow(result):
    a = result.annual
    np.testing.assert_allclose(a[list(FLOW_COLUMNS)].sum(axis=1), a["cd_flow_bn_pkr"], atol=1e-8)


def test_every_recorded_column_is_in_the_data_dictionary(result):
    known = variables()
    for column in result.monthly.columns:
        per_split = ("payables_", "lps_", "sales_", "cost_of_service_", "cross_subsidy_")
        if column.startswith(per_split) and column not in known:
            continue  # per-creditor and per-class splits
        assert column in known, column
    for name in RATIOS:
        assert known[name].aggregation == "ratio"


def test_unit_conversions_in_ratios(result):
    m = result.monthly.iloc[0]
    # Rs bn / GWh = Rs 1e9 / 1e6 kWh = 1,000 Rs/kWh
    assert m["ppp_pkr_per_kwh"] == pytest.approx(m["ppp_bn_pkr"] / m["units_purchased_gwh"] * 1e3)
    assert m["cd_stock_pct_gdp"] == pytest.approx(
        100 * m["cd_stock_bn_pkr"] / m["gdp_bn_pkr_per_year"])


@pytest.mark.parametrize(("start_month", "fys", "months"), [
    (7, ["FY2026", "FY2027"], [12, 6]), (1, ["FY2025", "FY2026"], [6, 12]),
    (4, ["FY2026", "FY2027"], [9, 9])])
def test_a_scenario_with_any_fiscal_year_start_runs_and_aggregates(start_month, fys, months):
    """Fiscal years, FY-keyed budget payments and the subsidy cap follow the scenario's
    fiscal_year_start_month (docs/model.md §1)."""
    data = small_data(time={"start": "2025-07", "end": "2026-12",
                            "fiscal_year_start_month": start_month})
    data["budget"] = {"cppa_payments_bn_pkr_per_fy": {fys[0]: 0.0, fys[1]: 120.0},
                      "phl_payments_bn_pkr_per_fy": {fys[1]: 0.0}}
    data["subsidy"]["budget_cap_bn_pkr_per_fy"] = {}
    s = validate_scenario_data(data, "small")
    r = circdebt.run(s)
    assert list(r.annual["fy"]) == fys and list(r.annual["months"]) == months
    m = r.monthly
    assert (m["fy"] == fys[1]).sum() == months[1]
    # a fiscal year's budget payment is a twelfth in each of its months
    budget = m.loc[m["fy"] == fys[1], "flow_budget_payments_bn_pkr"]
    np.testing.assert_allclose(budget, -10.0)
    assert (m.loc[m["fy"] == fys[0], "flow_budget_payments_bn_pkr"] == 0).all()
    np.testing.assert_allclose(r.annual["cd_flow_bn_pkr"].sum(), m["cd_flow_bn_pkr"].sum())
