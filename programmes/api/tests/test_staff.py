"""Staff records in: a batch is saved whole or not at all, by employee number, under the staff
import's rules, into the token's organisation only, and audited."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest

from preceptorship.models import AuditEntry, Membership, Profession, Team, User
from preceptorship.tests.factories import person
from programmes.api.tests.helpers import post, token_for

Role = Membership.Role
STAFF = "/api/staff/"


def _record(number: str, email: str, **fields: object) -> dict[str, object]:
    return {"employee_number": number, "email": email, "first_name": "Sam", "last_name": "Okafor", **fields}


@pytest.fixture
def writer(organisation):
    return token_for(organisation, "write_staff", name="ESR nightly")


def test_a_batch_creates_people_with_roles_and_sending_it_again_changes_nothing(client, organisation, writer):
    token, secret = writer
    batch = {"records": [
        _record("E100", "sam.okafor@example.org", team="Adult Therapies", job_title="Occupational therapist",
                band="Band 5", started_in_post_on="2026-03-02", roles=["Preceptee"]),
        _record("E101", "ria.shah@example.org", first_name="Ria", last_name="Shah", roles=["Mentor", "Manager"]),
    ]}
    first = post(client, STAFF, secret, batch)
    assert first.status_code == HTTPStatus.OK, first.content
    assert first.json() == {"records": 2, "created": 2, "updated": 0, "unchanged": 0, "roles_added": 3,
                            "teams_added": ["Adult Therapies"]}
    sam = User.objects.get(employee_number="E100")
    assert sam.email == "sam.okafor@example.org" and sam.band == "Band 5" and not sam.has_usable_password()
    assert set(Membership.objects.filter(user=sam).values_list("organisation", "role", "team__name")) == {
        (organisation.pk, Role.PRACTITIONER, "Adult Therapies")}
    assert set(Membership.objects.filter(user__employee_number="E101").values_list("role", flat=True)) == {
        Role.MENTOR, Role.LINE_MANAGER}
    entries = AuditEntry.objects.count()
    users = list(User.objects.order_by("pk").values())

    second = post(client, STAFF, secret, batch)
    assert second.json() == {"records": 2, "created": 0, "updated": 0, "unchanged": 2, "roles_added": 0,
                             "teams_added": []}
    assert list(User.objects.order_by("pk").values()) == users
    assert AuditEntry.objects.count() == entries
    assert Team.objects.filter(name="Adult Therapies").count() == 1


def test_every_write_is_audited_naming_the_token(client, organisation, writer):
    token, secret = writer
    post(client, STAFF, secret, {"records": [_record("E100", "sam.okafor@example.org")]})
    sam = User.objects.get(employee_number="E100")
    created = AuditEntry.objects.get(action="user.create")
    assert created.object_id == str(sam.pk) and created.actor is None
    assert token.audit_name in created.summary and created.organisation_id == organisation.pk
    batch = AuditEntry.objects.get(action="staff_records.apply")
    assert batch.after["created"] == 1 and token.audit_name in batch.summary
    grant = AuditEntry.objects.get(action="membership.grant")
    assert token.audit_name in grant.summary


def test_a_known_employee_number_updates_that_person_and_their_email(client, organisation, writer):
    _, secret = writer
    sam = person(organisation, Role.PRACTITIONER, email="sam.old@example.org", employee_number="E100",
                 first_name="Sam", last_name="Okafor")
    response = post(client, STAFF, secret, {"records": [_record("E100", "sam.new@example.org", band="Band 6")]})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["updated"] == 1 and response.json()["created"] == 0
    sam.refresh_from_db()
    assert (sam.email, sam.band) == ("sam.new@example.org", "Band 6")
    update = AuditEntry.objects.get(action="user.update")
    assert update.before["email"] == "sam.old@example.org" and update.after["email"] == "sam.new@example.org"
    assert post(client, STAFF, secret, {"records": [_record("E100", "sam.new@example.org", band="Band 6")]}
                ).json()["unchanged"] == 1


def test_one_wrong_record_refuses_the_whole_batch_with_each_records_errors(client, organisation, writer):
    _, secret = writer
    before = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    response = post(client, STAFF, secret, {"records": [
        _record("E100", "sam.okafor@example.org"),
        _record("E101", "not-an-address", profession="Astrology"),
        _record("E102", "ria.shah@example.org", roles=["Head of Service"]),
        _record("E100", "third@example.org"),
    ]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    body = response.json()
    assert "nothing was changed" in body["detail"]
    by_record = {error["record"]: error for error in body["errors"]}
    assert set(by_record) == {1, 2, 3}
    assert by_record[1]["employee_number"] == "E101"
    assert "Enter a valid e-mail address" in by_record[1]["messages"]
    assert any("Astrology" in m for m in by_record[1]["messages"])
    assert any("only an administrator" in m for m in by_record[2]["messages"])
    assert any("same employee number" in m for m in by_record[3]["messages"])
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before


def test_a_malformed_record_is_refused_by_its_place_in_the_batch(client, organisation, writer):
    _, secret = writer
    response = post(client, STAFF, secret, {"records": [
        _record("E100", "sam.okafor@example.org"),
        {"employee_number": "E101", "email": "ria.shah@example.org", "first_name": "Ria",
         "started_in_post_on": "yesterday"},
    ]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    fields = {(error["record"], error["field"]) for error in response.json()["errors"]}
    assert fields == {(1, "last_name"), (1, "started_in_post_on")}
    assert not User.objects.filter(employee_number="E100").exists()


def test_people_of_another_organisation_are_never_changed(client, organisation, other_organisation, writer):
    _, secret = writer
    outsider = person(other_organisation, Role.PRACTITIONER, email="outsider@example.org", employee_number="X9")
    response = post(client, STAFF, secret, {"records": [_record("X9", "outsider@example.org", band="Band 8")]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["messages"] == ["This address cannot be used in this import; ask an administrator"]
    renamed = post(client, STAFF, secret, {"records": [_record("X9", "taken@example.org")]})
    assert renamed.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    outsider.refresh_from_db()
    assert (outsider.email, outsider.band) == ("outsider@example.org", "")


def test_an_address_of_another_person_cannot_be_taken_by_number(client, organisation, writer):
    _, secret = writer
    person(organisation, Role.PRACTITIONER, email="sam@example.org", employee_number="E1")
    person(organisation, Role.PRACTITIONER, email="ria@example.org", employee_number="E2")
    response = post(client, STAFF, secret, {"records": [_record("E1", "ria@example.org")]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "already another person's" in response.json()["errors"][0]["messages"][0]


def test_the_documented_example_batch_gives_the_documented_answer(client, organisation, writer):
    """docs/api.md's curl example, sent as it is written there."""
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    body = json.loads(text.split("--data '", 1)[1].split("'", 1)[0])
    answer = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert Profession.objects.filter(name="Occupational therapy").exists()
    response = post(client, STAFF, writer[1], body)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json() == answer


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("{not json", "application/json", HTTPStatus.BAD_REQUEST),
    ("records=1", "application/x-www-form-urlencoded", HTTPStatus.BAD_REQUEST),
    ("[1, 2]", "application/json", HTTPStatus.UNPROCESSABLE_ENTITY),
    ('{"records": "everyone"}', "application/json", HTTPStatus.UNPROCESSABLE_ENTITY),
    ('{"records": []}', "application/json", HTTPStatus.UNPROCESSABLE_ENTITY),
    ("", "application/json", HTTPStatus.UNPROCESSABLE_ENTITY),
])
def test_a_body_that_is_not_a_batch_is_refused_as_json(client, organisation, writer, body, content_type, status):
    response = client.post(STAFF, body, content_type=content_type, headers={"Authorization": f"Bearer {writer[1]}"})
    assert response.status_code == status
    assert response.json()["detail"]
    assert not User.objects.filter(employee_number__gt="").exists()


def test_a_batch_too_large_to_read_is_refused_with_413(client, organisation, writer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    batch = {"records": [_record(f"E{n}", f"person{n}@example.org") for n in range(10)]}
    response = post(client, STAFF, writer[1], batch)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "smaller batches" in response.json()["detail"]


def test_a_database_failure_is_a_json_503_with_nothing_saved(client, organisation, writer, monkeypatch):
    from django.db import OperationalError

    from preceptorship import imports

    def refuse(**kwargs: object) -> None:
        raise OperationalError("the database went away")

    monkeypatch.setattr(imports, "staff_records_apply", refuse)
    response = post(client, STAFF, writer[1], {"records": [_record("E100", "sam.okafor@example.org")]})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "60" and "nothing was changed" in response.json()["detail"]


def test_a_known_address_under_a_new_employee_number_is_refused(client, organisation, writer):
    _, secret = writer
    sam = person(organisation, Role.PRACTITIONER, email="sam@example.org", employee_number="E1")
    response = post(client, STAFF, secret, {"records": [_record("E2", "sam@example.org")]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["messages"] == [
        "The e-mail address belongs to a person with another employee number"]
    sam.refresh_from_db()
    assert sam.employee_number == "E1"
    numbered = person(organisation, Role.PRACTITIONER, email="ria@example.org")
    assert post(client, STAFF, secret, {"records": [_record("E3", "ria@example.org")]}).status_code == 200
    numbered.refresh_from_db()
    assert numbered.employee_number == "E3"  # a person without a number is given the one sent


def test_a_batch_is_saved_in_the_same_number_of_queries_whatever_its_size(client, organisation, writer):
    from preceptorship.tests.queries import queries_of

    _, secret = writer

    def batch(first: int, size: int) -> dict[str, object]:
        return {"records": [_record(f"E{n}", f"person{n}@example.org", team="Adult Therapies", roles=["Mentor"])
                            for n in range(first, first + size)]}

    post(client, STAFF, secret, batch(0, 1))  # the team exists from now on
    small, answer = queries_of(lambda: post(client, STAFF, secret, batch(100, 2)))
    large, bigger = queries_of(lambda: post(client, STAFF, secret, batch(200, 25)))
    assert answer.json()["created"] == 2 and bigger.json()["created"] == 25
    assert len(small) == len(large), "\n".join(small) + "\n----\n" + "\n".join(large)
