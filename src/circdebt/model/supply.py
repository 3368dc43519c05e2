"""Supply: plant groups, merit-order dispatch, capacity and energy payments (MODEL.md §4).

Working units: energy in GWh, money in Rs bn, capacity in MW, prices in Rs/kWh and
Rs/kW/month. Arrays are (paths, groups); group parameters are (groups,) and broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.model.vectors import stack_last
from circdebt.scenario.schema import Supply
from circdebt.timeline import Timeline, months_before

#: MW x Rs/kW/month -> Rs bn per month
MW_TIMES_PKR_PER_KW_TO_BN = 1e3 / 1e9
#: GWh x Rs/kWh -> Rs bn
GWH_TIMES_PKR_PER_KWH_TO_BN = 1e6 / 1e9


@dataclass(frozen=True)
class PlantArrays:
    """Plant-group parameters as arrays over groups (fractions, not percents)."""

    names: list[str]
    creditor: list[str]
    fuel: list[str | None]
    capacity_mw: np.ndarray
    availability: np.ndarray
    must_run: np.ndarray  # bool
    capacity_factor_by_month: np.ndarray  # (12, groups), Jan..Dec, [fraction]
    cpp_usd: np.ndarray  # [USD/kW/month]
    cpp_usd_debt_share: np.ndarray
    cpp_pkr: np.ndarray  # [Rs/kW/month]
    cpp_pkr_debt_share: np.ndarray
    local_debt_spread: np.ndarray  # [fraction/yr]
    debt_live: np.ndarray  # (T, groups) bool: before debt maturity
    fuel_cost_pkr_per_kwh: np.ndarray
    vom_pkr_per_kwh: np.ndarray


def plant_arrays(supply: Supply, timeline: Timeline) -> PlantArrays:
    """Compile the scenario's plant groups into arrays."""
    plants = supply.plants

    cf = np.array([
        [v / 100.0 for v in p.monthly_capacity_factor_pct] if p.monthly_capacity_factor_pct
        else [1.0] * 12 for p in plants
    ]).T
    return PlantArrays(
        names=[p.name for p in plants],
        creditor=[p.creditor for p in plants],
        fuel=[p.fuel for p in plants],
        capacity_mw=stack_last([p.capacity_mw for p in plants]),
        availability=stack_last([p.availability_pct / 100.0 for p in plants]),
        must_run=np.array([p.must_run for p in plants]),
        capacity_factor_by_month=cf,
        cpp_usd=stack_last([p.cpp_usd_per_kw_month for p in plants]),
        cpp_usd_debt_share=stack_last([p.cpp_usd_debt_share_pct / 100.0 for p in plants]),
        cpp_pkr=stack_last([p.cpp_pkr_per_kw_month for p in plants]),
        cpp_pkr_debt_share=stack_last([p.cpp_pkr_debt_share_pct / 100.0 for p in plants]),
        local_debt_spread=stack_last([p.local_debt_spread_pct / 100.0 for p in plants]),
        debt_live=months_before(timeline, [p.debt_maturity for p in plants]),
        fuel_cost_pkr_per_kwh=stack_last([p.fuel_cost_pkr_per_kwh for p in plants]),
        vom_pkr_per_kwh=stack_last([p.vom_pkr_per_kwh for p in plants]),
    )


def available_energy_gwh(
    capacity_mw: np.ndarray, availability: np.ndarray, capacity_factor: np.ndarray,
    active: np.ndarray, hours: float,
) -> np.ndarray:
    """Energy each group can deliver this month. [GWh], (paths, groups).

    capacity [MW] x availability x monthly capacity factor x hours / 1000. Groups whose
    contract has expired are retired (deliver nothing).
    """
    return capacity_mw * availability * capacity_factor * active * hours / 1e3


def energy_price_pkr_per_kwh(
    fuel_cost_pkr_per_kwh: np.ndarray, fuel_index: np.ndarray, vom_pkr_per_kwh: np.ndarray,
    pk_cpi_index: np.ndarray,
) -> np.ndarray:
    """Energy purchase price (EPP). [Rs/kWh], (paths, groups).

    fuel cost at the start x fuel index (USD fuels: x fx index as well) + variable O&M x
    PK CPI index. ``fuel_index`` is (paths, groups); ``pk_cpi_index`` is (paths, 1).
    """
    return fuel_cost_pkr_per_kwh * fuel_index + vom_pkr_per_kwh * pk_cpi_index


def merit_order_dispatch(
    need_gwh: np.ndarray, available_gwh: np.ndarray, price_pkr_per_kwh: np.ndarray,
    must_run: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fill ``need`` with must-run groups first, then by ascending energy price.

    Parameters
    ----------
    need_gwh : (paths,) energy to be generated. [GWh]
    available_gwh : (paths, groups) [GWh]
    price_pkr_per_kwh : (paths, groups) merit-order key [Rs/kWh]
    must_run : (groups,) bool

    Returns
    -------
    generation_gwh : (paths, groups) [GWh]
    unserved_gwh : (paths,) need that available capacity could not meet [GWh]
    """
    key = np.where(must_run, -np.inf, price_pkr_per_kwh)
    order = np.argsort(key, axis=1, kind="stable")
    avail_sorted = np.take_along_axis(available_gwh, order, axis=1)
    cumulative = np.cumsum(avail_sorted, axis=1)
    before = cumulative - avail_sorted
    gen_sorted = np.clip(need_gwh[:, None] - before, 0.0, avail_sorted)
    generation = np.empty_like(gen_sorted)
    np.put_along_axis(generation, order, gen_sorted, axis=1)
    unserved = np.maximum(need_gwh - cumulative[:, -1], 0.0)
    return generation, unserved


def usd_part_in_pkr(
    fx_pkr_per_usd: np.ndarray, us_cpi_index: np.ndarray, pk_cpi_index: np.ndarray,
    converted_share: np.ndarray, pkr_per_usd_at_conversion: np.ndarray,
) -> np.ndarray:
    """Rupees paid per dollar of dollar-indexed capacity price. [Rs/USD], (paths, groups).

    The unconverted share follows fx x US CPI (MODEL.md §4); a share converted to rupee
    indexation (IPP renegotiation) is frozen at fx x US CPI on the conversion date,
    divided by the PK CPI then, and indexed to PK CPI afterwards.
    """
    return ((1.0 - converted_share) * fx_pkr_per_usd * us_cpi_index
            + converted_share * pkr_per_usd_at_conversion * pk_cpi_index)


def capacity_payments_bn(
    plants: PlantArrays, t: int, pkr_per_usd: np.ndarray, pk_cpi_index: np.ndarray,
    kibor_factor: np.ndarray, generation_gwh: np.ndarray, available_gwh: np.ndarray,
    usd_scale: np.ndarray | float = 1.0, pkr_scale: np.ndarray | float = 1.0,
    active: np.ndarray | bool = True, take_and_pay: np.ndarray | bool = False,
    debt_factor: np.ndarray | None = None,
) -> np.ndarray:
    """Capacity payments due this month. [Rs bn], (paths, groups).

    CP = capacity_kW x active x [cpp_usd x s_usd x (1 - d_usd x (1 - f)) x Rs-per-USD
    + cpp_pkr x s_pkr x ((1 - d_pkr) x PK-CPI + d_pkr x KIBOR factor x f)]
    (MODEL.md §4), where Rs-per-USD is :func:`usd_part_in_pkr`, s_usd and s_pkr are
    the scales left by renegotiation, and f is the debt-service factor: 1 before debt
    maturity, 0 after (a reprofiling spreads it thinner over a longer term). Take-and-pay
    groups are paid only on the share of their available energy actually dispatched.
    Index arrays are (paths, 1) or (paths, groups); ``*_scale``, ``active``,
    ``take_and_pay`` and ``debt_factor`` are (groups,).
    """
    live = plants.debt_live[t].astype(float) if debt_factor is None else debt_factor
    usd = plants.cpp_usd * usd_scale * (1.0 - plants.cpp_usd_debt_share * (1.0 - live)) \
        * pkr_per_usd
    pkr = plants.cpp_pkr * pkr_scale * ((1.0 - plants.cpp_pkr_debt_share) * pk_cpi_index
                                        + plants.cpp_pkr_debt_share * kibor_factor * live)
    due = plants.capacity_mw * (usd + pkr) * active * MW_TIMES_PKR_PER_KW_TO_BN
    dispatched_share = np.divide(generation_gwh, available_gwh,
                                 out=np.zeros_like(generation_gwh), where=available_gwh > 0)
    return np.where(take_and_pay, due * dispatched_share, due)
