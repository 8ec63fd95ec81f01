"""Questions that depend on an answer, through HTTP: drawn once, under their answer (NHS.UK conditional
reveals, hidden only when another answer is chosen and the design system's script runs), the one
needed for the answer chosen named when missing, and the answer not chosen ignored."""

from __future__ import annotations

import datetime
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import CompletionConfirmation, Enrolment, Goal, ReviewMeeting
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.factories_practice import GoalFactory, make_cast

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _conditional(page: str, input_id: str) -> str:
    """The class of the conditional block an input controls (and checks the input points at it)."""
    assert re.search(rf'id="{input_id}"[^>]*data-aria-controls="conditional-{input_id}"', page), input_id
    found = re.search(rf'<div class="([^"]*)" id="conditional-{input_id}">', page)
    assert found, input_id
    return found[1]


@pytest.fixture
def due(organisation: Any, today: datetime.date) -> Enrolment:
    """Completion due in ten days, a goal still open: confirming now needs a reason."""
    enrolment = EnrolmentFactory(programme__organisation=organisation,
                                 start_date=add_months(today, -18) + datetime.timedelta(days=10))
    GoalFactory(enrolment=enrolment, status=Goal.Status.IN_PROGRESS)
    return enrolment


def test_completion_draws_each_reason_once_under_its_answer(due: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    page = _client(due.mentor).get(url).content.decode()
    assert "nhsuk-radios__conditional--hidden" in _conditional(page, "id_confirmed_0")  # yes: why now
    assert "nhsuk-radios__conditional--hidden" in _conditional(page, "id_confirmed_1")  # not yet: why not
    assert page.count('name="reason"') == 1 and page.count('name="early_reason"') == 1
    yes_block = page.split('id="conditional-id_confirmed_0"')[1].split('id="id_confirmed_1"')[0]
    assert 'name="early_reason"' in yes_block and 'name="reason"' not in yes_block
    assert "Why has the preceptee not completed yet?</label>" in page  # needed when shown: not "optional"

    # "Not yet" without its reason: named beside the question and in the summary, its block open.
    response = _client(due.mentor).post(url, {"confirmed": "no", "early_reason": "Typed under the other answer"})
    page = response.content.decode()
    assert response.context["form"].errors == {"reason": ["Say why the preceptee has not completed yet"]}
    assert "nhsuk-error-summary" in page and 'href="#id_reason"' in page
    assert "hidden" not in _conditional(page, "id_confirmed_1")
    assert "hidden" in _conditional(page, "id_confirmed_0")


def test_completion_ignores_the_answer_not_chosen(due: Enrolment) -> None:
    url = reverse("programmes:completion-confirm", args=[due.pk])
    client = _client(due.mentor)
    data = {"confirmed": "yes", "early_reason": "Standards met", "reason": "Typed, then changed my mind",
            "proposed_extension_months": "abc"}
    check = client.post(url, data)
    assert check.status_code == HTTPStatus.OK and "check" in check.context  # the check page, not errors
    client.post(url, {**data, "confirm": "yes"})
    confirmation = CompletionConfirmation.objects.get(enrolment=due)
    assert confirmation.confirmed and confirmation.early_reason == "Standards met"
    assert confirmation.reason == "" and confirmation.proposed_extension_months is None


@pytest.fixture
def cast(organisation: Any, other_organisation: Any) -> Any:
    return make_cast(organisation, other_organisation)


def _review(today: datetime.date, **changes: Any) -> dict[str, Any]:
    held = today - datetime.timedelta(days=1)
    return {"held_on_0": str(held.day), "held_on_1": str(held.month), "held_on_2": str(held.year),
            "discussion": "Caseload", "wellbeing": "4", "confidence": "3", **changes}


def test_review_asks_who_else_attended_only_under_someone_else(cast: Any, today: datetime.date) -> None:
    url = reverse("programmes:review-record", args=[cast.enrolment.pk])
    client = _client(cast.mentor)
    page = client.get(url).content.decode()
    others_box = re.search(r'id="(id_attended_\d)"[^>]*value="others"|value="others"[^>]*id="(id_attended_\d)"', page)
    assert others_box
    box_id = others_box[1] or others_box[2]
    assert "nhsuk-checkboxes__conditional--hidden" in _conditional(page, box_id)
    assert page.count('name="attended_others"') == 1

    response = client.post(url, _review(today, attended=["mentor", "others"]))
    assert response.context["form"].errors == {"attended_others": ["Enter who else attended the meeting"]}
    assert "hidden" not in _conditional(response.content.decode(), box_id)

    client.post(url, _review(today, attended=["mentor"], attended_others="Typed, then unticked"))
    assert ReviewMeeting.objects.get().attended_others == ""


def test_a_corrected_record_with_others_comes_back_ticked(cast: Any, today: datetime.date) -> None:
    client = _client(cast.mentor)
    client.post(reverse("programmes:review-record", args=[cast.enrolment.pk]),
                _review(today, attended=["mentor", "others"], attended_others="A practice educator"))
    review = ReviewMeeting.objects.get()
    assert review.attended_others == "A practice educator"
    form = client.get(reverse("programmes:review-correct", args=[review.pk])).context["form"]
    assert "others" in form["attended"].value()
