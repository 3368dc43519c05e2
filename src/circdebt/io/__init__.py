"""Files: the only layer that reads users' files and writes outputs.

:mod:`circdebt.io.reading` reads scenarios (TOML, ``extends``, ``--set``, validation);
:mod:`circdebt.io.writing` writes outputs atomically into folders it may write into;
:mod:`circdebt.io.folders` decides which files those are, and locks a folder while a
command writes it; :mod:`circdebt.io.checkpoint` reads and writes sweep checkpoints;
:mod:`circdebt.io.exports` writes tables as CSV, Parquet or Excel;
:mod:`circdebt.io.chromium` prints an HTML page to PDF. The names below are re-exported
here and imported on first use, so importing one submodule stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_READING = ("MAX_EXTENDS_DEPTH", "MAX_FILE_BYTES", "MAX_NESTING", "apply_overrides",
            "load_scenario", "merge_tables", "parse_override", "read_toml",
            "resolve_extends", "scenario_files", "too_deep", "validate_scenario_data")
_WRITING = ("OutputError", "append_own_file", "atomic_write_bytes", "atomic_write_text",
            "csv_text", "remove_own_file", "run_json_text", "table_records",
            "write_output_set", "write_own_file", "write_run_outputs")
_FOLDERS = ("OUTPUT_FILES", "OutputFolder", "check_output_folder", "claim_output_folder",
            "default_folder", "is_circdebt_output")
_DUMP = ("scenario_dict", "scenario_hash", "scenario_toml")
_EXPORTS = {name: "circdebt.io.reading" for name in _READING} | {
    name: "circdebt.io.writing" for name in _WRITING} | {
    name: "circdebt.io.folders" for name in _FOLDERS} | {
    name: "circdebt.scenario.dump" for name in _DUMP}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a re-exported name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'circdebt.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
