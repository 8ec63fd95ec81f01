"""A programme's page and its set-up form warn, in an NHS.UK warning callout, about the criteria of
the organisation's standard sets that the programme's own rules already break; a lead's copy of a
set changes the warnings; people who are not the lead see none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.reporting import services
from programmes.reporting.models import RuleKind, StandardSet
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def _callout(response) -> str:
    page = response.content.decode()
    start = page.find('<div class="nhsuk-warning-callout">')
    return "" if start < 0 else page[start:page.find("</div>", start)]


def test_a_short_programme_with_sparse_reviews_and_no_protected_time_is_warned(client, lead, organisation):
    programme = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=6,
                                 protected_hours_per_month=Decimal("0"))
    client.force_login(lead)
    for url in (reverse("programmes:programme-detail", args=[programme.pk]),
                reverse("programmes:programme-edit", args=[programme.pk])):
        callout = _callout(client.get(url))
        assert "lasts 6 months; the criterion asks for at least 12" in callout
        assert "Review meetings are every 6 months; the criterion asks for at least every 3" in callout
        assert "no protected time allowance" in callout
        assert "first review meeting is planned one review interval in; the criterion asks for it within 14 days" \
            in callout
        assert "AHP preceptorship standards" in callout and "Nursing preceptorship core standards" in callout


def test_a_programme_within_every_rule_has_no_warning(client, lead, organisation):
    programme = ProgrammeFactory(organisation=organisation, length_months=12, review_interval_months=3,
                                 protected_hours_per_month=Decimal("4"), first_meeting_days=14)
    client.force_login(lead)
    assert _callout(client.get(reverse("programmes:programme-detail", args=[programme.pk]))) == ""


def test_the_leads_copy_changes_the_warnings(client, lead, organisation):
    programme = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3,
                                 protected_hours_per_month=Decimal("4"), first_meeting_days=14)
    for code in ("ahp-preceptorship", "nursing-core", "nursing-gold"):
        copy = services.standard_set_copy(actor=lead, standard_set=StandardSet.objects.get(
            code=code, organisation__isnull=True), organisation=organisation)
        services.criterion_change(actor=lead, criterion=copy.criteria.get(kind=RuleKind.PROGRAMME_LENGTH),
                                  parameter=6, enabled=True)
        services.criterion_change(actor=lead, criterion=copy.criteria.get(kind=RuleKind.PROTECTED_TIME),
                                  parameter=4, enabled=False)
    client.force_login(lead)
    assert _callout(client.get(reverse("programmes:programme-detail", args=[programme.pk]))) == ""


def test_a_first_meeting_later_than_the_standard_is_warned(client, lead, organisation):
    programme = ProgrammeFactory(organisation=organisation, length_months=12, review_interval_months=3,
                                 protected_hours_per_month=Decimal("4"), first_meeting_days=21)
    client.force_login(lead)
    callout = _callout(client.get(reverse("programmes:programme-detail", args=[programme.pk])))
    assert "first review meeting is planned 21 days in; the criterion asks for it within 14 days" in callout


def test_a_preceptee_sees_no_warning(client, organisation):
    programme = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3)
    enrolment = EnrolmentFactory(programme=programme)
    client.force_login(enrolment.preceptee)
    response = client.get(reverse("programmes:programme-detail", args=[programme.pk]))
    assert _callout(response) == ""
