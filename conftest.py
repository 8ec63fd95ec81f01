"""Fixtures shared by every app's tests: two organisations in one ICS, and a third outside it."""

from __future__ import annotations

import zlib

import factory.random
import pytest
from django.core.cache import cache

from preceptorship.models import Membership
from preceptorship.tests.factories import IntegratedCareSystemFactory, OrganisationFactory, TeamFactory, person

Role = Membership.Role


@pytest.fixture(autouse=True)
def _same_fake_data_every_run(request):
    """Each test draws the same names and words from Faker on every run, whichever process or order
    it runs in, so a test that passes here passes in CI (and a failure can be reproduced)."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nothing kept by one test (derived figures, a case page's content) is met by the next, whose
    database may reuse the same ids. Under tests the cache is each process's own memory (settings.py
    keeps LocMemCache when TESTING, even with REDIS_URL), so this never empties a shared Redis."""
    cache.clear()


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
