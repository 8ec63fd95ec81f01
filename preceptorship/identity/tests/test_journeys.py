"""Single sign-on end to end: this product on pytest-django's live server and a real OpenID Connect
provider (oidc-provider, started by the ``oidc_provider`` fixture), over HTTP as a browser goes."""

from __future__ import annotations

import html
from typing import Any

import pytest

from preceptorship.identity.models import IdentityLink
from preceptorship.identity.tests.conftest import DOMAIN, Journey
from preceptorship.models import AuditEntry, Membership, User
from preceptorship.tests.factories import person

Role = Membership.Role
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def refusal(response: Any) -> str:
    assert response.status_code == 403, f"{response.url} answered {response.status_code}: {response.text[:300]}"
    assert "You could not be signed in" in response.text
    return response.text.split('data-reason="', 1)[1].split('"', 1)[0]


def refusals() -> list[str]:
    return [entry.after["reason"] for entry in AuditEntry.objects.filter(action="identity.refuse").order_by("id")]


def test_sign_in_through_the_provider_lands_on_the_home_page_matched_by_e_mail(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    morwenna = person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}", first_name="Morwenna")
    at_provider = journey.start(f"Morwenna.Tregear@{DOMAIN}")
    assert at_provider.url.startswith(provider_row.issuer), "sent to the provider of the e-mail's domain"

    home = journey.sign_in_at_provider(at_provider, "sub-morwenna")

    assert home.status_code == 200 and home.url == f"{live_server.url}/", home.url
    assert "Sign out" in home.text
    link = IdentityLink.objects.get(user=morwenna)
    assert (link.issuer, link.subject) == (provider_row.issuer, "sub-morwenna")
    entry = AuditEntry.objects.get(action="identity.link")
    assert entry.after["matched_by"] == "e-mail address" and entry.after["user"] == morwenna.pk
    session = journey.session()
    assert session["signed_in_with"] == "oidc"
    assert int(session["_auth_user_id"]) == morwenna.pk


def test_once_linked_the_subject_matches_even_after_the_e_mail_changes(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    morwenna = person(organisation, Role.MENTOR, email=f"morwenna.tregear@{DOMAIN}")
    assert journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna").url == f"{live_server.url}/"
    User.objects.filter(pk=morwenna.pk).update(email="m.tregear@former-address.example")

    again = Journey(live_server).sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")

    assert again.url == f"{live_server.url}/"
    assert IdentityLink.objects.filter(user=morwenna).count() == 1
    assert AuditEntry.objects.filter(action="identity.link").count() == 1, "the link is made once"


def test_the_page_asked_for_before_signing_in_is_the_one_reached(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    asked = journey.http.get(f"{live_server.url}/notifications/", timeout=10)
    assert asked.url == f"{live_server.url}/sign-in/?next=/notifications/"
    assert 'name="next" value="/notifications/"' in asked.text

    at_provider = journey.http.post(
        f"{live_server.url}/sign-in/organisation/",
        data={"csrfmiddlewaretoken": journey.csrf(), "email": f"morwenna.tregear@{DOMAIN}",
              "next": "/notifications/"},
        timeout=10,
    )
    assert journey.sign_in_at_provider(at_provider, "sub-morwenna").url == f"{live_server.url}/notifications/"


def test_first_sign_in_matches_the_staff_record_by_employee_number(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    # Imported with a personal address; the provider sends the work one and the employee number.
    idris = person(organisation, Role.PRACTITIONER, email="idris.p@home-address.example", employee_number="NW-40017")

    home = journey.sign_in(f"idris.pennant@{DOMAIN}", "sub-idris")

    assert home.url == f"{live_server.url}/"
    assert IdentityLink.objects.get(subject="sub-idris").user == idris
    assert AuditEntry.objects.get(action="identity.link").after["matched_by"] == "employee number"


def test_an_unknown_person_is_refused_and_no_account_is_made(
    journey: Journey, provider_row: Any, organisation: Any
) -> None:
    people = User.objects.count()

    answer = journey.sign_in(f"ottoline.vance@{DOMAIN}", "sub-stranger")

    assert refusal(answer) == "unknown"
    assert "ask them to add you" in answer.text
    assert User.objects.count() == people and not IdentityLink.objects.exists()
    assert refusals() == ["unknown"]
    assert "_auth_user_id" not in journey.session()


def test_an_e_mail_outside_the_providers_domains_is_refused(
    journey: Journey, provider_row: Any, organisation: Any
) -> None:
    # Known here and a member, but the provider vouches for an address in another domain.
    person(organisation, Role.PRACTITIONER, email="tamsin.quarrie@far-council.example")

    answer = journey.sign_in(f"tamsin.quarrie@{DOMAIN}", "sub-elsewhere")

    assert refusal(answer) == "domain"
    assert not IdentityLink.objects.exists()
    assert refusals() == ["domain"]


def test_a_person_of_an_organisation_the_provider_does_not_serve_is_refused(
    journey: Journey, provider_row: Any, other_organisation: Any
) -> None:
    person(other_organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")

    assert refusal(journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")) == "organisation"
    assert refusals() == ["organisation"]


def test_a_switched_off_account_is_refused(journey: Journey, provider_row: Any, organisation: Any) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}", is_active=False)

    assert refusal(journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")) == "inactive"


def test_a_replayed_callback_is_refused(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    home = journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")
    callback = journey.callback_url(home)

    # The same answer again in the same browser: its state was spent.
    assert refusal(journey.http.get(callback, timeout=10)) == "failed"
    # In another browser, which never began that sign-in.
    assert refusal(Journey(live_server).http.get(callback, timeout=10)) == "failed"
    # The used code under a fresh, valid state: the provider refuses to exchange it twice.
    other = Journey(live_server)
    other.start(f"morwenna.tregear@{DOMAIN}")
    state = list(other.session()["identity_states"])[-1]
    code = callback.split("code=", 1)[1].split("&", 1)[0]
    replayed = other.http.get(f"{live_server.url}/sign-in/organisation/callback/?code={code}&state={state}",
                              timeout=10)
    assert refusal(replayed) == "failed"
    assert "_auth_user_id" not in other.session()
    assert refusals() == ["failed", "failed"], "replays in a browser that began a sign-in are recorded"


def test_a_forged_nonce_is_refused(journey: Journey, provider_row: Any, organisation: Any) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    at_provider = journey.start(f"morwenna.tregear@{DOMAIN}")
    # The ID token will carry the nonce the sign-in began with; the one kept here no longer matches.
    session = journey.session()
    for state in session["oidc_states"].values():
        state["nonce"] = "a-different-nonce"
    session.save()

    answer = journey.sign_in_at_provider(at_provider, "sub-morwenna")

    assert refusal(answer) == "failed"
    assert not IdentityLink.objects.exists()


def test_an_answer_for_a_sign_in_never_begun_is_refused(journey: Journey, live_server: Any, provider_row: Any) -> None:
    forged = journey.http.get(f"{live_server.url}/sign-in/organisation/callback/?code=abc&state=made-up", timeout=10)
    assert refusal(forged) == "failed"


def test_sign_out_signs_out_here_and_at_the_provider(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")

    signed_out = journey.http.post(f"{live_server.url}/sign-out/", data={"csrfmiddlewaretoken": journey.csrf()},
                                   timeout=10)

    assert signed_out.status_code == 200 and "You have signed out" in signed_out.text
    assert journey.http.get(f"{live_server.url}/", timeout=10).url.startswith(f"{live_server.url}/sign-in/")
    # The page moves on to the provider's end-session endpoint by itself (and offers a link).
    onward = html.unescape(signed_out.text.split('http-equiv="refresh" content="0; url=', 1)[1].split('"', 1)[0])
    assert onward.startswith(provider_row.issuer) and "id_token_hint=" in onward
    assert f'href="{html.escape(onward)}"' in signed_out.text.replace("&#x27;", "'")
    confirm = journey.http.get(onward, timeout=10)
    # The provider asks to confirm; confirming brings the person back to the sign-in page.
    action = confirm.text.split('action="', 1)[1].split('"', 1)[0]
    xsrf = confirm.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    back = journey.http.post(action if action.startswith("http") else provider_row.issuer + action,
                             data={"xsrf": xsrf, "logout": "yes"}, timeout=10)
    assert back.url == f"{live_server.url}/sign-in/" and back.status_code == 200
    # Signed out there too: the next sign-in asks for the account again.
    assert 'name="login"' in journey.start(f"morwenna.tregear@{DOMAIN}").text


def test_a_password_account_signs_out_as_before(journey: Journey, live_server: Any, organisation: Any) -> None:
    user = person(organisation, Role.PRACTITIONER, email="ffion.harcourt@example.org")
    user.set_password("a-long-enough-password")
    user.save()
    signed_in = journey.http.post(
        f"{live_server.url}/sign-in/",
        data={"csrfmiddlewaretoken": journey.csrf(), "username": user.email, "password": "a-long-enough-password"},
        timeout=10,
    )
    assert signed_in.url == f"{live_server.url}/"
    out = journey.http.post(f"{live_server.url}/sign-out/", data={"csrfmiddlewaretoken": journey.csrf()}, timeout=10)
    assert out.url == f"{live_server.url}/sign-in/"


def test_a_provider_that_stops_answering_mid_sign_in_is_said_so(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    from django.core.cache import cache

    from preceptorship.identity import discovery

    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    at_provider = journey.start(f"morwenna.tregear@{DOMAIN}")
    # Its token endpoint goes quiet between the sign-in there and the answer here (port 9 is shut).
    document = discovery.document(provider_row.issuer)
    cache.set(discovery.cache_key(provider_row.issuer), {**document, "token_endpoint": "http://127.0.0.1:9/token"})

    answer = journey.sign_in_at_provider(at_provider, "sub-morwenna")

    assert refusal(answer) == "unavailable"
    assert "is not answering at the moment" in answer.text
    assert refusals() == ["unavailable"]


def test_with_two_step_sign_in_required_a_single_sign_on_is_not_asked_for_a_code(
    journey: Journey, live_server: Any, provider_row: Any, organisation: Any, settings: Any
) -> None:
    # A programme lead would owe a code after a password; the provider did its own second factor.
    settings.TWO_STEP_REQUIRED = True
    person(organisation, Role.PROGRAMME_LEAD, email=f"morwenna.tregear@{DOMAIN}")

    home = journey.sign_in(f"morwenna.tregear@{DOMAIN}", "sub-morwenna")

    assert home.url == f"{live_server.url}/" and home.status_code == 200
    assert journey.http.get(f"{live_server.url}/notifications/", timeout=10).url == f"{live_server.url}/notifications/"
