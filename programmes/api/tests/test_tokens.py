"""Tokens: created by the command (printed once, a hash kept) and the admin pages, audited, and
refused when revoked, expired, forged or of the wrong scope, always as JSON."""

from __future__ import annotations

import datetime
import hashlib
import io
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes.api import services
from programmes.api.models import ApiToken
from programmes.api.tests.helpers import get, post, token_for

Role = Membership.Role
ENROLMENTS = "/api/enrolments/"


def test_the_command_prints_the_token_once_and_keeps_only_its_hash(organisation):
    out = io.StringIO()
    call_command("create_api_token", "--organisation", organisation.slug, "--scope", "read", "--scope",
                 "write_staff", "--name", "ESR nightly", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.name == "ESR nightly" and token.organisation == organisation
    assert token.scopes == ["read", "write_staff"]
    key, _, raw = secret.partition(".")
    assert key == token.key
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.secret_hash and not ApiToken.objects.filter(secret_hash__contains=raw).exists()
    assert out.getvalue().count(secret) == 1
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.organisation_id == organisation.pk and raw not in str(entry.after) and raw not in entry.summary


def test_the_command_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_api_token", "--organisation", "nowhere", "--scope", "read", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_only_administrators_create_tokens(organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    with pytest.raises(services.PermissionDenied):
        services.api_token_create(actor=lead, organisation=organisation, name="Mine", scopes=["read"])


def test_a_valid_token_reads_and_notes_its_last_use(client, organisation):
    token, secret = token_for(organisation)
    response = get(client, ENROLMENTS, secret)
    assert response.status_code == HTTPStatus.OK, response.content
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert abs(token.last_used_at - timezone.now()) < datetime.timedelta(seconds=5)


@pytest.mark.parametrize(("header", "message"), [
    (None, "Send a token"),
    ("Bearer nonsense", "not valid"),
    ("Basic dXNlcjpwYXNz", "Send a token"),
])
def test_missing_or_malformed_tokens_get_401_json(client, organisation, header, message):
    headers = {"Authorization": header} if header else {}
    response = client.get(ENROLMENTS, headers=headers)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_forged_secret_with_a_real_key_is_refused(client, organisation):
    token, secret = token_for(organisation)
    response = get(client, ENROLMENTS, f"{token.key}.{'x' * 43}")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "not valid" in response.json()["detail"]
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_revoked_token_is_refused_and_the_revocation_audited(client, organisation):
    token, secret = token_for(organisation)
    administrator = person(organisation, Role.ADMINISTRATOR)
    services.api_token_revoke(actor=administrator, token=token)
    response = get(client, ENROLMENTS, secret)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "revoked" in response.json()["detail"]
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == administrator and entry.organisation_id == organisation.pk
    with pytest.raises(services.ValidationError):
        services.api_token_revoke(actor=administrator, token=token)


def test_an_expired_token_is_refused(client, organisation, time_machine):
    token, secret = services.api_token_create(
        actor=None, organisation=organisation, name="Short", scopes=["read"],
        expires_at=timezone.now() + datetime.timedelta(days=1))
    assert get(client, ENROLMENTS, secret).status_code == HTTPStatus.OK
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    response = get(client, ENROLMENTS, secret)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "expired" in response.json()["detail"]


def test_a_token_without_the_scope_gets_403(client, organisation):
    _, reader = token_for(organisation, "read")
    _, writer = token_for(organisation, "write_staff", name="Writer")
    response = post(client, "/api/staff/", reader, {"records": []})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "write_staff" in response.json()["detail"]
    response = get(client, ENROLMENTS, writer)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "read" in response.json()["detail"]


def test_unknown_api_addresses_answer_json_404(client, db):
    response = client.get("/api/nothing/here/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"].startswith("Not found")


def test_the_admin_creates_a_token_showing_it_once_and_revokes_with_an_action(client, organisation):
    administrator = person(organisation, Role.ADMINISTRATOR)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.post("/admin/api/apitoken/add/", {
        "organisation": organisation.pk, "name": "SAP outcomes", "scopes": ["read"], "expires_at_0": "",
        "expires_at_1": "",
    }, follow=True)
    assert response.status_code == HTTPStatus.OK
    token = ApiToken.objects.get(name="SAP outcomes")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(word for text in shown for word in text.split() if word.startswith(f"{token.key}."))
    assert token.secret_hash == hashlib.sha256(secret.partition(".")[2].encode()).hexdigest()
    again = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert secret not in again.content.decode()
    assert AuditEntry.objects.get(action="api_token.create").actor == administrator
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get(client, ENROLMENTS, secret).status_code == HTTPStatus.UNAUTHORIZED


def test_the_rate_limit_answers_429_with_retry_after(client, organisation, settings):
    settings.API_RATE_LIMIT = 3
    _, secret = token_for(organisation)
    answers = [get(client, ENROLMENTS, secret) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= settings.API_RATE_WINDOW_SECONDS
    assert "Too many requests" in answers[-1].json()["detail"]
    _, other = token_for(organisation, name="Another")
    assert get(client, ENROLMENTS, other).status_code == HTTPStatus.OK  # counted per token


def test_the_admin_refuses_an_expiry_in_the_past_beside_the_field(client, organisation):
    administrator = person(organisation, Role.ADMINISTRATOR)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.post("/admin/api/apitoken/add/", {
        "organisation": organisation.pk, "name": "Old", "scopes": ["read"], "expires_at_0": "2020-01-01",
        "expires_at_1": "09:00:00",
    })
    assert response.status_code == HTTPStatus.OK
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiToken.objects.exists()
