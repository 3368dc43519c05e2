"""Units: the conversion constants and the unit of every output column."""

from circdebt import units


def test_conversion_constants_are_consistent():
    assert units.GWH_TIMES_PKR_PER_KWH_TO_BN * units.BN_PER_GWH_TO_PKR_PER_KWH == 1.0
    assert units.MW_TIMES_PKR_PER_KW_TO_BN == 1e-6  # 1 MW = 1,000 kW; Rs bn = 1e9 Rs


def test_every_column_has_a_unit_from_the_dictionary_or_its_name():
    assert units.unit_of("cd_stock_bn_pkr") == "Rs bn"
    assert units.unit_of("cd_stock_bn_pkr_delta") == "Rs bn"
    assert units.unit_of("cd_stock_bn_pkr@FY2030") == "Rs bn"
    assert units.unit_of("payables_cpec_ipp_bn_pkr") == "Rs bn"
    assert units.unit_of("sez_cost_usc_per_kwh") == "USc/kWh"
    assert units.unit_of("cd_flow_avg_annual_bn_pkr") == "Rs bn/yr"
    assert units.unit_of("month") == "" and units.unit_of("pk_cpi_index") == ""
    assert units.axis_label("cd_stock_bn_pkr") == "Rs billion"
    assert units.decimals("Rs/kWh") == 2 and units.decimals("Rs bn") == 0
    assert set(units.variables()["cd_stock_bn_pkr"].__dict__) == {
        "name", "unit", "kind", "aggregation", "description"}
