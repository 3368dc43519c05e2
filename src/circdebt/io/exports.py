"""Result tables in the formats people open them in: CSV, Parquet and Excel.

Every column's unit comes from :func:`circdebt.units.unit_of` (``data/variables.csv``,
or for columns built per creditor, class or KPI the unit their name ends in). Excel
workbooks hold one sheet per table with the column names in the first row and their
units in the second; Parquet files carry each column's unit in the field metadata (key ``unit``).
"""

from __future__ import annotations

import enum
import io as _io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circdebt.errors import Problem, ScenarioError
from circdebt.io.paths import display_path
from circdebt.units import unit_of

if TYPE_CHECKING:
    import pandas as pd


class TableFormat(enum.StrEnum):
    """How result tables are written (``--format``)."""

    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet (pyarrow), each field's unit in its metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    fields = [f.with_metadata({"unit": unit_of(f.name)}) if unit_of(f.name) else f
              for f in arrow.schema]
    arrow = arrow.cast(pa.schema(fields, metadata=arrow.schema.metadata))
    buffer = _io.BytesIO()
    pq.write_table(arrow, buffer)
    return buffer.getvalue()


def xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """An Excel workbook: one sheet per table (named by its key, at most 31 characters),
    row 1 the column names, row 2 their units, the data from row 3, panes frozen below
    the units and right of the first column. Read back with
    ``pd.read_excel(path, sheet_name=..., skiprows=[1], engine="openpyxl")``."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    buffer = _io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, table in tables.items():
            name = sheet[:31]
            table.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.insert_rows(2)
            for j, column in enumerate(table.columns, start=1):
                unit = unit_of(str(column))
                cell = ws.cell(row=2, column=j, value=f"[{unit}]" if unit else "")
                cell.font = Font(italic=True, color="666666")
                cell.alignment = Alignment(horizontal="center")
                width = max(len(str(column)), len(unit) + 2, 10)
                ws.column_dimensions[get_column_letter(j)].width = min(width + 2, 48)
            ws.freeze_panes = "B3"
    return buffer.getvalue()


def table_payloads(
    tables: Mapping[str, pd.DataFrame], fmt: TableFormat | str = TableFormat.csv,
    workbook: str = "results.xlsx",
) -> dict[str, str | bytes]:
    """Files for :func:`circdebt.io.write_output_set`: ``<name>.csv`` or
    ``<name>.parquet`` per table, or one ``workbook`` with a sheet per table."""
    from circdebt.io import csv_text

    fmt = TableFormat(fmt)
    if fmt is TableFormat.csv:
        return {f"{name}.csv": csv_text(t) for name, t in tables.items()}
    if fmt is TableFormat.parquet:
        return {f"{name}.parquet": parquet_bytes(t) for name, t in tables.items()}
    return {workbook: xlsx_bytes(tables)}


def read_table(result_dir: str | Path, name: str, workbook: str = "results.xlsx"
               ) -> pd.DataFrame | None:
    """Read table ``name`` back from a results folder in whichever format it was
    written (``<name>.csv``, ``<name>.parquet`` or a sheet of ``workbook``); ``None``
    if it is not there. A file that cannot be read as the table circdebt wrote (empty,
    truncated, not a table, unreadable) is refused: :class:`ScenarioError` naming it.
    The file read is ``table.attrs["source"]``."""
    folder = Path(result_dir)
    import pandas as pd

    book = folder / workbook
    for path, read in ((folder / f"{name}.csv", _read_csv),
                       (folder / f"{name}.parquet", pd.read_parquet),
                       (book, lambda p: _read_sheet(p, name))):
        if not path.is_file():
            continue
        try:
            table = read(path)
        except ScenarioError:
            raise
        except Exception as exc:  # whatever the parser says: the file is not a table
            raise _damaged(path, f"{type(exc).__name__}: {exc}") from None
        if table is None:
            return None
        absurd = _absurd_column(table)
        if absurd is not None:
            raise _damaged(path, f"{absurd}: a number no run writes (infinite, or above "
                           f"{MAX_RESULT:g} in size: an edited file?)")
        table.attrs["source"] = str(path)
        return table
    return None


#: No result circdebt writes is this large (the schema bounds inputs at 1e12, and runs
#: of absurd inputs are refused); a larger or infinite number was put there by hand.
MAX_RESULT = 1e15


def _absurd_column(table: pd.DataFrame) -> str | None:
    """The first numeric column holding an infinite or huge number (NaN is a ratio with
    nothing to divide by), or None."""
    import numpy as np

    for column in table.select_dtypes("number").columns:
        values = table[column].to_numpy(dtype=float)
        if (np.abs(values[~np.isnan(values)]) > MAX_RESULT).any():
            return str(column)
    return None


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV table, every row as long as the header (pandas would pad a short row, as a
    truncated file ends in, with empty cells)."""
    import csv

    import pandas as pd

    text = path.read_text("utf-8")
    rows = list(csv.reader(_io.StringIO(text)))
    if not rows or not rows[0]:
        raise _damaged(path, "an empty file")
    if len(rows) < 2:
        raise _damaged(path, "a header and no rows (a truncated file?)")
    short = next((i for i, row in enumerate(rows) if len(row) != len(rows[0])), None)
    if short is not None:
        raise _damaged(path, f"line {short + 1} has {len(rows[short])} of the "
                       f"{len(rows[0])} columns (a truncated or edited file)")
    return pd.read_csv(_io.StringIO(text))


def _read_sheet(path: Path, name: str) -> pd.DataFrame | None:
    import pandas as pd

    if name not in pd.ExcelFile(path, engine="openpyxl").sheet_names:
        return None
    return pd.read_excel(path, sheet_name=name, skiprows=[1], engine="openpyxl")


def _damaged(path: Path, found: str) -> ScenarioError:
    return ScenarioError([Problem(display_path(path), "", "a table written by 'circdebt run'",
                                  found[:200])])


def read_run_json(result_dir: str | Path) -> dict[str, Any]:
    """A results folder's ``run.json``: a JSON object, else :class:`ScenarioError` naming
    the file (truncated, not JSON, not an object, unreadable)."""
    path = Path(result_dir) / "run.json"
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ScenarioError([Problem(display_path(path), "", "the run.json written by "
                                     "'circdebt run'", f"{type(exc).__name__}: {exc}"[:200])]) \
            from None
    if not isinstance(meta, dict):
        raise ScenarioError([Problem(display_path(path), "", "the run.json written by "
                                     "'circdebt run' (a JSON object)", type(meta).__name__)])
    return meta
