"""A calendar of awkward days: the hourly sweep raises each reminder on the day its rule says, once.

For each day D below, one enrolment is due each kind of enrolment reminder on D, and one
progression case has waited 10 working days by D (another one day less). The sweep then runs as
the beat would: at noon on each of the days around D, and also at 23:30 the evening before and at
00:30 and 01:30 on D itself (the hours the clocks change). Each reminder must first appear at the
first sweep of its day (not before, not later), and nothing may be raised twice.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from preceptorship import reminders, workdays
from preceptorship.models import Notification, Organisation
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import services as progression_services
from progression.models import ProgressionCase
from progression.tests.factories import Cast, small_framework

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
LONDON = timezone.get_default_timezone()

AWKWARD_DAYS = {
    # Every day of one week.
    "monday": D(2027, 3, 1), "tuesday": D(2027, 3, 2), "wednesday": D(2027, 3, 3), "thursday": D(2027, 3, 4),
    "friday": D(2027, 3, 5), "saturday": D(2027, 3, 6), "sunday": D(2027, 3, 7),
    "good-friday": D(2027, 3, 26), "easter-monday": D(2027, 3, 29),
    # Christmas Day on a Saturday and Boxing Day on a Sunday: their bank holidays are the 27th and 28th.
    "christmas-on-saturday": D(2027, 12, 25), "boxing-day-on-sunday": D(2027, 12, 26),
    "christmas-substitute-monday": D(2027, 12, 27), "boxing-day-substitute-tuesday": D(2027, 12, 28),
    "clocks-go-forward": D(2027, 3, 28), "clocks-go-back": D(2027, 10, 31),
    "leap-day": D(2028, 2, 29),
    "new-years-eve": D(2027, 12, 31), "new-years-day": D(2028, 1, 1),
    "a-saturday-in-december": D(2026, 12, 5),
}

# Kind -> (the enrolment's date field, that date relative to the day the reminder is due).
ENROLMENT_KINDS = {
    "review_due_soon": ("next_review_due", 14),
    "review_due_today": ("next_review_due", 0),
    "review_overdue": ("next_review_due", -7),
    "review_overdue_escalated": ("next_review_due", -28),
    "completion_signoff_due": ("completion_due", 28),
    "completion_overdue": ("completion_due", -14),
}
FAR = 200  # days: the enrolment's other date, out of every reminder's reach


def _at(day: datetime.date, hour: int, minute: int = 0, fold: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON, fold=fold)


def sweep_times(day: datetime.date, before: int = 7, after: int = 1) -> list[datetime.datetime]:
    """Noon on each day around ``day``, 23:30 the evening before, and 00:30 and 01:30 on the day
    (both 01:30s when the clocks go back), in the order they happen."""
    times = [_at(day + n * DAY, 12) for n in range(-before, after + 1)]
    times += [_at(day - DAY, 23, 30), _at(day, 0, 30), _at(day, 1, 30), _at(day, 1, 30, fold=1)]
    return sorted(set(times), key=lambda moment: moment.timestamp())


class Scene:
    """Everything due a reminder on ``day``, in one organisation of the given nation."""

    def __init__(self, organisation: Organisation, team, day: datetime.date) -> None:
        self.day = day
        programme = ProgrammeFactory(organisation=organisation)
        cast = Cast(organisation, team)  # the case's people, and the organisation's programme lead
        self.enrolments: dict[str, Enrolment] = {}
        for kind, (field, offset) in ENROLMENT_KINDS.items():
            other = "completion_due" if field == "next_review_due" else "next_review_due"
            enrolment = EnrolmentFactory(programme=programme)
            Enrolment.objects.filter(pk=enrolment.pk).update(**{field: day + offset * DAY, other: day + FAR * DAY})
            self.enrolments[kind] = enrolment
        nation = organisation.nation
        self.reached = workdays.latest_start_for(day, 10, nation)
        self.waited = self._submitted(cast, cast.practitioner, self.reached)
        self.not_yet = self._submitted(cast, cast.colleague, self.reached + DAY)
        self.nudge_day = workdays.add_working_days(self.reached, 10, nation)

    @staticmethod
    def _submitted(cast: Cast, practitioner, reached: datetime.date) -> ProgressionCase:
        case = progression_services.progression_case_open(
            actor=cast.manager, practitioner=practitioner, framework=small_framework(),
            target_role="Advanced Practitioner, Range 7", head_of_service=cast.hos,
            organisation=cast.organisation, team=cast.team,
        )
        ProgressionCase.objects.filter(pk=case.pk).update(stage=ProgressionCase.Stage.SUBMITTED,
                                                           stage_changed_at=_at(reached, 10))
        return case


def run_sweeps(time_machine, times: list[datetime.datetime]) -> dict[tuple[str, str], datetime.datetime]:
    """Sweep at each moment (twice: the second must find nothing new); (kind, about) -> first sweep."""
    first: dict[tuple[str, str], datetime.datetime] = {}
    seen = set(Notification.objects.values_list("pk", flat=True))  # told when the cases were opened
    for moment in times:
        time_machine.move_to(moment, tick=False)
        reminders.sweep()
        assert reminders.sweep()["total"] == 0, f"a second sweep at {moment} raised something again"
        for pk, kind, key in Notification.objects.exclude(pk__in=seen).values_list("pk", "kind", "key"):
            seen.add(pk)
            about = key.split(":", 1)[1].rsplit(":", 2)[0]  # kind:<about>:recipient:due_on
            first.setdefault((kind, about), moment)
    return first


def first_sweep_on(times: list[datetime.datetime], day: datetime.date) -> datetime.datetime:
    return next(moment for moment in times if moment.date() == day)


def _raised_once() -> None:
    counts = Counter(Notification.objects.filter(kind__in=[*ENROLMENT_KINDS, "progression_case_waiting"])
                     .values_list("kind", "key"))
    assert all(count == 1 for count in counts.values())
    people = Counter((kind, key.rsplit(":", 1)[0]) for kind, key in counts)  # without the due date
    assert all(count == 1 for count in people.values()), "the same reminder went to someone twice"


@pytest.mark.parametrize("day", AWKWARD_DAYS.values(), ids=AWKWARD_DAYS.keys())
def test_each_reminder_is_raised_at_the_first_sweep_of_its_day_and_once(day, organisation, team, time_machine):
    time_machine.move_to(_at(day - 10 * DAY, 9), tick=False)
    scene = Scene(organisation, team, day)
    times = sweep_times(day)
    first = run_sweeps(time_machine, times)

    for kind, enrolment in scene.enrolments.items():
        raised = first.get((kind, f"programmes.enrolment:{enrolment.pk}"))
        assert raised == first_sweep_on(times, day), f"{kind} due on {day} was raised at {raised}"
    waiting = first.get(("progression_case_waiting", f"progression.case:{scene.waited.pk}:r"
                                                     f"{scene.waited.revision}"))
    assert waiting == first_sweep_on(times, scene.nudge_day)
    later = [moment for (kind, about), moment in first.items()
             if about.startswith(f"progression.case:{scene.not_yet.pk}:")]
    assert all(moment.date() > day for moment in later)
    _raised_once()


def test_the_first_sweep_of_a_day_is_the_first_after_london_midnight(organisation, team, time_machine):
    # In summer time 00:30 in London is still the day before in UTC: the reminders of the new day
    # go then, not an hour before midnight (23:30 London, 22:30 UTC) nor an hour after (UTC midnight).
    day = D(2027, 7, 14)
    time_machine.move_to(_at(day - 10 * DAY, 9), tick=False)
    scene = Scene(organisation, team, day)
    first = run_sweeps(time_machine, [_at(day - DAY, 23, 30), _at(day, 0, 30), _at(day, 1, 30)])
    assert {moment for (kind, about), moment in first.items()
            if about in {f"programmes.enrolment:{e.pk}" for e in scene.enrolments.values()}} == {_at(day, 0, 30)}
    assert timezone.localdate(_at(day, 0, 30)) == day and _at(day, 0, 30).astimezone(datetime.UTC).date() < day


def test_after_the_beat_was_down_for_three_days_each_reminder_is_raised_once_when_it_is_back(
    organisation, team, time_machine
):
    day = D(2027, 3, 3)  # a Wednesday; the beat is down from Sunday evening to Friday morning
    time_machine.move_to(_at(day - 10 * DAY, 9), tick=False)
    scene = Scene(organisation, team, day)
    back = _at(day + 2 * DAY, 8)
    first = run_sweeps(time_machine, [_at(day - 3 * DAY, 12), back, _at(day + 3 * DAY, 12)])
    for kind, enrolment in scene.enrolments.items():
        assert first.get((kind, f"programmes.enrolment:{enrolment.pk}")) == back, kind
    case = f"progression.case:{scene.waited.pk}:r{scene.waited.revision}"
    assert first.get(("progression_case_waiting", case)) == back
    _raised_once()


def test_a_reminder_further_behind_than_its_catch_up_window_is_not_sent(organisation, team, time_machine):
    # Documented in programmes.reminders: "due soon" and "due today" are worth sending 2 days late,
    # the others 7; an older backlog shows on the caseload and dashboards instead.
    day = D(2027, 3, 3)
    time_machine.move_to(_at(day - 10 * DAY, 9), tick=False)
    scene = Scene(organisation, team, day)
    first = run_sweeps(time_machine, [_at(day + 3 * DAY, 12)])
    raised = {kind for kind, enrolment in scene.enrolments.items()
              if (kind, f"programmes.enrolment:{enrolment.pk}") in first}
    assert raised == {"review_overdue", "review_overdue_escalated", "completion_signoff_due", "completion_overdue"}
    first = run_sweeps(time_machine, [_at(day + 8 * DAY, 12)])
    assert not {kind for kind, enrolment in scene.enrolments.items()
                if (kind, f"programmes.enrolment:{enrolment.pk}") in first}


def test_a_scottish_organisation_counts_st_andrews_day_as_a_holiday(organisation, team, time_machine):
    # Reached on Monday 16 November 2026: the 10th working day is Monday 30 November in England and
    # Wales, but St Andrew's Day is a bank holiday in Scotland, so the nudge waits for 1 December.
    Organisation.objects.filter(pk=organisation.pk).update(nation=Organisation.Nation.SCOTLAND)
    organisation.refresh_from_db()
    time_machine.move_to(_at(D(2026, 11, 16), 9), tick=False)
    cast = Cast(organisation, team)
    case = Scene._submitted(cast, cast.practitioner, D(2026, 11, 16))
    times = [_at(D(2026, 11, 30), 12), _at(D(2026, 12, 1), 12)]
    first = run_sweeps(time_machine, times)
    assert first[("progression_case_waiting", f"progression.case:{case.pk}:r{case.revision}")] == times[1]
    assert workdays.add_working_days(D(2026, 11, 16), 10) == D(2026, 11, 30)
