from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import UserFactory

Role = Membership.Role


@pytest.mark.django_db
def test_pages_need_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_sign_in_with_email_and_password_reaches_home(client):
    UserFactory(email="mentor@example.org", first_name="Maya")
    response = client.post(
        reverse("login"), {"username": "Mentor@Example.org", "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert b"Hello, Maya" in response.content


@pytest.mark.django_db
def test_wrong_password_shows_message_and_keeps_email(client):
    UserFactory(email="mentor@example.org")
    response = client.post(reverse("login"), {"username": "mentor@example.org", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert b"Enter a correct e-mail address and password" in response.content
    assert b'value="mentor@example.org"' in response.content


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="mentor@example.org")
    for _ in range(3):
        client.post(reverse("login"), {"username": "mentor@example.org", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "mentor@example.org", "password": "correct-horse-battery"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert b"Your account is locked for now" in response.content


@pytest.mark.django_db
def test_failures_under_different_spellings_of_one_address_lock_that_account(client, settings):
    """Sign-in ignores the case of the address, so the lock-out counts every spelling as one
    account: five failures spread over three spellings lock it."""
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(email="luke.morgan@example.org")
    spellings = ["LUKE.MORGAN@example.org", "luke.morgan@example.org", "Luke.Morgan@Example.ORG", " luke.morgan@EXAMPLE.org "]
    for attempt in range(5):
        response = client.post(reverse("login"), {"username": spellings[attempt % 4], "password": "wrong"})
        assert response.status_code == HTTPStatus.OK if attempt < 4 else HTTPStatus.TOO_MANY_REQUESTS
    response = client.post(reverse("login"), {"username": "luke.morgan@example.org", "password": "correct-horse-battery"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert b"Your account is locked for now" in response.content


@pytest.mark.django_db
def test_sign_out_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("home")).status_code == HTTPStatus.FOUND


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_link(client):
    UserFactory(email="preceptee@example.org")
    response = client.post(reverse("password_reset"), {"email": "preceptee@example.org"})
    assert response.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_healthz_is_public_and_reports_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["checks"] == {"database": "ok"}


@pytest.mark.django_db
def test_healthz_names_a_failing_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failing"] == ["redis"]


@pytest.mark.django_db
def test_healthz_names_a_failing_database(client, settings):
    settings.REDIS_URL = ""
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failing"] == ["database"]


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
