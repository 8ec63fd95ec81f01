"""The enrolment page's figures and names read with the enrolment (``selectors.with_page_facts``):
each is the value the records hold, and the page shows them."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Profession
from preceptorship.tests.factories import TeamFactory
from programmes import selectors
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory, EvaluationFactory, ProgrammeFactory
from programmes.tests.factories_practice import NeedsAssessmentFactory, ProtectedTimeFactory


def facts(enrolment: Enrolment) -> Enrolment:
    return selectors.with_page_facts(Enrolment.objects.all()).get(pk=enrolment.pk)


def test_an_enrolment_without_records_reads_no_time_no_evaluation_and_no_team(organisation):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), team=None)
    enrolment.preceptee.profession = None
    enrolment.preceptee.save()
    read = facts(enrolment)
    assert (read.evaluated, read.needs_shared, read.protected_hours_received) == (False, False, Decimal(0))
    assert (read.organisation_name, read.team_name, read.profession_name) == ("Home Council", None, None)


def test_each_figure_and_name_is_the_records_own(organisation):
    team = TeamFactory(organisation=organisation, name="Reablement East")
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), team=team, completed=True)
    enrolment.preceptee.profession = Profession.objects.get(slug="occupational-therapy")
    enrolment.preceptee.save()
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("1.5"))
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("2.5"))
    ProtectedTimeFactory(hours=Decimal("9"))  # someone else's
    NeedsAssessmentFactory(enrolment=enrolment, submitted_at=None)  # written, not shared yet
    EvaluationFactory(enrolment=enrolment)
    read = facts(enrolment)
    assert (read.evaluated, read.needs_shared, read.protected_hours_received) == (True, False, Decimal("4.0"))
    assert (read.organisation_name, read.team_name, read.profession_name) == (
        "Home Council", "Reablement East", "Occupational therapy")

    enrolment.needs_assessment.submitted_at = timezone.now()
    enrolment.needs_assessment.save()
    assert facts(enrolment).needs_shared is True


def test_the_page_shows_the_names_and_the_hours(client, organisation):
    team = TeamFactory(organisation=organisation, name="Reablement East")
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), team=team)
    enrolment.preceptee.profession = Profession.objects.get(slug="occupational-therapy")
    enrolment.preceptee.save()
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("1.5"))
    client.force_login(enrolment.preceptee)
    page = client.get(reverse("programmes:enrolment-detail", args=[enrolment.pk])).content.decode()
    assert f"{enrolment.preceptee}, Occupational therapy" in page
    assert "Home Council, Reablement East" in page
    assert "1.5 of " in page and "hours so far" in page
