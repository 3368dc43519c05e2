"""Compile a scenario's SEZ zones into the load and terms the month reads (docs/model.md §15).

Part of :mod:`circdebt.engine.compile`, which re-exports these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.model.sez import Zone, zone_loads_gwh, zone_loss_multiplier
from circdebt.model.vectors import time_first
from circdebt.scenario.schema import Scenario, Sez
from circdebt.timeline import Timeline
from circdebt.units import PERCENT


@dataclass(frozen=True)
class SezTerms:
    """SEZ load and the SEZ consumer's terms (docs/model.md §15)."""

    load_gwh: np.ndarray  # (paths, T) before any captive switch
    loss_multiplier: np.ndarray  # (paths, T)
    captive_lcoe_usc_per_kwh: np.ndarray  # (T,) or (T, paths)
    captive_margin: float | np.ndarray  # [fraction]
    captive_speed: float | np.ndarray  # [fraction per month]
    captive_max_share: float | np.ndarray  # [fraction]
    taxes_share: float | np.ndarray  # [fraction]


def realisation_weights(sez: Sez, n_paths: int) -> np.ndarray:
    """How much of each zone materialises on each path. [1], (paths, zones).

    ``expected`` weights each zone by its probability, ``all`` by 1, ``none`` by 0.
    (Monte Carlo runs draw 0 or 1 per zone and path instead.)
    """
    n = len(sez.zones)
    if sez.realisation == "all":
        w = np.ones(n)
    elif sez.realisation == "none":
        w = np.zeros(n)
    else:
        w = np.array([z.probability_pct / PERCENT for z in sez.zones])
    return np.broadcast_to(w, (n_paths, n)).copy()


def sez_zones(sez: Sez, timeline: Timeline) -> list[Zone]:
    """The scenario's SEZ zones as load parameters."""
    return [Zone(timeline.index_of(z.start), z.ramp_months, z.peak_load_mw,
                 np.asarray(z.load_factor_pct) / PERCENT, z.loss_multiplier)
            for z in sez.zones]


def sez_load(sez: Sez, timeline: Timeline,
             weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The SEZ class's load before any captive switch and its loss multiplier, each
    month: [GWh], [1], (paths, T) each. ``weights`` (paths, zones) say how much of each
    zone materialises on each path."""
    zones = sez_zones(sez, timeline)
    loads = zone_loads_gwh(zones, timeline.hours, weights)
    shape = (weights.shape[0], timeline.n_months)
    load = np.zeros(shape)
    for zone_load in loads:
        load += zone_load
    return load, zone_loss_multiplier(loads, zones, sez.loss_multiplier, shape)


def sez_terms(scenario: Scenario, timeline: Timeline, weights: np.ndarray) -> SezTerms:
    """SEZ load by month and the SEZ consumer's terms."""
    sez = scenario.sez
    load, loss_multiplier = sez_load(sez, timeline, weights)
    captive = sez.captive
    months = np.arange(timeline.n_months)
    lcoe = time_first(np.asarray(captive.lcoe_usc_per_kwh)[..., None] * (
        1 + np.asarray(captive.lcoe_change_pct_per_year)[..., None] / PERCENT) ** (months / 12))
    return SezTerms(
        load_gwh=load,
        loss_multiplier=loss_multiplier,
        captive_lcoe_usc_per_kwh=lcoe,
        captive_margin=captive.switching_margin_pct / PERCENT,
        captive_speed=captive.switch_speed_pct_per_month / PERCENT,
        captive_max_share=captive.max_share_pct / PERCENT,
        taxes_share=sez.taxes_pct / PERCENT,
    )
