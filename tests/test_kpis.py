"""The KPI table: one name, one meaning, wherever a KPI appears."""

import numpy as np
import pandas as pd
import pytest

from circdebt.results.kpis import KPIS, AnnualValue, kpi_values, needs, result_kpis


def _arrays():
    annual = {c: np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) for c in needs()[0]}
    annual["cd_stock_bn_pkr"] = np.array([[100.0, 300.0, 200.0], [50.0, 60.0, 70.0]])
    annual["cd_flow_bn_pkr"] = np.array([[10.0, 200.0, -100.0], [5.0, 10.0, 10.0]])
    monthly = {"cd_stock_bn_pkr": np.array([[90.0, 350.0, 200.0], [40.0, 80.0, 70.0]])}
    return annual, monthly, np.array([12, 12, 6])


def test_kpis_on_hand_numbers():
    annual, monthly, months = _arrays()
    k = kpi_values(annual, monthly, months, fy_index=1)
    np.testing.assert_allclose(k["cd_stock_end_bn_pkr"], [200.0, 70.0])
    np.testing.assert_allclose(k["cd_stock_peak_bn_pkr"], [350.0, 80.0])  # the month-end peak
    np.testing.assert_allclose(k["cd_flow_cumulative_bn_pkr"], [110.0, 25.0])
    np.testing.assert_allclose(k["cd_flow_avg_annual_bn_pkr"], [110 / 2.5, 25 / 2.5])
    np.testing.assert_allclose(k["capacity_charge_pkr_per_kwh"], [2.0, 5.0])  # in the FY
    np.testing.assert_allclose(k["tds_paid_total_bn_pkr"], [6.0, 15.0])


def test_every_kpi_has_a_unit_a_label_and_a_definition():
    for kpi in KPIS.values():
        assert kpi.unit and kpi.label and kpi.definition
        assert ("{fy}" in kpi.label) == kpi.in_fy
        assert kpi.title("FY2030").endswith("FY2030") == kpi.in_fy


def test_result_kpis_of_a_single_run():
    annual, monthly, months = _arrays()
    table = pd.DataFrame({"fy": ["FY2026", "FY2027", "FY2028"], "months": months,
                          **{c: v[0] for c, v in annual.items()}})
    m = pd.DataFrame({"cd_stock_bn_pkr": monthly["cd_stock_bn_pkr"][0]})
    k = result_kpis(table, m, "FY2027")
    assert k["cd_stock_peak_bn_pkr"] == 350.0 and k["avg_tariff_pkr_per_kwh"] == 2.0
    with pytest.raises(ValueError, match="outside the horizon"):
        result_kpis(table, m, "FY2040")


def test_annual_values_parse_exactly():
    assert str(AnnualValue.parse(" cd_stock_bn_pkr @ FY2030 ")) == "cd_stock_bn_pkr@FY2030"
    for bad in ("cd_stock_bn_pkr", "cd_stock_bn_pkr@2030", "CD@FY2030"):
        with pytest.raises(ValueError):
            AnnualValue.parse(bad)
