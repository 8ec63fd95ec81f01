"""The subject access export of a demo preceptee: every record of theirs, in index.html and
data.json, with their files; nobody else's records."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from preceptorship.models import AuditEntry, Membership, Notification, User
from programmes.models import (
    Enrolment,
    Goal,
    NeedsAssessment,
    ProtectedTime,
    Reflection,
    ReviewMeeting,
)
from programmes.privacy import services
from programmes.privacy.models import SubjectAccessExport
from progression.models import CompetencyAssessment, Decision, Evidence, ProgressionCase

pytestmark = pytest.mark.django_db
Role = Membership.Role

ROSA = "rosa.delgado@council.dalesford.example"  # completed preceptorship, a draft progression case with evidence
JORDAN = "jordan.hayes@council.dalesford.example"  # another preceptee of the same council


@pytest.fixture
def rosa(seeded_demo) -> User:
    return User.objects.get(email=ROSA)


@pytest.fixture
def administrator(seeded_demo) -> User:
    return User.objects.get(email="admin@dalesford.example")


def _built(person: User, actor: User) -> tuple[SubjectAccessExport, dict, str, zipfile.ZipFile]:
    export = SubjectAccessExport.objects.create(person=person, requested_by=actor)
    export = services.export_build(export_id=export.pk)
    assert export.status == SubjectAccessExport.Status.READY, export.error
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    index = archive.read("index.html").decode()
    return export, data, index, archive


def _ids(data: dict, section: str) -> set[int]:
    return {row["id"] for row in data["sections"][section]}


def test_the_demo_preceptee_has_records_of_every_main_kind(rosa: User) -> None:
    """Guards the tests below: with nothing to export they would pass vacuously."""
    assert Enrolment.objects.filter(preceptee=rosa, status=Enrolment.Status.COMPLETED).exists()
    assert ReviewMeeting.objects.filter(enrolment__preceptee=rosa).count() >= 2
    assert Reflection.objects.filter(author=rosa).exists()
    assert Evidence.objects.filter(case__practitioner=rosa).exists()
    assert Decision.objects.filter(case__practitioner=rosa).exists()
    assert Notification.objects.filter(recipient=rosa).exists()


def test_export_holds_every_record_of_the_person_in_data_json_and_index_html(rosa: User, administrator: User) -> None:
    enrolment = Enrolment.objects.filter(preceptee=rosa).first()
    NeedsAssessment.objects.get_or_create(enrolment=enrolment, defaults={
        "reasonable_adjustments": "Rosa's own adjustment: a quiet room for reports."})
    Goal.objects.create(enrolment=enrolment, what="Lead a best-interest meeting", measure="Chaired one",
                        target_date=enrolment.start_date)
    ProtectedTime.objects.create(enrolment=enrolment, on=enrolment.start_date, hours=2, activity="study",
                                 note="Read the Care Act guidance")
    evidence = Evidence.objects.filter(case__practitioner=rosa).first()
    evidence.original_filename = "carers assessment notes.pdf"
    evidence.file.save("notes.pdf", ContentFile(b"%PDF-1.4 Rosa's evidence file"), save=True)

    export, data, index, archive = _built(rosa, administrator)

    expected = {
        "account": {rosa.pk},
        "memberships": set(Membership.objects.filter(user=rosa).values_list("pk", flat=True)),
        "enrolments": set(Enrolment.objects.filter(preceptee=rosa).values_list("pk", flat=True)),
        "reviews": set(ReviewMeeting.objects.filter(enrolment__preceptee=rosa).values_list("pk", flat=True)),
        "goals": set(Goal.objects.filter(enrolment__preceptee=rosa).values_list("pk", flat=True)),
        "reflections": set(Reflection.objects.filter(author=rosa).values_list("pk", flat=True)),
        "needs_assessments": set(NeedsAssessment.objects.filter(enrolment__preceptee=rosa).values_list("pk", flat=True)),
        "protected_time": set(ProtectedTime.objects.filter(enrolment__preceptee=rosa).values_list("pk", flat=True)),
        "progression_cases": set(ProgressionCase.objects.filter(practitioner=rosa).values_list("pk", flat=True)),
        "competency_assessments": set(
            CompetencyAssessment.objects.filter(case__practitioner=rosa).values_list("pk", flat=True)),
        "evidence": set(Evidence.objects.filter(case__practitioner=rosa).values_list("pk", flat=True)),
        "decisions": set(Decision.objects.filter(case__practitioner=rosa).values_list("pk", flat=True)),
        "notifications": set(Notification.objects.filter(recipient=rosa).values_list("pk", flat=True)),
    }
    for section, ids in expected.items():
        assert ids, f"the demo has no {section} of Rosa's"
        assert _ids(data, section) == ids, section
    audit_ids = _ids(data, "audit_entries")
    about = set(AuditEntry.objects.filter(subject=rosa).values_list("pk", flat=True))
    by = set(AuditEntry.objects.filter(actor=rosa).values_list("pk", flat=True))
    assert about and by and about | by <= audit_ids

    # Every section is listed in index.html with its count, and the records' words are there.
    for key, count in export.counts.items():
        assert f'href="#{key}"' in index
        assert f"{count} record" in index
    reflection = Reflection.objects.filter(author=rosa).first()
    review = ReviewMeeting.objects.filter(enrolment__preceptee=rosa).exclude(discussion="").first()
    for text in (rosa.email, reflection.title, review.discussion.splitlines()[0], evidence.title,
                 "a quiet room for reports", "Read the Care Act guidance"):
        assert text in index or text.replace("'", "&#x27;") in index, text
        assert text in json.dumps(data, ensure_ascii=False), text
    assert "password" not in data["sections"]["account"][0]

    # The files: their evidence file as uploaded, and the completed programme's certificate.
    names = archive.namelist()
    evidence_path = data["sections"]["evidence"][[row["id"] for row in data["sections"]["evidence"]].index(
        evidence.pk)]["evidence_file"]
    assert evidence_path in names
    assert archive.read(evidence_path) == b"%PDF-1.4 Rosa's evidence file"
    certificates = [name for name in names if name.startswith("files/certificates/")]
    assert len(certificates) == Enrolment.objects.filter(preceptee=rosa, status="completed").count()
    assert all(archive.read(name).startswith(b"%PDF") for name in certificates)
    assert {row["path"] for row in data["sections"]["files"]} == {n for n in names if n.startswith("files/")}


def test_export_never_holds_another_persons_records(rosa: User, administrator: User) -> None:
    jordan = User.objects.get(email=JORDAN)
    enrolment = Enrolment.objects.filter(preceptee=jordan).first()
    canary = Reflection.objects.create(enrolment=enrolment, author=jordan, title="Jordan's canary reflection",
                                       model="free", answers={"text": "Jordan's private words"})
    Notification.objects.create(recipient=jordan, kind="test", key="privacy-canary", subject="Jordan's canary notice")

    _, data, index, archive = _built(rosa, administrator)

    dumped = json.dumps(data, ensure_ascii=False)
    for text in (JORDAN, "Jordan's canary reflection", "Jordan's private words", "Jordan's canary notice"):
        assert text not in dumped
        assert text not in index and text.replace("'", "&#x27;") not in index
    assert canary.pk not in _ids(data, "reflections")
    others = Reflection.objects.exclude(author=rosa).values_list("pk", flat=True)
    assert not _ids(data, "reflections") & set(others)
    assert {row["enrolment_id"] for row in data["sections"]["reviews"]} <= set(
        Enrolment.objects.filter(preceptee=rosa).values_list("pk", flat=True))
    assert {row["recipient_id"] for row in data["sections"]["notifications"]} == {rosa.pk}
    assert all(rosa.pk in (row["actor_id"], row["subject_id"]) or row["object_id"] == str(rosa.pk)
               for row in data["sections"]["audit_entries"])


def test_export_holds_the_confirmation_letter_rendered_by_the_product(organisation, team) -> None:
    from progression.tests.factories import Cast

    cast = Cast(organisation, team)
    told = cast.open_case()
    ProgressionCase.objects.filter(pk=told.pk).update(stage=ProgressionCase.Stage.WORKER_TOLD,
                                                      hr_reference="HR-123")
    export, data, index, archive = _built(cast.practitioner, cast.manager)
    letter = f"files/letters/letter-case-{told.pk}.pdf"
    assert letter in archive.namelist() and archive.read(letter).startswith(b"%PDF")
    assert data["sections"]["progression_cases"][0]["letter_file"] == letter
    assert letter in index



def test_export_holds_sign_ins_and_two_step_devices_but_no_secret(organisation) -> None:
    from axes.models import AccessLog
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from preceptorship.tests.factories import person

    someone = person(organisation, Role.PRACTITIONER, email="signs.in@example.org")
    AccessLog.objects.create(username=someone.email, ip_address="192.0.2.7", user_agent="Test browser",
                             attempt_time=timezone.now(), session_hash="secret-session-hash")
    device = TOTPDevice.objects.create(user=someone, name="Work phone", confirmed=True)
    _, data, index, _ = _built(someone, someone)
    assert data["sections"]["sign_ins"][0]["ip_address"] == "192.0.2.7"
    assert data["sections"]["two_step_devices"][0]["name"] == "Work phone"
    dumped = json.dumps(data)
    assert device.key not in dumped and device.key not in index
    assert "secret-session-hash" not in dumped and "secret-session-hash" not in index


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-06-10", "10 June 2026"),
    ("2026-06-10T11:00:00+00:00", "10 June 2026, 12:00"),  # London summer time
    (True, "Yes"), (None, "(none)"), ("", "(none)"), ("2026-06-10 is when", "2026-06-10 is when"),
])
def test_index_html_shows_dates_and_yes_or_no_as_people_write_them(value: object, shown: str) -> None:
    from programmes.privacy.services.exports import Section

    assert Section(key="k", title="K", rows=[{"when": value}]).readable_rows() == [[("When", shown)]]


def test_export_holds_why_they_were_to_be_offered_preceptorship_and_their_decline(organisation) -> None:
    from preceptorship.tests.factories import person
    from programmes import services as programme_services

    lead = person(organisation, Membership.Role.PROGRAMME_LEAD)
    worker = person(organisation, Membership.Role.PRACTITIONER)
    membership = Membership.objects.get(user=worker, role=Membership.Role.PRACTITIONER)
    mark = programme_services.transition_mark_record(actor=lead, person=membership, transition="international")
    decline = programme_services.offer_decline(actor=lead, person=membership, reason="Joining next year's cohort")
    _export, data, index, _archive = _built(worker, lead)
    assert _ids(data, "offer_marks") == {mark.pk} and _ids(data, "offer_declines") == {decline.pk}
    assert "Joining next year" in index
