"""Confirming completion and recording the outcome are checked before they are recorded.

Through the HTTP layer: the form's POST shows a check page (what will be recorded, what is still
outstanding, who will be told) and changes nothing; "Change" keeps the answers; the confirm POST
records once. Confirming before the completion date, with reviews not held or goals open, needs a
reason, kept and shown in the enrolment's history, which reads in time order.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship import reminders
from preceptorship.models import AuditEntry, Membership, Notification
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import CompletionConfirmation, Enrolment, Goal, Pause, ReviewMeeting
from programmes.schedule import add_months
from programmes.tests.factories import (
    CompletionConfirmationFactory,
    EnrolmentFactory,
    ExtensionFactory,
    PauseFactory,
)
from programmes.tests.factories_practice import GoalFactory, ReviewFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db
REASON = "The last review is booked for the completion meeting; the standards are all met."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _state(enrolment: Enrolment) -> tuple[Any, ...]:
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return (enrolment.status, enrolment.outcome, CompletionConfirmation.objects.count(), AuditEntry.objects.count(),
            Notification.objects.count())


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def due(organisation: Any, today: datetime.date) -> Enrolment:
    """Completion due in ten days, no review held, one goal still in progress."""
    enrolment = EnrolmentFactory(programme__organisation=organisation,
                                 start_date=add_months(today, -18) + datetime.timedelta(days=10))
    GoalFactory(enrolment=enrolment, what="Lead a moving and handling assessment", status=Goal.Status.IN_PROGRESS)
    return enrolment


@pytest.fixture
def lead(organisation: Any) -> Any:
    return person(organisation, Role.PROGRAMME_LEAD, first_name="Nadia", last_name="Example-Lead")


@pytest.fixture
def finished(organisation: Any, today: datetime.date) -> Enrolment:
    """Completion due today, every scheduled review held, every goal achieved."""
    enrolment = EnrolmentFactory(programme__organisation=organisation, start_date=add_months(today, -18))
    for number in range(1, len(services.enrolment_schedule(enrolment).reviews) + 1):
        ReviewFactory(enrolment=enrolment, number=number, status=ReviewMeeting.Status.HELD)
    GoalFactory(enrolment=enrolment, status=Goal.Status.ACHIEVED)
    return enrolment


def test_confirming_early_lists_what_is_outstanding_and_the_check_page_changes_nothing(due: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    client = _client(due.mentor)
    form_page = client.get(url).content.decode()
    assert "Not everything is done yet" in form_page
    assert "Review 1, due" in form_page and "has not been held" in form_page
    assert "The goal “Lead a moving and handling assessment” is in progress." in form_page

    before = _state(due)
    response = client.post(url, {"confirmed": "yes", "early_reason": REASON})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Check before you confirm completion" in body
    assert f"The completion date is {due.completion_due:%-d %B %Y}, 10 days from today." in body
    assert REASON in body
    # The line manager has not confirmed, so nobody is told yet.
    assert "Nobody is told yet" in body
    assert _state(due) == before


def test_confirming_before_the_date_without_a_reason_is_refused_beside_the_field(due: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    client = _client(due.mentor)
    before = _state(due)
    response = client.post(url, {"confirmed": "yes"})
    assert "Check before" not in response.content.decode()
    assert response.context["form"].errors["early_reason"] == [
        "Say why you confirm completion before the work listed is done"]
    # Sent straight to the confirm step, it is refused beside the same field: the answers are checked again.
    response = client.post(url, {"confirmed": "yes", "confirm": "yes"})
    assert response.context["form"].errors["early_reason"]
    assert _state(due) == before


def test_the_service_itself_refuses_an_early_confirmation_without_a_reason(due: Enrolment) -> None:
    with pytest.raises(ValidationError) as refused:
        services.completion_confirm(actor=due.mentor, enrolment=due, confirmed=True, early_reason="  ")
    message = refused.value.message_dict["early_reason"][0]
    assert message.startswith("Say why you confirm completion now:") and "Review 1, due" in message
    assert not CompletionConfirmation.objects.exists()


def test_change_keeps_the_answers(due: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    response = _client(due.mentor).post(url, {"confirmed": "yes", "early_reason": REASON, "change": "early_reason"})
    form = response.context["form"]
    assert not form.errors and form["early_reason"].value() == REASON and form["confirmed"].value() == "yes"
    assert REASON in response.content.decode()


def test_the_reason_is_stored_once_audited_and_shown_in_the_history(due: Enrolment, lead: Any) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    audited = AuditEntry.objects.filter(action="completion.confirm")
    response = _client(due.mentor).post(url, {"confirmed": "yes", "early_reason": REASON, "confirm": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    confirmation = CompletionConfirmation.objects.get(enrolment=due)
    assert confirmation.confirmed and confirmation.early_reason == REASON
    assert audited.count() == 1 and audited.get().after["early_reason"] == REASON
    page = _client(lead).get(reverse("programmes:enrolment-detail", args=[due.pk])).content.decode()
    assert f"confirmed completion before everything was done: {REASON}" in page


def test_the_enrolment_page_names_who_confirmed_and_someone_who_has_left(due: Enrolment, lead: Any) -> None:
    services.completion_confirm(actor=due.mentor, enrolment=due, confirmed=True, early_reason=REASON)
    services.completion_confirm(actor=due.line_manager, enrolment=due, confirmed=False, reason="Two standards left.")
    url = reverse("programmes:enrolment-detail", args=[due.pk])
    page = _client(lead).get(url).content.decode()
    assert f"Mentor ({due.mentor}) confirmed completion" in page
    assert f"Line manager ({due.line_manager}) said not yet: Two standards left." in page
    CompletionConfirmation.objects.filter(enrolment=due, by=due.line_manager).update(by=None)
    page = _client(lead).get(url).content.decode()
    assert "Line manager (someone who has left) said not yet" in page and f"Mentor ({due.mentor})" in page


def test_the_second_confirmation_names_the_programme_lead_who_will_be_told(due: Enrolment, lead: Any) -> None:
    services.completion_confirm(actor=due.line_manager, enrolment=due, confirmed=True, early_reason=REASON)
    url = reverse("programmes:completion-confirm", args=[due.pk])
    client = _client(due.mentor)
    body = client.post(url, {"confirmed": "yes", "early_reason": REASON}).content.decode()
    assert "Nadia Example-Lead, Programme lead" in body
    notified = Notification.objects.count()
    client.post(url, {"confirmed": "yes", "early_reason": REASON, "confirm": "yes"})
    assert list(Notification.objects.order_by("pk")[notified:].values_list("recipient_id", flat=True)) == [lead.pk]


def test_a_not_yet_names_the_programme_lead_at_once(due: Enrolment, lead: Any) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    body = _client(due.line_manager).post(url, {"confirmed": "no", "reason": "Two standards left.",
                                                "proposed_extension_months": "2"}).content.decode()
    assert "Check your answer" in body and "Nadia Example-Lead, Programme lead" in body
    assert "Two standards left." in body and "Not everything is done yet" not in body


def test_with_nothing_outstanding_no_reason_is_asked(finished: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[finished.pk])
    client = _client(finished.mentor)
    page = client.get(url)
    assert "early_reason" not in page.context["form"].fields
    assert "Not everything is done yet" not in page.content.decode()
    body = client.post(url, {"confirmed": "yes"}).content.decode()
    assert "Check before you confirm completion" in body and "Not everything is done yet" not in body
    client.post(url, {"confirmed": "yes", "confirm": "yes"})
    assert CompletionConfirmation.objects.get(enrolment=finished).early_reason == ""


def test_the_outcome_is_not_prefilled_and_is_checked_before_it_completes(due: Enrolment, lead: Any,
                                                                          today: datetime.date) -> None:
    for who in (due.mentor, due.line_manager):
        services.completion_confirm(actor=who, enrolment=due, confirmed=True, early_reason=REASON)
    url = reverse("programmes:completion-outcome", args=[due.pk])
    client = _client(lead)
    form = client.get(url).context["form"]
    assert not form["outcome"].value()

    answers = {"outcome": "Progressed to Level 2", **_date("completed_on", today)}
    before = _state(due)
    body = client.post(url, answers).content.decode()
    assert "Check before you record the outcome" in body and "This cannot be undone." in body
    assert f"{due.preceptee.get_full_name()}, Preceptee" in body
    assert "Completion was confirmed before everything was done" in body and REASON in body
    assert _state(due) == before

    client.post(url, {**answers, "confirm": "yes"})
    due.refresh_from_db()
    assert due.status == Enrolment.Status.COMPLETED and due.outcome == "Progressed to Level 2"
    assert AuditEntry.objects.filter(action="enrolment.complete").count() == 1
    again = client.post(url, {**answers, "confirm": "yes"})
    assert again.status_code == HTTPStatus.OK
    assert "Only an active enrolment can be completed." in again.content.decode()
    assert AuditEntry.objects.filter(action="enrolment.complete").count() == 1


def test_the_history_reads_in_time_order(due: Enrolment, lead: Any, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    services.completion_confirm(actor=due.mentor, enrolment=due, confirmed=False, reason="Two standards left.")
    time_machine.shift(datetime.timedelta(days=2))
    services.completion_confirm(actor=due.line_manager, enrolment=due, confirmed=True, early_reason=REASON)
    time_machine.shift(datetime.timedelta(days=1))
    services.completion_confirm(actor=due.mentor, enrolment=due, confirmed=True, early_reason=REASON)
    page = _client(lead).get(reverse("programmes:enrolment-detail", args=[due.pk])).content.decode()
    history = page[page.index("Completion confirmations"):]
    # The line manager answered first, then the mentor changed a "not yet" to a yes.
    assert history.index("Line manager (") < history.index("Mentor (")


def test_pauses_and_extensions_read_in_time_order(due: Enrolment, lead: Any, today: datetime.date) -> None:
    PauseFactory(enrolment=due, start_date=today - datetime.timedelta(days=200),
                 end_date=today - datetime.timedelta(days=180))
    ExtensionFactory(enrolment=due, months=2, reason="Time lost to a long illness.")
    PauseFactory(enrolment=due, start_date=today + datetime.timedelta(days=5),
                 end_date=today + datetime.timedelta(days=9), reason=Pause.Reason.CARER)
    page = _client(lead).get(reverse("programmes:enrolment-detail", args=[due.pk])).content.decode()
    earlier, extended, later = (page.index(text) for text in (
        f"Paused from {today - datetime.timedelta(days=200):%-d %B %Y}", f"Extended by 2 months on {today:%-d %B %Y}",
        f"Paused from {today + datetime.timedelta(days=5):%-d %B %Y}"))
    assert earlier < extended < later


def test_the_outcome_page_names_everyone_whose_calendar_loses_the_next_review(
        organisation: Any, lead: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = timezone.localdate()
    enrolment = EnrolmentFactory(programme__organisation=organisation, start_date=today - datetime.timedelta(days=75))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=enrolment.next_review_due - datetime.timedelta(days=14))
    enrolment.refresh_from_db()
    for role in (CompletionConfirmation.Role.MENTOR, CompletionConfirmation.Role.LINE_MANAGER):
        CompletionConfirmationFactory(enrolment=enrolment, role=role)
    url = reverse("programmes:completion-outcome", args=[enrolment.pk])
    answers = {"outcome": "Progressed to Level 2", **_date("completed_on", today)}
    client = _client(lead)
    body = client.post(url, answers).content.decode()
    named = {enrolment.preceptee: "Preceptee", enrolment.mentor: "Mentor: the next review leaves their calendar",
             enrolment.line_manager: "Line manager: the next review leaves their calendar"}
    for user, role in named.items():
        assert f"{user.get_full_name()}, {role}" in body
    notified = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**answers, "confirm": "yes"})
    told = set(Notification.objects.order_by("pk")[notified:].values_list("recipient_id", flat=True))
    assert told == {user.pk for user in named}
