"""Who a provider's verified claims belong to (services.sign_in_resolve), and the provider of the
OIDC_DEFAULT_* variables."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from preceptorship.identity import services
from preceptorship.identity.models import IdentityLink, IdentityProvider
from preceptorship.identity.services import Refusal
from preceptorship.models import AuditEntry, Membership, User
from preceptorship.tests.factories import person

Role = Membership.Role
DOMAIN = "example-trust.example"


@pytest.fixture
def provider(organisation: Any) -> IdentityProvider:
    row = IdentityProvider.objects.create(
        name="Example Trust account", issuer="https://login.example-trust.example/v2.0", client_id="client",
        client_secret="secret", allowed_domains=f"{DOMAIN}, nhs.example", employee_number_claim="employeeid",
    )
    row.organisations.add(organisation)
    return row


def claims(sub: str = "subject-1", email: str = f"carys.penhallow@{DOMAIN}", **more: Any) -> dict[str, Any]:
    return {"sub": sub, "email": email, **more}


def test_first_sign_in_links_the_account_found_by_e_mail(provider: IdentityProvider, organisation: Any) -> None:
    carys = person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}")
    outcome = services.sign_in_resolve(provider=provider, claims=claims(email=f"Carys.Penhallow@{DOMAIN}"))
    assert outcome == services.Outcome(user=carys)
    assert IdentityLink.objects.get().subject == "subject-1"
    linked = AuditEntry.objects.get(action="identity.link")
    assert linked.actor_id == carys.pk and linked.subject == carys


def test_entra_sign_in_name_counts_as_the_address_when_there_is_no_email_claim(
    provider: IdentityProvider, organisation: Any
) -> None:
    carys = person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}")
    found = {"sub": "s", "preferred_username": f"carys.penhallow@{DOMAIN}"}
    assert services.sign_in_resolve(provider=provider, claims=found).user == carys


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"sub": "s"}, Refusal.NO_EMAIL),
        ({"email": f"x@{DOMAIN}"}, Refusal.FAILED),
        (claims(email="carys@elsewhere.example"), Refusal.DOMAIN),
        (claims(email=f"nobody@{DOMAIN}"), Refusal.UNKNOWN),
        (claims(email_verified=False), Refusal.UNVERIFIED),
    ],
)
def test_refusals_before_any_account_is_found(
    provider: IdentityProvider, organisation: Any, given: dict, reason: Refusal
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}")
    people = User.objects.count()
    assert services.sign_in_resolve(provider=provider, claims=given) == services.Outcome(refusal=reason)
    assert User.objects.count() == people and not IdentityLink.objects.exists()
    entry = AuditEntry.objects.get(action="identity.refuse")
    assert entry.after["reason"] == reason.value and entry.actor_id is None
    assert "carys" not in str(entry.after), "the audit keeps the domain, not the address"


def test_an_inactive_account_is_refused(provider: IdentityProvider, organisation: Any) -> None:
    carys = person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}", is_active=False)
    assert services.sign_in_resolve(provider=provider, claims=claims()).refusal == Refusal.INACTIVE
    assert not IdentityLink.objects.exists()
    assert AuditEntry.objects.get(action="identity.refuse").subject == carys, "found in her subject access"


def test_a_member_of_another_organisation_is_refused(provider: IdentityProvider, other_organisation: Any) -> None:
    person(other_organisation, Role.PROGRAMME_LEAD, email=f"carys.penhallow@{DOMAIN}")
    assert services.sign_in_resolve(provider=provider, claims=claims()).refusal == Refusal.ORGANISATION


def test_employee_number_wins_and_a_clash_with_the_address_is_refused(
    provider: IdentityProvider, organisation: Any
) -> None:
    by_number = person(organisation, Role.PRACTITIONER, email="c.p@personal.example", employee_number="E-77")
    assert services.sign_in_resolve(provider=provider, claims=claims(employeeid="E-77")).user == by_number

    person(organisation, Role.PRACTITIONER, email=f"bryn.ashdown@{DOMAIN}")
    person(organisation, Role.PRACTITIONER, email="b.a@personal.example", employee_number="E-88")
    clash = claims(sub="subject-2", email=f"bryn.ashdown@{DOMAIN}", employeeid="E-88")
    assert services.sign_in_resolve(provider=provider, claims=clash).refusal == Refusal.CONFLICT


def test_an_account_linked_to_one_subject_is_not_taken_by_another(
    provider: IdentityProvider, organisation: Any
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}")
    services.sign_in_resolve(provider=provider, claims=claims(sub="first"))
    second = services.sign_in_resolve(provider=provider, claims=claims(sub="second"))
    assert second.refusal == Refusal.LINKED_ELSEWHERE
    assert list(IdentityLink.objects.values_list("subject", flat=True)) == ["first"]


def test_a_linked_subject_that_has_left_the_organisation_is_refused(
    provider: IdentityProvider, organisation: Any
) -> None:
    carys = person(organisation, Role.PRACTITIONER, email=f"carys.penhallow@{DOMAIN}")
    services.sign_in_resolve(provider=provider, claims=claims())
    Membership.objects.filter(user=carys).delete()
    assert services.sign_in_resolve(provider=provider, claims=claims()).refusal == Refusal.ORGANISATION


def test_home_realm_discovery_by_domain(provider: IdentityProvider) -> None:
    assert services.provider_for_email(f"someone@{DOMAIN.upper()}") == provider
    assert services.provider_for_email("someone@nhs.example") == provider
    assert services.provider_for_email("someone@sub.nhs.example") is None
    provider.enabled = False
    provider.save()
    assert services.provider_for_email(f"someone@{DOMAIN}") is None


ENVIRONMENT = {
    "OIDC_DEFAULT_ISSUER": "https://login.example/tenant/v2.0",
    "OIDC_DEFAULT_NAME": "NHSmail",
    "OIDC_DEFAULT_CLIENT_ID": "from-env",
    "OIDC_DEFAULT_CLIENT_SECRET": "env-secret",
    "OIDC_DEFAULT_ALLOWED_DOMAINS": ["nhs.example"],
    "OIDC_DEFAULT_EMPLOYEE_NUMBER_CLAIM": "",
    "OIDC_DEFAULT_SCOPES": "openid email profile",
}


def test_the_default_provider_comes_from_the_environment(organisation: Any) -> None:
    with override_settings(**ENVIRONMENT, OIDC_DEFAULT_ORGANISATIONS=[organisation.slug]):
        found = services.provider_for_email("someone@nhs.example")
        assert found is not None and found.from_environment and found.name == "NHSmail"
        assert found.secret == "env-secret" and found.client_secret == "", "the secret stays in the environment"
        assert list(found.organisations.all()) == [organisation]
        assert services.provider_for_email("someone@nhs.example").pk == found.pk
    with override_settings(OIDC_DEFAULT_ISSUER=""):
        assert services.provider_for_email("someone@nhs.example") is None
        assert not IdentityProvider.objects.get(pk=found.pk).enabled


def test_an_issuer_must_be_https_except_on_this_machine(organisation: Any) -> None:
    provider = IdentityProvider(name="p", issuer="http://login.example", client_id="c", allowed_domains="a.example")
    with pytest.raises(ValidationError, match="https"):
        provider.full_clean()
    provider.issuer = "http://127.0.0.1:8080"
    provider.full_clean()
    provider.allowed_domains = "not a domain"
    with pytest.raises(ValidationError, match="not e-mail domains"):
        provider.full_clean()
