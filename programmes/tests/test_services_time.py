"""Protected time and the needs assessment through the services and the summary selector."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from preceptorship.models import AuditEntry
from programmes import selectors, services
from programmes.models import NeedsAssessment, ProtectedTime
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, PauseFactory
from programmes.tests.factories_practice import ProtectedTimeFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def log(cast, today: datetime.date, **changes):
    values = {"actor": cast.preceptee, "enrolment": cast.enrolment, "on": today, "hours": Decimal("1.5"),
              "activity": ProtectedTime.Activity.SHADOWING}
    return services.protected_time_log(**{**values, **changes})


def test_time_is_logged_and_audited(cast, today):
    entry = log(cast, today, note="Shadowed the discharge team")
    assert (entry.logged_by, entry.hours) == (cast.preceptee, Decimal("1.5"))
    assert AuditEntry.objects.filter(action="protected_time.log").count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    (lambda today: {"on": today + datetime.timedelta(days=1)}, "on"),
    (lambda today: {"on": today - datetime.timedelta(days=400)}, "on"),
    (lambda today: {"hours": Decimal("0.2")}, "hours"),
    (lambda today: {"hours": Decimal("25")}, "hours"),
    (lambda today: {"activity": "napping"}, "activity"),
])
def test_bad_time_is_refused_beside_the_field(cast, today, changes, field):
    with pytest.raises(ValidationError) as caught:
        log(cast, today, **changes(today))
    assert field in caught.value.message_dict
    assert not ProtectedTime.objects.exists()


def test_summary_counts_whole_months_against_the_allowance(today):
    enrolment = EnrolmentFactory(start_date=add_months(today, -3) - datetime.timedelta(days=1))
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("5"))
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("2.5"))
    summary = selectors.protected_time_summary(enrolment, today=today)
    assert (summary.received, summary.expected) == (Decimal("7.5"), Decimal("12.0"))
    assert summary.falling_short and summary.percent == 62


def test_months_on_leave_are_not_expected(today):
    enrolment = EnrolmentFactory(start_date=add_months(today, -4))
    PauseFactory(enrolment=enrolment, start_date=add_months(today, -3), end_date=add_months(today, -1))
    summary = selectors.protected_time_summary(enrolment, today=today)
    assert summary.expected == Decimal("8.0")  # four months less two on leave, at 4 hours a month


def test_the_needs_assessment_is_saved_as_a_draft_then_shared_without_its_words_in_the_audit(cast):
    with pytest.raises(ValidationError) as caught:
        services.needs_assessment_save(actor=cast.preceptee, enrolment=cast.enrolment, submit=True, strengths=" ")
    assert "strengths" in caught.value.message_dict
    draft = services.needs_assessment_save(actor=cast.preceptee, enrolment=cast.enrolment, submit=False,
                                           strengths="", reasonable_adjustments="Hearing loop")
    assert draft.submitted_at is None
    shared = services.needs_assessment_save(actor=cast.preceptee, enrolment=cast.enrolment, submit=True,
                                            strengths="Calm under pressure")
    assert shared.submitted_at is not None and NeedsAssessment.objects.count() == 1
    assert not [entry for entry in AuditEntry.objects.all() if "Hearing loop" in str(entry.after)]
    with pytest.raises(ValueError):
        services.needs_assessment_save(actor=cast.preceptee, enrolment=cast.enrolment, submit=False, mood="low")


def test_an_entry_is_corrected_with_its_old_values_in_the_audit_log(cast, today):
    entry = log(cast, today)
    corrected = services.protected_time_correct(
        actor=cast.mentor, entry=entry, on=today - datetime.timedelta(days=1), hours=Decimal("2.5"),
        activity=ProtectedTime.Activity.STUDY, note="Course day, not shadowing",
    )
    assert (corrected.hours, corrected.activity, corrected.logged_by) == (
        Decimal("2.5"), ProtectedTime.Activity.STUDY, cast.preceptee)  # who logged it stays
    record = AuditEntry.objects.get(action="protected_time.correct")
    assert (record.actor, record.before["hours"], record.after["hours"]) == (cast.mentor, "1.5", "2.5")
    assert selectors.protected_time_summary(cast.enrolment).received == Decimal("2.5")


def test_a_correction_to_a_future_date_is_refused_beside_the_date_and_changes_nothing(cast, today):
    entry = log(cast, today)
    with pytest.raises(ValidationError) as caught:
        services.protected_time_correct(actor=cast.preceptee, entry=entry, on=today + datetime.timedelta(days=1),
                                        hours=Decimal("3"), activity=ProtectedTime.Activity.STUDY)
    assert "on" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.hours == Decimal("1.5")
    assert not AuditEntry.objects.filter(action="protected_time.correct").exists()


def test_a_deleted_entry_leaves_the_total_and_its_values_stay_in_the_audit_log(cast, today):
    kept, gone = log(cast, today), log(cast, today, hours=Decimal("4"), note="Logged twice by mistake")
    services.protected_time_delete(actor=cast.preceptee, entry=gone)
    assert list(ProtectedTime.objects.all()) == [kept]
    record = AuditEntry.objects.get(action="protected_time.delete")
    assert (record.object_id, record.before["note"]) == (str(gone.pk), "Logged twice by mistake")
    assert selectors.protected_time_summary(cast.enrolment).received == Decimal("1.5")
    # Deleting it again (a second tab) says so instead of failing.
    with pytest.raises(ValidationError, match="deleted since you opened it"):
        services.protected_time_delete(actor=cast.preceptee, entry=gone)


def test_the_time_of_an_ended_preceptorship_cannot_be_changed(cast, today):
    entry = log(cast, today)
    cast.enrolment.status = cast.enrolment.Status.COMPLETED
    cast.enrolment.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="has ended"):
        services.protected_time_delete(actor=cast.preceptee, entry=entry)
    with pytest.raises(ValidationError, match="has ended"):
        services.protected_time_correct(actor=cast.preceptee, entry=entry, on=today, hours=Decimal("1"),
                                        activity=ProtectedTime.Activity.STUDY)
    assert ProtectedTime.objects.get().hours == Decimal("1.5")
