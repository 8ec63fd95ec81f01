"""Applying the retention schedule (schedule.py, docs/data-protection.md).

``retention_find`` lists, kind by kind, what is past its date as of a day; ``retention_run`` records
a ``RetentionRun`` and, unless it is a dry run, anonymises or deletes exactly what was found:

- a record the figures count (an enrolment, a progression case) stays, with the person taken out
  (a nameless stand-in keeps only their profession) and its free text deleted or blanked;
- free text that counts for nothing (needs assessments, notifications) and files are deleted;
- a leaver's account is anonymised in place, so the records kept still add up; their skills
  passports (a running record of their own, counted by no figure) are deleted with it.

A real run claims itself first: at most one real run at a time (a database constraint) and one
nightly run a day (its ``claim``), so two beat fires, or a fire and a retry, never act twice.
What has been done is not found again (a second run finds nothing).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership, Notification, StaffImport, User
from programmes.models import Enrolment, ExportJob, NeedsAssessment
from programmes.privacy import schedule
from programmes.privacy.models import RetentionRun, SubjectAccessExport
from programmes.privacy.services.common import (
    REMOVED_DOMAIN,
    anonymise_account,
    delete_file_on_commit,
    names_of,
    record,
    stand_in,
    strip_case,
    strip_enrolment,
)
from progression.models import EvidencePack, ProgressionCase, SkillsPassport

logger = logging.getLogger(__name__)

# The nightly task's hard time limit (seconds); a real run still "running" this long after it
# started was lost with its worker and no longer holds the claim.
RETENTION_TIME_LIMIT = 1800
# Cases that are over: confirmed, declined, or withdrawn when opened by mistake.
FINAL_STAGES = (ProgressionCase.Stage.CONFIRMED, ProgressionCase.Stage.DECLINED, ProgressionCase.Stage.WITHDRAWN)
ENDED = (Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN)
# Each kind of the run's report, in order, with the schedule's kind whose period applies.
REPORTED = {
    "enrolments": "enrolments",
    "needs_assessments": "needs_assessments",
    "progression_cases": "progression_cases",
    "notifications": "notifications",
    "staff_import_files": "files",
    "export_files": "files",
    "evidence_packs": "files",
    "subject_access_exports": "subject_access_exports",
    # A passport is in use while its worker is here: it goes when they are anonymised as a leaver.
    "skills_passports": "leavers",
    "leavers": "leavers",
}
LABELS = {
    "enrolments": "Ended enrolments: the person taken out, free text deleted",
    "needs_assessments": "Needs assessments deleted",
    "progression_cases": "Decided progression cases: the person taken out, evidence and letters deleted",
    "notifications": "Notifications deleted",
    "staff_import_files": "Staff import files deleted",
    "export_files": "List export files deleted",
    "evidence_packs": "Evidence packs deleted",
    "subject_access_exports": "Subject access export files deleted",
    "skills_passports": "Leavers' skills passports deleted, with their skills and verification",
    "leavers": "Leavers' accounts anonymised",
}


def _ended_by(cutoff: datetime.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}status": Enrolment.Status.COMPLETED, f"{prefix}completed_on__lte": cutoff})
            | Q(**{f"{prefix}status": Enrolment.Status.WITHDRAWN, f"{prefix}withdrawn_on__lte": cutoff}))


def _ids(queryset: models.QuerySet) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def leavers(cutoff: datetime.date) -> models.QuerySet:
    """Inactive accounts with no role left, nothing open, whose leaving date (from the staff record)
    is on or before ``cutoff``; without one, whose last sign of them (signing in, the account made,
    an audited step by them or about them, a change to their account in the admin) is: the last of
    these stands for the leaving date."""
    by_them = AuditEntry.objects.filter(actor_id=OuterRef("pk")).order_by("-at").values("at")[:1]
    # Their roles taken away (entries about them) and their account changed, in the log or the admin.
    about_them = AuditEntry.objects.filter(
        Q(subject_id=OuterRef("pk"))
        | Q(object_type=User._meta.label_lower, object_id=Cast(OuterRef("pk"), output_field=CharField())),
    ).order_by("-at").values("at")[:1]
    in_the_admin = LogEntry.objects.filter(
        content_type__app_label=User._meta.app_label, content_type__model=User._meta.model_name,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    ).order_by("-action_time").values("action_time")[:1]
    return (
        User.objects.filter(is_active=False)
        .exclude(email__endswith=f"@{REMOVED_DOMAIN}")
        .exclude(Exists(Membership.objects.filter(user_id=OuterRef("pk"))))
        .exclude(Exists(Enrolment.objects.filter(preceptee_id=OuterRef("pk"), status__in=Enrolment.CURRENT)))
        .exclude(Exists(ProgressionCase.objects.filter(practitioner_id=OuterRef("pk")).exclude(stage__in=FINAL_STAGES)))
        .annotate(left_at=Greatest(
            Coalesce(F("last_login"), F("date_joined")),
            Coalesce(Subquery(by_them), F("date_joined")),
            Coalesce(Subquery(about_them), F("date_joined")),
            Coalesce(Subquery(in_the_admin), F("date_joined")),
        ))
        .filter(Q(left_on__lte=cutoff) | Q(left_on__isnull=True, left_at__date__lte=cutoff))
    )


def retention_find(*, today: datetime.date) -> dict[str, list[int]]:
    """The ids of everything past its date on ``today``, by reported kind."""
    cutoffs = {kind: period.before(today) for kind, period in schedule.periods().items()}
    files = cutoffs["files"]
    return {
        "enrolments": _ids(Enrolment.objects.filter(_ended_by(cutoffs["enrolments"]))
                           .exclude(preceptee__email__endswith=f"@{REMOVED_DOMAIN}")),
        "needs_assessments": _ids(
            NeedsAssessment.objects.filter(_ended_by(cutoffs["needs_assessments"], "enrolment__"))),
        "progression_cases": _ids(ProgressionCase.objects.filter(
            stage__in=FINAL_STAGES, stage_changed_at__date__lte=cutoffs["progression_cases"],
        ).exclude(practitioner__email__endswith=f"@{REMOVED_DOMAIN}")),
        "notifications": _ids(Notification.objects.filter(created_at__date__lte=cutoffs["notifications"])),
        "staff_import_files": _ids(StaffImport.objects.filter(created_at__date__lte=files).exclude(file="")),
        "export_files": _ids(ExportJob.objects.filter(created_at__date__lte=files).exclude(file="")),
        "evidence_packs": _ids(EvidencePack.objects.filter(created_at__date__lte=files)),
        "subject_access_exports": _ids(SubjectAccessExport.objects.filter(
            created_at__date__lte=cutoffs["subject_access_exports"]).exclude(file="")),
        "skills_passports": _ids(SkillsPassport.objects.filter(
            Q(worker__in=leavers(cutoffs["leavers"]).values("pk")) | Q(worker__email__endswith=f"@{REMOVED_DOMAIN}"))),
        "leavers": _ids(leavers(cutoffs["leavers"])),
    }


def _apply(kind: str, ids: list[int]) -> None:
    """Anonymise or delete the rows of one kind (each row locked and handled in the run's transaction)."""
    if kind == "enrolments":
        for enrolment in Enrolment.objects.select_for_update().select_related("preceptee").filter(pk__in=ids):
            strip_enrolment(enrolment, preceptee=stand_in(enrolment.preceptee))
    elif kind == "needs_assessments":
        NeedsAssessment.objects.filter(pk__in=ids).delete()
    elif kind == "progression_cases":
        for case in ProgressionCase.objects.select_for_update().select_related("practitioner").filter(pk__in=ids):
            strip_case(case, names=names_of(case.practitioner), practitioner=stand_in(case.practitioner))
    elif kind == "notifications":
        Notification.objects.filter(pk__in=ids).delete()
    elif kind == "staff_import_files":
        for staff_import in StaffImport.objects.select_for_update().filter(pk__in=ids):
            delete_file_on_commit(staff_import.file.name)
        # The preview holds the file's rows (names, e-mails): it goes with the file.
        StaffImport.objects.filter(pk__in=ids).update(file="", preview={})
    elif kind == "export_files":
        for job in ExportJob.objects.select_for_update().filter(pk__in=ids):
            delete_file_on_commit(job.file.name)
        ExportJob.objects.filter(pk__in=ids).update(file="")
    elif kind == "evidence_packs":
        for pack in EvidencePack.objects.select_for_update().filter(pk__in=ids):
            delete_file_on_commit(pack.file.name if pack.file else "")
        EvidencePack.objects.filter(pk__in=ids).delete()
    elif kind == "subject_access_exports":
        for export in SubjectAccessExport.objects.select_for_update().filter(pk__in=ids):
            delete_file_on_commit(export.file.name)
        SubjectAccessExport.objects.filter(pk__in=ids).update(file="", status=SubjectAccessExport.Status.EXPIRED)
    elif kind == "skills_passports":
        SkillsPassport.objects.filter(pk__in=ids).delete()  # their skills go with them (cascade)
    elif kind == "leavers":
        for person in User.objects.select_for_update().filter(pk__in=ids):
            anonymise_account(person)
    else:
        raise ValueError(f"Unknown kind of record {kind!r}")


def _release_lost_runs(now: datetime.datetime) -> None:
    RetentionRun.objects.filter(
        dry_run=False, status=RetentionRun.Status.RUNNING,
        started_at__lt=now - datetime.timedelta(seconds=RETENTION_TIME_LIMIT),
    ).update(status=RetentionRun.Status.FAILED, error="WorkerLost", finished_at=now)


def retention_run(*, dry_run: bool, trigger: str, actor: Any = None, claim: str = "") -> RetentionRun | None:
    """One pass of the schedule, recorded. Returns None when the run could not claim itself
    (another real run is going on, or this ``claim`` has already run)."""
    now = timezone.now()
    today = timezone.localdate(now)
    started_by = actor if getattr(actor, "is_authenticated", False) else None
    if not dry_run:
        _release_lost_runs(now)
    try:
        with transaction.atomic():
            run = RetentionRun.objects.create(started_at=now, dry_run=dry_run, trigger=trigger[:100],
                                              started_by=started_by, claim=claim, as_of=today)
    except IntegrityError:
        logger.info("Retention run not started: %s", "already claimed" if claim else "another run is going on")
        return None
    try:
        if dry_run:
            found = retention_find(today=today)
        else:
            with transaction.atomic():
                # Found and acted on in one transaction, each row locked as it is acted on.
                found = retention_find(today=today)
                for kind, ids in found.items():
                    if ids:
                        _apply(kind, ids)
                record(actor=started_by, action="privacy.retention_applied", obj=run,
                       summary=f"Applied the retention schedule ({trigger[:100]}): "
                               f"{sum(len(ids) for ids in found.values())} records",
                       after={kind: len(ids) for kind, ids in found.items()})
        RetentionRun.objects.filter(pk=run.pk).update(
            status=RetentionRun.Status.DONE, finished_at=timezone.now(),
            counts={kind: len(ids) for kind, ids in found.items()}, ids=found,
        )
    except Exception as error:
        RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.FAILED, finished_at=timezone.now(),
                                                      error=error.__class__.__name__)
        raise
    run.refresh_from_db()
    return run
