"""The preceptor register through its services and pages: training, registration and exceptions,
the flags, time given against the allowance, the mentor's wellbeing and the evaluation's
aggregates (hidden under five answers)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from preceptorship.tests.hostile import HOSTILE_SETTINGS, ODD_IDS, assert_survives, hostile_data, read_form
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.preceptors import selectors, services
from programmes.preceptors.models import Preceptor, PreceptorEvaluation, PreceptorRecord, PreceptorWellbeing
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReviewFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def mentor_in(organisation, **fields):
    user = person(organisation, Role.MENTOR, **fields)
    return user, Preceptor.objects.get(user=user, organisation=organisation)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The flags.


def test_a_mentor_without_training_is_flagged(organisation, today):
    _, line = mentor_in(organisation, first_registered_on=today - datetime.timedelta(days=800))
    [found] = selectors.lines([line], today)
    assert found.flags == [selectors.NO_TRAINING]


def test_registered_less_than_12_months_before_the_first_preceptee_is_flagged_until_an_exception(
        organisation, lead, today):
    mentor, line = mentor_in(organisation)
    start = today - datetime.timedelta(days=30)
    mentor.first_registered_on = add_months(start, -11)
    mentor.save()
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor, start_date=start)
    services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today, course="Preceptor course")
    assert selectors.lines([line], today)[0].flags == [selectors.REGISTERED_LATE]

    services.preceptor_record_update(
        actor=lead, preceptor=line, registered_on=mentor.first_registered_on, has_exception=True,
        exception_reason="Only podiatrist in the team", exception_agreed_by="Head of AHPs",
        exception_agreed_on=today,
    )
    assert selectors.lines([line], today)[0].flags == []


def test_registered_12_months_before_the_first_preceptee_is_not_flagged(organisation, today):
    mentor, line = mentor_in(organisation)
    start = today - datetime.timedelta(days=30)
    mentor.first_registered_on = add_months(start, -12)
    mentor.save()
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor, start_date=start)
    services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today, course="Preceptor course")
    assert selectors.lines([line], today)[0].flags == []
    assert selectors.mentor_flags([mentor.pk], organisation.pk, today) == {mentor.pk: []}


# The services.


def test_the_mentor_records_their_own_training_and_it_is_audited(organisation, today):
    mentor, line = mentor_in(organisation)
    record = services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today,
                                                course="Preceptorship for AHPs")
    assert (record.training_completed_on, record.training_updated_by) == (today, mentor)
    entry = AuditEntry.objects.get(action="preceptor_record.training")
    assert (entry.organisation_id, entry.subject_id) == (organisation.pk, mentor.pk)


@pytest.mark.parametrize(("completed", "course", "field"), [
    (1, "", "training_course"), (None, "A course", "training_completed_on"), (-1, "A course", "training_completed_on"),
])
def test_training_needs_a_date_and_a_course_and_no_future_date(organisation, today, completed, course, field):
    mentor, line = mentor_in(organisation)
    day = None if completed is None else today - datetime.timedelta(days=completed)
    with pytest.raises(ValidationError) as error:
        services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=day, course=course)
    assert field in error.value.message_dict


def test_a_mentor_cannot_record_an_exception_for_themselves(organisation, today):
    mentor, line = mentor_in(organisation)
    with pytest.raises(PermissionDenied):
        services.preceptor_record_update(actor=mentor, preceptor=line, registered_on=None, has_exception=True,
                                         exception_reason="x", exception_agreed_by="me", exception_agreed_on=today)
    assert not PreceptorRecord.objects.exists()


def test_an_exception_needs_why_who_and_when(organisation, lead):
    _, line = mentor_in(organisation)
    with pytest.raises(ValidationError) as error:
        services.preceptor_record_update(actor=lead, preceptor=line, registered_on=None, has_exception=True)
    assert set(error.value.message_dict) == {"exception_reason", "exception_agreed_by", "exception_agreed_on"}


def test_the_lead_records_the_registration_date_on_the_person_and_the_log(organisation, lead, today):
    mentor, line = mentor_in(organisation)
    day = today - datetime.timedelta(days=900)
    services.preceptor_record_update(actor=lead, preceptor=line, registered_on=day, has_exception=False,
                                     allowance_hours=Decimal(40))
    mentor.refresh_from_db()
    assert mentor.first_registered_on == day
    assert AuditEntry.objects.filter(action="user.registration_date", subject=mentor).exists()
    assert AuditEntry.objects.filter(action="preceptor_record.change").exists()


def test_a_lead_of_another_organisation_cannot_change_the_entry(organisation, other_organisation):
    _, line = mentor_in(organisation)
    stranger = person(other_organisation, Role.PROGRAMME_LEAD)
    with pytest.raises(PermissionDenied):
        services.preceptor_record_update(actor=stranger, preceptor=line, registered_on=None, has_exception=False)


def test_time_given_counts_this_year_against_the_allowance(organisation, lead, today):
    mentor, line = mentor_in(organisation)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor,
                                 start_date=today - datetime.timedelta(days=500))
    services.register_allowance_set(actor=lead, organisation=organisation, hours=Decimal(2))
    services.time_given_log(actor=mentor, enrolment=enrolment, on=today, hours=Decimal("1.5"))
    services.time_given_log(actor=mentor, enrolment=enrolment, on=today, hours=Decimal(1))
    last_year = selectors.year_start(today) - datetime.timedelta(days=1)
    services.time_given_log(actor=mentor, enrolment=enrolment, on=last_year, hours=Decimal(5))
    [found] = selectors.lines([line], today)
    assert (found.given, found.allowance, found.over_allowance) == (Decimal("2.5"), Decimal(2), True)
    assert AuditEntry.objects.filter(action="time_given.log").count() == 3


def test_time_is_only_logged_for_ones_own_preceptee(organisation, today):
    mentor, _ = mentor_in(organisation)
    someone_elses = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    with pytest.raises(ValidationError) as error:
        services.time_given_log(actor=mentor, enrolment=someone_elses, on=today, hours=Decimal(1))
    assert "enrolment" in error.value.message_dict


def test_wellbeing_is_the_mentors_own(organisation, today):
    review = ReviewFactory(enrolment=EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation)))
    mentor = review.enrolment.mentor
    services.preceptor_wellbeing_record(actor=mentor, review=review, score=2, note="A hard week")
    services.preceptor_wellbeing_record(actor=mentor, review=review, score=3, note="")
    assert PreceptorWellbeing.objects.get().score == 3
    with pytest.raises(PermissionDenied):
        services.preceptor_wellbeing_record(actor=review.enrolment.preceptee, review=review, score=5)
    audited = AuditEntry.objects.filter(action="preceptor_wellbeing.record")
    assert audited.count() == 2


def test_the_evaluation_is_answered_once_a_year(organisation, today):
    mentor, line = mentor_in(organisation)
    answers = {"prepared": 4, "time_enough": 2, "supported": 3, "again": "yes", "comments": ""}
    services.preceptor_evaluation_submit(actor=mentor, preceptor=line, year=2026, answers=answers)
    with pytest.raises(ValidationError):
        services.preceptor_evaluation_submit(actor=mentor, preceptor=line, year=2026, answers=answers)


# The pages.


def _answer(organisation, count: int, year: int) -> None:
    for n in range(count):
        _, line = mentor_in(organisation)
        PreceptorEvaluation.objects.create(organisation=organisation, mentor=line.user, year=year, prepared=4,
                                           time_enough=n % 5 + 1, supported=5, again="yes")


def _prepared(lead) -> str:
    """The average the lead's page shows for "training prepared them"."""
    page = client_for(lead).get(reverse("programmes:preceptors:feedback")).content.decode()
    found = re.search(r"Training prepared them \(1 to 5\)</dt><dd[^>]*>([^<]*)</dd>", page)
    assert found, page
    return found[1]


def test_the_lead_sees_evaluation_averages_only_from_five_answers(organisation, lead, today):
    year = selectors.year_start(today).year
    _answer(organisation, 4, year)
    assert _prepared(lead) == "fewer than 5"
    _answer(organisation, 1, year)
    assert _prepared(lead) == "4"


def test_the_register_shows_the_flag_and_reads_the_same_queries_as_it_grows(organisation, lead, today):
    client = client_for(lead)
    url = reverse("programmes:preceptors:register")
    mentor_in(organisation, first_name="Unflagged", last_name="Nobody")

    def grow() -> None:
        for _ in range(4):
            mentor, line = mentor_in(organisation)
            EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor)
            services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today, course="Course")

    first, second = assert_same_queries_at_two_sizes(lambda: client.get(url), grow)
    assert first.status_code == second.status_code == HTTPStatus.OK
    assert "Flagged" in first.content.decode() and "No preceptor training recorded" in first.content.decode()


def test_the_register_downloads_as_csv(organisation, lead, today):
    mentor_in(organisation, first_name="Ashdown", last_name="Preceptor")
    response = client_for(lead).get(reverse("programmes:preceptors:register-export", kwargs={"fmt": "csv"}))
    body = response.content.decode("utf-8-sig")
    assert response.status_code == HTTPStatus.OK
    assert body.splitlines()[0].startswith("organisation,mentor,profession,first_registered_on")
    assert "Ashdown Preceptor" in body and selectors.NO_TRAINING in body


def test_the_mentor_updates_their_training_on_their_own_page(organisation, today):
    mentor, line = mentor_in(organisation)
    client = client_for(mentor)
    response = client.post(reverse("programmes:preceptors:training", kwargs={"pk": line.pk}), {
        "training_completed_on_0": today.day, "training_completed_on_1": today.month,
        "training_completed_on_2": today.year, "training_course": "Preceptor preparation",
    })
    assert response.status_code == HTTPStatus.FOUND
    page = client.get(reverse("programmes:preceptors:mine")).content.decode()
    assert "Preceptor preparation" in page


def test_the_review_mentor_sees_their_wellbeing_page_and_the_preceptee_is_refused(organisation):
    review = ReviewFactory(enrolment=EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation)))
    url = reverse("programmes:preceptors:wellbeing", kwargs={"pk": review.pk})
    assert url in client_for(review.enrolment.mentor).get(review.get_absolute_url()).content.decode()
    response = client_for(review.enrolment.mentor).post(url, {"score": "4", "note": "Tired but fine"})
    assert response.status_code == HTTPStatus.FOUND
    assert client_for(review.enrolment.preceptee).get(url).status_code == HTTPStatus.FORBIDDEN
    page = client_for(review.enrolment.preceptee).get(review.get_absolute_url()).content.decode()
    assert "Tired but fine" not in page and url not in page


def test_the_time_given_form_survives_hostile_input(organisation, today):
    """The matrix's mentor has no preceptee, so its walk finds no form on this page: one here."""
    mentor, _ = mentor_in(organisation)
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor)
    client = client_for(mentor)
    form = read_form(client, reverse("programmes:preceptors:time"))

    @HOSTILE_SETTINGS
    @given(data=hostile_data(form))
    def check(data: dict[str, Any]) -> None:
        assert_survives(client, form, data)

    check()
    for odd_id in ODD_IDS:
        assert_survives(client, form, form.odd_choices(odd_id, every_field=True))


def test_a_bad_time_entry_keeps_what_was_typed_beside_a_clear_message(organisation, today):
    mentor, _ = mentor_in(organisation)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor)
    response = client_for(mentor).post(reverse("programmes:preceptors:time"), {
        "enrolment": enrolment.pk, "on_0": "31", "on_1": "2", "on_2": "2026", "hours": "lots", "note": "Kept note",
    })
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Enter a real date" in page and "Enter the hours, for example" in page and "Kept note" in page
    assert "nhsuk-error-summary" in page


def test_a_flagged_mentor_is_flagged_where_the_lead_chooses_and_sees_mentors(organisation, lead, today):
    mentor, _ = mentor_in(organisation, first_name="Flagged", last_name="Mentorname")
    programme = ProgrammeFactory(organisation=organisation)
    enrolment = EnrolmentFactory(programme=programme, mentor=mentor)
    client = client_for(lead)
    detail = client.get(reverse("programmes:enrolment-detail", kwargs={"pk": enrolment.pk})).content.decode()
    assert "Flagged on the preceptor register" in detail and selectors.NO_TRAINING in detail
    enrol = client.get(reverse("programmes:programme-enrol", kwargs={"pk": programme.pk})).content.decode()
    assert "Flagged Mentorname: No preceptor training recorded" in enrol
    # The preceptee sees their enrolment without the register's flags.
    own = client_for(enrolment.preceptee).get(reverse("programmes:enrolment-detail", kwargs={"pk": enrolment.pk}))
    assert "Flagged on the preceptor register" not in own.content.decode()


def test_the_time_page_reads_the_same_queries_as_entries_grow(organisation, today):
    mentor, _ = mentor_in(organisation)
    client = client_for(mentor)
    url = reverse("programmes:preceptors:time")

    def grow() -> None:
        for _ in range(3):
            enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor,
                                         start_date=today - datetime.timedelta(days=90))
            services.time_given_log(actor=mentor, enrolment=enrolment, on=today, hours=Decimal(1))

    grow()
    first, second = assert_same_queries_at_two_sizes(lambda: client.get(url), grow)
    assert "3 hours" in first.content.decode() and "6 hours" in second.content.decode()


def test_the_feedback_page_reads_the_same_queries_as_answers_grow(organisation, other_organisation, lead, today):
    person(other_organisation, Role.PROGRAMME_LEAD)
    client = client_for(lead)
    url = reverse("programmes:preceptors:feedback")
    year = selectors.year_start(today).year
    assert_same_queries_at_two_sizes(lambda: client.get(url), lambda: _answer(organisation, 6, year))


def test_wellbeing_and_evaluation_entries_stay_out_of_the_log_leads_read() -> None:
    from preceptorship import audit

    hidden = set(audit.administrators_only_types())
    assert {"preceptors.preceptorwellbeing", "preceptors.preceptorevaluation"} <= hidden
    assert "preceptors.preceptorrecord" not in hidden


def test_the_mentors_home_asks_for_their_training_and_evaluation_until_given(organisation, today):
    mentor, line = mentor_in(organisation)
    client = client_for(mentor)
    home = client.get(reverse("home")).content.decode()
    assert "Record your preceptor training for Home Council" in home
    assert "Answer this year&#x27;s preceptor evaluation for Home Council" in home
    assert "Go to your preceptor record" in home
    services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today, course="Course")
    services.preceptor_evaluation_submit(actor=mentor, preceptor=line, year=selectors.year_start(today).year,
                                         answers={"prepared": 4, "time_enough": 4, "supported": 4, "again": "yes"})
    home = client.get(reverse("home")).content.decode()
    assert "Go to your preceptor record" not in home


def test_the_exceptions_questions_under_yes_are_not_labelled_optional(organisation, lead):
    _, line = mentor_in(organisation)
    page = client_for(lead).get(reverse("programmes:preceptors:entry", kwargs={"pk": line.pk})).content.decode()
    legends = {re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)}
    assert "Date agreed" in legends
    assert "Date agreed (optional)" not in legends
