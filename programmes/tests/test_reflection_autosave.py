"""Saving a reflection's draft while it is written, through HTTP: the first save creates the draft
and says where the next go, later saves change that draft, only its author may save it, and every
refusal is JSON with a message (signed out included), never a server error."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry
from programmes.models import Reflection
from programmes.tests.factories_practice import GoalFactory, ReflectionFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client: Client, url: str, data: dict, page: str) -> object:
    """Posts as the page's script does: with the token of the form the page shows."""
    client.get(page)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                       headers={"accept": "application/json"})


def new_url(enrolment, model: str = "gibbs") -> str:
    return reverse("programmes:reflection-autosave-new", args=[enrolment.pk]) + f"?model={model}"


def create_page(enrolment, model: str = "gibbs") -> str:
    return reverse("programmes:reflection-create", args=[enrolment.pk]) + f"?model={model}"


def test_the_first_autosave_creates_the_draft_and_later_ones_change_it(cast):
    client = client_for(cast.preceptee)
    page = create_page(cast.enrolment)
    goal = GoalFactory(enrolment=cast.enrolment)
    first = csrf_post(client, new_url(cast.enrolment), {"title": "Night shift", "answer_description": "A fall."},
                      page)
    assert first.status_code == HTTPStatus.OK
    answer = first.json()
    draft = Reflection.objects.get()
    assert draft.status == Reflection.Status.DRAFT and draft.author == cast.preceptee
    assert draft.answers["description"] == "A fall."
    assert answer["id"] == draft.pk and answer["message"].startswith("Draft saved at ")
    assert answer["autosave_url"] == reverse("programmes:reflection-autosave", args=[draft.pk])
    assert answer["form_url"] == reverse("programmes:reflection-update", args=[draft.pk])
    assert answer["draft_key"] == f"reflection-{draft.pk}"

    second = csrf_post(client, answer["autosave_url"],
                       {"title": "Night shift", "answer_description": "A fall at 3am.", "answer_feelings": "Calm.",
                        "goals": [str(goal.pk)]}, answer["form_url"])
    assert second.status_code == HTTPStatus.OK
    draft = Reflection.objects.get()  # still one
    assert draft.answers["description"] == "A fall at 3am." and draft.answers["feelings"] == "Calm."
    assert list(draft.goals.all()) == [goal]
    assert AuditEntry.objects.filter(action="reflection.save", object_id=str(draft.pk)).count() == 2


def test_the_reflection_page_tells_its_script_where_to_save(cast, settings):
    settings.REFLECTION_AUTOSAVE_SECONDS = 25
    client = client_for(cast.preceptee)
    page = client.get(create_page(cast.enrolment, "driscoll")).content.decode()
    assert f'data-app-autosave="{new_url(cast.enrolment, "driscoll")}"' in page
    assert 'data-app-autosave-seconds="25"' in page
    draft = ReflectionFactory(enrolment=cast.enrolment, status=Reflection.Status.DRAFT)
    page = client.get(reverse("programmes:reflection-update", args=[draft.pk])).content.decode()
    assert reverse("programmes:reflection-autosave", args=[draft.pk]) in page
    # A finished reflection may already be shared: it changes only when its author presses a button.
    finished = ReflectionFactory(enrolment=cast.enrolment)
    page = client.get(reverse("programmes:reflection-update", args=[finished.pk])).content.decode()
    assert "data-app-autosave" not in page and "data-app-draft" in page


def test_only_the_author_saves_their_draft(cast):
    draft = ReflectionFactory(enrolment=cast.enrolment, status=Reflection.Status.DRAFT, title="Mine")
    url = reverse("programmes:reflection-autosave", args=[draft.pk])
    for someone in (cast.mentor, cast.line_manager, cast.lead, cast.colleague, cast.outsider, cast.administrator):
        client = Client()
        client.force_login(someone)
        response = client.post(url, {"title": "Not theirs"})
        assert response.status_code == HTTPStatus.NOT_FOUND and response.json()["message"] == "Not found."
    new = new_url(cast.enrolment)
    for someone, status in ((cast.mentor, HTTPStatus.FORBIDDEN), (cast.outsider, HTTPStatus.NOT_FOUND)):
        client = Client()
        client.force_login(someone)
        response = client.post(new, {"title": "Not theirs"})
        assert response.status_code == status and "message" in response.json()
    assert Reflection.objects.get().title == "Mine"


def test_a_signed_out_writer_gets_a_401_that_says_so(cast):
    client = Client()
    response = client.post(new_url(cast.enrolment), {"title": "After the session expired"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "signed out" in response.json()["message"]
    assert client.get(new_url(cast.enrolment)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not Reflection.objects.exists()


def test_a_post_without_the_form_token_is_refused(cast):
    client = client_for(cast.preceptee)
    response = client.post(new_url(cast.enrolment), {"title": "No token"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Reflection.objects.exists()


@pytest.mark.parametrize(("data", "model", "field", "message"), [
    ({}, "gibbs", "__all__", "Write something first."),
    ({"title": "x" * 201}, "gibbs", "title", "at most 200 characters"),
    ({"title": "Fine", "goals": ["999999"]}, "gibbs", "goals", "Select a valid choice"),
    ({"title": "Fine"}, "sonnet", "model", "Choose a reflective model."),
    ({"title": "Fine"}, "", "model", "Choose a reflective model."),
])
def test_invalid_data_gives_400_json_with_messages(cast, data, model, field, message):
    GoalFactory(enrolment=cast.enrolment)  # so the form offers goals to choose from
    client = client_for(cast.preceptee)
    response = csrf_post(client, new_url(cast.enrolment, model), data, create_page(cast.enrolment))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    answer = response.json()
    assert any(message in text for text in answer["errors"][field])
    assert answer["message"].startswith("The draft was not saved: ")
    assert not Reflection.objects.exists()


def test_a_finished_reflection_is_not_changed_by_autosave(cast):
    finished = ReflectionFactory(enrolment=cast.enrolment, title="Shared with my mentor", shared_with_mentor=True)
    client = client_for(cast.preceptee)
    page = reverse("programmes:reflection-update", args=[finished.pk])
    response = csrf_post(client, reverse("programmes:reflection-autosave", args=[finished.pk]),
                         {"title": "Half-typed"}, page)
    assert response.status_code == HTTPStatus.CONFLICT and "finished" in response.json()["message"]
    assert Reflection.objects.get().title == "Shared with my mentor"


@pytest.mark.parametrize("posted", [
    {},  # nothing at all
    {"title": "", "answer_description": "", "answer_feelings": "", "answer_evaluation": "", "answer_analysis": "",
     "answer_conclusion": "", "answer_action_plan": ""},  # every box empty
    {"title": "Home visit", "answer_feelings": "Calmer."},  # most boxes missing
], ids=["empty", "blank", "malformed"])
def test_an_empty_or_malformed_autosave_never_blanks_a_draft(cast, posted):
    draft = ReflectionFactory(enrolment=cast.enrolment, status=Reflection.Status.DRAFT, title="Home visit",
                              answers={"description": "What happened at the home visit."})
    client = client_for(cast.preceptee)
    response = csrf_post(client, reverse("programmes:reflection-autosave", args=[draft.pk]), posted,
                         reverse("programmes:reflection-update", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.title == "Home visit" and draft.answers["description"] == "What happened at the home visit."
    if posted.get("title") == "":
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "saved draft is kept as it was" in response.json()["message"]
    if posted.get("answer_feelings"):
        assert response.status_code == HTTPStatus.OK and draft.answers["feelings"] == "Calmer."


def test_a_save_whose_answer_never_arrived_is_found_again_by_the_pages_token(cast):
    """The page was left while its first save was on the way: opened again in the same tab, it sends
    the same token, and both its autosave and its buttons change that draft rather than add one."""
    client = client_for(cast.preceptee)
    page = create_page(cast.enrolment)
    token = "5f0c7a0e-tab-token"
    csrf_post(client, new_url(cast.enrolment), {"title": "Leaving", "draft_token": token}, page)
    again = csrf_post(client, new_url(cast.enrolment), {"title": "Back again", "draft_token": token}, page)
    assert again.status_code == HTTPStatus.OK and Reflection.objects.get().title == "Back again"
    finished = csrf_post(client, page, {"title": "Back again", "answer_description": "Home visit.",
                                        "draft_token": token}, page)
    reflection = Reflection.objects.get()
    assert finished["Location"] == reflection.get_absolute_url()
    assert reflection.status == Reflection.Status.FINISHED
    # Another tab (another token) writes another reflection.
    csrf_post(client, new_url(cast.enrolment), {"title": "Second tab", "draft_token": "other"}, page)
    assert Reflection.objects.count() == 2


@pytest.mark.parametrize("data", [
    {"title": "Odd", "goals": "not-a-number"},
    {"title": "Odd", "competencies": ["x", "-1"]},
    {"title": "Odd", "answer_unknown": "ignored", "draft_token": "t" * 5000},
    {"title": "\x00 nul byte"},
    {"answer_description": "é" * 100_000},
])
def test_no_input_makes_a_server_error(cast, data):
    GoalFactory(enrolment=cast.enrolment)
    data = {"draft_token": "tab", **data}
    client = client_for(cast.preceptee)
    response = csrf_post(client, new_url(cast.enrolment), data, create_page(cast.enrolment))
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert "message" in response.json()
    again = csrf_post(client, new_url(cast.enrolment), data, create_page(cast.enrolment))
    assert again.status_code == response.status_code
    assert Reflection.objects.count() <= 1  # the same token finds the same draft
