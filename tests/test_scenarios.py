"""Every shipped scenario matches its saved reference run, month by month (to 1e-9).

The reference files are in ``tests/reference/scenarios/``; ``tests/reference/runs.py``
says what they hold and how to regenerate them. A commit that changes one says why.
"""

import pandas as pd
import pytest
from reference.runs import (
    ANALYSES,
    differences,
    extra_runs,
    reference_path,
    run_summary,
    scenario_files,
)

SCENARIO_FILES = scenario_files()


def test_every_shipped_scenario_has_a_reference_run():
    assert len(SCENARIO_FILES) >= 20
    missing = [str(p) for p in SCENARIO_FILES if not reference_path(p).is_file()]
    assert not missing, f"no reference run for {missing}: python -m tests.reference.regenerate"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_matches_its_reference_run(path):
    expected = pd.read_csv(reference_path(path))
    problems = differences(expected, run_summary(path))
    assert not problems, f"{path.name} moved from its reference run:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(extra_runs()))
def test_analysis_matches_its_reference_run(name):
    """The baseline's Monte Carlo paths and its event-driven run are pinned too."""
    table = extra_runs()[name]()
    expected = pd.read_csv(ANALYSES / f"{name}.csv")
    problems = differences(expected, table, key=table.columns[0])
    assert not problems, f"{name} moved from its reference run:\n" + "\n".join(problems)
