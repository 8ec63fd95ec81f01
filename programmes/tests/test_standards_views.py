"""The standards scorecard through HTTP: the lead's page (their organisation only, with links to
the enrolments that fall short), the ICS lead's (aggregates, small numbers hidden, no names), the
downloads, the lead's copy, and a constant number of queries at two data sizes."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship.figures import SUPPRESSED
from preceptorship.models import Membership
from preceptorship.tests.factories import person, profession
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.reporting.models import RuleKind, StandardSet
from programmes.tests.exports_reading import csv_rows
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


@pytest.fixture
def ics_lead(organisation):
    return person(organisation, Role.ICS_LEAD)


@pytest.fixture
def ahp() -> StandardSet:
    return StandardSet.objects.get(code="ahp-preceptorship", organisation__isnull=True)


def _short_and_long(organisation, other_organisation):
    """Six months (breaks the 12-month criterion) and 12 months, in the lead's organisation; one
    programme in another organisation whose preceptee must never be named."""
    short = ProgrammeFactory(organisation=organisation, name="Short programme", length_months=6,
                             review_interval_months=3)
    long = ProgrammeFactory(organisation=organisation, name="Long programme", length_months=12)
    falls_short = EnrolmentFactory(programme=short, preceptee=person(organisation, Role.PRACTITIONER,
                                                                      first_name="Shona", last_name="Short"))
    EnrolmentFactory.create_batch(2, programme=long)
    elsewhere = EnrolmentFactory(programme=ProgrammeFactory(organisation=other_organisation, length_months=6,
                                                            review_interval_months=3),
                                 preceptee=person(other_organisation, Role.PRACTITIONER, first_name="Nadia",
                                                  last_name="Neighbour"))
    return falls_short, elsewhere


def test_lead_sees_own_programmes_and_links_to_who_falls_short(client, lead, organisation, other_organisation, ahp):
    falls_short, elsewhere = _short_and_long(organisation, other_organisation)
    client.force_login(lead)
    response = client.get(reverse("programmes:standards"), {"standard_set": ahp.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Short programme" in page and "Long programme" in page
    assert reverse("programmes:enrolment-detail", args=[falls_short.pk]) in page
    assert "Shona Short" in page
    assert "Nadia Neighbour" not in page
    assert reverse("programmes:enrolment-detail", args=[elsewhere.pk]) not in page
    # The comparators, measured the same way or said not to be.
    assert "64%" in page and "leaving the organisation, where the national figure" in page


def test_bad_set_choice_is_a_message_not_an_error(client, lead, ahp):
    client.force_login(lead)
    response = client.get(reverse("programmes:standards"), {"standard_set": "nonsense"})
    assert response.status_code == 200
    assert "nhsuk-error-message" in response.content.decode()


def test_lead_download_has_numbers_as_numbers(client, lead, organisation, other_organisation, ahp):
    _short_and_long(organisation, other_organisation)
    client.force_login(lead)
    response = client.get(reverse("programmes:standards-export", args=["xlsx"]), {"standard_set": ahp.pk})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    header = rows[0]
    length = [dict(zip(header, row, strict=False)) for row in rows[1:] if row[2] == "length"]
    overall = next(row for row in length if row["programme"] == "All programmes")
    assert (overall["met"], overall["judged"], overall["rate"]) == (2, 3, 67)
    assert all("Neighbour" not in str(value) for row in rows for value in row)
    csv_response = client.get(reverse("programmes:standards-export", args=["csv"]), {"standard_set": ahp.pk})
    assert csv_response.status_code == 200 and csv_rows(csv_response)[0][0] == "organisation"
    assert client.get(reverse("programmes:standards-export", args=["pdf"])).status_code == 404


def test_ics_scorecard_hides_small_numbers_and_names_nobody(client, ics_lead, organisation, other_organisation, ahp):
    _short_and_long(organisation, other_organisation)
    client.force_login(ics_lead)
    response = client.get(reverse("programmes:ics-standards"), {"standard_set": ahp.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Shona Short" not in page and "Nadia Neighbour" not in page
    assert "/enrolments/" not in page
    assert SUPPRESSED in page
    download = client.get(reverse("programmes:ics-standards-export", args=["csv"]), {"standard_set": ahp.pk})
    rows = csv_rows(download)
    header = rows[0]
    whole = [dict(zip(header, row, strict=False)) for row in rows[1:]
             if row[0] == "Whole system" and row[1] == "length"]
    # Three of four judged in the whole system: the one short is a small number, so the count met is hidden.
    assert whole[0]["judged"] == SUPPRESSED and whole[0]["met"] == SUPPRESSED


def test_ics_scorecard_shows_figures_of_five_or_more(client, ics_lead, organisation, ahp):
    long = ProgrammeFactory(organisation=organisation, length_months=12)
    short = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3)
    EnrolmentFactory.create_batch(6, programme=long)
    EnrolmentFactory.create_batch(5, programme=short)
    client.force_login(ics_lead)
    rows = csv_rows(client.get(reverse("programmes:ics-standards-export", args=["csv"]), {"standard_set": ahp.pk}))
    header = rows[0]
    found = next(dict(zip(header, row, strict=False)) for row in rows[1:] if row[0] == organisation.name
                 and row[1] == "length")
    assert (found["met"], found["judged"], found["rate"]) == ("6", "11", "55")


def test_lead_copies_a_set_and_changes_a_criterion_through_the_pages(client, lead, organisation, ahp):
    ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3)
    client.force_login(lead)
    response = client.post(reverse("programmes:standard-set-copy", args=[ahp.pk]))
    copy = StandardSet.objects.get(organisation=organisation)
    assert response.status_code == 302 and f"standard_set={copy.pk}" in response["Location"]
    length = copy.criteria.get(kind=RuleKind.PROGRAMME_LENGTH)
    url = reverse("programmes:criterion-change", args=[length.pk])
    bad = client.post(url, {"parameter": "twelve", "enabled": "on"})
    assert bad.status_code == 200
    assert "Enter a whole number" in bad.content.decode() and 'value="twelve"' in bad.content.decode()
    assert client.post(url, {"parameter": "6", "enabled": "on"}).status_code == 302
    length.refresh_from_db()
    assert length.parameter == 6
    # The national set cannot be changed through the page.
    national_length = ahp.criteria.get(kind=RuleKind.PROGRAMME_LENGTH)
    assert client.post(reverse("programmes:criterion-change", args=[national_length.pk]),
                       {"parameter": "1"}).status_code == 403


def test_other_organisations_lead_cannot_see_or_change_a_copy(client, lead, organisation, other_organisation, ahp):
    client.force_login(lead)
    client.post(reverse("programmes:standard-set-copy", args=[ahp.pk]))
    copy = StandardSet.objects.get(organisation=organisation)
    other_lead = person(other_organisation, Role.PROGRAMME_LEAD)
    client.force_login(other_lead)
    criterion = copy.criteria.first()
    assert client.get(reverse("programmes:criterion-change", args=[criterion.pk])).status_code == 404
    page = client.get(reverse("programmes:standards"), {"standard_set": copy.pk})
    assert page.status_code == 200 and "nhsuk-error-message" in page.content.decode()


@pytest.mark.parametrize("name", ["programmes:standards", "programmes:ics-standards"])
def test_query_count_does_not_grow_with_enrolments(client, lead, ics_lead, organisation, other_organisation, name,
                                                   today):
    viewer = lead if name == "programmes:standards" else ics_lead
    programme = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory.create_batch(2, programme=programme)
    client.force_login(viewer)
    client.get(reverse(name))  # sessions and caches warmed

    def grow() -> None:
        from decimal import Decimal

        from programmes.preceptors.models import PreceptorRecord, TimeGiven
        from programmes.tests.factories import PauseFactory
        from programmes.tests.factories_practice import ProtectedTimeFactory, ReviewFactory

        for programme_ in (programme, ProgrammeFactory(organisation=organisation, length_months=6,
                                                       review_interval_months=3, protected_caseload_months=3,
                                                       protected_caseload_percent=60)):
            for enrolment in EnrolmentFactory.create_batch(6, programme=programme_):
                ReviewFactory(enrolment=enrolment, held_on=today - datetime.timedelta(days=5), caseload_percent=70)
                ProtectedTimeFactory(enrolment=enrolment)
                # What the preceptor time, caseload and registration rules read.
                PauseFactory(enrolment=enrolment)
                TimeGiven.objects.create(enrolment=enrolment, mentor=enrolment.mentor, on=today, hours=Decimal(2))
                PreceptorRecord.objects.get_or_create(
                    organisation=organisation, mentor=enrolment.mentor,
                    defaults={"has_exception": True, "exception_reason": "Specialist", "exception_agreed_by": "Head",
                              "exception_agreed_on": today},
                )
                # What the people comparators read: the staff record's dates, a leaving date.
                enrolment.preceptee.profession = profession("physiotherapy")
                enrolment.preceptee.first_registered_on = today - datetime.timedelta(days=500)
                enrolment.preceptee.started_in_post_on = today - datetime.timedelta(days=450)
                enrolment.preceptee.left_on = today - datetime.timedelta(days=200)
                enrolment.preceptee.save()
        for n in range(6):
            person(organisation, Role.PRACTITIONER, profession=profession("occupational-therapy"),
                   first_registered_on=today - datetime.timedelta(days=480 + n),
                   started_in_post_on=today - datetime.timedelta(days=420))

    small, large = assert_same_queries_at_two_sizes(lambda: client.get(reverse(name)), grow)
    assert small.status_code == large.status_code == 200


def test_ics_hides_a_second_organisation_so_a_small_one_cannot_be_worked_out(client, ics_lead, organisation,
                                                                            other_organisation, ahp):
    """Three organisations: 3 judged in one (hidden), 6 and 7 in the others, 16 in the system: the
    smaller of the others is hidden too, so the system's total gives nothing away."""
    from preceptorship.tests.factories import OrganisationFactory

    third = OrganisationFactory(name="Third Trust", ics=organisation.ics)
    for org, n in ((organisation, 3), (other_organisation, 6), (third, 7)):
        EnrolmentFactory.create_batch(n, programme=ProgrammeFactory(organisation=org, length_months=12))
    client.force_login(ics_lead)
    rows = csv_rows(client.get(reverse("programmes:ics-standards-export", args=["csv"]), {"standard_set": ahp.pk}))
    header = rows[0]
    length = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:] if row[1] == "length"}
    assert length[organisation.name]["judged"] == SUPPRESSED
    assert length[other_organisation.name]["judged"] == "not shown (protects a small number)"
    assert length["Third Trust"]["judged"] == "7"
    assert length["Whole system"]["judged"] == "16"
    assert length[other_organisation.name]["rate"] != "100"
