"""Bulk import of staff from an HR (ESR-style) export, as CSV or Excel (.xlsx).

1. ``staff_import_upload`` stores the file and checks every row (in the background for big files):
   the preview lists who will be created, who updated (and what changes), the teams that will be
   added and every row's errors. Checking writes nothing but the import's own record.
2. ``staff_import_apply`` saves the whole file in one transaction, or nothing if any row is wrong
   (the file is checked again inside the transaction). Importing the same file again changes
   nothing: only differences are written and existing roles are kept.
3. New people are sent an invitation e-mail with a link to set their password (Django's
   password-reset tokens), after the import has committed.

Checking and saving use a fixed number of queries whatever the number of rows (lookups of all
organisations, teams, professions, people and roles at once; bulk creates and updates).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from preceptorship import access, audit, jobs, services
from preceptorship.models import Membership, Organisation, Profession, StaffImport, Team, User

Role = Membership.Role
logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
BACKGROUND_ROWS = 500  # files with more rows are checked and saved by a Celery task
# The tasks' hard time limits (seconds). An import still being checked or imported
# jobs.stale_after(the longer) after it was queued is marked failed when next read.
CHECK_TIME_LIMIT = 600
APPLY_TIME_LIMIT = 900
WORKING = (StaffImport.Status.CHECKING, StaffImport.Status.IMPORTING)
PROGRESS_EVERY = 500
ERRORS_SHOWN = 200
# A row about an account the importer may not change says only this: nothing about whose it is.
ADDRESS_REFUSED = "This address cannot be used in this import; ask an administrator"
OWN_ROW_REFUSED = "This is your own account: nobody can change their own roles or details in an import"

# Column headings accepted (lower case, spaces and punctuation folded); the first is the template's.
COLUMNS: dict[str, list[str]] = {
    "email": ["email", "e-mail", "email address", "e-mail address", "work email"],
    "first_name": ["first name", "forename", "first forename", "given name"],
    "last_name": ["last name", "surname", "family name"],
    "organisation": ["organisation", "organization", "employer"],
    "team": ["team", "service", "organisation unit", "org unit", "department"],
    "profession": ["profession", "staff group", "occupation"],
    "job_title": ["job title", "position title", "role title"],
    "band": ["band", "band or range", "band/range", "range", "pay band", "grade"],
    "registration_number": ["registration number", "professional registration number", "registration"],
    "first_registered_on": ["registration date", "date first registered", "first registered"],
    "started_in_post_on": ["start date", "date started in post", "assignment start date", "started"],
    "roles": ["roles", "role"],
}
REQUIRED = ["email", "first_name", "last_name", "organisation"]
USER_FIELDS = ["first_name", "last_name", "profession_id", "job_title", "band", "registration_number",
               "first_registered_on", "started_in_post_on"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y"]


_NOT_WORD = re.compile(r"[^a-z0-9/]+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


@functools.lru_cache(maxsize=4096)
def _fold(text: Any) -> str:
    """Lower case, punctuation and runs of spaces folded, for matching names typed differently."""
    return _NOT_WORD.sub(" ", str(text or "").strip().lower()).strip()


HEADINGS = {_fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
TEMPLATE_HEADINGS = ["E-mail", "First name", "Last name", "Organisation", "Team", "Profession", "Job title",
                     "Band", "Registration number", "Registration date", "Start date", "Roles"]


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, no heading row, too big)."""


# Reading the file.


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows as {field: text} keyed by our field names; raises ImportFileError for unreadable files."""
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
    header, *body = table
    keys = [HEADINGS.get(_fold(heading)) for heading in header]
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


# Checking.


@dataclass
class Plan:
    """What an import would do: new and changed people, new teams and roles, and every row's errors."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # {"row", "email", "changes": {field: [old, new]}}
    unchanged: int = 0
    teams: list[tuple[int, str]] = field(default_factory=list)  # (organisation id, name) to create
    roles: list[dict[str, Any]] = field(default_factory=list)  # memberships to create
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "email", "messages": [...]}
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    def preview(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "creates": len(self.creates),
            "updates": len(self.updates),
            "unchanged": self.unchanged,
            "new_roles": len(self.roles),
            "new_teams": sorted({name for _, name in self.teams}),
            "errors": self.errors[:ERRORS_SHOWN],
            "error_rows": len(self.errors),
            "create_sample": [{"row": c["row"], "email": c["email"], "name": f"{c['first_name']} {c['last_name']}"}
                              for c in self.creates[:ERRORS_SHOWN]],
            "update_sample": self.updates[:ERRORS_SHOWN],
        }


def _parse_date(text: str) -> datetime.date | None:
    for pattern, order in ((_UK_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            year, month, day = (int(parts[i]) for i in order)
            return datetime.date(year, month, day)  # ValueError for 31/02
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def allowed_organisations(user: Any) -> dict[str, Organisation]:
    """Organisations the user may import into, by folded name and slug."""
    if access.is_administrator(user):
        organisations = Organisation.objects.all()
    else:
        organisations = Organisation.objects.filter(pk__in=access.organisation_ids(user, Role.PROGRAMME_LEAD))
    found: dict[str, Organisation] = {}
    for organisation in organisations:
        found[_fold(organisation.name)] = organisation
        found[_fold(organisation.slug)] = organisation
    return found


def may_import(user: Any) -> bool:
    return access.is_administrator(user) or access.has_role(user, Role.PROGRAMME_LEAD)


_ROLE_NAMES = {_fold(label): str(value) for value, label in Role.choices} | {
    _fold(value): str(value) for value in Role.values
}
_ROLE_LABELS = {str(value): str(label) for value, label in Role.choices}


def _role_values(text: str, grantable: set[str]) -> tuple[list[str], list[str]]:
    labels = _ROLE_NAMES
    roles, problems = [], []
    for part in re.split(r"[;,|]", text or ""):
        if not part.strip():
            continue
        value = labels.get(_fold(part))
        if value is None:
            problems.append(f"“{part.strip()}” is not a role (for example Practitioner, Mentor, Line manager)")
        elif value not in grantable:
            problems.append(f"You cannot give the role {_ROLE_LABELS[value]}: only an administrator can")
        elif value not in roles:
            roles.append(value)
    return roles or [Role.PRACTITIONER], problems


def check(user: Any, rows: list[dict[str, str]], *, progress: Any = None) -> Plan:
    """Check every row against the directory (a fixed number of queries) and plan the changes."""
    plan = Plan(rows=len(rows))
    organisations = allowed_organisations(user)
    administrator = services.grants_every_role(user)
    grantable = {str(v) for v in (Role.values if administrator else services.LEAD_GRANTS)}
    professions: dict[str, Profession] = {}
    for profession in Profession.objects.all():
        professions[_fold(profession.name)] = profession
        professions[_fold(profession.slug)] = profession
    org_ids = {organisation.pk for organisation in organisations.values()}
    teams = {
        (team.organisation_id, _fold(team.name)): team for team in Team.objects.filter(organisation_id__in=org_ids)
    }
    emails = [row.get("email", "").strip().lower() for row in rows]
    people = {user.email: user for user in User.objects.filter(email__in=[e for e in emails if e])}
    memberships = {
        (m.user_id, m.organisation_id, m.role, m.team_id)
        for m in Membership.objects.filter(user_id__in=[u.pk for u in people.values()])
    }
    employers: dict[int, set[int]] = {}
    for user_id, organisation_id, _role, _team in memberships:
        employers.setdefault(user_id, set()).add(organisation_id)
    seen: dict[str, int] = {}
    new_teams: dict[tuple[int, str], str] = {}
    for number, row in enumerate(rows, start=2):  # row 1 holds the headings
        if progress and (number - 1) % PROGRESS_EVERY == 0:
            progress(number - 1)
        messages: list[str] = []
        email = row.get("email", "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            messages.append("Enter a valid e-mail address" if email else "The e-mail address is missing")
        if email and email in seen:
            messages.append(f"The same e-mail address is on row {seen[email]}")
        seen.setdefault(email, number)
        for key, label in (("first_name", "first name"), ("last_name", "last name")):
            if not row.get(key):
                messages.append(f"The {label} is missing")
            elif len(row[key]) > 150:
                messages.append(f"The {label} must be 150 characters or fewer")
        organisation = organisations.get(_fold(row.get("organisation")))
        if not row.get("organisation"):
            messages.append("The organisation is missing")
        elif organisation is None:
            messages.append(f"“{row['organisation']}” is not an organisation you can import staff into")
        profession = None
        if row.get("profession"):
            profession = professions.get(_fold(row["profession"]))
            if profession is None:
                messages.append(f"“{row['profession']}” is not a profession we know")
        dates: dict[str, datetime.date | None] = {}
        for key, label in (("first_registered_on", "registration date"), ("started_in_post_on", "start date")):
            dates[key] = None
            if row.get(key):
                try:
                    dates[key] = _parse_date(row[key])
                except ValueError:
                    messages.append(f"The {label} “{row[key]}” is not a date (use 15/03/2025 or 2025-03-15)")
        for key, label, limit in (("job_title", "job title", 200), ("band", "band", 50),
                                  ("registration_number", "registration number", 50), ("team", "team", 200)):
            if len(row.get(key, "")) > limit:
                messages.append(f"The {label} must be {limit} characters or fewer")
        roles, role_problems = _role_values(row.get("roles", ""), grantable)
        messages += role_problems
        existing = people.get(email)
        works_at = employers.get(existing.pk, set()) if existing else set()
        if email and email == user.email:
            messages.append(OWN_ROW_REFUSED)
        elif existing is not None and not administrator and (
                existing.is_superuser or existing.is_staff or not works_at & org_ids):
            # Administrators' and staff accounts, and accounts of no organisation the importer
            # leads, are never changed by a lead's import, and the preview tells nothing about them.
            messages.append(ADDRESS_REFUSED)
        elif organisation is not None:
            for role in roles:
                refusal = services.role_change_refusal(actor=user, user=existing, organisation_id=organisation.pk,
                                                       role=role, user_organisation_ids=works_at)
                if refusal and refusal not in messages:
                    messages.append(refusal)
        if messages:
            plan.errors.append({"row": number, "email": email, "messages": messages})
            continue
        team = None
        team_name = row.get("team", "").strip()
        if team_name:
            team = teams.get((organisation.pk, _fold(team_name)))
            if team is None:
                new_teams.setdefault((organisation.pk, _fold(team_name)), team_name)
        values = {
            "first_name": row["first_name"], "last_name": row["last_name"],
            "profession_id": profession.pk if profession else None,
            "job_title": row.get("job_title", ""), "band": row.get("band", ""),
            "registration_number": row.get("registration_number", ""), **dates,
        }
        if existing is None:
            plan.creates.append({"row": number, "email": email, **values})
        else:
            changes = {
                name: [_jsonable(getattr(existing, name)), _jsonable(value)]
                for name, value in values.items()
                if (value not in ("", None) or name in ("first_name", "last_name")) and getattr(existing, name) != value
            }
            if changes:
                plan.updates.append({"row": number, "email": email, "changes": changes})
            else:
                plan.unchanged += 1
        user_id = existing.pk if existing else None
        for role in roles:
            key = (user_id, organisation.pk, role, team.pk if team else None)
            if user_id is None or key not in memberships:
                plan.roles.append({"email": email, "organisation_id": organisation.pk, "role": role,
                                   "team": (organisation.pk, _fold(team_name)) if team_name else None})
    plan.teams = [(org_id, name) for (org_id, _), name in new_teams.items()]
    if progress:
        progress(len(rows))
    return plan


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


# The services.


def staff_import_upload(*, actor: Any, upload: UploadedFile, site_url: str = "") -> StaffImport:
    """Store the file and check it (now for small files, in the background for big ones)."""
    if not may_import(actor):
        raise PermissionDenied("Only a programme lead or an administrator can import staff.")
    content = upload.read()
    try:
        rows = read_rows(upload.name or "", content)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from error
    staff_import = StaffImport(uploaded_by=actor, original_filename=Path(upload.name or "staff.csv").name[:255],
                               total_rows=len(rows), site_url=site_url or settings.SITE_URL,
                               step="Waiting to check the rows")
    staff_import.file.save(staff_import.original_filename, ContentFile(content), save=False)
    staff_import.save()
    audit.record(actor=actor, action="staff_import.upload", obj=staff_import,
                 summary=f"Uploaded {staff_import.original_filename} ({len(rows)} rows)")
    if len(rows) > BACKGROUND_ROWS:
        transaction.on_commit(lambda: check_staff_import.delay(staff_import.pk), robust=True)
    else:
        try:
            staff_import_check(staff_import_id=staff_import.pk)
        except Exception:
            # Recorded on the import, whose page now says it failed.
            logger.exception("Checking staff import %s failed", staff_import.pk)
        staff_import.refresh_from_db()
    return staff_import


def staff_imports_fail_stale(staff_imports: Any) -> int:
    """Mark failed the imports of ``staff_imports`` (a queryset) whose task was lost (see
    preceptorship.jobs)."""
    return jobs.fail_stale(staff_imports, waiting=WORKING, time_limit=APPLY_TIME_LIMIT, step="")


def staff_import_fail_if_stale(staff_import: StaffImport) -> StaffImport:
    """The same for one import already read, when its page or status is shown."""
    jobs.fail_if_stale(staff_import, waiting=WORKING, time_limit=APPLY_TIME_LIMIT, step="")
    return staff_import


def _progress(staff_import_id: int, step: str) -> Any:
    def report(done: int) -> None:
        StaffImport.objects.filter(pk=staff_import_id).update(processed_rows=done, step=step)

    return report


def _rows_of(staff_import: StaffImport) -> list[dict[str, str]]:
    with staff_import.file.open("rb") as handle:
        return read_rows(staff_import.original_filename, handle.read())


def staff_import_check(*, staff_import_id: int) -> StaffImport:
    """Check every row and store the preview. Writes nothing but the import's own record."""
    staff_import = StaffImport.objects.select_related("uploaded_by").get(pk=staff_import_id)
    if staff_import.status != StaffImport.Status.CHECKING:
        return staff_import
    try:
        plan = check(staff_import.uploaded_by, _rows_of(staff_import),
                     progress=_progress(staff_import.pk, "Checking the rows"))
    except Exception as error:
        jobs.record_failure(StaffImport.objects.filter(pk=staff_import.pk), error, step="")
        raise
    staff_import.preview = plan.preview()
    staff_import.status = StaffImport.Status.READY if plan.valid else StaffImport.Status.INVALID
    staff_import.step = ""
    staff_import.processed_rows = plan.rows
    staff_import.save(update_fields=["preview", "status", "step", "processed_rows", "updated_at"])
    return staff_import


def may_try_again(staff_import: StaffImport) -> bool:
    """A failed import whose rows were checked without errors can be imported again as it is (a
    failed import saved nothing; the rows are checked again inside the import)."""
    preview = staff_import.preview or {}
    return (staff_import.status == StaffImport.Status.FAILED and "rows" in preview
            and not preview.get("error_rows"))


def staff_import_start(*, actor: Any, staff_import: StaffImport) -> StaffImport:
    """Queue the import of a checked file (the person who uploaded it confirms), or of one whose
    import failed (``may_try_again``)."""
    with transaction.atomic():
        locked = StaffImport.objects.select_for_update().get(pk=staff_import.pk)
        if locked.uploaded_by_id != actor.pk:
            raise PermissionDenied("Only the person who uploaded the file can import it.")
        again = may_try_again(locked)
        if locked.status != StaffImport.Status.READY and not again:
            raise ValidationError({"__all__": "This file cannot be imported: it has errors or was already imported."})
        locked.status = StaffImport.Status.IMPORTING
        locked.step = "Waiting to start"
        locked.processed_rows = 0
        locked.error = ""
        locked.finished_at = None
        locked.save(update_fields=["status", "step", "processed_rows", "error", "finished_at", "updated_at"])
        audit.record(actor=actor, action="staff_import.start", obj=locked,
                     summary=f"{'Started importing again' if again else 'Started importing'} {locked}")
        transaction.on_commit(lambda: apply_staff_import.delay(locked.pk), robust=True)
    return locked


def staff_import_apply(*, staff_import_id: int) -> StaffImport:
    """Save the whole file in one transaction, or nothing. Checked again first, inside the transaction."""
    staff_import = StaffImport.objects.select_related("uploaded_by").get(pk=staff_import_id)
    if staff_import.status != StaffImport.Status.IMPORTING:
        return staff_import
    actor = staff_import.uploaded_by
    rows = _rows_of(staff_import)
    StaffImport.objects.filter(pk=staff_import.pk).update(step="Checking the rows again", processed_rows=0)
    created_ids: list[int] = []
    try:
        with transaction.atomic():
            plan = check(actor, rows)
            if not plan.valid:
                StaffImport.objects.filter(pk=staff_import.pk).update(
                    status=StaffImport.Status.INVALID, preview=plan.preview(), step="",
                )
                return StaffImport.objects.get(pk=staff_import.pk)
            created_ids = _save(plan, actor)
            audit.record(
                actor=actor, action="staff_import.apply", obj=staff_import,
                summary=(f"Imported {staff_import.original_filename}: {len(plan.creates)} created, "
                         f"{len(plan.updates)} updated, {len(plan.roles)} roles added"),
                after={"created": len(plan.creates), "updated": len(plan.updates), "roles": len(plan.roles),
                       "teams": len(plan.teams)},
            )
            StaffImport.objects.filter(pk=staff_import.pk).update(
                status=StaffImport.Status.DONE, preview={**plan.preview(), "invited": 0},
                processed_rows=len(rows), step="Sending invitations" if created_ids else "",
                finished_at=timezone.now(),
            )
    except Exception as error:
        jobs.record_failure(StaffImport.objects.filter(pk=staff_import.pk), error, step="")
        raise
    if created_ids:
        # The invitations go out after the import, in their own task, with their own progress.
        invite_staff.delay(staff_import.pk, created_ids)
    return StaffImport.objects.get(pk=staff_import.pk)


def _save(plan: Plan, actor: Any) -> list[int]:
    """Bulk writes: new teams, new people (unusable passwords), changed fields, new roles (given
    through ``services.memberships_grant_many``, under the same rules and audit as any grant)."""
    for organisation_id, name in plan.teams:
        Team.objects.get_or_create(organisation_id=organisation_id, name=name)
    team_ids = {
        (team.organisation_id, _fold(team.name)): team.pk
        for team in Team.objects.filter(organisation_id__in={role["organisation_id"] for role in plan.roles})
    }
    new_users = []
    for create in plan.creates:
        user = User(email=create["email"], **{name: create[name] for name in USER_FIELDS}, is_active=True)
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=1000)
    emails = {c["email"] for c in plan.creates} | {u["email"] for u in plan.updates} | {r["email"] for r in plan.roles}
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    changed: list[User] = []
    fields: set[str] = set()
    for update in plan.updates:
        user = people[update["email"]]
        for name, (_, new) in update["changes"].items():
            setattr(user, name, datetime.date.fromisoformat(new) if name.endswith("_on") and new else new)
            fields.add(name)
        changed.append(user)
    if changed:
        User.objects.bulk_update(changed, sorted(fields), batch_size=1000)
    organisations = Organisation.objects.in_bulk({role["organisation_id"] for role in plan.roles})
    services.memberships_grant_many(actor=actor, memberships=[
        Membership(user=people[role["email"]], organisation=organisations[role["organisation_id"]], role=role["role"],
                   team_id=team_ids.get(role["team"]) if role["team"] else None)
        for role in plan.roles
    ])
    return [people[create["email"]].pk for create in plan.creates]


def invitation_link(user: User, site_url: str, pattern: str | None = None) -> str:
    """The set-password link (Django's password-reset token); ``pattern`` saves a reverse per person."""
    pattern = pattern or reverse("password_reset_confirm", args=["UIDB64", "TOKEN"])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{site_url.rstrip('/')}{pattern.replace('UIDB64', uid).replace('TOKEN', token)}"


def send_invitations(*, staff_import_id: int, user_ids: list[int]) -> int:
    """E-mail each new person a link to set their password; progress written as it goes."""
    staff_import = StaffImport.objects.get(pk=staff_import_id)
    site = staff_import.site_url or settings.SITE_URL
    pattern = reverse("password_reset_confirm", args=["UIDB64", "TOKEN"])
    sent = 0
    connection = get_connection()
    batch: list[EmailMessage] = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk").iterator(chunk_size=500):
        body = (
            f"Hello {user.first_name},\n\n"
            "You have been added to Preceptorship, where you will find your preceptorship programme, "
            "review meetings, goals and reflections.\n\n"
            f"Set your password here (the link works for {settings.PASSWORD_RESET_TIMEOUT // 86400} days):\n"
            f"{invitation_link(user, site, pattern)}\n\n"
            f"Then sign in with your e-mail address, {user.email}.\n"
        )
        batch.append(EmailMessage("Set your password for Preceptorship", body, to=[user.email],
                                  connection=connection))
        if len(batch) >= 100:
            sent += connection.send_messages(batch) or 0
            batch = []
            StaffImport.objects.filter(pk=staff_import_id).update(step=f"Sending invitations ({sent} sent)")
    if batch:
        sent += connection.send_messages(batch) or 0
    preview = {**staff_import.preview, "invited": sent}
    StaffImport.objects.filter(pk=staff_import_id).update(step="", preview=preview)
    return sent


@shared_task(time_limit=CHECK_TIME_LIMIT, soft_time_limit=CHECK_TIME_LIMIT - 60)
def check_staff_import(staff_import_id: int) -> str:
    return staff_import_check(staff_import_id=staff_import_id).status


@shared_task(time_limit=APPLY_TIME_LIMIT, soft_time_limit=APPLY_TIME_LIMIT - 60)
def apply_staff_import(staff_import_id: int) -> str:
    return staff_import_apply(staff_import_id=staff_import_id).status


@shared_task(time_limit=1800, soft_time_limit=1740)
def invite_staff(staff_import_id: int, user_ids: list[int]) -> int:
    return send_invitations(staff_import_id=staff_import_id, user_ids=user_ids)
