"""Reading a staff file (CSV or Excel) into rows keyed by the accepted column headings.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import logging
import re
from pathlib import Path
from typing import Any

from preceptorship.models import Membership

Role = Membership.Role
logger = logging.getLogger(__name__)


MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# Column headings accepted (lower case, spaces and punctuation folded); the first is the template's.
# The others are how an electronic staff record (ESR) report or a council's HR system (iTrent, SAP,
# Oracle) names the same column; docs/staff-import.md lists them.
COLUMNS: dict[str, list[str]] = {
    "email": ["email", "e-mail", "email address", "e-mail address", "work email", "work email address",
              "work e-mail address", "primary email address", "nhsmail address"],
    "first_name": ["first name", "forename", "first forename", "forenames", "given name"],
    "last_name": ["last name", "surname", "family name"],
    "organisation": ["organisation", "organization", "employer", "organisation name", "employing organisation",
                     "employer name"],
    "team": ["team", "service", "organisation unit", "org unit", "department", "team name", "service area"],
    "profession": ["profession", "staff group", "occupation", "professional group", "profession group"],
    "job_title": ["job title", "position title", "role title", "post title", "position name", "job role"],
    "band": ["band", "band or range", "band/range", "range", "pay band", "grade", "pay grade", "pay scale"],
    "registration_number": ["registration number", "professional registration number", "registration",
                            "professional registration", "hcpc number", "hcpc registration number",
                            "swe registration number", "nmc pin"],
    "employee_number": ["employee number", "employee no", "assignment number", "staff number", "payroll number",
                        "employee id", "person number", "personnel number"],
    "first_registered_on": ["registration date", "date first registered", "first registered",
                            "professional registration date", "date of first registration"],
    "started_in_post_on": ["start date", "date started in post", "assignment start date", "started",
                           "employment start date", "date joined", "position start date", "start date in post"],
    "left_on": ["leaving date", "date left", "termination date", "end date", "assignment end date",
                "employment end date", "date of leaving"],
    "roles": ["roles", "role", "preceptorship role", "roles in preceptorship"],
}
REQUIRED = ["email", "first_name", "last_name", "organisation"]
USER_FIELDS = ["first_name", "last_name", "profession_id", "job_title", "band", "registration_number",
               "employee_number", "first_registered_on", "started_in_post_on", "left_on"]


_NOT_WORD = re.compile(r"[^a-z0-9/]+")


@functools.lru_cache(maxsize=4096)
def fold(text: Any) -> str:
    """Lower case, punctuation and runs of spaces folded, for matching names typed differently."""
    return _NOT_WORD.sub(" ", str(text or "").strip().lower()).strip()


HEADINGS = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
TEMPLATE_HEADINGS = ["E-mail", "First name", "Last name", "Organisation", "Team", "Profession", "Job title",
                     "Band", "Registration number", "Employee number", "Registration date", "Start date",
                     "Roles"]


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, no heading row, too big)."""


# Reading the file.


def read_table(name: str, content: bytes) -> list[list[Any]]:
    """A CSV or Excel (.xlsx) file's first sheet as rows of cells, the heading row first; raises
    ImportFileError for a file that cannot be read, is empty or is too big."""
    suffix = Path(name).suffix.lower()
    if len(content) > MAX_BYTES:
        raise ImportFileError("The file must be smaller than 5 MB")
    if suffix == ".csv":
        table = _csv_table(content)
    elif suffix == ".xlsx":
        table = _xlsx_table(content)
    else:
        raise ImportFileError("The file must be a CSV or an Excel (.xlsx) file")
    if not table:
        raise ImportFileError("The file is empty")
    return table


def cell_text(value: Any) -> str:
    """A cell as text: dates as ISO dates, whole numbers without ".0"."""
    return _text(value)


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows as {field: text} keyed by our field names; raises ImportFileError for unreadable files."""
    header, *body = read_table(name, content)
    keys = [HEADINGS.get(fold(heading)) for heading in header]
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in keys]
    if missing:
        raise ImportFileError(
            "The first row must name the columns; these are missing: " + ", ".join(missing)
        )
    rows = []
    for values in body:
        if not any(str(v or "").strip() for v in values):
            continue
        rows.append({key: _text(value) for key, value in zip(keys, values, strict=False) if key})
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    return rows


def _text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def _csv_table(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("The file's text could not be read: save it as CSV UTF-8")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise ImportFileError("The file is not a valid CSV file") from error


def _xlsx_table(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    not_valid = "The file is not a valid Excel (.xlsx) file: save it again from Excel as a workbook"
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a damaged zip or part fails in many ways inside openpyxl
        raise ImportFileError(not_valid) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no worksheet (only charts): put the staff on a worksheet")
        too_many = f"The file has more than {MAX_ROWS:,} rows: split it into smaller files"
        table, filled = [], 0
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True)):
            values = list(row)
            filled += any(str(value or "").strip() for value in values)
            # The heading row and MAX_ROWS rows at most; empty (formatted) rows count only here.
            if filled > MAX_ROWS + 1 or number > 10 * MAX_ROWS:
                raise ImportFileError(too_many)
            table.append(values)
        return table
    except ImportFileError:
        raise
    except Exception as error:  # a damaged worksheet is only read here, row by row
        raise ImportFileError(not_valid) from error
    finally:
        workbook.close()
