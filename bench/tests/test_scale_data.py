"""The scale data generator, run small: counts, states, derived dates and a refused second run."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from bench import scale
from preceptorship.models import IntegratedCareSystem, Membership, Organisation, User
from programmes.models import Enrolment, Goal, Pause, Reflection, ReviewMeeting
from programmes.schedule import Period, build_schedule
from progression.models import CompetencyAssessment, Decision, Evidence, Framework, ProgressionCase

pytestmark = pytest.mark.django_db

ORGANISATIONS, PRECEPTEES = 2, 60


@pytest.fixture
def as_of() -> datetime.date:
    """The day the scale data is generated as of."""
    return datetime.date(2026, 6, 15)


@pytest.fixture
def generated(as_of):
    out = StringIO()
    call_command("generate_scale_data", organisations=ORGANISATIONS, preceptees=PRECEPTEES, today=as_of.isoformat(),
                 stdout=out)
    return json.loads(out.getvalue())


def scale_enrolments():
    return Enrolment.objects.filter(organisation__ics__slug=scale.ICS_SLUG)


def test_the_counts_follow_the_number_of_preceptees(generated):
    summary = generated["summary"]
    assert summary["organisations"] == ORGANISATIONS
    assert summary["preceptees"] == PRECEPTEES
    assert summary["mentors"] == PRECEPTEES // 10
    assert summary["review meetings"] == PRECEPTEES * 6
    assert summary["goals"] == summary["reflections"] == PRECEPTEES * 6
    assert sum(summary["progression cases by stage"].values()) == PRECEPTEES * 2 // 5
    assert summary["evidence"] == PRECEPTEES * 2 // 5 * 20
    assert Organisation.objects.filter(ics__slug=scale.ICS_SLUG).count() == ORGANISATIONS
    assert generated["rows"] == sum(generated["rows by model"].values())


def test_every_enrolment_state_and_every_case_stage_is_present(generated):
    assert set(scale_enrolments().values_list("status", flat=True)) == set(Enrolment.Status.values)
    stages = set(ProgressionCase.objects.filter(organisation__ics__slug=scale.ICS_SLUG).values_list("stage", flat=True))
    assert stages == set(ProgressionCase.Stage.values)
    assert set(ReviewMeeting.objects.values_list("status", flat=True)) == set(ReviewMeeting.Status.values)
    # Most meetings were held; cancelled and missed ones make up the rest.
    statuses = Counter(ReviewMeeting.objects.values_list("status", flat=True))
    assert statuses[ReviewMeeting.Status.HELD] > PRECEPTEES * 6 / 2


def test_derived_dates_match_the_schedule_the_services_use(generated, as_of):
    enrolments = scale_enrolments().select_related("programme").prefetch_related("pauses", "extensions", "reviews")
    for enrolment in enrolments:
        programme = enrolment.programme
        schedule = build_schedule(
            start=enrolment.start_date, interval_months=programme.review_interval_months,
            length_months=programme.length_months,
            pauses=[Period(p.start_date, p.end_date) for p in enrolment.pauses.all()],
            extension_months=sum(e.months for e in enrolment.extensions.all()),
        )
        assert enrolment.completion_due == schedule.completion
        held = [r for r in enrolment.reviews.all() if r.status == ReviewMeeting.Status.HELD]
        assert sorted(r.number for r in held) == list(range(1, enrolment.reviews_held + 1))
        if enrolment.is_current:
            assert enrolment.next_review_due == schedule.review_due(enrolment.reviews_held + 1)
        else:
            assert enrolment.next_review_due is None
        if enrolment.status == Enrolment.Status.PAUSED:
            assert any(p.start_date <= as_of <= p.end_date for p in enrolment.pauses.all())
        assert all(r.held_on <= as_of for r in held)
    assert Pause.objects.exists()


def test_people_hold_their_roles_and_cases_follow_the_chain(generated):
    ics = IntegratedCareSystem.objects.get(slug=scale.ICS_SLUG)
    roles = Counter(Membership.objects.filter(organisation__ics=ics).values_list("role", flat=True))
    for role in (Membership.Role.PROGRAMME_LEAD, Membership.Role.OPERATIONAL_DIRECTOR, Membership.Role.HR):
        assert roles[role] == ORGANISATIONS
    assert roles[Membership.Role.ICS_LEAD] == 1
    assert scale_enrolments().exclude(mentor__memberships__role=Membership.Role.MENTOR).count() == 0
    cases = ProgressionCase.objects.filter(organisation__ics=ics)
    assert set(Counter(CompetencyAssessment.objects.filter(case__in=cases).values_list("case", flat=True))
               .values()) == {25}
    confirmed = cases.filter(stage=ProgressionCase.Stage.CONFIRMED).first()
    chain = list(Decision.objects.filter(case=confirmed).order_by("at", "id").values_list("to_stage", flat=True))
    assert chain[-6:] == ["submitted", "recommended", "signed_off", "hr_recorded", "worker_told", "confirmed"]
    assert Evidence.competencies.through.objects.filter(evidence__case__in=cases).exists()
    # Shared reflections only ever come from finished ones (the model's own rule, kept by bulk inserts).
    assert not Reflection.objects.filter(status=Reflection.Status.DRAFT, shared_with_mentor=True).exists()
    assert Goal.objects.filter(status=Goal.Status.ACHIEVED, achieved_on__isnull=True).count() == 0


def test_nobody_can_sign_in_without_a_chosen_password_and_one_hash_serves_all(generated):
    users = User.objects.filter(email__endswith=f".{scale.EMAIL_DOMAIN}")
    assert not any(user.has_usable_password() for user in users[:20])
    assert users.values("password").distinct().count() == 1


def test_a_second_run_into_the_same_database_is_refused_clearly(generated):
    before = Enrolment.objects.count()
    with pytest.raises(CommandError, match="already holds scale data"):
        call_command("generate_scale_data", organisations=ORGANISATIONS, preceptees=PRECEPTEES, stdout=StringIO())
    assert Enrolment.objects.count() == before


def test_inserts_are_batched_so_queries_do_not_grow_with_the_data(as_of):
    def queries(preceptees: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = scale.build(organisations=1, preceptees=preceptees, today=as_of, batch_size=100_000)
        # Out of the way, so the next build does not refuse or clash on unique names.
        suffix = Value(f"-{preceptees}")
        IntegratedCareSystem.objects.filter(slug=scale.ICS_SLUG).update(
            slug=Concat(F("slug"), suffix), name=Concat(F("name"), suffix))
        Organisation.objects.filter(slug__startswith="scale-").update(
            slug=Concat(F("slug"), suffix), name=Concat(F("name"), suffix))
        Framework.objects.filter(slug__startswith="scale-").update(slug=Concat(F("slug"), suffix))
        User.objects.filter(email__endswith=scale.EMAIL_DOMAIN).update(email=Concat(suffix, F("email")))
        return len(captured.captured_queries), sum(rows.values())

    small_queries, small_rows = queries(60)
    big_queries, big_rows = queries(180)
    # Three times the people: thousands more rows, a few more INSERTs (SQLite caps a statement at 999
    # parameters, PostgreSQL does not), never one per row.
    assert big_rows - small_rows > 5000
    assert (big_queries - small_queries) * 50 < big_rows - small_rows


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="at least one preceptee per organisation"):
        call_command("generate_scale_data", organisations=5, preceptees=2, stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("generate_scale_data", today="15/06/2026", stdout=StringIO())


def test_the_sweep_load_tops_up_active_enrolments_once(generated, as_of):
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count()
    assert scale.top_up_active_enrolments(active + 25, today=as_of) == 25
    assert Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count() == active + 25
    assert scale.top_up_active_enrolments(active + 25, today=as_of) == 0
    assert Enrolment.objects.filter(organisation__ics__slug=scale.SWEEP_ICS_SLUG, next_review_due__isnull=True,
                                    status=Enrolment.Status.ACTIVE).count() == 0
