"""Text that may reach a terminal: the one authority (docs/reliability.md, "What reaches
the terminal").

A scenario's free text (its description, policy and target names, sources, benchmark
countries), its keys, file names and ``--set`` values are the user's. Written to a
terminal raw, some characters act instead of showing: ESC starts an escape sequence
(one clears the screen), BEL rings, CR and backspace overwrite what was printed, C1
codes are escape sequences of their own, and the bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069) reorder what follows so it reads differently from what
it is. :data:`UNSAFE` is that set. The schema refuses them in free-text fields
(:mod:`circdebt.scenario.fields`); everything the command line writes goes through
:func:`terminal_text`, which shows any that remain as visible escapes (``\\x1b``).
"""

from __future__ import annotations

import re

#: Characters that act on a terminal rather than show: C0 controls but tab and line
#: feed, DEL, C1 controls, the bidirectional marks, embeddings, overrides and isolates,
#: and the Unicode line and paragraph separators.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
#: The same, and tab and line feed too: for text that must stay on one line.
UNSAFE_ON_ONE_LINE = re.compile(f"[\t\n{UNSAFE.pattern[1:-1]}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: object, one_line: bool = False) -> str:
    """``text`` safe to write to a terminal: each character of :data:`UNSAFE` (with
    ``one_line``, tabs and line feeds too) replaced by its visible escape, ``\\x1b`` or
    ``\\u202e``. Everything else, Urdu and other scripts included, is kept."""
    return (UNSAFE_ON_ONE_LINE if one_line else UNSAFE).sub(_visible, str(text))


def first_unsafe(text: str) -> tuple[int, str] | None:
    """The position and visible escape of the first :data:`UNSAFE` character of
    ``text`` (a carriage return directly before a line feed is a line end, and
    allowed), or None."""
    for match in UNSAFE.finditer(text):
        if match.group() == "\r" and text[match.end():match.end() + 1] == "\n":
            continue
        return match.start(), _visible(match)
    return None
