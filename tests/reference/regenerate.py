"""Regenerate the reference runs: ``python -m tests.reference.regenerate [NAME-PART ...]``.

Prints, for each scenario, whether its reference changed and the first differences, so
the commit that changes a reference can say why.
"""

from __future__ import annotations

import sys

import pandas as pd

from tests.reference.runs import (
    ANALYSES,
    SCENARIOS,
    differences,
    extra_runs,
    reference_path,
    run_summary,
    scenario_files,
)


def main(filters: list[str]) -> int:
    for path in scenario_files():
        if filters and not any(f in str(path) for f in filters):
            continue
        target = reference_path(path)
        table = run_summary(path)
        if target.is_file():
            changes = differences(pd.read_csv(target), table)
            status = "unchanged" if not changes else f"changed ({len(changes)} columns)"
        else:
            changes, status = [], "new"
        print(f"{path.relative_to(SCENARIOS)}: {status}")
        for line in changes[:8]:
            print(f"    {line}")
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(target, index=False, lineterminator="\n")
    for name, make in extra_runs().items():
        if filters and not any(f in name for f in filters):
            continue
        target = ANALYSES / f"{name}.csv"
        table = make()
        old = pd.read_csv(target) if target.is_file() else None
        changes = differences(old, table, key=table.columns[0]) if old is not None else []
        status = "new" if old is None else ("unchanged" if not changes else "changed")
        print(f"{name}: {status}")
        for line in changes[:8]:
            print(f"    {line}")
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(target, index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
