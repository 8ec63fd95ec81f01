"""A progression case's eligibility shows the practitioner's completed preceptorship, when there is one."""

from __future__ import annotations

import datetime

import pytest

from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import selectors
from progression.tests.factories import Cast

pytestmark = pytest.mark.django_db


def test_only_a_completed_preceptorship_is_shown(organisation, team, client):
    cast = Cast(organisation, team)
    programme = ProgrammeFactory(organisation=organisation, name="Social work ASYE")
    EnrolmentFactory(programme=programme, preceptee=cast.practitioner)
    assert selectors.eligibility(cast.practitioner).preceptorship is None
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="Earlier programme"),
                     preceptee=cast.practitioner, completed=True, completed_on=datetime.date(2023, 9, 30),
                     outcome="Progressed to Range 6")
    found = selectors.eligibility(cast.practitioner).preceptorship
    assert found == "Earlier programme, completed 30 September 2023: Progressed to Range 6"
    case = cast.open_case()
    client.force_login(cast.hos)
    assert found in client.get(case.get_absolute_url()).content.decode()
