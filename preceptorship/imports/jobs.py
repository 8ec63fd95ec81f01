"""The staff import's services and tasks: upload, check, start, apply and the invitations.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from preceptorship import access, audit, jobs, services
from preceptorship.imports.checking import Plan, check
from preceptorship.imports.reading import USER_FIELDS, ImportFileError, fold, read_rows
from preceptorship.models import AuditEntry, Membership, Organisation, StaffImport, Team, User

Role = Membership.Role
logger = logging.getLogger(__name__)


BACKGROUND_ROWS = 500  # files with more rows are checked and saved by a Celery task
# The tasks' hard time limits (seconds). An import still being checked or imported
# jobs.stale_after(the longer) after it was queued is marked failed when next read.
CHECK_TIME_LIMIT = 600
APPLY_TIME_LIMIT = 900
WORKING = (StaffImport.Status.CHECKING, StaffImport.Status.IMPORTING)


# The services.


def staff_import_upload(*, actor: Any, upload: UploadedFile, site_url: str = "") -> StaffImport:
    """Store the file and check it (now for small files, in the background for big ones)."""
    if not access.may_import_staff(actor):
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
        (team.organisation_id, fold(team.name)): team.pk
        for team in Team.objects.filter(organisation_id__in={role["organisation_id"] for role in plan.roles})
    }
    new_users = []
    for create in plan.creates:
        user = User(email=create["email"], **{name: create[name] for name in USER_FIELDS}, is_active=True)
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=1000)
    emails = {c["email"] for c in plan.creates} | {u["email"] for u in plan.updates} | {r["email"] for r in plan.roles}
    # A person matched by employee number is found under the address they had.
    emails |= {u["changes"]["email"][0] for u in plan.updates if "email" in u["changes"]}
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    changed: list[User] = []
    fields: set[str] = set()
    for update in plan.updates:
        user = people[update["changes"].get("email", [update["email"]])[0]]
        for name, (_, new) in update["changes"].items():
            setattr(user, name, datetime.date.fromisoformat(new) if name.endswith("_on") and new else new)
            fields.add(name)
        changed.append(user)
    people.update({user.email: user for user in changed})
    if changed:
        User.objects.bulk_update(changed, sorted(fields), batch_size=1000)
    organisations = Organisation.objects.in_bulk({role["organisation_id"] for role in plan.roles})
    services.memberships_grant_many(actor=actor, memberships=[
        Membership(user=people[role["email"]], organisation=organisations[role["organisation_id"]], role=role["role"],
                   team_id=team_ids.get(role["team"]) if role["team"] else None)
        for role in plan.roles
    ])
    return [people[create["email"]].pk for create in plan.creates]


def staff_records_apply(*, actor: Any, organisation: Organisation, rows: list[dict[str, str]], source: str) -> Plan:
    """Save staff records sent by another system (the integration API) into one organisation, in one
    transaction, or nothing when any row is wrong (the plan's errors say which).

    The same checks and saving as a file's import, as a programme lead of ``organisation`` (the
    actor must hold only that role there), but a record is matched by its employee number first, so
    a changed e-mail address updates that person. ``source`` names the sender in the audit log.
    Sending the same records again writes nothing. No invitation is e-mailed: a new person sets a
    password through "Forgotten your password?"."""
    rows = [{**row, "organisation": organisation.slug} for row in rows]
    with transaction.atomic():
        plan = check(actor, rows, by_employee_number=True)
        if not plan.valid or not (plan.creates or plan.updates or plan.roles):
            return plan
        _save(plan, actor)
        people = {user.email: user for user in User.objects.filter(
            email__in={c["email"] for c in plan.creates} | {u["email"] for u in plan.updates})}
        AuditEntry.objects.bulk_create(
            [audit.entry(actor=actor, action="user.create", obj=people[c["email"]],
                         summary=f"{source} added {c['email']}", after={name: c[name] for name in USER_FIELDS},
                         organisation=organisation)
             for c in plan.creates]
            + [audit.entry(actor=actor, action="user.update", obj=people[u["email"]],
                           summary=f"{source} updated {u['email']}",
                           before={name: old for name, (old, _) in u["changes"].items()},
                           after={name: new for name, (_, new) in u["changes"].items()}, organisation=organisation)
               for u in plan.updates],
            batch_size=1000,
        )
        audit.record(
            actor=actor, action="staff_records.apply", obj=organisation,
            summary=(f"{source} sent {plan.rows} staff records for {organisation}: {len(plan.creates)} created, "
                     f"{len(plan.updates)} updated, {len(plan.roles)} roles added"),
            after={"created": len(plan.creates), "updated": len(plan.updates), "roles": len(plan.roles),
                   "teams": len(plan.teams)},
            organisation=organisation,
        )
    return plan


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


# Task names as before the module became a package, so messages queued across a deploy still run.
@shared_task(name="preceptorship.imports.check_staff_import", time_limit=CHECK_TIME_LIMIT,
             soft_time_limit=CHECK_TIME_LIMIT - 60)
def check_staff_import(staff_import_id: int) -> str:
    return staff_import_check(staff_import_id=staff_import_id).status


@shared_task(name="preceptorship.imports.apply_staff_import", time_limit=APPLY_TIME_LIMIT,
             soft_time_limit=APPLY_TIME_LIMIT - 60)
def apply_staff_import(staff_import_id: int) -> str:
    return staff_import_apply(staff_import_id=staff_import_id).status


@shared_task(name="preceptorship.imports.invite_staff", time_limit=1800, soft_time_limit=1740)
def invite_staff(staff_import_id: int, user_ids: list[int]) -> int:
    return send_invitations(staff_import_id=staff_import_id, user_ids=user_ids)
