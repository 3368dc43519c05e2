"""Error types that carry what a user needs to fix their input.

Every problem with a scenario is a :class:`Problem` (file, key path, what was expected,
what was found, an optional suggestion). :class:`ScenarioError` carries all problems of
a file at once, so a user fixes them in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from circdebt.text import terminal_text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by file and key path."""

    file: str
    key_path: str
    expected: str
    found: str = ""
    suggestion: str = ""

    def __str__(self) -> str:
        """One line, safe for a terminal: the user's file names, keys and values may hold
        control characters, shown as escapes (:func:`circdebt.text.terminal_text`)."""
        where = f"{self.file}: {self.key_path}" if self.key_path else self.file
        text = f"{where}: {self.expected}"
        if self.found:
            text += f" (found {self.found})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return terminal_text(text, one_line=True)

    @property
    def is_option(self) -> bool:
        """Whether the problem is with a command-line option (``--fy``) or an
        environment variable (``CIRCDEBT_MAX_MEMORY_GB``) rather than a scenario."""
        return self.file.startswith("-") or (self.file.isupper() and "." not in self.file)

    @property
    def is_scenario(self) -> bool:
        """Whether the problem is with a scenario, not with an option, an argument of the
        Python API (``seed``, ``overrides``) or a file of a results folder."""
        return not (self.is_option or self.file in API_ARGUMENTS
                    or self.file.endswith(RESULT_FILE_SUFFIXES))


#: Arguments of the Python API that are not a scenario (their problems name them).
API_ARGUMENTS = ("seed", "overrides")
#: The files of a results folder (read back by ``chart``).
RESULT_FILE_SUFFIXES = (".csv", ".json", ".parquet", ".xlsx")


class CircdebtError(Exception):
    """Base class of circdebt's own errors."""


class ScenarioError(CircdebtError, ValueError):
    """A scenario (or other user input) is invalid. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(self.message())

    def message(self) -> str:
        n = len(self.problems)
        head = "1 problem" if n == 1 else f"{n} problems"
        what = "input" if self.problems and not any(p.is_scenario for p in self.problems) \
            else "scenario"
        return f"invalid {what} ({head}):\n" + "\n".join(f"  - {p}" for p in self.problems)


class OutputError(CircdebtError, ValueError):
    """An output folder cannot be used (it is a file, or holds files circdebt did not write)."""


class SimulationError(CircdebtError, ArithmeticError):
    """The engine produced a non-finite value: names the month and the quantity."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""
