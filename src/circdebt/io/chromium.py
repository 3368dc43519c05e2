"""Printing an HTML page to PDF with headless Chromium (an external program).

Reads ``CIRCDEBT_CHROMIUM`` and ``PATH`` to find it and runs it in a temporary profile
that touches nothing outside it; the PDF is written atomically.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from circdebt.io.writing import atomic_write_bytes

#: Executables tried, in order, by :func:`find_chromium` (``CIRCDEBT_CHROMIUM`` first).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Flags for a headless run that touches nothing outside its own temporary profile.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--no-default-browser-check")


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome executable, or ``None``."""
    override = os.environ.get("CIRCDEBT_CHROMIUM")
    if override:
        return shutil.which(override)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf_chromium(html_path: Path, pdf_path: Path, chromium: str,
                         timeout: float = 180.0) -> None:
    """Print an HTML file to PDF with headless Chromium (written atomically)."""
    with tempfile.TemporaryDirectory(prefix="circdebt-chromium-") as tmp:
        out = Path(tmp) / "report.pdf"
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
               "--no-pdf-header-footer", f"--print-to-pdf={out}",
               Path(html_path).resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{chromium} could not print the report to PDF (exit "
                               f"{done.returncode}): {' / '.join(tail)}")
        atomic_write_bytes(Path(pdf_path), out.read_bytes())
