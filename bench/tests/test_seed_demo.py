import io
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from preceptorship.models import Membership, Notification, User


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice_and_every_login_reaches_home(client):
    call_command("seed_demo", password="demo-password-1")
    users = User.objects.count()
    memberships = Membership.objects.count()
    call_command("seed_demo", password="demo-password-1")
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles >= set(Membership.Role.values) - {Membership.Role.ADMINISTRATOR}
    for user in User.objects.all():
        response = client.post(reverse("login"), {"username": user.email, "password": "demo-password-1"}, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert response.redirect_chain[-1][0] == reverse("home"), user.email
        assert b"nhsuk-header" in response.content
        client.post(reverse("logout"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits: each e-mail goes as its change commits
def test_seeding_prints_the_logins_and_no_e_mails(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # as in development
    out = io.StringIO()
    call_command("seed_demo", password="demo-password-1", stdout=out)
    assert Notification.objects.filter(status=Notification.Status.SENT).exists()  # sent, but not printed
    printed = capsys.readouterr().out
    assert "Subject:" not in printed and "Content-Type: text/plain" not in printed
    assert "Demo data is ready" in out.getvalue() and "Password for every demo login: demo-password-1" in out.getvalue()
