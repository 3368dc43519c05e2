"""Which fiscal case a scenario is (docs/model.md §18): the one authority for its label.

A projection of the circular debt rests on what the budget does. A scenario says which
case it is (``fiscal_case``) and, in its own words, what it assumes
(``fiscal_assumptions``); ``run``, ``compare`` and the report show both.
"""

from __future__ import annotations

from typing import Literal

#: The fiscal cases a scenario may declare.
FiscalCase = Literal["current_policy", "no_further_action"]

#: How each case is named in tables and reports.
LABELS: dict[str, str] = {
    "current_policy": "current policy",
    "no_further_action": "no further action",
}


def fiscal_label(case: str | None) -> str:
    """The case's name for a table ("not stated" when a scenario declares none)."""
    return LABELS.get(case or "", "not stated")


def fiscal_line(case: str | None, assumptions: str) -> str:
    """One line for a run's output: the case and what it assumes."""
    label = fiscal_label(case)
    return f"Fiscal case: {label}" + (f". {assumptions}" if assumptions else "")
