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

#: The legacy parts of a capacity price (a broad dollar part on fx x US CPI and a rupee
#: part on PK CPI, each with a debt share) and its contract components, in the order of
#: the last axis of :func:`component_prices_pkr_per_kw_month`.
LEGACY_PARTS = ("legacy_usd", "legacy_pkr")
COMPONENTS = ("roe", "local_roe", "foreign_debt_principal", "foreign_debt_interest",
              "local_debt_principal", "local_debt_interest", "foreign_om", "local_om",
              "insurance")
PARTS = LEGACY_PARTS + COMPONENTS


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
    roe_usd: np.ndarray  # [USD/kW/month]
    local_roe_pkr: np.ndarray  # [Rs/kW/month]
    foreign_debt_principal_usd: np.ndarray  # [USD/kW/month]
    foreign_debt_interest_usd: np.ndarray  # [USD/kW/month]
    foreign_debt_spread: np.ndarray  # over SOFR [fraction/yr]
    local_debt_principal_pkr: np.ndarray  # [Rs/kW/month]
    local_debt_interest_pkr: np.ndarray  # [Rs/kW/month]
    foreign_om_usd: np.ndarray  # [USD/kW/month]
    local_om_pkr: np.ndarray  # [Rs/kW/month]
    insurance_usd: np.ndarray  # [USD/kW/month]
    paid_on_availability: np.ndarray  # (groups, parts) or (paths, groups, parts) [fraction]
    fuel_cost_pkr_per_kwh: np.ndarray  # at start-month prices [Rs/kWh]
    vom_pkr_per_kwh: np.ndarray  # at start-month prices [Rs/kWh]

    @property
    def n(self) -> int:
        return len(self.names)


def available_energy_gwh(
    capacity_mw: np.ndarray, availability: np.ndarray, capacity_factor: np.ndarray,
    active: np.ndarray, hours: float | np.ndarray,
) -> np.ndarray:
    """Energy each group can deliver this month. [GWh], (groups,) or (paths, groups)
    (or with a leading axis of months, when the arguments carry one).

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
    fx_pkr_per_usd: np.ndarray, usd_index: np.ndarray, pk_cpi_index: np.ndarray,
    converted_share: np.ndarray, pkr_per_usd_at_conversion: np.ndarray,
) -> np.ndarray:
    """Rupees paid per dollar of a dollar-denominated capacity price. [Rs/USD], (paths, groups).

    The unconverted share follows fx x its own dollar index (US CPI for foreign O&M and
    the legacy dollar part, 1 for return on equity, foreign debt service and insurance:
    docs/model.md §7); a share converted to rupee indexation (IPP renegotiation) is
    frozen at fx x that index on the conversion date, divided by the PK CPI then
    (``pkr_per_usd_at_conversion``), and indexed to PK CPI afterwards.
    """
    return ((1.0 - converted_share) * fx_pkr_per_usd * usd_index
            + converted_share * pkr_per_usd_at_conversion * pk_cpi_index)


def floating_rate_factor(rate: np.ndarray, rate_at_start: np.ndarray,
                         spread: np.ndarray) -> np.ndarray:
    """How interest on a floating-rate loan moves with its benchmark:
    (rate_t + s) / (rate_0 + s). [1], (paths, groups).

    ``rate`` and ``rate_at_start`` are (paths,) fractions per year (KIBOR for local debt,
    SOFR for foreign debt), ``spread`` s is (groups,) or (paths, groups), a fraction per
    year. NEPRA's tariffs index the interest part of debt service to KIBOR + spread
    (local loans) and LIBOR, now SOFR, + spread (foreign loans); ECC moved foreign-financed
    projects from LIBOR to SOFR on 16 Feb 2024 (The Express Tribune,
    https://tribune.com.pk/story/2493886/chinese-lenders-agree-on-daily-sofr).
    """
    return (rate[:, None] + spread) / (rate_at_start[:, None] + spread)


def outstanding_principal_share(months_from_start: np.ndarray | float,
                                months_to_maturity: np.ndarray | float) -> np.ndarray:
    """Share of the start month's loan principal still outstanding in month t. [1]

    Principal is repaid in equal monthly instalments from the start month to debt
    maturity M (months after the start): (M - t) / M while t < M, 0 from maturity on, and
    0 throughout when the debt matured before the start (M <= 0). ASSUMPTION: straight-line
    principal, so the principal instalment is constant and interest falls linearly; NEPRA
    tariffs carry plant-specific schedules (annuity-like ones shift principal later),
    which the model does not hold. Broadcasts; ``months_from_start`` t >= 0.
    """
    m = np.asarray(months_to_maturity, dtype=float)
    t = np.asarray(months_from_start, dtype=float)
    safe = np.where(m > 0, m, 1.0)
    return np.where(m > 0, np.clip((m - t) / safe, 0.0, 1.0), 0.0)


class MonthRates(NamedTuple):
    """The month's exogenous values a capacity price reads, each (paths,)."""

    fx_pkr_per_usd: np.ndarray  # [Rs/USD]
    us_cpi_index: np.ndarray  # [1]
    pk_cpi_index: np.ndarray  # [1]
    kibor: np.ndarray  # [fraction/yr]
    kibor_at_start: np.ndarray  # [fraction/yr]
    sofr: np.ndarray  # [fraction/yr]
    sofr_at_start: np.ndarray  # [fraction/yr]


class ContractTerms(NamedTuple):
    """The month's contract levers, each (groups,) or (paths, groups)."""

    usd_converted: np.ndarray  # share of dollar prices converted to rupee indexation
    frozen_pkr_per_usd_us_cpi: np.ndarray  # fx x US CPI / PK CPI at conversion [Rs/USD]
    frozen_pkr_per_usd_fx: np.ndarray  # fx / PK CPI at conversion [Rs/USD]
    usd_scale: np.ndarray  # renegotiation scale of dollar prices [1]
    pkr_scale: np.ndarray  # renegotiation scale of rupee prices [1]
    active: np.ndarray  # bool
    take_and_pay: np.ndarray  # bool: every part paid on the dispatched share only
    debt_factor: np.ndarray  # principal instalment still paid (1, reprofiled r/(r+e), 0)
    debt_outstanding: np.ndarray  # outstanding principal share (outstanding_principal_share)


def component_prices_pkr_per_kw_month(
    plants: PlantArrays, rs_per_usd_us_cpi: np.ndarray, rs_per_usd_fx: np.ndarray,
    pk_cpi_index: np.ndarray, kibor_factor: np.ndarray, sofr_factor: np.ndarray,
    usd_scale: np.ndarray | float = 1.0, pkr_scale: np.ndarray | float = 1.0,
    debt_factor: np.ndarray | float = 1.0, debt_outstanding: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Each part of the capacity price this month, in order :data:`PARTS`.
    [Rs/kW/month], (paths, groups, parts).

    With X^cpi = :func:`usd_part_in_pkr` on fx x US CPI and X^fx on fx alone,
    f the debt factor, O the outstanding principal share, kappa and sigma the KIBOR and
    SOFR factors (:func:`floating_rate_factor`), z_usd and z_pkr the renegotiation
    scales (docs/model.md §7):

    - legacy_usd = u x (1 - d_usd (1 - f)) x X^cpi x z_usd;
      legacy_pkr = r x ((1 - d_pkr) x PK CPI + d_pkr x kappa x f) x z_pkr;
    - roe = e x X^fx x z_usd (return on dollar equity follows the exchange rate alone);
      local_roe = e_l x z_pkr (a return fixed in rupees: the 1994/2002-policy IPPs' rupee
      RoE since the 2020-21 MoUs, "17% PKR-indexed RoE (was 15% USD)", The News, 15 Aug
      2020, https://www.thenews.com.pk/print/700910; the GPPs' "rupee-based indexations
      fixed for the entire useful life", NEPRA, Business Recorder, 24 Apr 2025,
      https://www.brecorder.com/news/40359360);
    - foreign_debt_principal = p_f x f x X^fx x z_usd;
      foreign_debt_interest = i_f x O x sigma x X^fx x z_usd;
    - local_debt_principal = p_l x f x z_pkr; local_debt_interest = i_l x O x kappa x z_pkr;
    - foreign_om = o_f x X^cpi x z_usd; local_om = o_l x PK CPI x z_pkr;
    - insurance = n x X^fx x z_usd (a percent of the dollar EPC cost).

    Sources: the indexation of the 2002 and 2015 power-policy tariffs: "foreign debt,
    equity and foreign O&M indexed to USD/PKR" (2002 policy, Azad Pattan HPP,
    http://azadpattanhpp.com/underlying_power_policy.php); foreign O&M also on US CPI,
    local O&M on PK CPI, debt interest on LIBOR (now SOFR) or KIBOR + spread, insurance on
    the dollar EPC cost (capped at 0.9% of EPC in the Nov 2024 revised PPAs, The Truth
    International, https://thetruthinternational.com/?p=124052). Index arrays
    are (paths, 1) or (paths, groups); the levers (groups,) or (paths, groups).
    """
    parts = [
        plants.cpp_usd * (1.0 - plants.cpp_usd_debt_share * (1.0 - debt_factor))
        * rs_per_usd_us_cpi * usd_scale,
        plants.cpp_pkr * pkr_scale * ((1.0 - plants.cpp_pkr_debt_share) * pk_cpi_index
                                      + plants.cpp_pkr_debt_share * kibor_factor * debt_factor),
        plants.roe_usd * rs_per_usd_fx * usd_scale,
        plants.local_roe_pkr * pkr_scale,
        plants.foreign_debt_principal_usd * debt_factor * rs_per_usd_fx * usd_scale,
        plants.foreign_debt_interest_usd * debt_outstanding * sofr_factor * rs_per_usd_fx
        * usd_scale,
        plants.local_debt_principal_pkr * debt_factor * pkr_scale,
        plants.local_debt_interest_pkr * debt_outstanding * kibor_factor * pkr_scale,
        plants.foreign_om_usd * rs_per_usd_us_cpi * usd_scale,
        plants.local_om_pkr * pk_cpi_index * pkr_scale,
        plants.insurance_usd * rs_per_usd_fx * usd_scale,
    ]
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def capacity_payments_bn(
    plants: PlantArrays, prices_pkr_per_kw_month: np.ndarray, generation_gwh: np.ndarray,
    available_gwh: np.ndarray, active: np.ndarray | bool = True,
    take_and_pay: np.ndarray | bool = False,
) -> np.ndarray:
    """Capacity payments due this month. [Rs bn], (paths, groups).

    CP = capacity_kW x active x sum_k price_k x (a_k + (1 - a_k) x gen / Av) / 1e9,
    where price_k is part k of :func:`component_prices_pkr_per_kw_month` and a_k the
    share of part k paid on availability: 1 for take-or-pay (the 1994/2002/2015-policy
    PPAs: capacity paid on declared availability, PPIB standardised PPA, 2006), 0 for
    take-and-pay, and the group's ``paid_on_availability_pct`` for a hybrid contract
    (the revised PPAs of Nov 2024: part of the return on equity paid only on dispatch).
    ``take_and_pay`` (a policy) pays every part on the dispatched share. ``active`` and
    ``take_and_pay`` are (groups,).
    """
    on_availability = np.where(np.asarray(take_and_pay)[..., None], 0.0,
                               plants.paid_on_availability)
    dispatched_share = np.divide(generation_gwh, available_gwh,
                                 out=np.zeros_like(generation_gwh), where=available_gwh > 0)
    weight = on_availability + (1.0 - on_availability) * dispatched_share[..., None]
    price = (prices_pkr_per_kw_month * weight).sum(axis=-1)
    return plants.capacity_mw * price * active * MW_TIMES_PKR_PER_KW_TO_BN


def fuel_cost_bn(plants: PlantArrays, generation_gwh: np.ndarray,
                 fuel_index: np.ndarray) -> np.ndarray:
    """The fuel part of the energy payments: generation x fuel cost at the start x fuel
    index, without variable O&M (NEPRA's fuel charge adjustment covers fuel only; variable
    O&M is in the quarterly adjustment). [Rs bn], (paths,) (or (months, paths) for
    generation (months, paths, groups)); ``fuel_index`` is (paths, groups) and broadcasts."""
    return (generation_gwh * plants.fuel_cost_pkr_per_kwh * fuel_index).sum(axis=-1) \
        * GWH_TIMES_PKR_PER_KWH_TO_BN


def energy_payments_bn(generation_gwh: np.ndarray, price_pkr_per_kwh: np.ndarray) -> np.ndarray:
    """Energy payments due: generation x EPP. [Rs bn], (paths, groups)."""
    return generation_gwh * price_pkr_per_kwh * GWH_TIMES_PKR_PER_KWH_TO_BN


class Payments(NamedTuple):
    """A month's payments due to generators. [Rs bn], (paths, groups) each."""

    capacity_bn: np.ndarray
    energy_bn: np.ndarray


def month_prices_pkr_per_kw_month(plants: PlantArrays, rates: MonthRates,
                                  terms: ContractTerms) -> np.ndarray:
    """The parts of each group's capacity price at the month's exchange rate, price
    indices, KIBOR and SOFR (:func:`component_prices_pkr_per_kw_month`).
    [Rs/kW/month], (paths, groups, parts)."""
    fx, pk_cpi = rates.fx_pkr_per_usd[:, None], rates.pk_cpi_index[:, None]
    return component_prices_pkr_per_kw_month(
        plants,
        usd_part_in_pkr(fx, rates.us_cpi_index[:, None], pk_cpi, terms.usd_converted,
                        terms.frozen_pkr_per_usd_us_cpi),
        usd_part_in_pkr(fx, np.ones_like(fx), pk_cpi, terms.usd_converted,
                        terms.frozen_pkr_per_usd_fx),
        pk_cpi,
        floating_rate_factor(rates.kibor, rates.kibor_at_start, plants.local_debt_spread),
        floating_rate_factor(rates.sofr, rates.sofr_at_start, plants.foreign_debt_spread),
        terms.usd_scale, terms.pkr_scale, terms.debt_factor, terms.debt_outstanding)


def payments_due(plants: PlantArrays, dispatch: Dispatch, rates: MonthRates,
                 terms: ContractTerms) -> Payments:
    """Capacity and energy payments due for a month's dispatch (docs/model.md §7): the
    month's capacity-price parts (:func:`month_prices_pkr_per_kw_month`) paid as
    :func:`capacity_payments_bn` says, and generation x energy price. Exogenous values
    are (paths,)."""
    capacity = capacity_payments_bn(plants, month_prices_pkr_per_kw_month(plants, rates, terms),
                                    dispatch.generation_gwh, dispatch.available_gwh,
                                    terms.active, terms.take_and_pay)
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
