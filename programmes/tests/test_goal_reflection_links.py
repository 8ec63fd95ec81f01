"""Goals and reflections link to competencies of the programme's framework and to each other, and
each page shows its links: a goal lists the reflections about it that the reader may open."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.tests.factories_practice import make_cast
from progression.models import Competency
from progression.tests.factories import small_framework

LONG = "Plans and leads a group session for people at risk of falls, and evaluates it with those who took part."


@pytest.fixture
def cast(organisation, other_organisation):
    cast = make_cast(organisation, other_organisation)
    programme = cast.enrolment.programme
    programme.framework = small_framework()
    programme.save()
    return cast


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_each_page_shows_its_links_in_full_and_a_private_reflection_only_to_its_author(cast):
    enrolment, preceptee = cast.enrolment, cast.preceptee
    competency = Competency.objects.filter(section__framework=enrolment.programme.framework).first()
    competency.statement = LONG
    competency.save()
    goal = services.goal_create(actor=preceptee, enrolment=enrolment, what="Run a falls group",
                                measure="Two sessions with feedback", competencies=[competency],
                                target_date=timezone.localdate() + datetime.timedelta(days=90))
    shared = services.reflection_save(actor=preceptee, enrolment=enrolment, title="My first group", model="free",
                                      answers={"text": "It went well."}, finish=True, goals=[goal],
                                      competencies=[competency])
    services.reflection_share(actor=preceptee, reflection=shared, with_mentor=True, with_line_manager=False)
    services.reflection_save(actor=preceptee, enrolment=enrolment, title="Private worries", model="free",
                             answers={"text": "Notes."}, finish=False, goals=[goal])

    form = reverse("programmes:reflection-create", args=[enrolment.pk]) + "?model=free"
    for url in (goal.get_absolute_url(), shared.get_absolute_url(), form,
                reverse("programmes:goal-update", args=[goal.pk])):
        assert LONG in _page(preceptee, url), "the competency's whole statement, not its first 60 characters"
    assert "Run a falls group" in _page(cast.mentor, shared.get_absolute_url())

    listed = _page(cast.mentor, reverse("programmes:goal-list", args=[enrolment.pk]))
    assert f"Competencies: <abbr title=\"{LONG}\">{competency.code}</abbr>" in listed
    mine = _page(preceptee, goal.get_absolute_url())
    assert "Reflections about this goal" in mine and "My first group" in mine and "Private worries" in mine
    mentors = _page(cast.mentor, goal.get_absolute_url())
    assert "My first group" in mentors and "Private worries" not in mentors
    managers = _page(cast.line_manager, goal.get_absolute_url())
    assert "Reflections about this goal" not in managers  # shared with the mentor only


@pytest.mark.parametrize("chosen", ["99999999999999999999", "-99999999999999999999", "abc", "0"])
def test_a_competency_that_is_not_offered_is_named_never_a_server_error(cast, chosen):
    client = Client(raise_request_exception=False)
    client.force_login(cast.preceptee)
    target = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(reverse("programmes:goal-create", args=[cast.enrolment.pk]), {
        "what": "Run a falls group", "measure": "Two sessions", "competencies": [chosen],
        "target_date_0": target.day, "target_date_1": target.month, "target_date_2": target.year,
    })
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Choose competencies from the list" in page and "Run a falls group" in page
    assert not cast.enrolment.goals.exists()


def test_competencies_are_offered_section_by_section_and_ticks_survive_a_mistake(cast):
    """The framework's competencies under a fieldset per section, in the framework's order; ticks in
    two sections are kept when another field is wrong, and both are saved once it is put right."""
    client = Client()
    client.force_login(cast.preceptee)
    url = reverse("programmes:goal-create", args=[cast.enrolment.pk])
    page = client.get(url).content.decode()
    entry, key = (page.index(f'nhsuk-fieldset__legend--s">{title}</legend>') for title in ("Entry", "Key"))
    assert entry < page.index(">E1 ") < page.index(">E2 ") < key < page.index(">K1 ") < page.index(">K2 ")
    assert page.count('class="nhsuk-fieldset app-choice-group"') == 2
    assert "{#" not in page and "#}" not in page  # no template text shown
    assert page.count("</fieldset>") == page.count("<fieldset")

    picked = list(Competency.objects.filter(section__framework=cast.enrolment.programme.framework,
                                            code__in=["E2", "K1"]))
    target = timezone.localdate() + datetime.timedelta(days=30)
    data = {"what": "Run a falls group", "measure": "", "competencies": [c.pk for c in picked],
            "target_date_0": target.day, "target_date_1": target.month, "target_date_2": target.year}
    again = client.post(url, data).content.decode()
    assert "a goal needs a measure" in again
    for competency in picked:
        assert f'value="{competency.pk}" checked' in again
    assert client.post(url, {**data, "measure": "Two sessions"}).status_code == HTTPStatus.FOUND
    assert {c.code for c in cast.enrolment.goals.get().competencies.all()} == {"E2", "K1"}
