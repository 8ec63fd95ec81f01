"""Erasure of one person on request: refused (saying why) while anything is open; otherwise their
free text and files go, their account is anonymised, the figures' rows stay and the append-only
decisions keep their steps without the name."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership, Notification, User
from preceptorship.tests.factories import person
from programmes.models import Enrolment, NeedsAssessment, ProtectedTime, Reflection, ReviewMeeting
from programmes.privacy import services
from programmes.privacy.models import SubjectAccessExport
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import services as progression_services
from progression.models import Decision, Evidence, ProgressionCase
from progression.tests.factories import Cast

# The dates below are about 10 June 2026, whatever day the suite is run as (--today).
pytestmark = [pytest.mark.django_db,
              pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 11, tzinfo=datetime.UTC), tick=True)]
Role = Membership.Role


@pytest.fixture
def cast(organisation, team) -> Cast:
    return Cast(organisation, team)


@pytest.fixture
def dpo(organisation) -> User:
    return person(organisation, Role.DATA_PROTECTION, email="dpo@example.org")


@pytest.fixture
def finished(cast: Cast, organisation) -> dict:
    """A practitioner whose preceptorship is over and whose case was confirmed."""
    worker = cast.practitioner
    worker.first_name, worker.last_name = "Ffion", "Hale"
    worker.save()
    programme = ProgrammeFactory(organisation=organisation)
    enrolment = EnrolmentFactory(programme=programme, preceptee=worker, completed=True)
    ReviewMeeting.objects.create(enrolment=enrolment, number=1, held_on=datetime.date(2025, 9, 1),
                                 discussion="Ffion's caseload and her health", wellbeing=3)
    Reflection.objects.create(enrolment=enrolment, author=worker, title="Ffion's reflection")
    NeedsAssessment.objects.create(enrolment=enrolment, reasonable_adjustments="Ffion's health detail")
    ProtectedTime.objects.create(enrolment=enrolment, on=datetime.date(2025, 9, 2), hours=2, activity="study",
                                 note="Ffion's study")
    Notification.objects.create(recipient=worker, kind="t", key="ffion", subject="For Ffion")
    case = cast.open_case()
    evidence = Evidence.objects.create(case=case, title="Ffion's evidence", example_date=datetime.date(2025, 1, 1),
                                       description="What happened", file=ContentFile(b"file", name="e.pdf"))
    Decision.objects.create(case=case, actor=cast.manager, role="line_manager", decision="confirmed",
                            to_stage="confirmed", comment="Ffion Hale told in person; ffion agreed")
    ProgressionCase.objects.filter(pk=case.pk).update(stage="confirmed")
    # Others on the same programme, in every state the dashboards count.
    EnrolmentFactory(programme=programme)
    EnrolmentFactory(programme=programme, withdrawn=True)
    return {"worker": worker, "enrolment": enrolment, "case": case, "evidence": evidence}


def _by_status() -> dict[str, int]:
    return dict(Enrolment.objects.values_list("status").annotate(n=Count("pk")))


def test_erasure_is_refused_while_an_enrolment_is_open(organisation, dpo) -> None:
    preceptee = person(organisation, Role.PRACTITIONER)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="OT programme"),
                                 preceptee=preceptee)
    with pytest.raises(ValidationError) as refused:
        services.person_erase(actor=dpo, person=preceptee)
    assert "open enrolment on OT programme" in " ".join(refused.value.messages)

    client = Client()
    client.force_login(dpo)
    url = reverse("privacy:erase", args=[preceptee.pk])
    page = client.get(url).content.decode()
    assert "cannot be erased yet" in page and "open enrolment on OT programme" in page
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == HTTPStatus.OK
    assert "open enrolment on OT programme" in response.content.decode()
    preceptee.refresh_from_db()
    assert preceptee.is_active and Enrolment.objects.get(pk=enrolment.pk).preceptee_id == preceptee.pk
    assert not AuditEntry.objects.filter(action="privacy.erased").exists()


def test_erasure_is_refused_while_a_progression_case_is_open(cast: Cast, dpo) -> None:
    case = cast.open_case()
    reasons = services.erasure_refusals(actor=dpo, person=cast.practitioner)
    assert any("open progression case" in reason for reason in reasons)
    # A case withdrawn because it was opened by mistake is over: it no longer holds erasure back.
    progression_services.progression_case_withdraw(actor=cast.manager, case=case, reason="Opened by mistake")
    assert not any("progression case" in reason for reason in
                   services.erasure_refusals(actor=dpo, person=cast.practitioner))


def test_the_confirmation_page_says_exactly_what_will_go(finished: dict, dpo) -> None:
    client = Client()
    client.force_login(dpo)
    page = client.get(reverse("privacy:erase", args=[finished["worker"].pk])).content.decode()
    assert "Reflections they wrote" in page and "Needs assessments" in page
    assert "Evidence on their progression cases, with its files" in page
    assert "their name is taken out of the text" in page
    assert "Erase their data" in page
    # Without ticking the confirmation nothing happens, and the page says so beside the box.
    response = client.post(reverse("privacy:erase", args=[finished["worker"].pk]), {})
    assert "Confirm that the person asked for erasure" in response.content.decode()
    assert Reflection.objects.filter(author=finished["worker"]).exists()


def test_erasure_keeps_the_figures_rows_and_removes_the_person(finished: dict, dpo, django_capture_on_commit_callbacks) -> None:
    worker, enrolment, case = finished["worker"], finished["enrolment"], finished["case"]
    before = _by_status()
    evidence_file = finished["evidence"].file
    name, storage = evidence_file.name, evidence_file.storage
    decisions = Decision.objects.filter(case=case).count()
    earlier = SubjectAccessExport.objects.create(person=worker, status="ready")
    earlier.file.save("export.zip", ContentFile(b"PK everything about Ffion"), save=True)
    earlier_name = earlier.file.name
    from axes.models import AccessAttempt
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    AccessAttempt.objects.create(username=worker.email, failures_since_start=1, ip_address="192.0.2.1",
                                 user_agent="test", attempt_time=worker.date_joined)
    LogEntry.objects.create(user_id=dpo.pk, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(worker.pk), object_repr=str(worker), action_flag=CHANGE, change_message="[]")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=worker, name="Phone", confirmed=True)
    client = Client()
    client.force_login(dpo)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:erase", args=[worker.pk]), {"confirm": "on"})

    assert response.status_code == HTTPStatus.FOUND
    assert _by_status() == before
    worker.refresh_from_db()
    assert worker.get_full_name() == "Name removed" and worker.email.endswith("@removed.invalid") and not worker.is_active
    assert not worker.has_usable_password() and not Membership.objects.filter(user=worker).exists()
    kept = Enrolment.objects.get(pk=enrolment.pk)
    assert (kept.status, kept.completed_on, kept.preceptee_id) == ("completed", enrolment.completed_on, worker.pk)
    assert ReviewMeeting.objects.get(enrolment=enrolment).discussion == ""
    assert ReviewMeeting.objects.get(enrolment=enrolment).wellbeing == 3
    assert not Reflection.objects.filter(author=worker).exists()
    assert not NeedsAssessment.objects.filter(enrolment=enrolment).exists()
    assert ProtectedTime.objects.get(enrolment=enrolment).note == ""
    assert not Notification.objects.filter(recipient=worker).exists()
    assert not Evidence.objects.filter(case=case).exists() and not storage.exists(name)
    assert Decision.objects.filter(case=case).count() == decisions
    comment = Decision.objects.get(case=case, decision="confirmed").comment
    assert comment == "[name removed] told in person; [name removed] agreed"
    entry = AuditEntry.objects.get(action="privacy.erased")
    assert entry.actor_id == dpo.pk and entry.object_id == str(worker.pk) and "Ffion" not in entry.summary
    assert entry.subject_id == worker.pk
    assert ProgressionCase.objects.get(pk=case.pk).stage == "confirmed"
    assert not AccessAttempt.objects.exists() and not TOTPDevice.objects.filter(user=worker).exists()
    assert LogEntry.objects.get(object_id=str(worker.pk)).object_repr == "Name removed"
    earlier.refresh_from_db()
    assert earlier.status == "expired" and not earlier.file and not storage.exists(earlier_name)


def test_another_organisations_dpo_cannot_erase(finished: dict, other_organisation) -> None:
    client = Client()
    client.force_login(person(other_organisation, Role.DATA_PROTECTION))
    response = client.post(reverse("privacy:erase", args=[finished["worker"].pk]), {"confirm": "on"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert User.objects.get(pk=finished["worker"].pk).is_active


def test_erasure_waits_while_they_support_an_open_enrolment_or_case(organisation, cast: Cast, dpo) -> None:
    mentor = person(organisation, Role.MENTOR)
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor)
    assert any("mentor or line manage 1 open enrolment" in r for r in services.erasure_refusals(actor=dpo, person=mentor))
    cast.open_case()
    assert any("Head of Service of 1 open progression case" in r
               for r in services.erasure_refusals(actor=dpo, person=cast.hos))


def test_only_an_administrator_erases_an_administrator(organisation, dpo) -> None:
    admin = person(organisation, Role.ADMINISTRATOR)
    assert any("only by another administrator" in r for r in services.erasure_refusals(actor=dpo, person=admin))
    other_admin = person(organisation, Role.ADMINISTRATOR)
    assert services.erasure_refusals(actor=other_admin, person=admin) == []


def test_erasure_leaves_the_dashboards_figures_as_they_were(finished: dict, dpo) -> None:
    from django.utils import timezone

    from programmes.models import CaseFigures, CurrentFigures, EventFigures, MonthFigures
    from programmes.reporting import summary

    def figures() -> dict[str, list[tuple]]:
        summary.rebuild(today=timezone.localdate())
        return {model.__name__: sorted([tuple(row.values()) for row in model.objects.values(
            *[f.attname for f in model._meta.concrete_fields if f.name != "id"])], key=repr)
                for model in (MonthFigures, EventFigures, CurrentFigures, CaseFigures)}

    before = figures()
    services.person_erase(actor=dpo, person=finished["worker"])
    assert figures() == before


def test_erasure_removes_the_marks_and_declines_of_the_offer_of_preceptorship(organisation, dpo) -> None:
    from programmes import services as programme_services
    from programmes.models import OfferDecline, TransitionMark

    lead = person(organisation, Role.PROGRAMME_LEAD)
    worker = person(organisation, Role.PRACTITIONER)
    membership = Membership.objects.get(user=worker, role=Role.PRACTITIONER)
    programme_services.transition_mark_record(actor=lead, person=membership, transition="return_to_practice")
    programme_services.offer_decline(actor=lead, person=membership, reason="Caring for a relative this year")
    goes, _stays = services.erasure_preview(person=worker)
    assert any(line.what.startswith("Whether they were offered preceptorship") and line.count == 2 for line in goes)
    services.person_erase(actor=dpo, person=worker)
    assert not TransitionMark.objects.filter(person=worker).exists()
    assert not OfferDecline.objects.filter(person=worker).exists()
