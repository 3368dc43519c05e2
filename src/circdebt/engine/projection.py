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


def calendar_months_from(x: Inputs, t: int) -> np.ndarray:
    """The calendar months (1..12) of the twelve months from ``t``, in order."""
    return (int(x.timeline.calendar_month[t]) - 1 + np.arange(MONTHS_PROJECTED)) % 12 + 1


def given_fuel_references(x: Inputs, t: int) -> np.ndarray:
    """The published fuel references the scenario gives for the twelve months from ``t``,
    by calendar month (January first), NaN where it gives none. [Rs/kWh purchased],
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
    tl = x.timeline
    rates = x.month_rates(t)  # the determination month's exchange rate, prices and rates
    pk_cpi = rates.pk_cpi_index
    fuel_index = x.fuel_by_month[t][:, x.fuel_of_group]
    shape = sales_by_class_gwh.shape[:2]
    units, allowed, fuel_bn, nonfuel = (np.zeros(shape) for _ in range(4))
    first = int(tl.calendar_month[t])
    for k in range(MONTHS_PROJECTED):
        month = (first - 1 + k) % 12 + 1
        tk = min(t + k, tl.n_months - 1)
        hours = float(tl.hours[t + k]) if t + k < tl.n_months else \
            24.0 * calendar.monthrange(_COMMON_YEAR, month)[1]
        sales = sales_by_class_gwh[:, month - 1, :]
        need = losses.units_for_sales_gwh(sales, actual_loss)
        plant = supply.dispatch_month(
            x.plants, losses.generation_for_units_gwh(need, x.transmission_loss), fuel_index,
            pk_cpi, month, x.levers.active[tk], hours)
        capacity, energy_by_group = supply.payments_due(x.plants, plant, rates,
                                                        x.contract_terms(tk))
        bought = losses.delivered_gwh(plant.generation_gwh.sum(axis=1), x.transmission_loss)
        fuel = supply.fuel_cost_bn(x.plants, plant.generation_gwh, fuel_index)
        units[:, month - 1] = bought
        allowed[:, month - 1] = losses.units_for_sales_gwh(sales, allowed_loss)
        fuel_bn[:, month - 1] = fuel
        nonfuel[:, month - 1] = capacity.sum(axis=1) + energy_by_group.sum(axis=1) - fuel \
            + costs.transmission_bn(x.tariff.transmission_pkr_per_kwh, pk_cpi, bought)
    return references_from_projection(
        sales_by_class_gwh, units, allowed, fuel_bn, nonfuel,
        x.tariff.distribution_margin_pkr_per_kwh * pk_cpi, x.classes.dm_share)
