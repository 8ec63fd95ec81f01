"""Two-step sign-in: powerful password accounts confirm a code from an authenticator app; codes are
computed here from the device's key, at the tests' pinned (ticking) clock, as the app would."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.checks import run_checks
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given

from preceptorship.models import AuditEntry, Membership, User
from preceptorship.tests.factories import UserFactory, person
from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_form
from preceptorship.two_step import services
from preceptorship.two_step.checks import TWO_STEP_OFF

Role = Membership.Role
PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[2]
SET_UP = reverse("two_step:set-up")
VERIFY = reverse("two_step:verify")
RECOVERY = reverse("two_step:recovery-codes")


@pytest.fixture
def two_step_on(settings: Any) -> None:
    settings.TWO_STEP_REQUIRED = True


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding the device's key shows now (or a step or so later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {app_code(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)


def sign_in(client: Any, user: User, next_page: str = "") -> Any:
    data = {"username": user.email, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("login"), data)


def set_up(client: Any, user: User) -> list[str]:
    """Sign in and set up an app through the pages; the recovery codes shown."""
    sign_in(client, user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SET_UP, {"code": app_code(device), "next": "/"})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    page = client.get(RECOVERY)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    client.post(RECOVERY, {"next": "/"})
    return codes


def with_device(user: User) -> TOTPDevice:
    """An app set up half a minute ago, with its recovery codes (the code now is still unused)."""
    services.two_step_set_up_start(actor=user)
    device = TOTPDevice.objects.get(user=user)
    services.two_step_set_up_confirm(actor=user, code=app_code(device, steps_ahead=-1))
    TOTPDevice.objects.filter(pk=device.pk).update(drift=0)  # the app's clock and ours agree
    device.refresh_from_db()
    return device


def codes_of(user: User) -> list[str]:
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def field_error(response: Any) -> str:
    match = re.search(r'class="nhsuk-error-message"[^>]*>(.*?)</span>\s*$', response.content.decode(), re.S | re.M)
    text = response.content.decode()
    assert 'nhsuk-form-group--error' in text and "nhsuk-error-summary" in text, text[:3000]
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1) if match else text).strip()


@pytest.fixture
def lead(organisation: Any) -> User:
    return person(organisation, Role.PROGRAMME_LEAD, email="lead@example.org")


# Who is asked ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("two_step_on")
def test_a_lead_without_an_app_is_sent_to_set_up_and_reaches_nothing_else_until_confirmed(client, lead):
    response = sign_in(client, lead, next_page="/profile/")
    assert response["Location"] == "/profile/"
    response = client.get("/profile/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == SET_UP + "?next=%2Fprofile%2F"
    page = client.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    content = page.content.decode()
    assert "Set up two-step sign-in" in content and "<svg" in content and 'role="img"' in content
    device = TOTPDevice.objects.get(user=lead, confirmed=False)
    key = re.search(r"<code data-two-step-key>([A-Z2-7 ]+)</code>", content).group(1)
    assert len(key.replace(" ", "")) == 32  # the 20-byte key in base 32, written out for typing

    for path in ("/", "/notifications/", "/password/", reverse("two_step:manage"), "/staff/import/",
                 reverse("two_step:replace")):
        answer = client.get(path)
        assert answer.status_code == HTTPStatus.FOUND and answer["Location"].startswith(SET_UP), path
    assert client.post("/profile/", {"first_name": "X"})["Location"] == SET_UP
    # The public pages and sign-out stay open.
    assert client.get("/healthz").status_code == HTTPStatus.OK
    assert client.get(reverse("password_reset")).status_code == HTTPStatus.OK
    # The same key until it is confirmed (a reload shows the same QR code).
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user=lead).count() == 1 and TOTPDevice.objects.get(user=lead).key == device.key

    response = client.post(SET_UP, {"code": app_code(device), "next": "/profile/"})
    assert response["Location"] == RECOVERY + "?next=%2Fprofile%2F"
    assert client.get("/profile/").status_code == HTTPStatus.OK
    assert AuditEntry.objects.filter(action="two_step.set_up", object_id=str(lead.pk), actor=lead).count() == 1


@pytest.mark.usefixtures("two_step_on")
def test_a_wrong_code_is_refused_beside_the_field_and_what_was_typed_is_kept(client, lead):
    sign_in(client, lead)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=lead)
    response = client.post(SET_UP, {"code": wrong_code(device)})
    assert response.status_code == HTTPStatus.OK
    assert "The code is not right" in field_error(response)
    assert f'value="{wrong_code(device)}"' in response.content.decode()
    response = client.post(SET_UP, {"code": "12ab"})
    assert "Enter the 6-digit code from your authenticator app" in field_error(response)
    response = client.post(SET_UP, {"code": ""})
    assert "Enter the 6-digit code" in field_error(response)
    assert not TOTPDevice.objects.get(user=lead).confirmed
    assert client.get("/")["Location"].startswith(SET_UP)


@pytest.mark.usefixtures("two_step_on")
def test_the_recovery_codes_are_shown_once_and_download_as_text(client, lead):
    sign_in(client, lead)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=lead)
    client.post(SET_UP, {"code": app_code(device)})
    page = client.get(RECOVERY).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert sorted(shown) == sorted(codes_of(lead)) and len(shown) == services.RECOVERY_CODE_COUNT
    assert "This is the only time the codes are shown" in page
    download = client.get(reverse("two_step:recovery-codes-download"))
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in shown)
    assert client.post(RECOVERY, {"next": "/"})["Location"] == "/"
    # Gone from the session: never shown again.
    assert client.get(RECOVERY)["Location"] == reverse("two_step:manage")
    assert client.get(reverse("two_step:recovery-codes-download")).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.usefixtures("two_step_on")
def test_a_person_with_an_app_is_asked_for_the_code_and_the_right_one_lets_them_in(client, lead):
    device = with_device(lead)
    sign_in(client, lead)
    response = client.get("/notifications/")
    assert response["Location"] == VERIFY + "?next=%2Fnotifications%2F"
    assert client.get(SET_UP)["Location"].startswith(VERIFY)  # no second app without a code
    page = client.get(response["Location"])
    assert "Enter the code from your authenticator app" in page.content.decode()

    wrong = client.post(VERIFY, {"code": wrong_code(device), "next": "/notifications/"})
    assert "The code is not right" in field_error(wrong)
    time.sleep(1.1)  # the wait after one wrong code
    right = client.post(VERIFY, {"code": app_code(device), "next": "/notifications/"})
    assert right["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == HTTPStatus.OK
    # A confirmed session goes straight on from the code page.
    assert client.get(VERIFY)["Location"] == "/"


@pytest.mark.usefixtures("two_step_on")
def test_a_code_is_accepted_once(client, lead):
    device = with_device(lead)
    used = app_code(device, steps_ahead=1)
    sign_in(client, lead)
    assert client.post(VERIFY, {"code": used})["Location"] == "/"
    other = type(client)()
    sign_in(other, lead)
    assert "The code is not right" in field_error(other.post(VERIFY, {"code": used}))


@pytest.mark.usefixtures("two_step_on")
def test_a_recovery_code_works_once(client, lead):
    with_device(lead)
    code = codes_of(lead)[0]
    sign_in(client, lead)
    response = client.post(VERIFY, {"code": f" {code[:4].upper()} {code[4:]} "}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "You signed in with a recovery code" in response.content.decode()
    assert "You have 9 left" in response.content.decode()
    assert code not in codes_of(lead)

    again = type(client)()
    sign_in(again, lead)
    assert "not right, or it has been used already" in field_error(again.post(VERIFY, {"code": code}))
    assert again.get("/")["Location"].startswith(VERIFY)


@pytest.mark.usefixtures("two_step_on")
def test_repeated_wrong_codes_are_throttled_and_each_lock_out_is_audited(client, lead, time_machine):
    device = with_device(lead)
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
    sign_in(client, lead)
    wrong = wrong_code(device)
    field_error(client.post(VERIFY, {"code": wrong}))
    # Straight after a wrong code even the right one waits (django-otp's throttling).
    held = client.post(VERIFY, {"code": app_code(device)})
    assert "You have entered too many wrong codes. Wait 1 second, then try again" in field_error(held)
    assert f'value="{app_code(device)}"' in held.content.decode()

    for failures in range(2, services.LOCK_OUT_AFTER + 1):
        time_machine.shift(2 ** (failures - 2))
        message = field_error(client.post(VERIFY, {"code": wrong_code(device)}))
    assert f"You have entered {services.LOCK_OUT_AFTER} wrong codes in a row: wait 16 seconds" in message
    assert AuditEntry.objects.filter(action="two_step.locked_out", object_id=str(lead.pk)).count() == 1
    time_machine.shift(10)
    assert "Wait 6 seconds" in field_error(client.post(VERIFY, {"code": app_code(device)}))
    assert client.get("/")["Location"].startswith(VERIFY)

    time_machine.shift(7)
    assert client.post(VERIFY, {"code": app_code(device)})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MENTOR, Role.LINE_MANAGER, Role.HEAD_OF_SERVICE])
@pytest.mark.usefixtures("two_step_on")
def test_a_practitioner_or_mentor_is_never_asked(client, organisation, role):
    user = person(organisation, role)
    assert sign_in(client, user)["Location"] == "/"
    assert client.get("/").status_code == HTTPStatus.OK
    assert client.get(SET_UP)["Location"] == "/"
    assert client.get(VERIFY)["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.HR, Role.PROGRAMME_LEAD, Role.ICS_LEAD,
                                  Role.OPERATIONAL_DIRECTOR, Role.DATA_PROTECTION])
@pytest.mark.usefixtures("two_step_on")
def test_every_powerful_role_is_asked(client, organisation, role):
    user = person(organisation, Role.MENTOR, role)
    sign_in(client, user)
    assert client.get("/")["Location"].startswith(SET_UP)


@pytest.mark.usefixtures("two_step_on")
def test_staff_of_the_admin_pages_are_asked(client, db):
    user = UserFactory(is_staff=True)
    sign_in(client, user)
    assert client.get("/")["Location"].startswith(SET_UP)


@pytest.mark.usefixtures("two_step_on")
def test_a_session_signed_in_through_single_sign_on_is_exempt(client, lead):
    with_device(lead)
    client.force_login(lead)
    session = client.session
    session["signed_in_with"] = "oidc"
    session.save()
    assert client.get("/").status_code == HTTPStatus.OK
    assert client.get(VERIFY)["Location"] == "/"
    # Any other value is a password sign-in.
    session["signed_in_with"] = "password"
    session.save()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_with_the_setting_off_nobody_is_asked(client, lead, settings):
    settings.TWO_STEP_REQUIRED = False
    with_device(lead)
    admin = UserFactory(is_staff=True, is_superuser=True)
    for user in (lead, admin):
        client.logout()
        sign_in(client, user)
        assert client.get("/").status_code == HTTPStatus.OK
        assert client.get(VERIFY)["Location"] == "/"


@pytest.mark.usefixtures("two_step_on")
def test_the_admin_pages_are_protected_too(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    for path in ("/admin/", "/admin/preceptorship/user/", "/admin/login/"):
        assert client.get(path)["Location"].startswith(SET_UP), path
    client.get(SET_UP)
    client.post(SET_UP, {"code": app_code(TOTPDevice.objects.get(user=admin))})
    assert client.get("/admin/").status_code == HTTPStatus.OK
    # django-otp's own device pages, where a key could be read, are not in the admin.
    assert not admin_site.is_registered(TOTPDevice) and not admin_site.is_registered(StaticDevice)


# Changing the set-up --------------------------------------------------------------------------------


@pytest.mark.usefixtures("two_step_on")
def test_new_recovery_codes_from_the_profile_need_a_current_code(client, lead):
    device = with_device(lead)
    old = codes_of(lead)
    sign_in(client, lead)
    client.post(VERIFY, {"code": app_code(device)})
    page = client.get(reverse("two_step:manage")).content.decode()
    assert "Recovery codes left" in page and "Get new recovery codes" in page
    new_page = reverse("two_step:recovery-codes-new")
    assert "The code is not right" in field_error(client.post(new_page, {"code": wrong_code(device)}))
    assert codes_of(lead) == old
    time.sleep(1.1)
    response = client.post(new_page, {"code": old[0]})
    assert response["Location"].startswith(RECOVERY)
    new = codes_of(lead)
    assert not set(new) & set(old) and len(new) == services.RECOVERY_CODE_COUNT
    assert all(code in client.get(RECOVERY).content.decode() for code in new)
    # The session confirmed by the app stays confirmed.
    assert client.get("/").status_code == HTTPStatus.OK
    assert AuditEntry.objects.filter(action="two_step.recovery_codes", object_id=str(lead.pk)).count() == 1


@pytest.mark.usefixtures("two_step_on")
def test_the_app_is_replaced_from_the_profile_and_the_old_one_stops_working(client, lead):
    old = with_device(lead)
    sign_in(client, lead)
    client.post(VERIFY, {"code": app_code(old)})
    replace = reverse("two_step:replace")
    assert client.get(replace).status_code == HTTPStatus.OK
    response = client.post(replace, {"code": app_code(old, steps_ahead=1)})
    assert response["Location"].startswith(SET_UP)
    page = client.get(response["Location"]).content.decode()
    assert "Set up your new authenticator app" in page
    new = TOTPDevice.objects.get(user=lead, confirmed=False)
    assert new.key != old.key
    assert client.post(SET_UP, {"code": app_code(new), "next": reverse("two_step:manage")})["Location"].startswith(
        RECOVERY)
    assert list(TOTPDevice.objects.filter(user=lead).values_list("pk", flat=True)) == [new.pk]
    assert client.get("/").status_code == HTTPStatus.OK
    assert AuditEntry.objects.filter(action="two_step.replace", object_id=str(lead.pk)).count() == 1
    # A new sign-in takes a code from the new app.
    other = type(client)()
    sign_in(other, lead)
    assert other.post(VERIFY, {"code": app_code(new, steps_ahead=1)})["Location"] == "/"


@pytest.mark.usefixtures("two_step_on")
def test_an_administrator_resets_another_persons_set_up_from_the_admin_never_their_own(client, lead):
    with_device(lead)
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_device = with_device(admin)
    sign_in(client, admin)
    client.post(VERIFY, {"code": app_code(admin_device)})
    changelist = reverse("admin:preceptorship_user_changelist")
    response = client.post(changelist, {"action": "reset_two_step", "_selected_action": [admin.pk]}, follow=True)
    assert "Nobody can reset their own two-step sign-in" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
    with pytest.raises(PermissionDenied):
        services.two_step_reset(actor=admin, user=admin)

    response = client.post(changelist, {"action": "reset_two_step", "_selected_action": [lead.pk]}, follow=True)
    assert "Two-step sign-in reset for 1 person" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=lead).exists() and not StaticDevice.objects.filter(user=lead).exists()
    entry = AuditEntry.objects.get(action="two_step.reset")
    assert (entry.actor_id, entry.object_id, entry.subject_id) == (admin.pk, str(lead.pk), lead.pk)
    assert entry.before["authenticator_apps"] == 1 and entry.before["recovery_codes"] == services.RECOVERY_CODE_COUNT
    # The lead sets up a new app at the next sign-in.
    other = type(client)()
    sign_in(other, lead)
    assert other.get("/")["Location"].startswith(SET_UP)


@pytest.mark.django_db
def test_only_an_administrator_resets(organisation, lead):
    with_device(lead)
    hr = person(organisation, Role.HR)
    with pytest.raises(PermissionDenied):
        services.two_step_reset(actor=hr, user=lead)
    assert TOTPDevice.objects.filter(user=lead).exists()


# Hostile input --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("two_step_on")
@pytest.mark.parametrize("page", ["set-up", "verify", "recovery-codes-new", "replace"])
def test_no_hostile_code_or_next_page_gives_a_server_error_or_leaves_the_site(client, lead, page):
    if page != "set-up":
        device = with_device(lead)
    sign_in(client, lead)
    if page in ("recovery-codes-new", "replace"):
        client.post(VERIFY, {"code": app_code(device)})
    form = read_form(client, reverse(f"two_step:{page}") + "?next=/notifications/")

    @HOSTILE_SETTINGS
    @given(data=hostile_data(form, skip={"next"}))
    def post(data: dict[str, Any]) -> None:
        for target in ("/notifications/", "https://elsewhere.example/", "//elsewhere.example", "javascript:alert(1)"):
            response = assert_survives(client, form, {**data, "next": target})
            location = response.get("Location", "")
            assert "elsewhere" not in location and "javascript" not in location, location

    post()
    assert TOTPDevice.objects.filter(user=lead, confirmed=True).count() == (0 if page == "set-up" else 1)


@pytest.mark.usefixtures("two_step_on")
def test_digits_of_other_scripts_are_not_a_code(client, lead):
    device = with_device(lead)
    sign_in(client, lead)
    other_script = app_code(device).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert "Enter the 6-digit code" in field_error(client.post(VERIFY, {"code": other_script}))


# Settings --------------------------------------------------------------------------------------------


def test_the_deploy_check_warns_when_two_step_sign_in_is_off(settings):
    settings.TWO_STEP_REQUIRED = False
    assert TWO_STEP_OFF in [message.id for message in run_checks(include_deployment_checks=True)]
    settings.TWO_STEP_REQUIRED = True
    assert TWO_STEP_OFF not in [message.id for message in run_checks(include_deployment_checks=True)]


def _setting_in_a_new_process(settings_module: str, **environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "TWO_STEP_REQUIRED"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, "SECRET_KEY": "k" * 60, **environment})
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", "from django.conf import settings; print(settings.TWO_STEP_REQUIRED)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    return (done.stdout.strip().splitlines() or [done.stderr])[-1]


def test_on_by_default_in_production_off_in_development_and_tests(settings):
    assert settings.TWO_STEP_REQUIRED is False
    assert _setting_in_a_new_process("preceptorship.settings.production") == "True"
    assert _setting_in_a_new_process("preceptorship.settings.development") == "False"
    assert _setting_in_a_new_process("preceptorship.settings.production", TWO_STEP_REQUIRED="0") == "False"
    assert "is not a yes/no value" in _setting_in_a_new_process("preceptorship.settings.development",
                                                                TWO_STEP_REQUIRED="sometimes")
