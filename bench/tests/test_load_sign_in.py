"""The load test's simulated people sign in as a person does, two-step code included, and count
any page but the one they asked for as a failure (bench/load_client.py, bench/load.py), run here
with a plain HTTP session against a live server instead of Locust's."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import load
from bench.load_client import AppCodes, sign_in, wrong_page
from preceptorship.models import Membership
from preceptorship.tests.factories import person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Role = Membership.Role
PASSWORD = "correct-horse-battery"  # the factories' password
DASHBOARD = "/programmes/reports/dashboard/"
ICS_DASHBOARD = "/programmes/reports/ics/"


class Session(requests.Session):
    """What the simulated people's HTTP session does: addresses relative to the server, and a
    ``name`` for the figures (ignored here)."""

    def __init__(self, server: str) -> None:
        super().__init__()
        self.server = server

    def request(self, method: str, url: str, *args: Any, name: str = "", **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.server + url if url.startswith("/") else url, *args, **kwargs)


@pytest.fixture
def two_step_required(settings: Any) -> None:
    settings.TWO_STEP_REQUIRED = True


def test_a_leads_and_an_ics_leads_sessions_reach_their_dashboards_after_the_apps_code(
    live_server: Any, organisation: Any, two_step_required: None
) -> None:
    lead = person(organisation, Role.PROGRAMME_LEAD)
    ics_lead = person(organisation, Role.ICS_LEAD)
    mentor = person(organisation, Role.MENTOR)
    keys = load.give_authenticator_apps([lead.email, ics_lead.email, mentor.email])
    assert set(keys) == {lead.email, ics_lead.email}  # a mentor signs in with a password alone
    assert TOTPDevice.objects.get(user=lead, confirmed=True).key == keys[lead.email]

    codes = AppCodes()
    # Two simulated people on the lead's one account, as the load test has: each gives a code the
    # server has not seen (this step's, then the next step's).
    for email, key, path in ((lead.email, keys[lead.email], DASHBOARD), (lead.email, keys[lead.email], DASHBOARD),
                             (ics_lead.email, keys[ics_lead.email], ICS_DASHBOARD), (mentor.email, None, "/")):
        session = Session(live_server.url)
        assert sign_in(session, email, PASSWORD, key, codes) is None
        page = session.get(path)
        assert wrong_page(page, path) is None
        assert "two-step" not in page.text.lower()


def test_a_password_alone_leaves_a_lead_on_a_two_step_page_and_every_page_is_a_failure(
    live_server: Any, organisation: Any, two_step_required: None
) -> None:
    lead = person(organisation, Role.PROGRAMME_LEAD)
    session = Session(live_server.url)
    assert sign_in(session, lead.email, PASSWORD, None, AppCodes()) == (
        "signing in: the two-step set-up page instead (no authenticator app)")
    page = session.get(DASHBOARD)
    assert page.status_code == 200  # what the load test counted as the dashboard before
    assert wrong_page(page, DASHBOARD) == "the two-step set-up page instead (no authenticator app)"

    load.give_authenticator_apps([lead.email])
    session = Session(live_server.url)
    assert sign_in(session, lead.email, PASSWORD, None, AppCodes()) == (
        "asked for a two-step code, but the account has no authenticator app key")
    assert wrong_page(session.get(DASHBOARD), DASHBOARD) == "the two-step code page instead (no code confirmed)"


# Five seconds into a 30-second step of the codes.
@pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 11, 0, 5, tzinfo=datetime.UTC))
def test_a_code_the_server_had_already_is_followed_by_a_later_one(
    live_server: Any, organisation: Any, two_step_required: None, time_machine: Any
) -> None:
    lead = person(organisation, Role.PROGRAMME_LEAD)
    key = load.give_authenticator_apps([lead.email])[lead.email]
    # An earlier run of the load test (another Locust process) gave this step's code.
    assert sign_in(Session(live_server.url), lead.email, PASSWORD, key, AppCodes()) is None

    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        time_machine.shift(seconds)

    session = Session(live_server.url)
    assert sign_in(session, lead.email, PASSWORD, key, AppCodes(sleep=wait)) is None
    assert wrong_page(session.get(DASHBOARD), DASHBOARD) is None
    # The refused code, the server's short hold after it, then the wait for the next step.
    assert len(waits) == 2 and waits[0] == pytest.approx(2.0) and 20 < waits[1] < 30


def test_the_load_servers_ask_for_two_step_sign_in_as_production_does(tmp_path: Path) -> None:
    env = load.server_env(database_url="postgres://load@127.0.0.1/load", redis_url="redis://127.0.0.1:6379/8",
                          cache_url="redis://127.0.0.1:6379/9", port=8000, work=tmp_path)
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c",
         "from django.conf import settings; print(settings.TWO_STEP_REQUIRED, settings.ROOT_URLCONF)"],
        cwd=load.ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.split() == ["True", "bench.urls"], done.stderr[-2000:]
