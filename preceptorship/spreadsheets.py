"""The one rule for every CSV and Excel (.xlsx) file the product writes: no cell runs as a formula.

A spreadsheet runs a cell whose text starts with =, +, - or @ (and one that starts with a tab or a
line break that it drops first) as a formula, so a name such as ``=HYPERLINK("http://x","y")``
typed into a form would become a live link or command in the file a lead opens. Following OWASP's
"CSV injection" advice such a text is written with a single quote in front, which spreadsheets
show as text; real numbers (``-3`` as a number) stay numbers. In an Excel file the cell is also
stored as text, never as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may hold it: a text that would run as a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """Undo ``safe_cell`` when the product reads back a file it wrote (a framework's CSV)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose rows go through ``safe_cell``."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)


def xlsx_append(sheet: Any, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every text stored as text (never a formula).
    Characters an Excel file cannot hold (control characters other than tab and line breaks) are
    left out rather than failing the whole file."""
    sheet.append([safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
                  for value in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
