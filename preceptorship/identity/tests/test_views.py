"""The sign-in pages and the administrator's provider page, without a provider running."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preceptorship.identity.models import IdentityProvider
from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person

Role = Membership.Role
SECRET = "the-client-secret-never-shown-0123456789"


@pytest.fixture
def provider(organisation: Any) -> IdentityProvider:
    # A port nothing listens on: the provider "is not answering".
    row = IdentityProvider.objects.create(
        name="Example NHSmail", issuer="http://127.0.0.1:9", client_id="client", client_secret=SECRET,
        allowed_domains="nhs.example",
    )
    row.organisations.add(organisation)
    return row


def test_the_sign_in_page_offers_the_organisations_account_only_where_one_is_set_up(client: Client, db: Any) -> None:
    assert "Sign in with your organisation" not in client.get("/sign-in/").content.decode()
    IdentityProvider.objects.create(name="p", issuer="https://p.example", client_id="c", allowed_domains="p.example")
    page = client.get("/sign-in/").content.decode()
    assert "Sign in with your organisation's account" in page
    assert 'action="/sign-in/organisation/"' in page and "Your work e-mail" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your work e-mail address"),
        ("not-an-address", "Enter an e-mail address in the correct format"),
        ("glenys.morcombe@no-sso.example", "does not sign in here with its own account"),
        ("glenys.morcombe@nhs.example", "is not answering at the moment"),
    ],
)
def test_the_organisation_sign_in_says_what_is_wrong_beside_the_field(
    client: Client, provider: IdentityProvider, typed: str, message: str
) -> None:
    answer = client.post("/sign-in/organisation/", {"email": typed, "next": "/notifications/"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert message in page and "nhsuk-error-summary" in page and "nhsuk-error-message" in page
    assert f'value="{typed}"' in page if typed else True, "what was typed is kept"
    assert 'value="/notifications/"' in page


def test_a_signed_in_person_is_sent_home(client: Client, organisation: Any) -> None:
    client.force_login(person(organisation, Role.PRACTITIONER))
    assert client.get("/sign-in/organisation/").status_code == 302


def test_the_admin_never_shows_the_secret_and_a_blank_one_keeps_it(
    admin_client: Client, provider: IdentityProvider, organisation: Any, other_organisation: Any
) -> None:
    page = admin_client.get(f"/admin/identity/identityprovider/{provider.pk}/change/").content.decode()
    assert SECRET not in page and "Yes (not shown)" in page
    data = {
        "name": "Example NHSmail", "issuer": "https://login.nhs.example", "client_id": "client",
        "new_client_secret": "", "allowed_domains": "nhs.example", "organisations": [organisation.pk],
        "employee_number_claim": "", "scopes": "openid email profile", "enabled": "on",
    }
    answer = admin_client.post(f"/admin/identity/identityprovider/{provider.pk}/change/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.client_secret == SECRET and provider.issuer == "https://login.nhs.example"
    entry = AuditEntry.objects.get(action="identity.provider.save")
    assert SECRET not in str(entry.before) + str(entry.after) and entry.after["secret_changed"] is False

    answer = admin_client.post(f"/admin/identity/identityprovider/{provider.pk}/change/",
                               {**data, "issuer": "http://login.nhs.example"})
    assert "must start with https://" in answer.content.decode()

    # A new secret: saved, recorded as changed, and nowhere in the audit log.
    answer = admin_client.post(f"/admin/identity/identityprovider/{provider.pk}/change/",
                               {**data, "new_client_secret": "a-new-secret-9876543210",
                                "organisations": [other_organisation.pk]})
    assert answer.status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret == "a-new-secret-9876543210"
    assert list(provider.organisations.all()) == [other_organisation]
    entry = AuditEntry.objects.filter(action="identity.provider.save").latest("id")
    assert entry.after["secret_changed"] is True and entry.before["organisations"] == [organisation.pk]
    assert entry.after["organisations"] == [other_organisation.pk]
    for logged in AuditEntry.objects.all():
        assert "a-new-secret" not in f"{logged.summary}{logged.before}{logged.after}", logged.action


@pytest.mark.parametrize(
    "typed",
    ["\x00@nhs.example", "a" * 5000 + "@nhs.example", "名前@例え.テスト", "x@" + "b." * 200 + "example", "@", "@@",
     "<script>@nhs.example", " someone@nhs.example ", "someone@nhs.example\r\nBcc: x@y.example"],
)
def test_hostile_input_to_the_organisation_sign_in_is_a_message_not_a_server_error(
    client: Client, provider: IdentityProvider, typed: str
) -> None:
    answer = client.post("/sign-in/organisation/", {"email": typed, "next": "https://elsewhere.example/"})
    assert answer.status_code == 200
    assert "nhsuk-error-summary" in answer.content.decode()


def test_a_callback_with_odd_parameters_is_refused_not_a_server_error(client: Client, db: Any) -> None:
    for query in ["", "?state=", "?code=a&state=%00", "?error=access_denied", "?state=a&state=b&code=c&code=d"]:
        assert client.get(f"/sign-in/organisation/callback/{query}").status_code == 403
