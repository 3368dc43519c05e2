"""Every time-varying input checked over the whole horizon, after policies (docs/model.md §21).

The schema checks the numbers a scenario is written with; this module checks where they
go. A loss rate of 30% growing 5% a year passes the schema and crosses 100% in 2049; a
GDP shrinking 99.99% a year starts above the floor and ends at a few rupees; a Monte Carlo
path can draw a loss rate and a class multiplier that are each plausible and together
lose more than all the power bought. Each check walks the monthly path a run would use
and reports the first month outside the key's physical range, with the key path that
drives it. :func:`horizon_problems` runs when a scenario is read (deterministic values)
and for every chunk of a batch (drawn values and shocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from circdebt.engine.compile import timeline_of
from circdebt.engine.levers import Levers, base_levers, consumer_classes, creditor_names
from circdebt.engine.policies import apply_policies
from circdebt.engine.series import series_path
from circdebt.errors import Problem
from circdebt.model.exogenous import ExogenousPaths
from circdebt.model.vectors import time_first
from circdebt.scenario.fields import Range
from circdebt.scenario.ranges import marked
from circdebt.scenario.schema import Scenario
from circdebt.scenario.series import SeriesSpec
from circdebt.timeline import Timeline
from circdebt.units import PERCENT

#: The share a lever is, after policies (fractions: 0..1; messages show percents).
SHARE = Range(0.0, 1.0, "a share")
SHARE_TEXT = "a share in percent, in [0, 100]"
LOSS = Range(0.0, 1.0, "a loss rate", high_open=True)
LOSS_TEXT = "a loss rate in percent of units purchased, in [0, 100)"
#: Losses times the largest class or zone multiplier stay below this share: above it a
#: sector would lose almost everything it buys (docs/model.md §21).
MAX_EFFECTIVE_LOSS = 0.95


def _where(tl: Timeline, bad: np.ndarray) -> str:
    """'2031-07' (or '2031-07 on row 3') for the first True of a (T,) or (T, rows) mask."""
    first = np.argwhere(bad)[0]
    month = tl.labels[int(first[0])]
    return month if bad.ndim == 1 or bad.shape[1] == 1 else f"{month} on row {int(first[1])}"


def _outside(tl: Timeline, values: np.ndarray, rule: Range) -> tuple[float, str] | None:
    """(first value outside ``rule``, where) over a (T, ...) array, or None."""
    bad = ~rule.holds(values)
    if not bad.any():
        return None
    first = tuple(np.argwhere(bad)[0])
    return float(values[first]), _where(tl, bad.reshape(len(bad), -1).any(axis=1)
                                        if bad.ndim > 2 else bad)


def _problem(file: str, key: str, expected: str, found: tuple[float, str], policies: bool,
             scale: float = 1.0, why: str = "") -> Problem:
    value, where = found
    after = " after policies" if policies else ""
    return Problem(file, key, f"{expected}, in every month of the horizon{after}",
                   f"{value * scale:g} in {where}", why)


def _growth(spec: Any) -> str:
    if isinstance(spec, SeriesSpec) and spec.growth_pct_per_year:
        return f"growth_pct_per_year = {spec.growth_pct_per_year:g} takes it there"
    return ""


def series_problems(s: Scenario, tl: Timeline, file: str) -> Iterator[Problem]:
    """Each series with a physical range, month by month over the horizon."""
    for key, spec, rule in marked(s, Range):
        if spec is None:
            continue
        found = _outside(tl, time_first(series_path(spec, tl)), rule)
        if found is not None:
            yield _problem(file, key, rule.text(), found, False, why=_growth(spec))


def _lever_keys(s: Scenario) -> dict[str, Callable[[int], str]]:
    """Levers that are shares, with the key path behind item i of their last axis."""
    creditors = creditor_names(s)
    n_classes = len(s.demand.classes)

    def per_class(field: str, sez_field: str) -> Callable[[int], str]:
        return lambda i: (f"demand.classes[{i}].{field}" if i < n_classes
                          else f"sez.{sez_field}")

    return {
        "recovery": per_class("recovery_pct", "recovery_pct"),
        "billed_share": per_class("billed_pct_of_determined", "recovery_pct"),
        "pass_through": lambda i: "tariff.pass_through_pct",
        "subsidy_payment": lambda i: "subsidy.payment_pct",
        "self_consumption": lambda i: "demand.rooftop_solar.self_consumption_pct",
        "usd_converted": lambda i: f"supply.plants[{i}] (ipp_renegotiation conversion)",
        "lps_waiver": lambda i: f"debt.lps.{creditors[i]}.waiver_pct",
    }


def lever_problems(s: Scenario, levers: Levers, tl: Timeline, file: str) -> Iterator[Problem]:
    """Shares stay shares and losses stay below what would leave nothing to sell."""
    policies = bool(s.policies)
    per_item = {"recovery", "billed_share", "usd_converted", "lps_waiver"}
    for attr, key_of in _lever_keys(s).items():
        values = np.asarray(getattr(levers, attr), dtype=float)
        bad = ~SHARE.holds(values)
        if not bad.any():
            continue
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        item = first[-1] if attr in per_item else 0
        month_bad = bad.reshape(len(bad), -1).any(axis=1)
        yield _problem(file, key_of(item), SHARE_TEXT,
                       (float(values[first]), _where(tl, month_bad)), policies, scale=PERCENT)
    worst = np.max(np.stack(np.broadcast_arrays(
        *[np.asarray(c.loss_multiplier, dtype=float) for c in consumer_classes(s)],
        *[np.asarray(z.loss_multiplier, dtype=float) for z in s.sez.zones
          if z.loss_multiplier is not None]), axis=-1), axis=-1)
    for attr, key in (("loss_actual", "losses.actual_pct"), ("loss_allowed", "losses.allowed_pct")):
        loss = np.asarray(getattr(levers, attr), dtype=float)
        found = _outside(tl, loss, LOSS)
        if found is not None:
            yield _problem(file, key, LOSS_TEXT, found, policies, scale=PERCENT,
                           why=_growth(getattr(s.losses, attr.replace("loss_", "") + "_pct")))
            continue
        if loss.ndim == 1 and np.ndim(worst) == 1:  # drawn multipliers, fixed losses
            loss = loss[:, None]
        loss, effective = np.broadcast_arrays(loss, loss * worst)
        bad = effective >= MAX_EFFECTIVE_LOSS
        if bad.any():
            first = tuple(np.argwhere(bad)[0])
            after = " after policies" if policies else ""
            multiplier = float(effective[first] / loss[first])
            yield Problem(
                file, key, "a loss rate that, times the largest class or zone "
                f"loss_multiplier, stays below {MAX_EFFECTIVE_LOSS * PERCENT:g}% in every "
                f"month of the horizon{after}",
                f"{loss[first] * PERCENT:g}% x {multiplier:g} = "
                f"{effective[first] * PERCENT:g}% in "
                f"{_where(tl, np.asarray(bad.reshape(len(bad), -1).any(axis=1)))}",
                _growth(getattr(s.losses, attr.replace("loss_", "") + "_pct")))


def shock_problems(exo: ExogenousPaths, s: Scenario, tl: Timeline, file: str
                   ) -> Iterator[Problem]:
    """Exogenous paths after Monte Carlo shocks stay in their keys' ranges."""
    ranges = {key: rule for key, _, rule in marked(s, Range)}
    for key, values, scale in (
            ("exogenous.fx_pkr_per_usd", exo.fx_pkr_per_usd, 1.0),
            ("exogenous.kibor_pct", exo.kibor, PERCENT),
            ("exogenous.sofr_pct", exo.sofr, PERCENT),
            ("exogenous.gdp_bn_pkr_per_year", exo.gdp_bn_pkr_per_year, 1.0)):
        rule = ranges.get(key)
        if rule is None:
            continue
        found = _outside(tl, time_first(np.asarray(values) * scale), rule)
        if found is not None:
            yield _problem(file, key, rule.text(), found, False,
                           why="reached by the exogenous.shocks drawn for this path")


def horizon_problems(s: Scenario, file: str, levers: Levers | None = None,
                     exo: ExogenousPaths | None = None) -> list[Problem]:
    """Every time-varying input of ``s`` outside its physical range in some month, one
    problem per key path (the first month). ``levers`` and ``exo`` are the compiled ones
    where a run has them (after policies, draws and shocks); by default the scenario's."""
    tl = timeline_of(s)
    if levers is None:
        levers = apply_policies(base_levers(s, tl), s, tl)
    found: dict[str, Problem] = {}
    checks = [series_problems(s, tl, file), lever_problems(s, levers, tl, file)]
    if exo is not None:
        checks.append(shock_problems(exo, s, tl, file))
    for check in checks:
        for problem in check:
            found.setdefault(problem.key_path, problem)
    return list(found.values())
