"""Subject access exports: everything the product holds about one person, as one zip.

``export_request`` records the request (audited) and queues ``export_build``, which collects the
person's records (``collect``), renders their certificates and letters with the product's own PDF
code, and writes ``index.html`` (readable), ``data.json`` (machine-readable) and the files. Only
records of the person are read: every query below is filtered by them, never by a page's scope.
The zip can be downloaded (each download audited) until it expires; the retention schedule then
deletes its file.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from preceptorship import access, jobs
from preceptorship.models import AuditEntry, Membership, Notification, User
from preceptorship.pdf import render_pdf
from programmes.equality.models import EqualityAnswers
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    OfferDecline,
    Pause,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewAction,
    ReviewAddendum,
    ReviewMeeting,
    TransitionMark,
)
from programmes.preceptors.models import PreceptorEvaluation, PreceptorRecord, PreceptorWellbeing, TimeGiven
from programmes.privacy import schedule as retention
from programmes.privacy.access import answering_organisation, may_act_for
from programmes.privacy.models import SubjectAccessExport
from programmes.privacy.services.common import audit_entries_of, record
from programmes.schedule import Period, build_schedule
from progression.letters import render_letter_pdf
from progression.models import (
    CompetencyAssessment,
    CompetencyMark,
    Decision,
    Evidence,
    PassportSkill,
    PostQualifyingAward,
    ProgressionCase,
    SkillsPassport,
)
from progression.supervision.models import LearningObjective, SupervisionNote

# The build task's hard time limit (seconds): certificates and letters are rendered one by one.
EXPORT_TIME_LIMIT = 900
LETTER_STAGES = (ProgressionCase.Stage.WORKER_TOLD, ProgressionCase.Stage.CONFIRMED)
NEVER_EXPORTED = {"password"}
COPY_CHUNK = 1024 * 1024


@dataclass
class Section:
    key: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.rows)

    def readable_rows(self) -> list[list[tuple[str, str]]]:
        """Each record as (label, text) pairs, for index.html."""
        return [[(self.labels.get(key, key.replace("_", " ").capitalize()), _text(value))
                 for key, value in row.items()] for row in self.rows]


@dataclass
class Collected:
    person: User
    sections: list[Section]
    # (path in the zip, the content or the stored file): stored files are copied into the zip a
    # piece at a time when it is written, never held in memory whole.
    files: list[tuple[str, bytes | FieldFile]]

    @property
    def counts(self) -> dict[str, int]:
        return {section.key: section.count for section in self.sections}


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _text(value: Any) -> str:
    """How index.html shows a value of data.json: dates as people write them."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and ISO_DAY.match(value):
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            moment = timezone.localtime(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
        return date_format(moment, "j F Y, H:i")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _row(obj: models.Model, **added: Any) -> dict[str, Any]:
    """Every column of the record (choices with their label), then ``added``."""
    row: dict[str, Any] = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name in NEVER_EXPORTED or isinstance(model_field, models.FileField):
            continue
        value = getattr(obj, model_field.attname)
        row[model_field.attname] = _json(value)
        if model_field.choices and value not in (None, ""):
            row[f"{model_field.name}_label"] = str(getattr(obj, f"get_{model_field.name}_display")())
    row.update({key: _json(value) for key, value in added.items()})
    return row


def _labels(model: type[models.Model]) -> dict[str, str]:
    labels = {}
    for model_field in model._meta.concrete_fields:
        name = str(model_field.verbose_name)
        labels[model_field.attname] = name[:1].upper() + name[1:]
        labels[f"{model_field.name}_label"] = f"{name[:1].upper() + name[1:]} (meaning)"
    return labels


def _section(key: str, title: str, model: type[models.Model], objects: Iterable[models.Model],
             added: Callable[[Any], dict[str, Any]] | None = None) -> Section:
    """A section of every record of ``objects``, each with what ``added(record)`` gives beside its columns."""
    rows = [_row(obj, **(added(obj) if added else {})) for obj in objects]
    return Section(key=key, title=title, rows=rows, labels=_labels(model))


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "file"


def _read(stored: FieldFile) -> bytes | None:
    try:
        with stored.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def _schedule(enrolment: Enrolment) -> dict[str, Any]:
    pauses = [Period(pause.start_date, pause.end_date) for pause in enrolment.pauses.all()]
    try:
        found = build_schedule(
            start=enrolment.start_date, interval_months=enrolment.programme.review_interval_months,
            length_months=enrolment.programme.length_months, pauses=pauses,
            extension_months=sum(extension.months for extension in enrolment.extensions.all()),
            first_meeting_days=enrolment.programme.first_meeting_days,
        )
    except ValueError:
        return {"schedule_reviews_due": [], "schedule_completion_due": None}
    return {"schedule_reviews_due": [day.isoformat() for day in found.reviews],
            "schedule_completion_due": found.completion.isoformat()}


def collect(person: User) -> Collected:
    """Everything held about ``person``; nothing about anyone else but the names of the people in
    their records (their mentor, their manager)."""
    files: list[tuple[str, bytes | FieldFile]] = []
    enrolments = list(
        Enrolment.objects.filter(preceptee=person)
        .select_related("programme", "organisation", "team", "mentor", "line_manager")
        .prefetch_related("pauses", "extensions").order_by("start_date", "pk")
    )
    certificates: dict[int, str] = {}
    for enrolment in enrolments:
        if enrolment.status == Enrolment.Status.COMPLETED:
            path = f"files/certificates/certificate-enrolment-{enrolment.pk}.pdf"
            files.append((path, render_pdf("pdf/certificate.html",
                                           {"enrolment": enrolment, "programme": enrolment.programme})))
            certificates[enrolment.pk] = path
    cases = list(ProgressionCase.objects.filter(practitioner=person)
                 .select_related("framework", "organisation", "team", "line_manager", "redeployed_to", "told_by")
                 .order_by("created_at", "pk"))
    letters: dict[int, str] = {}
    for case in cases:
        content = _read(case.letter_file) if case.letter_file else None
        if content is None and case.stage in LETTER_STAGES:
            content = render_letter_pdf(case)
        if content is not None:
            letters[case.pk] = f"files/letters/letter-case-{case.pk}.pdf"
            files.append((letters[case.pk], content))
    evidence = list(Evidence.objects.filter(case__practitioner=person).prefetch_related("competencies")
                    .order_by("case_id", "example_date", "pk"))
    evidence_files: dict[int, str] = {}
    for item in evidence:
        if item.file and item.file.storage.exists(item.file.name):
            evidence_files[item.pk] = (
                f"files/evidence/evidence-{item.pk}-{_safe_name(item.original_filename or item.file.name)}")
            files.append((evidence_files[item.pk], item.file))
    reviews = ReviewMeeting.objects.filter(enrolment__preceptee=person).order_by("enrolment_id", "number", "pk")
    goals = Goal.objects.filter(enrolment__preceptee=person).prefetch_related("competencies").order_by("pk")
    reflections = Reflection.objects.filter(author=person).order_by("created_at", "pk")
    sections = [
        _section("account", "Your account", User, [person]),
        _section("memberships", "Your roles", Membership,
                 Membership.objects.filter(user=person).select_related("organisation", "team"),
                 lambda m: {"organisation_name": m.organisation.name, "team_name": m.team.name if m.team_id else ""}),
        _section("enrolments", "Preceptorship enrolments and their schedules", Enrolment, enrolments,
                 lambda e: {"programme_name": e.programme.name, "organisation_name": e.organisation.name,
                            "mentor_name": str(e.mentor), "line_manager_name": str(e.line_manager or ""),
                            **_schedule(e), "certificate_file": certificates.get(e.pk, "")}),
        _section("pauses", "Pauses", Pause, Pause.objects.filter(enrolment__preceptee=person).order_by("pk")),
        _section("extensions", "Extensions", Extension,
                 Extension.objects.filter(enrolment__preceptee=person).order_by("pk")),
        _section("needs_assessments", "Needs assessments", NeedsAssessment,
                 NeedsAssessment.objects.filter(enrolment__preceptee=person).order_by("pk")),
        _section("reviews", "Review meeting records, attendance and acknowledgements", ReviewMeeting, reviews),
        _section("review_actions", "Actions agreed at review meetings", ReviewAction,
                 ReviewAction.objects.filter(review__enrolment__preceptee=person).order_by("pk")),
        _section("review_addenda", "Corrections added to review records", ReviewAddendum,
                 ReviewAddendum.objects.filter(review__enrolment__preceptee=person).order_by("pk")),
        _section("goals", "Goals", Goal, goals,
                 lambda g: {"competency_ids": sorted(c.pk for c in g.competencies.all())}),
        _section("goal_updates", "Goal progress", GoalUpdate,
                 GoalUpdate.objects.filter(goal__enrolment__preceptee=person).order_by("pk")),
        _section("reflections", "Reflections (all of them, shared or not, drafts included)", Reflection,
                 reflections),
        _section("reflection_feedback", "Feedback on your reflections", ReflectionFeedback,
                 ReflectionFeedback.objects.filter(reflection__author=person).order_by("pk")),
        _section("protected_time", "Protected time", ProtectedTime,
                 ProtectedTime.objects.filter(enrolment__preceptee=person).order_by("on", "pk")),
        _section("evaluations", "Programme evaluations you answered", Evaluation,
                 Evaluation.objects.filter(enrolment__preceptee=person).order_by("pk")),
        _section("completion_confirmations", "Completion records", CompletionConfirmation,
                 CompletionConfirmation.objects.filter(enrolment__preceptee=person).order_by("pk")),
        _section("progression_cases", "Progression cases", ProgressionCase, cases,
                 lambda c: {"framework_name": str(c.framework), "letter_file": letters.get(c.pk, "")}),
        _section("competency_assessments", "Competencies on your cases", CompetencyAssessment,
                 CompetencyAssessment.objects.filter(case__practitioner=person).select_related("competency")
                 .order_by("case_id", "pk"),
                 lambda a: {"competency_code": a.competency.code, "competency": a.competency.statement}),
        _section("competency_marks", "Marks given (history)", CompetencyMark,
                 CompetencyMark.objects.filter(assessment__case__practitioner=person).order_by("pk")),
        _section("skills_passports", "Your skills passports", SkillsPassport,
                 SkillsPassport.objects.filter(worker=person).select_related("framework").order_by("pk"),
                 lambda p: {"framework_name": str(p.framework)}),
        _section("passport_skills", "Skills on your passports: what you recorded and your manager's verification",
                 PassportSkill, PassportSkill.objects.filter(passport__worker=person).select_related("competency")
                 .order_by("passport_id", "pk"),
                 lambda s: {"skill_code": s.competency.code, "skill": s.competency.statement}),
        _section("evidence", "Evidence", Evidence, evidence,
                 lambda e: {"competency_ids": sorted(c.pk for c in e.competencies.all()),
                            "evidence_file": evidence_files.get(e.pk, "")}),
        _section("supervision_notes", "Supervision notes on your cases", SupervisionNote,
                 SupervisionNote.objects.filter(case__practitioner=person).order_by("held_on", "pk")),
        _section("learning_objectives", "Learning objectives from supervision", LearningObjective,
                 LearningObjective.objects.filter(note__case__practitioner=person).order_by("note_id", "pk")),
        _section("decisions", "Decisions on your cases", Decision,
                 Decision.objects.filter(case__practitioner=person).order_by("at", "pk")),
        _section("post_qualifying_awards", "Post-qualifying awards", PostQualifyingAward,
                 PostQualifyingAward.objects.filter(user=person).order_by("pk")),
        _section("offer_marks", "Why you were to be offered preceptorship (marked by a lead or manager)",
                 TransitionMark, TransitionMark.objects.filter(person=person).order_by("pk")),
        _section("offer_declines", "Preceptorship offers you declined", OfferDecline,
                 OfferDecline.objects.filter(person=person).order_by("pk")),
        _section("preceptor_records", "Your preceptor register entries (training, exceptions, allowance)",
                 PreceptorRecord, PreceptorRecord.objects.filter(mentor=person).order_by("pk")),
        _section("time_given", "Time you gave your preceptees as their mentor", TimeGiven,
                 TimeGiven.objects.filter(mentor=person).order_by("on", "pk")),
        _section("preceptor_wellbeing", "Your own wellbeing after review meetings you held", PreceptorWellbeing,
                 PreceptorWellbeing.objects.filter(mentor=person).order_by("pk")),
        _section("preceptor_evaluations", "Preceptor evaluations you answered", PreceptorEvaluation,
                 PreceptorEvaluation.objects.filter(mentor=person).order_by("pk")),
        _section("equality_answers", "Your equality monitoring answers", EqualityAnswers,
                 EqualityAnswers.objects.filter(user=person)),
        _section("notifications", "Notifications sent to you", Notification,
                 Notification.objects.filter(recipient=person).order_by("created_at", "pk")),
        _section("audit_entries", "Audit log entries about you or by you", AuditEntry,
                 audit_entries_of(person).order_by("at", "pk")),
    ]
    sections.extend(_sign_in_sections(person))
    sections.append(Section(
        key="files", title="Files", labels={"path": "File in this download"},
        rows=[{"path": path} for path, _ in files],
    ))
    return Collected(person=person, sections=sections, files=files)


# What the sign-in lockout and two-step sign-in keep: never a secret (a device's key, a session's hash,
# a form's posted data).
SIGN_IN_FIELDS = ["attempt_time", "logout_time", "ip_address", "user_agent", "path_info"]
DEVICE_FIELDS = ["name", "confirmed", "created_at", "last_used_at"]


def _sign_in_sections(person: User) -> list[Section]:
    from axes.models import AccessFailureLog, AccessLog

    def rows(model: type[models.Model], fields: list[str]) -> list[dict[str, Any]]:
        present = [name for name in fields if any(f.name == name for f in model._meta.concrete_fields)]
        found = model.objects.filter(username__iexact=person.email).order_by("attempt_time")
        return [{name: _json(getattr(obj, name)) for name in present} for obj in found]

    devices: list[dict[str, Any]] = []
    if apps.is_installed("django_otp"):
        from django_otp import devices_for_user

        devices = [{"kind": str(device._meta.verbose_name),
                    **{name: _json(getattr(device, name, None)) for name in DEVICE_FIELDS}}
                   for device in devices_for_user(person, confirmed=None)]
    return [
        Section(key="sign_ins", title="Sign-ins", rows=rows(AccessLog, SIGN_IN_FIELDS)),
        Section(key="failed_sign_ins", title="Failed sign-ins", rows=rows(AccessFailureLog, SIGN_IN_FIELDS)),
        Section(key="two_step_devices", title="Two-step sign-in devices", rows=devices),
    ]


def write_zip(collected: Collected, *, made_at: datetime.datetime, handle: Any) -> None:
    person = collected.person
    data = {
        "made_at": made_at.isoformat(),
        "person_id": person.pk,
        "counts": collected.counts,
        "sections": {section.key: section.rows for section in collected.sections},
    }
    index = render_to_string("privacy/export/index.html", {
        "person": person, "sections": collected.sections, "made_at": made_at,
    })
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", index)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for path, content in collected.files:
            if isinstance(content, bytes):
                archive.writestr(path, content)
                continue
            with content.open("rb") as source, archive.open(path, "w") as target:
                shutil.copyfileobj(source, target, COPY_CHUNK)


# The request, the background build, the download.


def export_request(*, actor: Any, person: User) -> SubjectAccessExport:
    """Record a subject access request for ``person`` and queue its build."""
    from programmes.privacy.tasks import build_subject_access_export

    if not may_act_for(actor, person, "export"):
        raise PermissionDenied("You cannot ask for this person's records.")
    with transaction.atomic():
        export = SubjectAccessExport.objects.create(
            person=person, requested_by=actor, organisation_id=answering_organisation(actor, person),
        )
        record(actor=actor, action="privacy.export_requested", obj=export, subject=person,
               organisation_id=export.organisation_id,
               summary=f"Asked for a subject access export of person {person.pk}")
        transaction.on_commit(lambda: build_subject_access_export.delay(export.pk), robust=True)
    return export


def _expires_at(made_at: datetime.datetime) -> datetime.datetime:
    today = timezone.localdate(made_at)
    keep = today - retention.periods()["subject_access_exports"].before(today)
    return made_at + keep


def export_build(*, export_id: int) -> SubjectAccessExport:
    export = SubjectAccessExport.objects.select_related("person").get(pk=export_id)
    if export.status != SubjectAccessExport.Status.QUEUED or export.person is None:
        return export
    claimed = SubjectAccessExport.objects.filter(pk=export.pk, status=SubjectAccessExport.Status.QUEUED).update(
        status=SubjectAccessExport.Status.RUNNING)
    if not claimed:
        export.refresh_from_db()
        return export
    try:
        made_at = timezone.now()
        collected = collect(export.person)
        with tempfile.TemporaryFile() as handle:
            write_zip(collected, made_at=made_at, handle=handle)
            handle.seek(0)
            export.file.save("export.zip", File(handle), save=False)
        export.status = SubjectAccessExport.Status.READY
        export.counts = collected.counts
        export.finished_at = made_at
        export.expires_at = _expires_at(made_at)
        export.error = ""
        export.save(update_fields=["file", "status", "counts", "finished_at", "expires_at", "error", "updated_at"])
    except Exception as error:
        jobs.record_failure(SubjectAccessExport.objects.filter(pk=export.pk), error)
        raise
    return export


def export_fail_if_stale(export: SubjectAccessExport) -> SubjectAccessExport:
    """A lost build is marked failed when read (preceptorship.jobs); an expired file is gone."""
    jobs.fail_if_stale(export, waiting=SubjectAccessExport.WAITING, time_limit=EXPORT_TIME_LIMIT)
    if export.status == SubjectAccessExport.Status.READY and export.expires_at and export.expires_at <= timezone.now():
        export_expire(export=export)
        export.refresh_from_db()
    return export


def exports_fail_stale(exports: models.QuerySet) -> None:
    """For a list of exports: mark failed, in one query, those whose build was lost."""
    jobs.fail_stale(exports, waiting=SubjectAccessExport.WAITING, time_limit=EXPORT_TIME_LIMIT)


def export_expire(*, export: SubjectAccessExport) -> None:
    from programmes.privacy.services.common import delete_file_on_commit

    with transaction.atomic():
        name = export.file.name if export.file else ""
        expired = SubjectAccessExport.objects.filter(pk=export.pk).exclude(
            status=SubjectAccessExport.Status.EXPIRED).update(status=SubjectAccessExport.Status.EXPIRED, file="",
                                                              updated_at=timezone.now())
        if expired:
            delete_file_on_commit(name)


def export_download(*, actor: Any, export: SubjectAccessExport) -> SubjectAccessExport:
    """Check the download is allowed and ready, and record it. The caller streams the file."""
    access.require(actor, export, "download")
    if export.status != SubjectAccessExport.Status.READY or not export.file:
        raise Http404("The file is not ready or has expired.")
    with transaction.atomic():
        SubjectAccessExport.objects.filter(pk=export.pk).update(downloads=models.F("downloads") + 1)
        record(actor=actor, action="privacy.export_downloaded", obj=export, subject=export.person,
               organisation_id=export.organisation_id,
               summary=f"Downloaded the subject access export {export.pk} of person {export.person_id}")
    return export


def file_name(export: SubjectAccessExport) -> str:
    return f"subject-access-export-{export.pk}-{export.created_at:%Y-%m-%d}.zip"


__all__ = ["EXPORT_TIME_LIMIT", "Section", "collect", "export_build", "export_download", "export_expire",
           "export_fail_if_stale", "export_request", "exports_fail_stale", "file_name", "write_zip"]
