"""The regulator's projection of a tariff year, told with the supply steps (docs/model.md §9).

At a determination the regulator projects the next twelve months: sales by class, the
units purchased for them, the merit order at today's fuel prices and exchange rate, and
the capacity bill from the contracts in force in each of those months (commissioning,
expiry and debt maturity included). The months are dispatched with
:func:`circdebt.model.supply.dispatch_month` and priced with
:func:`circdebt.model.supply.payments_due`, the same steps the month itself uses, and
:func:`circdebt.model.references.references_from_projection` turns them into the monthly
references. Projected exogenous values are those of the determination month: ASSUMPTION
(NEPRA projects the exchange rate and fuel prices; the model holds today's values, and
the FCA and QTA correct the difference month by month).
"""

from __future__ import annotations

import calendar

import numpy as np

from circdebt.engine.compile import Inputs
from circdebt.model import costs, losses, supply
from circdebt.model.references import MONTHS_PROJECTED, References, references_from_projection

#: A year without 29 February, for the hours of projected months past the horizon.
_COMMON_YEAR = 2001


#: The contract levers of :class:`~circdebt.model.supply.ContractTerms` that change by
#: month, and the lever each comes from.
_LEVER_OF_TERM = {"usd_converted": "usd_converted", "usd_scale": "cpp_usd_scale",
                  "pkr_scale": "cpp_pkr_scale", "active": "active",
                  "take_and_pay": "take_and_pay", "debt_factor": "debt_factor",
                  "debt_outstanding": "debt_outstanding"}


def _per_month(lever: np.ndarray) -> np.ndarray:
    """A lever for the projected months, (12, groups) or (12, paths, groups), shaped to
    broadcast against (12, paths, groups)."""
    return lever[:, None, :] if lever.ndim == 2 else lever


def calendar_months_from(x: Inputs, t: int) -> np.ndarray:
    """The calendar months (1..12) of the twelve months from ``t``, in order."""
    return (int(x.timeline.calendar_month[t]) - 1 + np.arange(MONTHS_PROJECTED)) % 12 + 1


def given_fuel_references(x: Inputs, t: int) -> np.ndarray:
    """The published fuel references the scenario gives for the twelve months from ``t``,
    by calendar month (January first), NaN where it gives none. [Rs/kWh delivered],
    (12,)."""
    given = np.full(12, np.nan)
    ahead = x.tariff.reference_fuel_pkr_per_kwh[t:t + MONTHS_PROJECTED]
    given[calendar_months_from(x, t)[:len(ahead)] - 1] = ahead
    return given


def project_year(x: Inputs, t: int, sales_by_class_gwh: np.ndarray, actual_loss: np.ndarray,
                 allowed_loss: np.ndarray) -> References:
    """The references of the year that starts in month ``t``.

    ``sales_by_class_gwh`` (paths, 12, classes) is the projected sales by calendar month
    (January first); ``actual_loss`` and ``allowed_loss`` (paths, classes) the class loss
    rates the regulator projects with. Each of the twelve months from ``t`` is dispatched
    at month ``t``'s fuel prices, price indices, exchange rate, KIBOR and SOFR, under the
    contracts of its own month (the last month's beyond the horizon).
    """
    tl, plants, lv = x.timeline, x.plants, x.levers
    rates = x.month_rates(t)  # the determination month's exchange rate, prices and rates
    pk_cpi = rates.pk_cpi_index
    n_paths, n_classes = sales_by_class_gwh.shape[0], sales_by_class_gwh.shape[2]
    k12 = (n_paths * MONTHS_PROJECTED,)
    # the twelve projected months on a leading axis, in order from t: (12, paths, ...)
    months = calendar_months_from(x, t)
    tks = np.minimum(t + np.arange(MONTHS_PROJECTED), tl.n_months - 1)
    hours = np.array([float(tl.hours[t + k]) if t + k < tl.n_months else
                      24.0 * calendar.monthrange(_COMMON_YEAR, int(m))[1]
                      for k, m in enumerate(months)])
    sales = np.moveaxis(sales_by_class_gwh[:, months - 1, :], 1, 0)
    flat = sales.reshape(k12 + (n_classes,))

    def by_month(loss: np.ndarray) -> np.ndarray:
        """Units for the projected sales at these class loss rates. [GWh], (12, paths)."""
        rates_flat = np.broadcast_to(loss, sales.shape).reshape(flat.shape)
        return losses.units_for_sales_gwh(flat, rates_flat).reshape(MONTHS_PROJECTED, n_paths)

    need = losses.generation_for_units_gwh(by_month(actual_loss), x.transmission_loss)
    active = _per_month(lv.active[tks])
    available = np.broadcast_to(supply.available_energy_gwh(
        plants.capacity_mw, plants.availability,
        plants.capacity_factor_by_month[months - 1][:, None, :], active,
        hours[:, None, None]), (MONTHS_PROJECTED, n_paths, plants.n))
    fuel_index = np.broadcast_to(x.fuel_by_month[t][:, x.fuel_of_group], available.shape)
    price = supply.energy_price_pkr_per_kwh(plants.fuel_cost_pkr_per_kwh, fuel_index,
                                            plants.vom_pkr_per_kwh, pk_cpi[:, None])
    generation, _ = supply.merit_order_dispatch(
        need.reshape(k12), available.reshape(k12 + (plants.n,)),
        np.broadcast_to(price, available.shape).reshape(k12 + (plants.n,)), plants.must_run)
    generation = generation.reshape(available.shape)
    terms = x.contract_terms(0)._replace(**{
        name: _per_month(getattr(lv, lever)[tks]) for name, lever in _LEVER_OF_TERM.items()})
    capacity = supply.capacity_payments_bn(
        plants, supply.month_prices_pkr_per_kw_month(plants, rates, terms), generation,
        available, terms.active, terms.take_and_pay)
    energy = supply.energy_payments_bn(generation, price)
    fuel = supply.fuel_cost_bn(plants, generation, fuel_index)
    bought = losses.delivered_gwh(generation.sum(axis=-1), x.transmission_loss)
    nonfuel = capacity.sum(axis=-1) + energy.sum(axis=-1) - fuel \
        + costs.transmission_bn(x.tariff.transmission_pkr_per_kwh, pk_cpi, bought)
    # back to calendar months (January first) on the second axis: (paths, 12)
    units, allowed, fuel_bn, nonfuel_bn = (np.zeros((n_paths, 12)) for _ in range(4))
    units[:, months - 1] = bought.T
    allowed[:, months - 1] = by_month(allowed_loss).T
    fuel_bn[:, months - 1] = fuel.T
    nonfuel_bn[:, months - 1] = nonfuel.T
    return references_from_projection(
        sales_by_class_gwh, units, allowed, fuel_bn, nonfuel_bn,
        x.tariff.distribution_margin_pkr_per_kwh * pk_cpi, x.classes.dm_share)
