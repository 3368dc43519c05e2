"""Supply: plant groups, merit-order dispatch and the payments due to them (docs/model.md §7).

Working units: energy in GWh, money in Rs bn, capacity in MW, prices in Rs/kWh and
Rs/kW/month. Arrays are (paths, groups); group parameters are (groups,) or, when drawn
per path, (paths, groups), and broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from circdebt.units import GWH_TIMES_PKR_PER_KWH_TO_BN, MW_TIMES_PKR_PER_KW_TO_BN, MWH_PER_GWH


@dataclass(frozen=True)
class PlantArrays:
    """Plant-group parameters as arrays over groups (fractions, not percents)."""

    names: list[str]
    creditor: list[str]
    fuel: list[str | None]
    capacity_mw: np.ndarray  # [MW]
    availability: np.ndarray  # [fraction]
    must_run: np.ndarray  # bool
    capacity_factor_by_month: np.ndarray  # (12, groups), Jan..Dec, [fraction]
    cpp_usd: np.ndarray  # [USD/kW/month]
    cpp_usd_debt_share: np.ndarray  # [fraction]
    cpp_pkr: np.ndarray  # [Rs/kW/month]
    cpp_pkr_debt_share: np.ndarray  # [fraction]
    local_debt_spread: np.ndarray  # [fraction/yr]
    fuel_cost_pkr_per_kwh: np.ndarray  # at start-month prices [Rs/kWh]
    vom_pkr_per_kwh: np.ndarray  # at start-month prices [Rs/kWh]

    @property
    def n(self) -> int:
        return len(self.names)


def available_energy_gwh(
    capacity_mw: np.ndarray, availability: np.ndarray, capacity_factor: np.ndarray,
    active: np.ndarray, hours: float,
) -> np.ndarray:
    """Energy each group can deliver this month. [GWh], (groups,) or (paths, groups).

    capacity [MW] x availability x monthly capacity factor x hours / 1000. Groups not
    commissioned yet or whose contract has expired (``active`` false) deliver nothing.
    """
    return capacity_mw * availability * capacity_factor * active * hours / MWH_PER_GWH


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

    The unconverted share follows fx x US CPI (docs/model.md §7); a share converted to
    rupee indexation (IPP renegotiation) is frozen at fx x US CPI on the conversion date,
    divided by the PK CPI then, and indexed to PK CPI afterwards.
    """
    return ((1.0 - converted_share) * fx_pkr_per_usd * us_cpi_index
            + converted_share * pkr_per_usd_at_conversion * pk_cpi_index)


def local_debt_factor(kibor: np.ndarray, kibor_at_start: np.ndarray,
                      spread: np.ndarray) -> np.ndarray:
    """How local debt service moves with KIBOR: (KIBOR_t + s) / (KIBOR_0 + s). [1],
    (paths, groups); ``kibor`` and ``kibor_at_start`` are (paths,) fractions per year."""
    return (kibor[:, None] + spread) / (kibor_at_start[:, None] + spread)


def capacity_payments_bn(
    plants: PlantArrays, pkr_per_usd: np.ndarray, pk_cpi_index: np.ndarray,
    kibor_factor: np.ndarray, generation_gwh: np.ndarray, available_gwh: np.ndarray,
    usd_scale: np.ndarray | float = 1.0, pkr_scale: np.ndarray | float = 1.0,
    active: np.ndarray | bool = True, take_and_pay: np.ndarray | bool = False,
    debt_factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Capacity payments due this month. [Rs bn], (paths, groups).

    CP = capacity_kW x active x [cpp_usd x s_usd x (1 - d_usd x (1 - f)) x Rs-per-USD
    + cpp_pkr x s_pkr x ((1 - d_pkr) x PK-CPI + d_pkr x KIBOR factor x f)]
    (docs/model.md §7), where Rs-per-USD is :func:`usd_part_in_pkr`, s_usd and s_pkr are
    the scales left by renegotiation, and f is the debt-service factor: 1 before debt
    maturity, 0 after (a reprofiling spreads it thinner over a longer term). Take-and-pay
    groups are paid only on the share of their available energy actually dispatched.
    Index arrays are (paths, 1) or (paths, groups); ``*_scale``, ``active``,
    ``take_and_pay`` and ``debt_factor`` are (groups,).
    """
    usd = plants.cpp_usd * usd_scale * (1.0 - plants.cpp_usd_debt_share * (1.0 - debt_factor)) \
        * pkr_per_usd
    pkr = plants.cpp_pkr * pkr_scale * ((1.0 - plants.cpp_pkr_debt_share) * pk_cpi_index
                                        + plants.cpp_pkr_debt_share * kibor_factor * debt_factor)
    due = plants.capacity_mw * (usd + pkr) * active * MW_TIMES_PKR_PER_KW_TO_BN
    dispatched_share = np.divide(generation_gwh, available_gwh,
                                 out=np.zeros_like(generation_gwh), where=available_gwh > 0)
    return np.where(take_and_pay, due * dispatched_share, due)


def fuel_cost_bn(plants: PlantArrays, generation_gwh: np.ndarray,
                 fuel_index: np.ndarray) -> np.ndarray:
    """The fuel part of the energy payments: generation x fuel cost at the start x fuel
    index, without variable O&M (NEPRA's fuel charge adjustment covers fuel only; variable
    O&M is in the quarterly adjustment). [Rs bn], (paths,); ``fuel_index`` is
    (paths, groups)."""
    return (generation_gwh * plants.fuel_cost_pkr_per_kwh * fuel_index).sum(axis=1) \
        * GWH_TIMES_PKR_PER_KWH_TO_BN


def energy_payments_bn(generation_gwh: np.ndarray, price_pkr_per_kwh: np.ndarray) -> np.ndarray:
    """Energy payments due: generation x EPP. [Rs bn], (paths, groups)."""
    return generation_gwh * price_pkr_per_kwh * GWH_TIMES_PKR_PER_KWH_TO_BN


class Payments(NamedTuple):
    """A month's payments due to generators. [Rs bn], (paths, groups) each."""

    capacity_bn: np.ndarray
    energy_bn: np.ndarray


def payments_due(
    plants: PlantArrays, dispatch: Dispatch, fx_pkr_per_usd: np.ndarray,
    us_cpi_index: np.ndarray, pk_cpi_index: np.ndarray, kibor: np.ndarray,
    kibor_at_start: np.ndarray, converted_share: np.ndarray,
    pkr_per_usd_at_conversion: np.ndarray, usd_scale: np.ndarray, pkr_scale: np.ndarray,
    active: np.ndarray, take_and_pay: np.ndarray, debt_factor: np.ndarray,
) -> Payments:
    """Capacity and energy payments due for a month's dispatch (docs/model.md §7): the
    capacity formula of :func:`capacity_payments_bn` at the month's exchange rate, price
    indices and KIBOR, and generation x energy price. Exogenous values are (paths,)."""
    capacity = capacity_payments_bn(
        plants, usd_part_in_pkr(fx_pkr_per_usd[:, None], us_cpi_index[:, None],
                                pk_cpi_index[:, None], converted_share, pkr_per_usd_at_conversion),
        pk_cpi_index[:, None], local_debt_factor(kibor, kibor_at_start, plants.local_debt_spread),
        dispatch.generation_gwh, dispatch.available_gwh, usd_scale, pkr_scale, active,
        take_and_pay, debt_factor)
    return Payments(capacity, energy_payments_bn(dispatch.generation_gwh,
                                                 dispatch.price_pkr_per_kwh))


class Dispatch(NamedTuple):
    """A month's dispatch."""

    available_gwh: np.ndarray  # (paths, groups)
    price_pkr_per_kwh: np.ndarray  # EPP, (paths, groups)
    generation_gwh: np.ndarray  # (paths, groups)
    unserved_gwh: np.ndarray  # (paths,)


def dispatch_month(
    plants: PlantArrays, need_gwh: np.ndarray, fuel_index: np.ndarray,
    pk_cpi_index: np.ndarray, calendar_month: int, active: np.ndarray, hours: float,
) -> Dispatch:
    """Available energy, energy prices and merit-order generation for a month's need.

    ``need_gwh`` (paths,) is what the plants must generate (units wanted less rooftop
    exports); ``fuel_index`` (paths, groups) each group's fuel index (1 for none).
    """
    n_paths = need_gwh.shape[0]
    available = np.broadcast_to(available_energy_gwh(
        plants.capacity_mw, plants.availability,
        plants.capacity_factor_by_month[calendar_month - 1], active, hours),
        (n_paths, plants.n))
    price = energy_price_pkr_per_kwh(plants.fuel_cost_pkr_per_kwh, fuel_index,
                                     plants.vom_pkr_per_kwh, pk_cpi_index[:, None])
    generation, unserved = merit_order_dispatch(need_gwh, available, price, plants.must_run)
    return Dispatch(available, price, generation, unserved)
