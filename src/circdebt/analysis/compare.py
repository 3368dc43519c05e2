"""Putting scenarios side by side: KPIs, differences, attribution and targets.

Pure computation over results and scenarios; the CLI prints and writes what these
functions return. Targets are judged by :mod:`circdebt.analysis.targets`
(``check_targets`` is also importable from here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from circdebt.analysis.montecarlo import DEFAULT_MAX_MEMORY_GB
from circdebt.analysis.targets import check_targets
from circdebt.keypaths import flatten
from circdebt.results.kpis import KPIS, result_kpis
from circdebt.results.result import Result, run_scenario
from circdebt.scenario.dump import scenario_dict, scenario_hash
from circdebt.scenario.fiscal import fiscal_label
from circdebt.scenario.schema import Scenario


def kpis(result: Result, fy: str | None = None) -> dict[str, Any]:
    """Headline numbers of one run (:data:`circdebt.results.kpis.KPIS`); per-kWh KPIs are
    for ``fy`` (default: the last FY)."""
    fy = fy or str(result.annual["fy"].iloc[-1])
    return {"scenario": result.scenario.name, "fy": fy,
            "fiscal_case": fiscal_label(result.scenario.fiscal_case),
            **result_kpis(result.annual, result.monthly, fy)}


@dataclass
class Comparison:
    """Scenarios side by side: KPIs with deltas, stacked annual tables, targets."""

    kpis: pd.DataFrame
    annual: pd.DataFrame
    targets: pd.DataFrame
    results: list[Result]
    baseline: str
    warnings: list[str] = field(default_factory=list)


def _unique_names(results: Sequence[Result]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for r in results:
        n = r.scenario.name
        seen[n] = seen.get(n, 0) + 1
        names.append(n if seen[n] == 1 else f"{n}-{seen[n]}")
    return names


def compare(
    scenarios: Sequence[Scenario | Result], baseline: int = 0, fy: str | None = None,
) -> Comparison:
    """Run (if needed) and compare scenarios; deltas are against ``scenarios[baseline]``."""
    results = [s if isinstance(s, Result) else run_scenario(s) for s in scenarios]
    names = _unique_names(results)
    table = pd.DataFrame([kpis(r, fy) for r in results])
    table["scenario"] = names
    base = table.iloc[baseline]
    for kpi in KPIS:
        table[f"{kpi}_delta"] = table[kpi] - base[kpi]
    annual = pd.concat([r.annual.assign(scenario=n) for r, n in zip(results, names, strict=True)],
                       ignore_index=True)
    annual = annual[["scenario", *[c for c in annual.columns if c != "scenario"]]]
    targets = pd.concat([check_targets(r) for r in results], ignore_index=True)
    warnings = []
    hashes: dict[str, str] = {}
    for r, n in zip(results, names, strict=True):
        h = scenario_hash(r.scenario.model_copy(update={"name": "_", "description": ""}))
        if h in hashes:
            warnings.append(f"{n} and {hashes[h]} resolve to identical inputs")
        hashes.setdefault(h, n)
    return Comparison(table, annual, targets, results, names[baseline], warnings)


def attribute(package: Scenario, baseline: Scenario) -> pd.DataFrame:
    """Split a policy package's effect on the debt into one wedge per policy.

    The package's own policies are those not in the baseline. For each, the package is
    run without it (leave-one-out); its raw effect is the package's CD stock minus that
    run's. Raw effects are rescaled so the wedges add up to the package's total effect
    (package minus baseline); the interaction share is 1 - sum(raw) / total. Returns one
    row per policy and fiscal year (stock at 30 June), plus an ``all`` row per FY.
    """
    base_policies = [p.model_dump() for p in baseline.policies]
    own = [i for i, p in enumerate(package.policies) if p.model_dump() not in base_policies]
    base_stock = run_scenario(baseline).annual.set_index("fy")["cd_stock_bn_pkr"]
    pkg_stock = run_scenario(package).annual.set_index("fy")["cd_stock_bn_pkr"]
    total = pkg_stock - base_stock
    raw = {}
    for i in own:
        without = package.model_copy(update={"policies": [
            p for j, p in enumerate(package.policies) if j != i]})
        raw[i] = pkg_stock - run_scenario(without).annual.set_index("fy")["cd_stock_bn_pkr"]
    fys = list(total.index)
    total_v = total.to_numpy()
    raw_v = {i: effect.to_numpy() for i, effect in raw.items()}
    raw_sum: np.ndarray = np.sum(list(raw_v.values()), axis=0) if raw_v else np.zeros(len(fys))
    scale = np.divide(total_v, raw_sum, out=np.ones(len(fys)), where=np.abs(raw_sum) > 1e-9)
    rows = []
    for i, effect in raw_v.items():
        p = package.policies[i]
        label = p.name or f"{p.type}@{p.start}"
        for j, fy in enumerate(fys):
            rows.append({"policy": label, "type": p.type, "fy": fy,
                         "raw_effect_bn_pkr": effect[j], "wedge_bn_pkr": effect[j] * scale[j],
                         "interaction_share": np.nan})
    for j, fy in enumerate(fys):
        share = 1.0 - raw_sum[j] / total_v[j] if abs(total_v[j]) > 1e-9 else 0.0
        rows.append({"policy": "all", "type": "package", "fy": fy,
                     "raw_effect_bn_pkr": raw_sum[j], "wedge_bn_pkr": total_v[j],
                     "interaction_share": share})
    return pd.DataFrame(rows)


def diff(a: Scenario, b: Scenario) -> pd.DataFrame:
    """Key-by-key differences of two resolved scenarios (missing side shown as None)."""
    fa, fb = flatten(scenario_dict(a)), flatten(scenario_dict(b))
    rows = [{"key": k, "a": fa.get(k, ABSENT), "b": fb.get(k, ABSENT)}
            for k in sorted(set(fa) | set(fb)) if fa.get(k, ABSENT) != fb.get(k, ABSENT)]
    return pd.DataFrame(rows, columns=["key", "a", "b"], dtype=object)


#: Shown by :func:`diff` for a key one scenario does not have.
ABSENT = "(absent)"


#: SEZ cost items reported by :func:`sez_breakdown`, in order.
LEGACY_COMPONENTS = ("legacy_debt_dss", "capacity_idle")


def default_fys(annual: pd.DataFrame) -> list[str]:
    """First, middle and last fiscal year of a run (fewer if the horizon is short)."""
    fys = list(annual["fy"])
    return list(dict.fromkeys([fys[0], fys[len(fys) // 2], fys[-1]]))


def sez_breakdown(results: Sequence[Result], fys: Sequence[str] | None = None) -> pd.DataFrame:
    """What a kWh costs an SEZ manufacturer, by component, per scenario and FY.

    One row per scenario, FY and item. Items: each component of
    :data:`circdebt.sez.COMPONENTS`, ``total``, ``legacy_burden`` (DSS plus idle
    capacity), ``total_pkr_per_kwh`` and, for each benchmark in the scenario,
    ``gap_to_<country>`` (total minus the benchmark). Values in US cents/kWh unless the
    item says otherwise.
    """
    from circdebt.model.sez import COMPONENTS

    rows = []
    for result, name in zip(results, _unique_names(results), strict=True):
        annual = result.annual.set_index("fy")
        chosen = list(fys) if fys else default_fys(result.annual)
        for fy in chosen:
            if fy not in annual.index:
                raise ValueError(f"{fy} is outside the horizon of {name} "
                                 f"({annual.index[0]}..{annual.index[-1]})")
            row = annual.loc[fy]
            total = row["sez_total_usc_per_kwh"]
            items = [(c, row[f"sez_{c}_usc_per_kwh"], "usc_per_kwh") for c in COMPONENTS]
            items += [
                ("total", total, "usc_per_kwh"),
                ("legacy_burden", sum(row[f"sez_{c}_usc_per_kwh"] for c in LEGACY_COMPONENTS),
                 "usc_per_kwh"),
                ("total_pkr_per_kwh", row["sez_cost_pkr_per_kwh"], "pkr_per_kwh"),
                ("sez_load_gwh", row["sez_load_gwh"], "gwh"),
            ]
            items += [(f"gap_to_{b.country.lower().replace(' ', '_')}",
                       total - b.tariff_usc_per_kwh, "usc_per_kwh")
                      for b in result.scenario.sez.benchmarks]
            rows += [{"scenario": name, "fy": fy, "item": item, "unit": unit,
                      "value": float(value)} for item, value, unit in items]  # type: ignore[arg-type]
    return pd.DataFrame(rows, columns=["scenario", "fy", "item", "unit", "value"])


def paired_comparison(scenarios: Sequence[Scenario], baseline: int, paths: int,
                      seed: int, columns: Sequence[str] = ("cd_stock_bn_pkr", "cd_flow_bn_pkr"),
                      max_memory_gb: float = DEFAULT_MAX_MEMORY_GB) -> pd.DataFrame:
    """Monte Carlo differences from the baseline, path by path, with their percentiles.

    Every scenario runs the same ``paths`` with the same ``seed``, so each path draws the
    same inputs and shocks in every scenario (common random numbers) and the difference
    on a path is due to the scenarios alone. One row per scenario, column and FY: mean
    and P5..P95 of (scenario - baseline).
    """
    from circdebt.analysis.montecarlo import paired_differences, run_monte_carlo

    runs = [run_monte_carlo(s, paths, seed, max_memory_gb=max_memory_gb) for s in scenarios]
    names = [s.name if list(x.name for x in scenarios).count(s.name) == 1 else
             f"{s.name}-{i + 1}" for i, s in enumerate(scenarios)]
    frames = []
    for i, (run_, name) in enumerate(zip(runs, names, strict=True)):
        if i == baseline:
            continue
        for column in columns:
            table = paired_differences(runs[baseline], run_, column)
            table = table.drop(columns="variable")
            table.insert(0, "column", column)
            table.insert(0, "scenario", name)
            frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
