"""Bulk import of staff from an HR (ESR-style) export, as CSV or Excel (.xlsx).

1. ``staff_import_upload`` stores the file and checks every row (in the background for big files):
   the preview lists who will be created, who updated (and what changes), the teams that will be
   added and every row's errors. Checking writes nothing but the import's own record.
2. ``staff_import_apply`` saves the whole file in one transaction, or nothing if any row is wrong
   (the file is checked again inside the transaction). Importing the same file again changes
   nothing: only differences are written and existing roles are kept.
3. ``staff_records_apply`` saves records another system sends (the integration API) the same way,
   matched by employee number first.
4. New people are sent an invitation e-mail with a link to set their password (Django's
   password-reset tokens), after the import has committed.

Checking and saving use a fixed number of queries whatever the number of rows (lookups of all
organisations, teams, professions, people and roles at once; bulk creates and updates).

Modules: ``reading`` (the file into rows), ``checking`` (the plan and every row's errors),
``jobs`` (the services and tasks). Callers use ``preceptorship.imports.<name>``.
"""

from preceptorship.imports.checking import (
    ADDRESS_REFUSED,
    DATE_FORMATS,
    ERRORS_SHOWN,
    OWN_ROW_REFUSED,
    PROGRESS_EVERY,
    Plan,
    allowed_organisations,
    check,
)
from preceptorship.imports.jobs import (
    APPLY_TIME_LIMIT,
    BACKGROUND_ROWS,
    CHECK_TIME_LIMIT,
    WORKING,
    apply_staff_import,
    check_staff_import,
    invitation_link,
    invite_staff,
    may_try_again,
    send_invitations,
    staff_import_apply,
    staff_import_check,
    staff_import_fail_if_stale,
    staff_import_start,
    staff_import_upload,
    staff_imports_fail_stale,
    staff_records_apply,
)
from preceptorship.imports.reading import (
    COLUMNS,
    HEADINGS,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    TEMPLATE_HEADINGS,
    USER_FIELDS,
    ImportFileError,
    fold,
    read_rows,
)

__all__ = [
    "COLUMNS",
    "ADDRESS_REFUSED",
    "APPLY_TIME_LIMIT",
    "BACKGROUND_ROWS",
    "CHECK_TIME_LIMIT",
    "DATE_FORMATS",
    "ERRORS_SHOWN",
    "HEADINGS",
    "ImportFileError",
    "MAX_BYTES",
    "MAX_ROWS",
    "OWN_ROW_REFUSED",
    "PROGRESS_EVERY",
    "Plan",
    "REQUIRED",
    "TEMPLATE_HEADINGS",
    "USER_FIELDS",
    "WORKING",
    "allowed_organisations",
    "apply_staff_import",
    "check",
    "check_staff_import",
    "fold",
    "invitation_link",
    "invite_staff",
    "may_try_again",
    "read_rows",
    "send_invitations",
    "staff_import_apply",
    "staff_import_check",
    "staff_import_fail_if_stale",
    "staff_import_start",
    "staff_import_upload",
    "staff_imports_fail_stale",
    "staff_records_apply",
]
