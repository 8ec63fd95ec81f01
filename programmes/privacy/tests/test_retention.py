"""The retention schedule: the dry run lists what is past its date and changes nothing; the real
run acts on exactly that, records itself and keeps the figures' rows; a second run finds nothing;
two nightly fires act once."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.checks import Error
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Count

from preceptorship.models import Membership, Notification, StaffImport, User
from preceptorship.tests.factories import person
from programmes.models import Enrolment, ExportJob, Goal, NeedsAssessment, ProtectedTime, Reflection, ReviewMeeting
from programmes.privacy import checks, tasks
from programmes.privacy.models import RetentionRun
from programmes.privacy.services import retention_find
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression.models import Decision, Evidence, ProgressionCase
from progression.tests.factories import Cast

# The dates below are about 10 June 2026, whatever day the suite is run as (--today).
pytestmark = [pytest.mark.django_db,
              pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 11, tzinfo=datetime.UTC), tick=True)]
Role = Membership.Role
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=LONDON)


@pytest.fixture
def records(organisation, team) -> dict:
    """Records either side of each kind's date, as of 10 June 2026."""
    programme = ProgrammeFactory(organisation=organisation)
    old = EnrolmentFactory(programme=programme, completed=True, start_date=datetime.date(2017, 6, 1),
                           completed_on=datetime.date(2019, 1, 10), withdrawal_detail="")
    old_review = ReviewMeeting.objects.create(enrolment=old, number=1, held_on=datetime.date(2018, 3, 1),
                                              discussion="Talked about Old Preceptee's caseload", wellbeing=4)
    old_reflection = Reflection.objects.create(enrolment=old, author=old.preceptee, title="An old reflection")
    old_goal = Goal.objects.create(enrolment=old, what="Old goal", measure="Done", target_date=datetime.date(2018, 1, 1))
    old_time = ProtectedTime.objects.create(enrolment=old, on=datetime.date(2018, 2, 1), hours=3, activity="study",
                                            note="Private study notes")
    old_needs = NeedsAssessment.objects.create(enrolment=old, reasonable_adjustments="Health detail, old")
    two_years = EnrolmentFactory(programme=programme, withdrawn=True, withdrawn_on=datetime.date(2024, 5, 1),
                                 start_date=datetime.date(2023, 6, 1))
    two_years_needs = NeedsAssessment.objects.create(enrolment=two_years, reasonable_adjustments="Health, 2024")
    recent = EnrolmentFactory(programme=programme, completed=True)
    recent_needs = NeedsAssessment.objects.create(enrolment=recent, reasonable_adjustments="Health, recent")
    current = EnrolmentFactory(programme=programme)
    old_notice = Notification.objects.create(recipient=current.preceptee, kind="t", key="old", subject="Old",
                                             created_at=_at(datetime.date(2025, 1, 1)))
    new_notice = Notification.objects.create(recipient=current.preceptee, kind="t", key="new", subject="New",
                                             created_at=_at(datetime.date(2026, 5, 1)))
    lead = person(organisation, Role.PROGRAMME_LEAD)
    old_job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="csv",
                                       created_at=_at(datetime.date(2026, 2, 1)))
    old_job.file.save("old.csv", ContentFile(b"a,b"), save=True)
    new_job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="csv",
                                       created_at=_at(datetime.date(2026, 5, 20)))
    new_job.file.save("new.csv", ContentFile(b"a,b"), save=True)
    staff_import = StaffImport.objects.create(uploaded_by=lead, original_filename="staff.csv",
                                              created_at=_at(datetime.date(2025, 12, 1)), preview={"rows": ["x"]})
    staff_import.file.save("staff.csv", ContentFile(b"name\nSomeone"), save=True)
    cast = Cast(organisation, team)
    case = cast.open_case()
    Evidence.objects.create(case=case, title="Old evidence", example_date=datetime.date(2018, 1, 1),
                            description="Worked with a family", file=ContentFile(b"evidence", name="e.pdf"))
    Decision.objects.create(case=case, actor=cast.manager, role="line_manager", decision="confirmed",
                            to_stage="confirmed", comment=f"{cast.practitioner.get_full_name()} told in person")
    ProgressionCase.objects.filter(pk=case.pk).update(stage="confirmed", stage_changed_at=_at(datetime.date(2019, 3, 1)))
    leaver = User.objects.create(email="gone@example.org", first_name="Long", last_name="Gone", is_active=False,
                                 date_joined=_at(datetime.date(2015, 1, 1)), last_login=_at(datetime.date(2019, 9, 1)))
    new_leaver = User.objects.create(email="recent@example.org", first_name="Recent", last_name="Leaver",
                                     is_active=False, date_joined=_at(datetime.date(2015, 1, 1)),
                                     last_login=_at(datetime.date(2025, 9, 1)))
    return {
        "old": old, "old_review": old_review, "old_reflection": old_reflection, "old_goal": old_goal,
        "old_time": old_time, "old_needs": old_needs, "two_years_needs": two_years_needs,
        "recent_needs": recent_needs, "current": current, "old_notice": old_notice, "new_notice": new_notice,
        "old_job": old_job, "new_job": new_job, "staff_import": staff_import, "case": case, "cast": cast,
        "leaver": leaver, "new_leaver": new_leaver,
    }


EXPECTED = {
    "enrolments": ["old"],
    "needs_assessments": ["old_needs", "two_years_needs"],
    "progression_cases": ["case"],
    "notifications": ["old_notice"],
    "staff_import_files": ["staff_import"],
    "export_files": ["old_job"],
    "evidence_packs": [],
    "subject_access_exports": [],
    "skills_passports": [],
    "leavers": ["leaver"],
}


def _expected(records: dict) -> dict[str, list[int]]:
    return {kind: sorted(records[name].pk for name in names) for kind, names in EXPECTED.items()}


def _snapshot() -> dict:
    return {
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "reviews": list(ReviewMeeting.objects.order_by("pk").values()),
        "needs": list(NeedsAssessment.objects.order_by("pk").values_list("pk", flat=True)),
        "reflections": list(Reflection.objects.order_by("pk").values_list("pk", flat=True)),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
        "users": list(User.objects.order_by("pk").values()),
        "cases": list(ProgressionCase.objects.order_by("pk").values()),
        "jobs": list(ExportJob.objects.order_by("pk").values_list("pk", "file")),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_the_dry_run_lists_what_it_would_do_and_changes_nothing(records: dict, today: datetime.date) -> None:
    assert today == datetime.date(2026, 6, 10)  # the day the module's time_machine mark pins
    before = _snapshot()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert _snapshot() == before
    run = RetentionRun.objects.get()
    assert run.dry_run and run.status == RetentionRun.Status.DONE and run.trigger.startswith("apply_retention")
    assert run.ids == _expected(records)
    assert run.counts == {kind: len(ids) for kind, ids in _expected(records).items()}
    text = out.getvalue()
    assert "Dry run: nothing changed" in text
    assert "enrolments: 1 would be acted on" in text
    assert f"  ids: {records['old'].pk}" in text
    assert "needs_assessments: 2 would be acted on" in text


def test_the_real_run_acts_on_exactly_what_the_dry_run_listed(records: dict) -> None:
    call_command("apply_retention", "--dry-run", stdout=io.StringIO())
    listed = RetentionRun.objects.get(dry_run=True).ids
    by_status = dict(Enrolment.objects.values_list("status").annotate(n=Count("pk")))

    call_command("apply_retention", stdout=io.StringIO())

    run = RetentionRun.objects.get(dry_run=False)
    assert run.ids == listed and run.status == RetentionRun.Status.DONE
    old = Enrolment.objects.get(pk=records["old"].pk)
    # The figures' row stays, the person is out of it, the free text is gone.
    assert (old.programme_id, old.start_date, old.completed_on, old.status, old.outcome) == (
        records["old"].programme_id, records["old"].start_date, records["old"].completed_on, "completed",
        records["old"].outcome)
    assert old.preceptee_id != records["old"].preceptee_id
    assert old.preceptee.email.endswith("@removed.invalid") and old.preceptee.get_full_name() == "Name removed"
    assert old.preceptee.profession_id == records["old"].preceptee.profession_id
    review = ReviewMeeting.objects.get(pk=records["old_review"].pk)
    assert review.discussion == "" and review.wellbeing == 4 and review.held_on == datetime.date(2018, 3, 1)
    assert not Reflection.objects.filter(pk=records["old_reflection"].pk).exists()
    assert not Goal.objects.filter(pk=records["old_goal"].pk).exists()
    assert ProtectedTime.objects.get(pk=records["old_time"].pk).note == ""
    assert ProtectedTime.objects.get(pk=records["old_time"].pk).hours == 3
    assert set(NeedsAssessment.objects.values_list("pk", flat=True)) == {records["recent_needs"].pk}
    assert not Notification.objects.filter(pk=records["old_notice"].pk).exists()
    assert Notification.objects.filter(pk=records["new_notice"].pk).exists()
    old_job, new_job = (ExportJob.objects.get(pk=records[name].pk) for name in ("old_job", "new_job"))
    assert not old_job.file and new_job.file and new_job.file.storage.exists(new_job.file.name)
    staff_import = StaffImport.objects.get(pk=records["staff_import"].pk)
    assert not staff_import.file and staff_import.preview == {}
    case = ProgressionCase.objects.get(pk=records["case"].pk)
    assert case.practitioner.email.endswith("@removed.invalid") and case.stage == "confirmed"
    assert not Evidence.objects.filter(case=case).exists()
    comments = list(Decision.objects.filter(case=case).values_list("comment", flat=True))
    assert "[name removed] told in person" in comments
    assert records["cast"].practitioner.get_full_name() not in " ".join(comments)
    leaver = User.objects.get(pk=records["leaver"].pk)
    assert leaver.email.endswith("@removed.invalid") and leaver.get_full_name() == "Name removed"
    assert User.objects.get(pk=records["new_leaver"].pk).email == "recent@example.org"
    assert User.objects.get(pk=records["old"].preceptee_id).email == records["old"].preceptee.email
    # Counts by status, what the dashboards count, are unchanged.
    assert dict(Enrolment.objects.values_list("status").annotate(n=Count("pk"))) == by_status


def test_a_second_run_finds_nothing(records: dict, today: datetime.date) -> None:
    call_command("apply_retention", stdout=io.StringIO())
    assert retention_find(today=today) == {kind: [] for kind in EXPECTED}
    call_command("apply_retention", stdout=io.StringIO())
    assert RetentionRun.objects.filter(dry_run=False).order_by("pk").last().total == 0


def test_two_nightly_fires_on_one_day_act_once(records: dict) -> None:
    first = tasks.apply_retention.apply().get()
    second = tasks.apply_retention.apply().get()
    assert first["enrolments"] == 1
    assert second is None
    assert RetentionRun.objects.filter(dry_run=False).count() == 1
    assert RetentionRun.objects.get().trigger == "nightly task"


def test_a_real_run_is_refused_while_another_is_going_on(records: dict) -> None:
    from django.utils import timezone

    RetentionRun.objects.create(started_at=timezone.now(), dry_run=False, trigger="another", as_of=timezone.localdate())
    out = io.StringIO()
    with pytest.raises(Exception, match="Another retention run is going on"):
        call_command("apply_retention", stdout=out)
    assert Enrolment.objects.get(pk=records["old"].pk).preceptee_id == records["old"].preceptee_id


def test_each_kind_can_be_given_another_period(records: dict, settings, today: datetime.date) -> None:
    settings.RETENTION = {**settings.RETENTION, "needs_assessments": "3 years"}
    assert retention_find(today=today)["needs_assessments"] == [records["old_needs"].pk]


@pytest.mark.parametrize("value", ["6 yrs", "0 days", "", 6])
def test_a_period_that_cannot_be_read_stops_the_site(settings, value: object) -> None:
    settings.RETENTION = {**settings.RETENTION, "leavers": value}
    found = checks.retention_schedule()
    assert len(found) == 1 and isinstance(found[0], Error) and "leavers" in found[0].msg


def test_an_unknown_kind_stops_the_site(settings) -> None:
    settings.RETENTION = {**settings.RETENTION, "reflektions": "1 year"}
    assert "reflektions" in checks.retention_schedule()[0].msg


def test_administrators_read_the_runs_in_the_admin(records: dict, client) -> None:
    call_command("apply_retention", "--dry-run", stdout=io.StringIO())
    admin = User.objects.create_superuser(email="root@example.org", password="a-long-password-1")
    client.force_login(admin)
    page = client.get("/admin/privacy/retentionrun/")
    assert page.status_code == 200 and "apply_retention command (dry run)" in page.content.decode()
    run = RetentionRun.objects.get()
    assert client.get(f"/admin/privacy/retentionrun/{run.pk}/change/").status_code == 200


def test_the_command_records_who_ran_it(records: dict, organisation) -> None:
    officer = person(organisation, Role.DATA_PROTECTION, email="dpo@example.org")
    call_command("apply_retention", "--dry-run", "--by", "DPO@example.org", stdout=io.StringIO())
    assert RetentionRun.objects.get().started_by_id == officer.pk
    with pytest.raises(Exception, match="No active account"):
        call_command("apply_retention", "--by", "nobody@example.org", stdout=io.StringIO())
    assert not RetentionRun.objects.filter(dry_run=False).exists()


def test_a_leaver_whose_role_went_recently_is_kept(records: dict, organisation, today: datetime.date) -> None:
    """No leaving date is recorded: the role's removal, audited about them, stands for it."""
    from preceptorship import audit

    leaver = records["leaver"]
    membership = Membership.objects.create(user=leaver, organisation=organisation, role=Role.MENTOR)
    audit.record(actor=None, action="membership.remove", obj=membership, summary="Role removed")
    membership.delete()
    assert leaver.pk not in retention_find(today=today)["leavers"]


def test_a_leaver_deactivated_recently_in_the_admin_is_kept(records: dict, today: datetime.date) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    leaver = records["leaver"]
    LogEntry.objects.create(user_id=records["cast"].hr.pk, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(leaver.pk), object_repr="x", action_flag=CHANGE, change_message="[]")
    assert leaver.pk not in retention_find(today=today)["leavers"]


def test_the_dashboards_figures_are_the_same_after_a_real_run(records: dict, today: datetime.date) -> None:
    """The summary tables the dashboards read, rebuilt before and after: every figure the same."""
    from programmes.models import CaseFigures, CompletionLengths, CurrentFigures, EventFigures, MonthFigures
    from programmes.reporting import summary

    def figures() -> dict[str, list[tuple]]:
        summary.rebuild(today=today)
        return {model.__name__: sorted([tuple(row.values()) for row in model.objects.values(
            *[f.attname for f in model._meta.concrete_fields if f.name != "id"])], key=repr)
                for model in (MonthFigures, EventFigures, CompletionLengths, CurrentFigures, CaseFigures)}

    before = figures()
    assert before["MonthFigures"] and before["CaseFigures"]
    call_command("apply_retention", stdout=io.StringIO())
    assert RetentionRun.objects.get().counts["enrolments"] == 1
    assert figures() == before


def test_a_leavers_skills_passport_goes_with_their_account_and_a_recent_leavers_stays(
        records: dict, organisation, today: datetime.date) -> None:
    from progression.models import Framework, PassportSkill, SkillsPassport
    from progression.services import passport_start
    from progression.tests.factories import small_framework

    framework = small_framework()
    Framework.objects.filter(pk=framework.pk).update(kind=Framework.Kind.SKILLS_PASSPORT)
    framework.refresh_from_db()
    passports = {}
    for name in ("leaver", "new_leaver"):
        passports[name] = SkillsPassport.objects.create(worker=records[name], framework=framework,
                                                        organisation=organisation)
        PassportSkill.objects.create(passport=passports[name], competency=framework.sections.first()
                                     .competencies.first(), achieved_on=datetime.date(2019, 5, 1),
                                     evidence_note="Observed by a named colleague", verification="waiting")
    working = passport_start(actor=records["cast"].practitioner, framework=framework)
    assert retention_find(today=today)["skills_passports"] == [passports["leaver"].pk]
    tasks.apply_retention()
    assert not SkillsPassport.objects.filter(pk=passports["leaver"].pk).exists()
    assert not PassportSkill.objects.filter(passport_id=passports["leaver"].pk).exists()
    assert set(SkillsPassport.objects.values_list("pk", flat=True)) == {passports["new_leaver"].pk, working.pk}
    assert retention_find(today=today)["skills_passports"] == []



def test_a_leaving_date_from_the_staff_record_counts_before_the_last_sign_of_them(
        records: dict, today: datetime.date) -> None:
    """The recent leaver signed in last in 2025 but the staff record says they left in 2019; the
    long-gone one last signed in in 2019 but left only this year."""
    User.objects.filter(pk=records["new_leaver"].pk).update(left_on=datetime.date(2019, 6, 1))
    User.objects.filter(pk=records["leaver"].pk).update(left_on=datetime.date(2026, 1, 1))
    assert retention_find(today=today)["leavers"] == [records["new_leaver"].pk]
    call_command("apply_retention", stdout=io.StringIO())
    removed = User.objects.get(pk=records["new_leaver"].pk)
    assert removed.left_on is None and removed.first_name != "Recent"
    assert User.objects.get(pk=records["leaver"].pk).left_on == datetime.date(2026, 1, 1)
