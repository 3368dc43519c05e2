"""What a run records each month, and the :class:`Trajectories` it returns.

Records are time-major while the loop writes them (T, paths, ...), so each month writes
contiguous memory; :meth:`Recorder.trajectories` returns the path-major public view.
Which series exist, and their units, is listed in ``data/variables.csv``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from circdebt.errors import SimulationError
from circdebt.model.billing import Collected
from circdebt.model.cash import Allocation
from circdebt.model.causes import CAUSES
from circdebt.model.costs import SectorCost
from circdebt.model.debt import PhlMonth
from circdebt.model.sez import COMPONENTS, Package, usc_per_kwh
from circdebt.model.solar import RooftopMonth
from circdebt.model.subsidy import Subsidy
from circdebt.model.supply import Dispatch
from circdebt.model.tariff import Adjustments, Determination
from circdebt.timeline import Timeline
from circdebt.units import PERCENT

#: Every series a run can record, (paths, T) each.
SERIES = (
    "cd_stock_bn_pkr", "cd_flow_bn_pkr", *(f"flow_{c}_bn_pkr" for c in CAUSES),
    "payables_bn_pkr", "genco_fuel_payables_bn_pkr", "phl_debt_bn_pkr", "phl_account_bn_pkr",
    "phl_repaid_bn_pkr",
    "cppa_cash_bn_pkr",
    "receivables_bn_pkr", "disputed_dues_bn_pkr", "revolving_account_bn_pkr",
    "cppa_cash_in_bn_pkr",
    "capacity_payments_bn_pkr", "energy_payments_bn_pkr",
    "transmission_bn_pkr", "net_metering_bn_pkr", "ppp_bn_pkr", "distribution_margin_bn_pkr",
    "sector_cost_bn_pkr", "revenue_requirement_allowed_bn_pkr", "tariff_recovered_bn_pkr",
    "billed_bn_pkr", "collected_bn_pkr", "arrears_recovered_bn_pkr", "tds_due_bn_pkr",
    "tds_paid_bn_pkr", "tds_owed_bn_pkr", "dss_collected_bn_pkr", "units_purchased_gwh",
    "units_generated_gwh",
    "units_sold_gwh", "units_allowed_gwh", "unserved_energy_gwh", "rooftop_solar_mw",
    "rooftop_solar_gwh", "net_metering_export_gwh", "notified_base_tariff_pkr_per_kwh",
    "fca_pkr_per_kwh", "qta_pkr_per_kwh", "pya_pkr_per_kwh", "fca_determined_pkr_per_kwh",
    "fuel_reference_pkr_per_kwh", "determined_base_tariff_pkr_per_kwh",
    "fca_determined_bn_pkr", "qta_determined_bn_pkr", "fx_pkr_per_usd",
    "kibor_pct", "sofr_pct", "gdp_bn_pkr_per_year",
    "pk_cpi_index", "sez_load_gwh", "units_sold_excl_sez_gwh", "sez_captive_gwh",
    "sez_package_support_bn_pkr", "sez_cost_pkr_per_kwh", "sez_cost_usc_per_kwh",
    "sez_total_usc_per_kwh",
    *(f"sez_{c}_usc_per_kwh" for c in COMPONENTS),
    "incremental_units_gwh", "incremental_induced_gwh", "incremental_discount_bn_pkr",
)
#: Series by consumer class, (paths, T, classes).
BY_CLASS = ("sales_gwh", "tariff_pkr_per_kwh", "cost_of_service_pkr_per_kwh",
            "cross_subsidy_pkr_per_kwh", "cross_subsidy_bn_pkr")
#: Series by creditor, (paths, T, creditors).
BY_CREDITOR = ("payables_bn_pkr", "paid_bn_pkr", "lps_bn_pkr", "invoice_energy_bn_pkr",
               "invoice_other_bn_pkr", "one_off_bn_pkr")
#: Always recorded: the stock (checked for finite values every month).
ALWAYS = frozenset({"cd_stock_bn_pkr"})


@dataclass(frozen=True)
class Trajectories:
    """Everything recorded by one run.

    ``series`` maps a variable name to an array (paths, T); ``by_class`` and
    ``by_creditor`` map a variable to (paths, T, classes|creditors).
    """

    timeline: Timeline
    series: dict[str, np.ndarray]
    by_class: dict[str, np.ndarray]
    by_creditor: dict[str, np.ndarray]
    class_names: list[str]
    creditor_names: list[str]
    n_paths: int

    def after(self, t: int) -> Trajectories:
        """The months after month index ``t``, with their own timeline (a run re-anchored
        at the end of month t reports from the month after, docs/model.md §2)."""
        tl = self.timeline
        timeline = Timeline(tl.labels[t + 1], tl.end, tl.fy_start_month)
        return Trajectories(
            timeline, {k: v[:, t + 1:] for k, v in self.series.items()},
            {k: v[:, t + 1:] for k, v in self.by_class.items()},
            {k: v[:, t + 1:] for k, v in self.by_creditor.items()},
            self.class_names, self.creditor_names, self.n_paths)


class Recorder:
    """Collects the recorded values of each month."""

    def __init__(self, timeline: Timeline, n_paths: int, class_names: list[str],
                 creditor_names: list[str], keep: Collection[str] | None, detail: bool):
        T = timeline.n_months
        self.timeline, self.n_paths = timeline, n_paths
        self.class_names, self.creditor_names = class_names, creditor_names
        self.detail = detail
        wanted = set(SERIES) if keep is None else (set(keep) | ALWAYS) & set(SERIES)
        self.series = {name: np.zeros((T, n_paths)) for name in SERIES if name in wanted}
        self.by_class = {name: np.zeros((T, n_paths, len(class_names)))
                         for name in (BY_CLASS if detail else ())}
        self.by_creditor = {name: np.zeros((T, n_paths, len(creditor_names)))
                            for name in (BY_CREDITOR if detail else ())}

    def write(self, t: int, values: Mapping[str, np.ndarray | float]) -> None:
        """Record month t's values of the series kept (others are ignored)."""
        for name, value in values.items():
            target = self.series.get(name)
            if target is not None:
                target[t] = value

    def write_by_class(self, t: int, values: Mapping[str, np.ndarray]) -> None:
        for name, value in values.items():
            if name in self.by_class:
                self.by_class[name][t] = value

    def write_by_creditor(self, t: int, values: Mapping[str, np.ndarray]) -> None:
        for name, value in values.items():
            if name in self.by_creditor:
                self.by_creditor[name][t] = value

    def check_finite(self, t: int) -> None:
        """Raise :class:`SimulationError` if month t's stock is not finite (cheap when all
        is well), naming the first quantity recorded that month that is not."""
        if not np.isfinite(self.series["cd_stock_bn_pkr"][t]).all():
            self._raise_non_finite(t)

    def _raise_non_finite(self, t: int) -> None:
        for name, values in self.series.items():
            if not np.all(np.isfinite(values[t])):
                raise SimulationError(
                    f"{name} became non-finite in {self.timeline.labels[t]}; check the inputs "
                    "that drive it (e.g. a loss of 100%, zero sales, an extreme exchange rate)")

    def trajectories(self) -> Trajectories:
        """The path-major view: (paths, T) and (paths, T, k); every series checked finite."""
        bad = [np.flatnonzero(~np.isfinite(v).all(axis=1)) for v in self.series.values()]
        first = min((int(b[0]) for b in bad if b.size), default=None)
        if first is not None:
            self._raise_non_finite(first)
        return Trajectories(
            self.timeline, {name: v.T for name, v in self.series.items()},
            {name: v.transpose(1, 0, 2) for name, v in self.by_class.items()},
            {name: v.transpose(1, 0, 2) for name, v in self.by_creditor.items()},
            self.class_names, self.creditor_names, self.n_paths)


def month_series(
    *, flows: Mapping[str, np.ndarray], stock: np.ndarray, previous_stock: np.ndarray,
    paid: Allocation, genco_fuel_payables_bn: np.ndarray, phl: PhlMonth,
    cash_in_bn: np.ndarray, collection: Collected, cost: SectorCost,
    transmission_bn: np.ndarray, net_metering_bn: np.ndarray, recovered_bn: np.ndarray,
    billed_bn: np.ndarray, subsidy: Subsidy, dss_collected_bn: np.ndarray,
    units_gwh: np.ndarray, plant: Dispatch, sales_gwh: np.ndarray,
    units_allowed_gwh: np.ndarray, solar_mw: np.ndarray, roof: RooftopMonth,
    exports_gwh: np.ndarray, determination: Determination, adjustments: Adjustments,
    fx: np.ndarray, kibor: np.ndarray, sofr: np.ndarray, gdp: np.ndarray, pk_cpi: np.ndarray,
    sez_column: int,
    package: Package, sez_cost: Mapping[str, np.ndarray], sez_captive_gwh: np.ndarray,
) -> dict[str, np.ndarray]:
    """A month's recorded series, named as in ``data/variables.csv``, from the outputs of
    the month's steps. (paths,) each."""
    sez_sales = sales_gwh[:, sez_column]
    sold = sales_gwh.sum(axis=1)
    usc = {f"sez_{c}_usc_per_kwh": usc_per_kwh(sez_cost[c], fx) for c in (*COMPONENTS, "total")}
    return {
        **{f"flow_{cause}_bn_pkr": value for cause, value in flows.items()},
        "cd_stock_bn_pkr": stock, "cd_flow_bn_pkr": stock - previous_stock,
        "payables_bn_pkr": paid.payables_bn.sum(axis=1),
        "genco_fuel_payables_bn_pkr": genco_fuel_payables_bn, "phl_debt_bn_pkr": phl.debt_bn,
        "phl_account_bn_pkr": phl.account_bn, "phl_repaid_bn_pkr": phl.dss_used_bn,
        "cppa_cash_bn_pkr": paid.cash_bn + paid.account_bn,
        "revolving_account_bn_pkr": paid.account_bn, "cppa_cash_in_bn_pkr": cash_in_bn,
        "receivables_bn_pkr": collection.receivables_bn,
        "capacity_payments_bn_pkr": cost.capacity_bn, "energy_payments_bn_pkr": cost.energy_bn,
        "transmission_bn_pkr": transmission_bn, "net_metering_bn_pkr": net_metering_bn,
        "ppp_bn_pkr": cost.ppp_bn, "distribution_margin_bn_pkr": cost.distribution_margin_bn,
        "sector_cost_bn_pkr": cost.ppp_bn + cost.distribution_margin_bn,
        "revenue_requirement_allowed_bn_pkr": cost.revenue_requirement_allowed_bn,
        "tariff_recovered_bn_pkr": recovered_bn, "billed_bn_pkr": billed_bn,
        "collected_bn_pkr": collection.collected_bn,
        "arrears_recovered_bn_pkr": collection.arrears_recovered_bn,
        "tds_due_bn_pkr": subsidy.due_bn, "tds_paid_bn_pkr": subsidy.paid_bn,
        "tds_owed_bn_pkr": subsidy.owed_bn,
        "dss_collected_bn_pkr": dss_collected_bn, "units_purchased_gwh": units_gwh,
        "units_generated_gwh": plant.generation_gwh.sum(axis=1), "units_sold_gwh": sold,
        "units_allowed_gwh": units_allowed_gwh, "unserved_energy_gwh": plant.unserved_gwh,
        "rooftop_solar_mw": solar_mw, "rooftop_solar_gwh": roof.generation_gwh,
        "net_metering_export_gwh": exports_gwh,
        "notified_base_tariff_pkr_per_kwh": determination.notified_pkr_per_kwh,
        "fca_pkr_per_kwh": adjustments.fca_pkr_per_kwh,
        "qta_pkr_per_kwh": adjustments.qta_pkr_per_kwh,
        "pya_pkr_per_kwh": adjustments.pya_pkr_per_kwh,
        "fca_determined_pkr_per_kwh": adjustments.fca_determined_pkr_per_kwh,
        "fuel_reference_pkr_per_kwh": adjustments.fuel_reference_pkr_per_kwh,
        "determined_base_tariff_pkr_per_kwh": determination.determined_pkr_per_kwh,
        "fca_determined_bn_pkr": adjustments.fuel_deviation_bn,
        "qta_determined_bn_pkr": adjustments.nonfuel_deviation_bn,
        "fx_pkr_per_usd": fx, "kibor_pct": kibor * PERCENT, "sofr_pct": sofr * PERCENT,
        "gdp_bn_pkr_per_year": gdp,
        "pk_cpi_index": pk_cpi, "sez_load_gwh": sez_sales,
        "units_sold_excl_sez_gwh": sold - sez_sales,
        "sez_package_support_bn_pkr": package.gap_bn, **usc,
        "sez_cost_usc_per_kwh": usc["sez_total_usc_per_kwh"],
        "sez_cost_pkr_per_kwh": sez_cost["total"], "sez_captive_gwh": sez_captive_gwh,
    }
