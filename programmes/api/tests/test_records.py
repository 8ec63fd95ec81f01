"""Records out: each list holds only the token's organisation's records, pages by a cursor in a
stable order, filters by ``changed_since``, shows no private free text, and reads in a fixed number
of queries whatever the number of records."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.api.tests.helpers import get, token_for
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import services as progression_services
from progression.tests.factories import Cast, mark_required, small_framework

LISTS = ["/api/enrolments/", "/api/completions/", "/api/progression-outcomes/"]


@pytest.fixture
def reader(organisation):
    return token_for(organisation, "read")[1]


def _enrol(organisation, count: int = 1, **fields) -> list[Enrolment]:
    programme = ProgrammeFactory(organisation=organisation)
    return [EnrolmentFactory(programme=programme, **fields) for _ in range(count)]


def _case(cast: Cast):
    case = cast.open_case(small_framework())
    mark_required(case, cast.manager)
    progression_services.progression_case_submit(actor=cast.manager, case=case, comment="Private reasons here")
    return case


def test_each_list_holds_only_the_tokens_organisation(client, organisation, other_organisation, team, reader):
    mine = _enrol(organisation)[0]
    done = _enrol(organisation, completed=True, pay_step_on=datetime.date(2026, 7, 1))[0]
    theirs = _enrol(other_organisation, withdrawal_detail="Canary detail")[0]
    _enrol(other_organisation, completed=True)
    enrolments = get(client, "/api/enrolments/", reader).json()["results"]
    assert {row["id"] for row in enrolments} == {mine.pk, done.pk}
    assert theirs.preceptee.email not in str(enrolments)
    completions = get(client, "/api/completions/", reader).json()["results"]
    assert [(row["enrolment_id"], row["outcome"], row["pay_step_on"]) for row in completions] == [
        (done.pk, "Progressed to Level 2", "2026-07-01")]
    assert completions[0]["person"] == {"employee_number": done.preceptee.employee_number,
                                        "email": done.preceptee.email}


def test_progression_outcomes_show_stage_and_decisions_but_no_comments(client, organisation, team, reader):
    case = _case(Cast(organisation, team))
    body = get(client, "/api/progression-outcomes/", reader).json()
    [row] = body["results"]
    assert row["case_id"] == case.pk and row["stage"] == "submitted"
    assert row["framework"]["version"] == case.framework.version
    assert [d["decision"] for d in row["decisions"]][-1] == "submitted"
    assert "Private reasons" not in str(body)


def test_no_private_free_text_is_in_any_list(client, organisation, reader):
    _enrol(organisation, withdrawn=True, withdrawal_detail="Canary: moved for family health reasons")
    for url in LISTS:
        assert "Canary" not in get(client, url, reader).content.decode()


def test_pages_follow_the_next_link_in_a_stable_order(client, organisation, reader):
    made = _enrol(organisation, 5)
    seen, url, pages = [], "/api/enrolments/?limit=2", 0
    while url:
        body = client.get(url, headers={"Authorization": f"Bearer {reader}"}).json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
        assert url is None or url.startswith("http://testserver/api/enrolments/?")
    assert pages == 3
    expected = list(Enrolment.objects.order_by("updated_at", "pk").values_list("pk", flat=True))
    assert seen == expected and sorted(seen) == sorted(e.pk for e in made)


def test_changed_since_keeps_only_records_changed_then_or_later(client, organisation, reader, time_machine):
    old = _enrol(organisation)[0]
    later = timezone.now() + datetime.timedelta(hours=2)
    time_machine.move_to(later)
    new = _enrol(organisation)[0]
    since = (later - datetime.timedelta(minutes=1)).isoformat()
    rows = get(client, "/api/enrolments/", reader, changed_since=since).json()["results"]
    assert [row["id"] for row in rows] == [new.pk]
    old.save()  # any change moves it into the window
    rows = get(client, "/api/enrolments/", reader, changed_since=since).json()["results"]
    assert [row["id"] for row in rows] == [new.pk, old.pk]


@pytest.mark.parametrize(("params", "status"), [
    ({"cursor": "not-a-cursor"}, HTTPStatus.BAD_REQUEST),
    ({"limit": 0}, HTTPStatus.UNPROCESSABLE_ENTITY),
    ({"limit": "many"}, HTTPStatus.UNPROCESSABLE_ENTITY),
    ({"changed_since": "yesterday"}, HTTPStatus.UNPROCESSABLE_ENTITY),
    ({"changed_since": "9999-12-31T23:59:59-14:00"}, HTTPStatus.UNPROCESSABLE_ENTITY),
])
def test_bad_list_parameters_are_refused_as_json(client, organisation, reader, params, status):
    response = get(client, "/api/enrolments/", reader, **params)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize("url", LISTS)
def test_lists_read_in_the_same_number_of_queries_at_two_sizes(organisation, team, reader, url):
    client = Client()
    _enrol(organisation, 2)
    _enrol(organisation, 1, completed=True)
    cast = Cast(organisation, team)
    _case(cast)

    def grow() -> None:
        _enrol(organisation, 4)
        _enrol(organisation, 3, completed=True)
        _case(cast)

    # The token with its organisation, its last use (a conditional UPDATE), one page of rows, and
    # for progression outcomes the page's decisions.
    first, second = assert_same_queries_at_two_sizes(lambda: get(client, url, reader), grow)
    assert len(second.json()["results"]) > len(first.json()["results"])
