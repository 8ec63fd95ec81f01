"""Each step of the sign-off chain, and publishing a framework, is checked before it is taken.

Through the HTTP layer: the form's POST shows a check page that names who will be told and changes
nothing (the case, its decisions, the audit log and the notifications are as they were); "Change"
shows the form again with the answers kept; the check page's confirm POST takes the step once; a
confirm sent after the case moved on is refused with a message.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership, Notification
from preceptorship.tests.factories import TeamFactory, person
from progression import services
from progression.models import Decision, Framework, ProgressionCase
from progression.tests.factories import Cast, mark_required, small_framework

pytestmark = pytest.mark.django_db
Role = Membership.Role
Stage = ProgressionCase.Stage


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _state(case: ProgressionCase) -> tuple[Any, ...]:
    """Everything a step would change: the case, its decisions, the audit log and the notifications."""
    case = ProgressionCase.objects.get(pk=case.pk)
    return (case.stage, case.revision, case.hr_reference, bool(case.letter_file), Decision.objects.count(),
            AuditEntry.objects.count(), Notification.objects.count())


def _told_on_page(body: str, *people: tuple[Any, str]) -> None:
    for user, role in people:
        assert f"{user.get_full_name()}, {role}" in body, (user.get_full_name(), role)


def _notified_since(before: int) -> set[int]:
    return set(Notification.objects.order_by("pk")[before:].values_list("recipient_id", flat=True))


def _submitted(cast: Any) -> ProgressionCase:
    case = cast.open_case()
    mark_required(case, cast.manager)
    return services.progression_case_submit(actor=cast.manager, case=case)


def _signed_off(cast: Any) -> ProgressionCase:
    case = services.progression_case_hos_decide(actor=cast.hos, case=_submitted(cast), recommend=True)
    return services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")


def _told(cast: Any) -> ProgressionCase:
    case = services.progression_case_hr_record(actor=cast.hr, case=_signed_off(cast), hr_reference="PAY-9",
                                               effective_date=datetime.date(2025, 4, 1))
    return services.progression_case_record_told(actor=cast.manager, case=case, told_on=datetime.date(2025, 3, 20),
                                                 told_by=cast.manager)


# Submitting ----------------------------------------------------------------------------------------


def test_submitting_asks_first_naming_the_head_of_service_and_changes_nothing(cast: Any) -> None:
    case = cast.open_case()
    mark_required(case, cast.manager)
    client, url = _client(cast.manager), reverse("progression:case-submit", args=[case.pk])
    before = _state(case)
    response = client.post(url, {"revision": case.revision})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Check before you submit the case" in body
    _told_on_page(body, (cast.hos, "Head of Service"))
    assert "Key</dt>" in body and "2 of 2 reached or exceeded" in body
    assert _state(case) == before

    notified = Notification.objects.count()
    response = client.post(url, {"revision": case.revision, "confirm": "yes"}, follow=True)
    assert "The case is submitted to the Head of Service." in response.content.decode()
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.SUBMITTED
    assert _notified_since(notified) == {cast.hos.pk}
    assert Decision.objects.filter(case=case, decision=Decision.Kind.SUBMITTED).count() == 1


def test_submitting_an_incomplete_case_is_refused_before_the_check_page(cast: Any) -> None:
    case = cast.open_case()
    response = _client(cast.manager).post(reverse("progression:case-submit", args=[case.pk]),
                                          {"revision": case.revision}, follow=True)
    body = response.content.decode()
    assert "Check before you submit" not in body
    assert ("Still missing: K1 (Key): not yet reached (it is “not yet”) and 0 of 1 piece of dated evidence; "
            "K2 (Key)") in body


def test_a_second_confirm_of_the_submission_is_refused_clearly(cast: Any) -> None:
    case = cast.open_case()
    mark_required(case, cast.manager)
    client, url = _client(cast.manager), reverse("progression:case-submit", args=[case.pk])
    client.post(url, {"revision": case.revision, "confirm": "yes"})
    after_first = _state(case)
    response = client.post(url, {"revision": case.revision, "confirm": "yes"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "This case changed since you loaded the page" in response.content.decode()
    assert _state(case) == after_first


# The Head of Service ---------------------------------------------------------------------------------


def test_recommending_asks_first_and_change_keeps_the_answers(cast: Any) -> None:
    case = _submitted(cast)
    client, url = _client(cast.hos), reverse("progression:case-decide", args=[case.pk])
    answers = {"revision": case.revision, "decision": "recommend", "comment": "Strong evidence throughout."}
    before = _state(case)
    response = client.post(url, answers)
    body = response.content.decode()
    assert "Check before you recommend the case" in body
    assert "Recommend to the Operational Director" in body and "Strong evidence throughout." in body
    _told_on_page(body, (cast.director, "Operational Director"))
    assert _state(case) == before

    changed = client.post(url, {**answers, "change": "comment"})
    form = changed.context["form"]
    assert changed.status_code == HTTPStatus.OK and not form.errors
    assert form["comment"].value() == "Strong evidence throughout." and form["decision"].value() == "recommend"
    assert "Strong evidence throughout." in changed.content.decode()
    assert _state(case) == before

    notified = Notification.objects.count()
    client.post(url, {**answers, "confirm": "yes"})
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.RECOMMENDED
    assert _notified_since(notified) == {cast.director.pk}
    after = _state(case)
    late = client.post(url, {**answers, "confirm": "yes"}, follow=True)
    assert "This case changed since you loaded the page" in late.content.decode()
    assert _state(case) == after
    assert Decision.objects.filter(case=case, decision=Decision.Kind.RECOMMENDED).count() == 1


def test_returning_without_reasons_is_refused_beside_the_field_before_the_check_page(cast: Any) -> None:
    case = _submitted(cast)
    response = _client(cast.hos).post(reverse("progression:case-decide", args=[case.pk]),
                                      {"revision": case.revision, "decision": "return", "comment": ""})
    assert "Check before" not in response.content.decode()
    assert response.context["form"].errors["comment"] == ["Give the reasons to return the case."]


def test_returning_names_the_line_manager_and_the_practitioner(cast: Any) -> None:
    case = _submitted(cast)
    client, url = _client(cast.hos), reverse("progression:case-decide", args=[case.pk])
    answers = {"revision": case.revision, "decision": "return", "comment": "Add a dated example for K2."}
    body = client.post(url, answers).content.decode()
    assert "Check before you return the case" in body
    _told_on_page(body, (cast.manager, "Line manager"), (cast.practitioner, "Practitioner"))
    notified = Notification.objects.count()
    client.post(url, {**answers, "confirm": "yes"})
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT and case.return_reasons == "Add a dated example for K2."
    assert _notified_since(notified) == {cast.manager.pk, cast.practitioner.pk}


# The Operational Director --------------------------------------------------------------------------


def test_signing_off_names_everyone_the_sign_off_tells(cast: Any) -> None:
    case = services.progression_case_hos_decide(actor=cast.hos, case=_submitted(cast), recommend=True)
    client, url = _client(cast.director), reverse("progression:case-decide", args=[case.pk])
    answers = {"revision": case.revision, "decision": "sign_off", "comment": ""}
    before = _state(case)
    body = client.post(url, answers).content.decode()
    assert "Check before you sign off the progression" in body
    assert "A sign-off cannot be undone." in body
    _told_on_page(body, (cast.practitioner, "Practitioner"), (cast.hr, "HR"), (cast.manager, "Line manager"),
                  (cast.hos, "Head of Service"))
    assert _state(case) == before
    notified = Notification.objects.count()
    client.post(url, {**answers, "confirm": "yes"})
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.SIGNED_OFF
    assert _notified_since(notified) == {cast.practitioner.pk, cast.hr.pk, cast.manager.pk, cast.hos.pk}


def test_declining_says_it_is_final_and_is_taken_once(cast: Any) -> None:
    case = services.progression_case_hos_decide(actor=cast.hos, case=_submitted(cast), recommend=True)
    client, url = _client(cast.director), reverse("progression:case-decide", args=[case.pk])
    answers = {"revision": case.revision, "decision": "decline", "comment": "The role is not funded."}
    before = _state(case)
    body = client.post(url, answers).content.decode()
    assert "Check before you decline the case" in body and "This is final" in body
    _told_on_page(body, (cast.manager, "Line manager"), (cast.practitioner, "Practitioner"),
                  (cast.hos, "Head of Service"))
    assert _state(case) == before
    client.post(url, {**answers, "confirm": "yes"})
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DECLINED
    late = client.post(url, {**answers, "confirm": "yes"}, follow=True)
    assert late.status_code == HTTPStatus.OK
    assert "This case changed since you loaded the page" in late.content.decode()
    assert Decision.objects.filter(case=case, decision=Decision.Kind.DECLINED).count() == 1


# HR, telling the worker, the letter ---------------------------------------------------------------


HR_ANSWERS = {"hr_reference": "PAY-77", "effective_date_0": "1", "effective_date_1": "4", "effective_date_2": "2025",
              "comment": "Band change from April."}


def test_recording_hr_asks_first_and_change_keeps_every_answer(cast: Any) -> None:
    case = _signed_off(cast)
    client, url = _client(cast.hr), reverse("progression:case-hr", args=[case.pk])
    answers = {"revision": case.revision, **HR_ANSWERS}
    before = _state(case)
    body = client.post(url, answers).content.decode()
    assert "Check before you record the HR process" in body
    assert "PAY-77" in body and "1 April 2025" in body and "No redeployment" in body
    _told_on_page(body, (cast.manager, "Line manager"))
    assert _state(case) == before

    form = client.post(url, {**answers, "change": "effective_date"}).context["form"]
    assert form["hr_reference"].value() == "PAY-77"
    assert form.cleaned_data["effective_date"] == datetime.date(2025, 4, 1)
    assert form["comment"].value() == "Band change from April."

    notified = Notification.objects.count()
    client.post(url, {**answers, "confirm": "yes"})
    case.refresh_from_db()
    assert case.stage == Stage.HR_RECORDED and case.hr_reference == "PAY-77"
    assert _notified_since(notified) == {cast.manager.pk}


def test_a_confirm_sent_after_the_case_moved_on_is_refused_clearly(cast: Any) -> None:
    case = _signed_off(cast)
    client, url = _client(cast.hr), reverse("progression:case-hr", args=[case.pk])
    answers = {"revision": case.revision, **HR_ANSWERS}
    assert "Check before" in client.post(url, answers).content.decode()
    other_hr = person(cast.organisation, Role.HR)
    services.progression_case_hr_record(actor=other_hr, case=case, hr_reference="PAY-1",
                                        effective_date=datetime.date(2025, 5, 1))
    after = _state(case)
    response = client.post(url, {**answers, "confirm": "yes"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "This case changed since you loaded the page" in response.content.decode()
    assert _state(case) == after and ProgressionCase.objects.get(pk=case.pk).hr_reference == "PAY-1"


def test_producing_the_letter_asks_first_and_names_who_is_told(cast: Any) -> None:
    case = _told(cast)
    client, url = _client(cast.hr), reverse("progression:case-confirm", args=[case.pk])
    before = _state(case)
    body = client.post(url, {"revision": case.revision}).content.decode()
    assert "Check before you produce the confirmation letter" in body
    assert "PAY-9" in body and "20 March 2025" in body
    _told_on_page(body, (cast.practitioner, "Practitioner"), (cast.manager, "Line manager"))
    assert _state(case) == before and not ProgressionCase.objects.get(pk=case.pk).letter_file

    notified, loaded = Notification.objects.count(), case.revision
    client.post(url, {"revision": loaded, "confirm": "yes"})
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMED and case.letter_file
    assert _notified_since(notified) == {cast.practitioner.pk, cast.manager.pk}
    late = client.post(url, {"revision": loaded, "confirm": "yes"}, follow=True)
    assert "This case changed since you loaded the page" in late.content.decode()
    assert Decision.objects.filter(case=case, decision=Decision.Kind.CONFIRMED).count() == 1


def test_the_line_manager_producing_the_letter_is_not_named_as_told(cast: Any) -> None:
    case = _told(cast)
    body = _client(cast.manager).post(reverse("progression:case-confirm", args=[case.pk]),
                                      {"revision": case.revision}).content.decode()
    _told_on_page(body, (cast.practitioner, "Practitioner"))
    assert f"{cast.manager.get_full_name()}, Line manager" not in body


# Publishing a framework ------------------------------------------------------------------------------


def test_publishing_asks_first_and_says_which_version_it_retires(cast: Any) -> None:
    published = small_framework(owner=cast.organisation)
    draft = services.framework_new_version(actor=cast.lead, framework=published)
    client, url = _client(cast.lead), reverse("progression:framework-publish", args=[draft.pk])
    audited = AuditEntry.objects.count()
    response = client.post(url)
    body = response.content.decode()
    assert "Check before you publish the framework" in body
    assert f"Version {published.version}, published now, is retired" in body
    assert "Nobody is sent a notification" in body
    assert "2, with 4 competencies" in body
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.DRAFT
    assert AuditEntry.objects.count() == audited

    client.post(url, {"confirm": "yes"})
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.PUBLISHED
    assert Framework.objects.get(pk=published.pk).status == Framework.Status.RETIRED
    again = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Only a draft can be published" in again.content.decode()


def test_an_empty_section_is_refused_before_the_check_page(cast: Any) -> None:
    draft = small_framework(owner=cast.organisation, status=Framework.Status.DRAFT)
    draft.sections.create(title="Empty", order=3)
    response = _client(cast.lead).post(reverse("progression:framework-publish", args=[draft.pk]), follow=True)
    body = response.content.decode()
    assert "Check before" not in body and "Every section needs a competency" in body
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.DRAFT


# Retiring a framework ----------------------------------------------------------------------------


def test_retiring_names_each_open_case_first_then_retires_on_confirm(cast: Any, other_organisation: Any) -> None:
    """The lead sees each open case on the version (their own organisation's by name, another's by its
    organisation only; linked only where they may open it); nothing changes until they confirm."""
    framework = small_framework(owner=cast.organisation)
    case = cast.open_case(framework)
    elsewhere = Cast(other_organisation, TeamFactory(organisation=other_organisation), email_prefix="far.")
    elsewhere.open_case(framework)
    withdrawn = person(cast.organisation, Role.PRACTITIONER, team=cast.team, email="gone@example.org")
    services.progression_case_withdraw(actor=cast.manager, reason="Opened by mistake.", case=services.progression_case_open(
        actor=cast.manager, practitioner=withdrawn, framework=framework, target_role="Advanced Practitioner",
        head_of_service=cast.hos, organisation=cast.organisation, team=cast.team))
    client, url = _client(cast.lead), reverse("progression:framework-retire", args=[framework.pk])
    audited = AuditEntry.objects.count()
    body = client.post(url).content.decode()
    assert "Check before you retire the framework" in body
    assert "2 open cases use this version" in body
    assert f"{cast.practitioner.get_full_name()}: Draft" in body
    assert "A case in Neighbouring Trust: Draft" in body
    assert elsewhere.practitioner.get_full_name() not in body
    assert withdrawn.get_full_name() not in body
    assert Framework.objects.get(pk=framework.pk).status == Framework.Status.PUBLISHED
    assert AuditEntry.objects.count() == audited

    # The Head of Service (also allowed to open the case) gets it as a link.
    hos_lead = person(cast.organisation, Role.PROGRAMME_LEAD, email="hos-lead@example.org")
    Membership.objects.create(user=hos_lead, organisation=cast.organisation, role=Role.HEAD_OF_SERVICE)
    assert f'href="{case.get_absolute_url()}"' in _client(hos_lead).post(url).content.decode()

    client.post(url, {"confirm": "yes"})
    assert Framework.objects.get(pk=framework.pk).status == Framework.Status.RETIRED
    assert AuditEntry.objects.filter(action="framework.retire").count() == 1
    case_page = _client(cast.practitioner).get(framework.get_absolute_url())
    assert case_page.status_code == HTTPStatus.OK and "Retired" in case_page.content.decode()


def test_retiring_a_version_no_case_uses_says_so(cast: Any) -> None:
    framework = small_framework(owner=cast.organisation)
    body = _client(cast.lead).post(reverse("progression:framework-retire", args=[framework.pk])).content.decode()
    assert "data-check-warning" not in body
    assert "Open cases on it" in body
