"""What the export, the retention schedule and erasure share: audit entries naming the person,
removing a person from records that must stay for the figures, and deleting private files only
once the rows that named them are gone for good."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from preceptorship import audit
from preceptorship.models import AuditEntry, User, private_storage
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    NeedsAssessment,
    ProtectedTime,
    Reflection,
    ReviewAction,
    ReviewAddendum,
    ReviewDraft,
    ReviewMeeting,
)
from progression.models import CompetencyAssessment, CompetencyMark, Decision, Evidence, EvidencePack, ProgressionCase

REMOVED_DOMAIN = "removed.invalid"
REMOVED = "[name removed]"
# What lists that still show an old record say in place of the person (the account's name).
REMOVED_FIRST_NAME, REMOVED_LAST_NAME = "Name", "removed"


def record(*, actor: Any, action: str, obj: models.Model, summary: str, subject: Any = None,
           organisation_id: int | None = None, after: dict | None = None) -> AuditEntry:
    """An audit entry naming the person it is about and the organisation that answered (the
    privacy app's records do not say it themselves, so the entry is given both)."""
    return audit.record(actor=actor, action=action, obj=obj, summary=summary, after=after, subject=subject,
                        organisation=organisation_id)


def audit_entries_of(person: Any) -> models.QuerySet:
    """Entries about the person (``subject``, or their account as the object) and by them."""
    return AuditEntry.objects.filter(
        Q(subject_id=person.pk) | Q(actor_id=person.pk)
        | Q(object_type=User._meta.label_lower, object_id=str(person.pk))
    )


def is_removed(user: Any) -> bool:
    return bool(user.email.endswith(f"@{REMOVED_DOMAIN}"))


def removed_email() -> str:
    return f"removed-{uuid.uuid4().hex}@{REMOVED_DOMAIN}"


def stand_in(person: User) -> User:
    """A nameless, inactive account holding only the person's profession: an old record that
    the figures count (by profession) keeps its place without saying whose it was."""
    user = User(email=removed_email(), first_name=REMOVED_FIRST_NAME, last_name=REMOVED_LAST_NAME,
                profession_id=person.profession_id, is_active=False)
    user.set_unusable_password()
    user.save()
    return user


def anonymise_account(person: User) -> None:
    """The account stays (records that must be kept point at it) with nothing that says who it was:
    the admin's history of it and the sign-in lockout's records named it too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=person.email).delete()
    if apps.is_installed("django_otp"):
        from django_otp import devices_for_user

        for device in list(devices_for_user(person, confirmed=None)):
            device.delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)).update(
        object_repr=f"{REMOVED_FIRST_NAME} {REMOVED_LAST_NAME}")
    person.first_name, person.last_name = REMOVED_FIRST_NAME, REMOVED_LAST_NAME
    person.email = removed_email()
    person.job_title = person.band = person.regulator = person.registration_number = person.employee_number = ""
    person.first_registered_on = person.started_in_post_on = person.left_on = None
    person.is_active = person.is_staff = person.is_superuser = False
    person.email_reminders = False
    person.last_login = None
    person.set_unusable_password()
    person.save()
    person.memberships.all().delete()
    person.notifications.all().delete()
    person.post_qualifying_awards.all().delete()


def names_of(person: User) -> list[str]:
    """How the person may be named in free text, longest first so a full name goes before its parts."""
    found = {person.get_full_name().strip(), person.email, person.first_name.strip(), person.last_name.strip()}
    return sorted((name for name in found if len(name) >= 2), key=len, reverse=True)


def scrub(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", REMOVED, text, flags=re.IGNORECASE)
    return text


def delete_file_on_commit(name: str) -> None:
    """Delete a private file once the transaction that forgot it commits (a rollback keeps both)."""
    if name:
        transaction.on_commit(lambda: private_storage().delete(name))


def strip_enrolment(enrolment: Enrolment, *, preceptee: User | None = None) -> None:
    """Keep what the figures count (programme, organisation, team, dates, status, outcome, review
    dates and scores, protected hours, evaluation scores); delete or blank every free text."""
    Reflection.objects.filter(enrolment=enrolment).delete()
    Goal.objects.filter(enrolment=enrolment).delete()
    NeedsAssessment.objects.filter(enrolment=enrolment).delete()
    ReviewDraft.objects.filter(enrolment=enrolment).delete()  # a record never finished: all free text
    reviews = ReviewMeeting.objects.filter(enrolment=enrolment)
    ReviewAction.objects.filter(review__in=reviews).delete()
    ReviewAddendum.objects.filter(review__in=reviews).delete()
    reviews.update(discussion="", preceptee_comment="", reason="", attended_others="")
    ProtectedTime.objects.filter(enrolment=enrolment).update(note="")
    Extension.objects.filter(enrolment=enrolment).update(reason="")
    CompletionConfirmation.objects.filter(enrolment=enrolment).update(reason="")
    Evaluation.objects.filter(enrolment=enrolment).update(comments="")
    fields: dict[str, Any] = {"withdrawal_detail": ""}
    if preceptee is not None:
        fields["preceptee"] = preceptee
    Enrolment.objects.filter(pk=enrolment.pk).update(**fields)


def strip_case(case: ProgressionCase, *, names: list[str], practitioner: User | None = None) -> None:
    """Keep the case's organisation, team, framework, stage and dates (the figures); delete its
    evidence, letter and packs; blank the comments, and take the person's name out of the
    append-only decisions and marks without deleting them."""
    for evidence in Evidence.objects.filter(case=case).exclude(file=""):
        delete_file_on_commit(evidence.file.name)
    Evidence.objects.filter(case=case).delete()
    for pack in EvidencePack.objects.filter(case=case).exclude(file=""):
        delete_file_on_commit(pack.file.name)
    EvidencePack.objects.filter(case=case).delete()
    delete_file_on_commit(case.letter_file.name if case.letter_file else "")
    CompetencyAssessment.objects.filter(case=case).update(manager_comment="", worker_comment="", settled_reason="")
    # Append-only rows: their text is rewritten in place (never through save()), their steps kept.
    CompetencyMark.objects.filter(assessment__case=case).exclude(comment="").update(comment="")
    for decision in Decision.objects.filter(case=case).exclude(comment=""):
        cleaned = scrub(decision.comment, names)
        if cleaned != decision.comment:
            Decision.objects.filter(pk=decision.pk).update(comment=cleaned)
    fields: dict[str, Any] = {"letter_file": "", "return_reasons": "", "hr_reference": ""}
    if practitioner is not None:
        fields["practitioner"] = practitioner
    ProgressionCase.objects.filter(pk=case.pk).update(**fields)
