"""Demand: consumer classes, seasonality, price response and rooftop solar (MODEL.md §5).

Arrays are (paths, classes); class parameters are (classes,) and broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.model.sez import sez_class
from circdebt.model.vectors import stack_last
from circdebt.scenario.schema import ConsumerClass, Demand, Scenario


@dataclass(frozen=True)
class ClassArrays:
    """Consumer-class parameters as arrays over classes (fractions, not percents)."""

    names: list[str]
    base_sales_gwh_per_month: np.ndarray
    growth_per_year: np.ndarray
    seasonal_by_month: np.ndarray  # (12, classes), Jan..Dec, mean 1
    price_elasticity: np.ndarray
    tariff_multiplier: np.ndarray
    billed_share: np.ndarray  # share of the notified class tariff the consumer pays
    recovery: np.ndarray
    solar_share: np.ndarray  # share of self-consumed rooftop solar hosted by the class
    loss_multiplier: np.ndarray  # the class's loss rate relative to the system loss
    dm_share: np.ndarray  # share of the distribution margin charged on its sales
    recovery_elasticity: np.ndarray  # recovery falls as the real tariff rises


def consumer_classes(scenario: Scenario) -> list[ConsumerClass]:
    """The scenario's consumer classes, then the class that carries SEZ load."""
    return [*scenario.demand.classes, sez_class(scenario.sez)]


def class_arrays(classes: list[ConsumerClass], demand: Demand) -> ClassArrays:
    """Compile consumer classes into arrays (rooftop shares from ``demand``)."""
    seasonal = []
    for c in classes:
        profile = np.array(c.seasonal_profile if c.seasonal_profile else [1.0] * 12)
        seasonal.append(profile / profile.mean())
    shares = demand.rooftop_solar.class_shares_pct
    return ClassArrays(
        names=[c.name for c in classes],
        base_sales_gwh_per_month=stack_last([c.base_sales_gwh_per_year / 12.0 for c in classes]),
        growth_per_year=stack_last([c.growth_pct_per_year / 100.0 for c in classes]),
        seasonal_by_month=np.array(seasonal).T,
        price_elasticity=stack_last([c.price_elasticity for c in classes]),
        tariff_multiplier=stack_last([c.tariff_multiplier for c in classes]),
        billed_share=stack_last([c.billed_pct_of_determined / 100.0 for c in classes]),
        recovery=stack_last([c.recovery_pct / 100.0 for c in classes]),
        solar_share=stack_last([shares.get(c.name, 0.0) / 100.0 for c in classes]),
        loss_multiplier=stack_last([c.loss_multiplier for c in classes]),
        dm_share=stack_last([c.distribution_margin_pct / 100.0 for c in classes]),
        recovery_elasticity=stack_last([getattr(c, "recovery_elasticity", 0.0)
                                        for c in classes]),
    )


def underlying_sales_gwh(classes: ClassArrays, t: int, calendar_month: int) -> np.ndarray:
    """Sales before price response and solar. [GWh], (classes,).

    base / 12 x (1 + growth) ** (t / 12) x seasonal factor of the calendar month.
    """
    trend = (1.0 + classes.growth_per_year) ** (t / 12.0)
    return classes.base_sales_gwh_per_month * trend * classes.seasonal_by_month[calendar_month - 1]


def price_response(
    smoothed_real_tariff: np.ndarray, reference_real_tariff: np.ndarray, elasticity: np.ndarray,
) -> np.ndarray:
    """Constant-elasticity demand factor (smoothed real tariff / reference) ** elasticity.

    Tariffs are CPI-deflated and averaged over the past 12 months (MODEL.md §5). [1]
    """
    ratio = np.divide(smoothed_real_tariff, reference_real_tariff,
                      out=np.ones_like(smoothed_real_tariff), where=reference_real_tariff > 0)
    return np.power(np.maximum(ratio, 1e-9), elasticity)


def solar_energy_gwh(capacity_mw: np.ndarray, capacity_factor: float, hours: float) -> np.ndarray:
    """Rooftop solar generation this month. [GWh], (paths,)."""
    return capacity_mw * capacity_factor * hours / 1e3


def solar_additions_mw(
    additions_mw_per_year: float, tariff_to_solar_ratio: np.ndarray,
    reference_ratio: np.ndarray, defection_elasticity: float,
) -> np.ndarray:
    """Rooftop capacity added this month. [MW], (paths,).

    Exogenous additions / 12 scaled by (ratio / reference ratio) ** elasticity, where the
    ratio is the average grid tariff over the solar levelised cost (grid defection).
    """
    ratio = np.divide(tariff_to_solar_ratio, reference_ratio,
                      out=np.ones_like(tariff_to_solar_ratio), where=reference_ratio > 0)
    return additions_mw_per_year / 12.0 * np.power(np.maximum(ratio, 0.0), defection_elasticity)


def annualised_sales_gwh(sales_gwh: np.ndarray, seasonal: np.ndarray) -> np.ndarray:
    """A year of sales by class, projected from the months observed without seasonal bias.

    Each class's observed sales over its seasonal factors for those months, times 12:
    sum_t S_c,t / sum_t f_c(m_t) x 12 (equal to the plain sum when 12 whole months are
    observed). ``sales_gwh`` is (months, paths, classes), ``seasonal`` (months,
    classes). [GWh], (paths, classes).
    """
    factors = seasonal.sum(axis=0)
    return np.divide(sales_gwh.sum(axis=0) * 12.0, factors,
                     out=np.zeros(sales_gwh.shape[1:]), where=factors > 0)
