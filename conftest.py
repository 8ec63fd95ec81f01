"""Fixtures shared by every app's tests: a pinned clock, two organisations in one ICS, and a third
outside it.

No test reads the real clock. Every test runs as of noon (London) on one day: ``DEFAULT_TODAY``,
or the day given with ``--today YYYY-MM-DD`` (``make test PYTEST_ARGS="--today 2027-05-03"``
asks whether the suite passes on that day). The clock then ticks from that moment, so durations,
timeouts and ordering by time behave as usual. A test about a particular moment moves the clock
itself with time-machine's ``time_machine`` fixture.
"""

from __future__ import annotations

import datetime
import io
import zlib
import zoneinfo

import factory.random
import pytest
import time_machine
from django.core.cache import cache

from preceptorship.models import Membership

# The browser harness's fixtures, for every app's browser tests (defined beside its helpers).
from preceptorship.tests.browser import browser, demo, frontend_built, live_server, page  # noqa: F401
from preceptorship.tests.factories import IntegratedCareSystemFactory, OrganisationFactory, TeamFactory, person

Role = Membership.Role

# An ordinary Wednesday in term time, far from bank holidays and clock changes.
DEFAULT_TODAY = datetime.date(2026, 6, 10)
LONDON = zoneinfo.ZoneInfo("Europe/London")
SESSION_CLOCK = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today", default=None, metavar="YYYY-MM-DD",
        help=f"Run every test as of noon (London) on this date (default {DEFAULT_TODAY:%Y-%m-%d}).",
    )


def _pinned_moment(config: pytest.Config) -> datetime.datetime:
    value = config.getoption("--today")
    try:
        day = datetime.date.fromisoformat(value) if value else DEFAULT_TODAY
    except ValueError:
        raise pytest.UsageError(f"--today {value!r} is not a date in the form YYYY-MM-DD.") from None
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=LONDON)


def pytest_configure(config: pytest.Config) -> None:
    # From the start of the session, so that anything computed while modules are collected agrees
    # with the tests' day as well.
    traveller = time_machine.travel(_pinned_moment(config), tick=True)
    traveller.start()
    config.stash[SESSION_CLOCK] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(SESSION_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"tests run as of {_pinned_moment(config):%A %-d %B %Y %H:%M} (London)"


@pytest.fixture(autouse=True)
def _pinned_clock(request: pytest.FixtureRequest):
    """Every test starts at the same instant, whichever order or process it runs in. A test marked
    ``@pytest.mark.time_machine(...)`` chose its own moment: that one stands."""
    if request.node.get_closest_marker("time_machine"):
        yield
        return
    with time_machine.travel(_pinned_moment(request.config), tick=True):
        yield


@pytest.fixture
def today(_pinned_clock) -> datetime.date:
    """The tests' London date (``--today``, or ``DEFAULT_TODAY``)."""
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture(autouse=True)
def _same_fake_data_every_run(request):
    """Each test draws the same names and words from Faker on every run, whichever process or order
    it runs in, so a test that passes here passes in CI (and a failure can be reproduced)."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nothing one test leaves in the cache is met by the next, whose database may reuse the same
    ids. Under tests the cache is each process's own memory
    (preceptorship/settings/test.py keeps LocMemCache even with REDIS_URL), so this never empties a
    shared Redis."""
    cache.clear()


DEMO_PASSWORD_FOR_TESTS = "demo-password-1"


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for a whole module of tests that read it (each test still rolls back
    what it changes): seeding takes a second or two, so a module of readers pays it once. Its
    transaction is rolled back after the module. Not for modules with transactional (browser) tests."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", password=DEMO_PASSWORD_FOR_TESTS, stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def ics(db):
    return IntegratedCareSystemFactory()


@pytest.fixture
def organisation(ics):
    return OrganisationFactory(name="Home Council", ics=ics)


@pytest.fixture
def other_organisation(ics):
    """Same ICS, different organisation: an outsider for most records."""
    return OrganisationFactory(name="Neighbouring Trust", ics=ics)


@pytest.fixture
def far_organisation(db):
    """A different ICS altogether."""
    return OrganisationFactory(name="Far Away Trust", ics=IntegratedCareSystemFactory())


@pytest.fixture
def team(organisation):
    return TeamFactory(organisation=organisation, name="Occupational Therapy Service")


@pytest.fixture
def outsider(other_organisation):
    return person(other_organisation, Role.PRACTITIONER, email="outsider@example.org")


@pytest.fixture
def make_person():
    return person
