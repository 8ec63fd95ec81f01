"""The standards scorecard: each criterion of a standard set (``programmes.reporting.models``)
judged on every enrolment in a scope, and the programme rules that already break a criterion.

Set-based: the enrolments of a scope are read in one query (their programme's rules, the mentor's
registration date and any exception agreed on the preceptor register, the first needs assessment,
the evaluation, the protected hours recorded, the mentor's time given, as subqueries), their held
review meetings in a second and their pauses in a third, whatever the number of enrolments; the
rules are then applied in Python to those rows. How each rule kind is measured is in
``docs/standards.md`` and in each ``_judge_*`` below.

Which enrolments count: current ones (active or paused) and those that finished (completed or
withdrawn) in the last 12 months. A criterion that cannot be judged yet for an enrolment (its
first meeting is not due yet; it has not finished, for the evaluation) leaves it out of that
criterion's count: "met by 7 of 9" counts only the 9 that could be judged.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from preceptorship.figures import Figure, count, protect, share
from programmes import setup_warnings
from programmes.models import Enrolment, Evaluation, NeedsAssessment, Pause, Programme, ProtectedTime, ReviewMeeting
from programmes.preceptors.models import PreceptorRecord, TimeGiven
from programmes.reporting.models import Criterion, RuleKind, StandardSet
from programmes.schedule import add_months

RECENT_DAYS = 365


@dataclass
class Facts:
    """What the rules read of one enrolment."""

    pk: int
    programme_id: int
    programme: str
    provider_id: int
    provider: str
    employer_id: int
    employer: str
    preceptee: str
    preceptee_id: int
    mentor_id: int | None
    mentor_registered_on: datetime.date | None
    start_date: datetime.date
    status: str
    ended_on: datetime.date | None
    length_months: int
    needs_assessed_on: datetime.date | None
    evaluated: bool
    protected_hours: Decimal
    preceptor_exception: bool = False
    preceptor_hours: Decimal = Decimal(0)
    caseload_months: int | None = None
    caseload_percent: int | None = None
    meetings: list[datetime.date] = field(default_factory=list)
    caseloads: list[tuple[datetime.date, int]] = field(default_factory=list)
    pauses: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

    def end(self, today: datetime.date) -> datetime.date:
        """The last day the enrolment ran until: its end, or today while it is current."""
        return min(self.ended_on or today, today)


def counted(enrolments: QuerySet[Enrolment], today: datetime.date) -> QuerySet[Enrolment]:
    """Current enrolments and those finished in the last 12 months, started by today."""
    since = today - datetime.timedelta(days=RECENT_DAYS)
    return enrolments.filter(start_date__lte=today).filter(
        Q(status__in=Enrolment.CURRENT) | Q(completed_on__gte=since) | Q(withdrawn_on__gte=since)
    )


def facts(enrolments: QuerySet[Enrolment], today: datetime.date) -> list[Facts]:
    """The facts of every enrolment counted in ``enrolments``: three queries (the enrolments, their
    held meetings, their pauses)."""
    scoped = counted(enrolments, today)
    hours = (
        ProtectedTime.objects.filter(enrolment=OuterRef("pk")).order_by().values("enrolment")
        .annotate(total=Sum("hours")).values("total")
    )
    assessed = NeedsAssessment.objects.filter(enrolment=OuterRef("pk"), submitted_at__isnull=False).values(
        "submitted_at"
    )
    given = (
        TimeGiven.objects.filter(enrolment=OuterRef("pk"), mentor=OuterRef("mentor_id")).order_by()
        .values("enrolment").annotate(total=Sum("hours")).values("total")
    )
    # An exception to the registration rule agreed on the register of the programme's organisation.
    excepted = PreceptorRecord.objects.filter(
        mentor=OuterRef("mentor_id"), organisation=OuterRef("programme__organisation_id"), has_exception=True
    )
    rows = scoped.order_by("programme__name", "start_date", "pk").values_list(
        "pk", "programme_id", "programme__name", "programme__organisation_id", "programme__organisation__name",
        "organisation_id", "organisation__name", "preceptee__first_name", "preceptee__last_name", "preceptee_id",
        "mentor_id", "mentor__first_registered_on", "start_date", "status", "completed_on", "withdrawn_on",
        "programme__length_months", "programme__protected_caseload_months",
        "programme__protected_caseload_percent",
    ).annotate(
        assessed_at=Subquery(assessed[:1]),
        evaluated=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"))),
        hours=Coalesce(Subquery(hours, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField()),
        excepted=Exists(excepted),
        given=Coalesce(Subquery(given, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField()),
    )
    found: dict[int, Facts] = {}
    for (pk, programme_id, programme, provider_id, provider, employer_id, employer, first, last, preceptee_id,
         mentor_id, registered, start, status, completed_on, withdrawn_on, length, caseload_months,
         caseload_percent, assessed_at, evaluated, protected_hours, exception, preceptor_hours) in rows:
        found[pk] = Facts(
            pk=pk, programme_id=programme_id, programme=programme, provider_id=provider_id, provider=provider,
            employer_id=employer_id, employer=employer, preceptee=f"{first} {last}".strip(),
            preceptee_id=preceptee_id, mentor_id=mentor_id, mentor_registered_on=registered, start_date=start,
            status=status, ended_on=completed_on or withdrawn_on, length_months=length,
            needs_assessed_on=assessed_at.date() if isinstance(assessed_at, datetime.datetime) else assessed_at,
            evaluated=bool(evaluated), protected_hours=Decimal(protected_hours or 0),
            preceptor_exception=bool(exception), preceptor_hours=Decimal(preceptor_hours or 0),
            caseload_months=caseload_months, caseload_percent=caseload_percent,
        )
    held = (
        ReviewMeeting.objects.filter(enrolment__in=scoped, status=ReviewMeeting.Status.HELD, held_on__isnull=False)
        .order_by("held_on").values_list("enrolment_id", "held_on", "caseload_percent")
    )
    for enrolment_id, held_on, caseload in held:
        if enrolment_id in found:
            found[enrolment_id].meetings.append(held_on)
            if caseload is not None:
                found[enrolment_id].caseloads.append((held_on, caseload))
    paused = Pause.objects.filter(enrolment__in=scoped).order_by("start_date").values_list(
        "enrolment_id", "start_date", "end_date"
    )
    for enrolment_id, start, end in paused:
        if enrolment_id in found:
            found[enrolment_id].pauses.append((start, end))
    return list(found.values())


# The rules. Each answers True (met), False (not met) or None (cannot be judged yet).


def _judge_programme_length(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """The programme's own length, as set up (the enrolment's extensions are not counted)."""
    return fact.length_months >= n


def _judge_first_meeting(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """A held review meeting on or before the start plus ``n`` days. Not judged while that day
    has not passed and no meeting is held, nor when the enrolment ended before it."""
    deadline = fact.start_date + datetime.timedelta(days=n)
    first = fact.meetings[0] if fact.meetings else None
    if first is not None and first <= deadline:
        return True
    if first is None and deadline >= fact.end(today):
        return None
    return False


def _due_by(n: int, since: datetime.date, pauses: list[tuple[datetime.date, datetime.date]]) -> datetime.date:
    """The day a meeting is due by, ``n`` months after ``since`` with the days paused since then
    added: a pause (sorted by start) that begins by the day due moves it on by its days."""
    due = add_months(since, n)
    for start, end in pauses:
        if end < since or start > due:
            continue
        due += datetime.timedelta(days=(end - max(start, since)).days + 1)
    return due


def _judge_meeting_interval(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """No stretch longer than ``n`` months without a held meeting, time paused taken out: from the
    start to the first meeting, between meetings, and from the last one to the end (or today). Not
    judged before the enrolment has run ``n`` months (plus its pauses) with no meeting."""
    end = fact.end(today)
    previous = fact.start_date
    for held_on in (day for day in fact.meetings if day <= end):
        if held_on > _due_by(n, previous, fact.pauses):
            return False
        previous = held_on
    if previous == fact.start_date and end <= _due_by(n, fact.start_date, fact.pauses):
        return None
    return end <= _due_by(n, previous, fact.pauses)


def _months_run(fact: Facts, today: datetime.date) -> int:
    end, months = fact.end(today), 0
    while add_months(fact.start_date, months + 1) <= end:
        months += 1
    return months


def _judge_protected_time(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """Protected time recorded by the preceptee (hours in all) at least ``n`` hours for each whole
    month the enrolment has run. Not judged in its first month."""
    months = _months_run(fact, today)
    if months < 1:
        return None
    return fact.protected_hours >= Decimal(n) * months


def _judge_named_preceptor(n: int | None, fact: Facts, today: datetime.date) -> bool | None:
    """A mentor is named on the enrolment and is not the preceptee."""
    return fact.mentor_id is not None and fact.mentor_id != fact.preceptee_id


def registered_in_time(n: int, fact: Facts) -> bool:
    """The mentor's date first registered is at least ``n`` months before the enrolment's start."""
    registered = fact.mentor_registered_on
    return registered is not None and registered <= add_months(fact.start_date, -n)


def _judge_preceptor_registered(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """The mentor's date first registered (``User.first_registered_on``) is at least ``n`` months
    before the enrolment's start, or an exception is agreed for them on the preceptor register of
    the programme's organisation (met, and noted: ``Result.excepted``). A mentor with no date
    recorded and no exception does not meet it."""
    return registered_in_time(n, fact) or fact.preceptor_exception


def _judge_preceptor_time(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """The time the enrolment's mentor logged as given to this preceptee, in all, is at least
    ``n`` hours a year, pro rata: ``n`` twelfths for each whole month the enrolment has run. Not
    judged in its first month."""
    months = _months_run(fact, today)
    if months < 1:
        return None
    return fact.preceptor_hours * 12 >= Decimal(n) * months


def _judge_protected_caseload(n: int | None, fact: Facts, today: datetime.date) -> bool | None:
    """No held review in the programme's protected months recorded a caseload above its
    protection. Not judged when the programme sets no protection or no review in those months
    recorded a caseload."""
    if not fact.caseload_months or not fact.caseload_percent:
        return None
    until = add_months(fact.start_date, fact.caseload_months)
    recorded = [caseload for held_on, caseload in fact.caseloads if held_on < until]
    if not recorded:
        return None
    return all(caseload <= fact.caseload_percent for caseload in recorded)


def _judge_needs_assessment(n: int, fact: Facts, today: datetime.date) -> bool | None:
    """The preceptee submitted their needs assessment within ``n`` days of the start. Not judged
    while that day has not passed and none is submitted."""
    deadline = fact.start_date + datetime.timedelta(days=n)
    if fact.needs_assessed_on is not None:
        return fact.needs_assessed_on <= deadline
    return None if deadline >= fact.end(today) else False


def _judge_evaluation(n: int | None, fact: Facts, today: datetime.date) -> bool | None:
    """A completed enrolment has an evaluation answered; others are not judged."""
    if fact.status != Enrolment.Status.COMPLETED:
        return None
    return fact.evaluated


RULES: dict[str, Callable[[Any, Facts, datetime.date], bool | None]] = {
    RuleKind.PROGRAMME_LENGTH: _judge_programme_length,
    RuleKind.FIRST_MEETING: _judge_first_meeting,
    RuleKind.MEETING_INTERVAL: _judge_meeting_interval,
    RuleKind.PROTECTED_TIME: _judge_protected_time,
    RuleKind.NAMED_PRECEPTOR: _judge_named_preceptor,
    RuleKind.PRECEPTOR_REGISTERED: _judge_preceptor_registered,
    RuleKind.NEEDS_ASSESSMENT: _judge_needs_assessment,
    RuleKind.EVALUATION: _judge_evaluation,
    RuleKind.PRECEPTOR_TIME: _judge_preceptor_time,
    RuleKind.PROTECTED_CASELOAD: _judge_protected_caseload,
}


def judge(criterion: Criterion, fact: Facts, today: datetime.date) -> bool | None:
    return RULES[criterion.kind](criterion.parameter or 0, fact, today)


@dataclass
class Result:
    """One criterion over a group of enrolments."""

    criterion: Criterion
    met: int = 0
    assessed: int = 0
    short: list[Facts] = field(default_factory=list)
    # Met only through an exception agreed on the preceptor register (``preceptor_registered``).
    excepted: list[Facts] = field(default_factory=list)

    @property
    def rate(self) -> Figure:
        return share(self.met, self.assessed) if self.assessed else Figure(None, 0, "%")

    @property
    def rate_exact(self) -> Figure:
        """The rate for the lead, who may see every record behind it: never hidden."""
        return replace(self.rate, people=0, protects=False)

    @property
    def all_met(self) -> bool:
        return self.assessed > 0 and self.met == self.assessed


def score(criteria: Iterable[Criterion], found: Iterable[Facts], today: datetime.date) -> list[Result]:
    """Each enabled criterion judged on ``found``."""
    found = list(found)
    results = []
    for criterion in criteria:
        if not criterion.enabled:
            continue
        result = Result(criterion)
        for fact in found:
            verdict = judge(criterion, fact, today)
            if verdict is None:
                continue
            result.assessed += 1
            if verdict:
                result.met += 1
                if criterion.kind == RuleKind.PRECEPTOR_REGISTERED and not registered_in_time(
                        criterion.parameter or 0, fact):
                    result.excepted.append(fact)
            else:
                result.short.append(fact)
        results.append(result)
    return results


def grouped(found: Iterable[Facts], key: Callable[[Facts], Hashable]) -> dict[Hashable, list[Facts]]:
    groups: dict[Hashable, list[Facts]] = defaultdict(list)
    for fact in found:
        groups[key(fact)].append(fact)
    return dict(groups)


@dataclass
class AggregateRow:
    """One organisation's (or the system's) figures for one criterion, small numbers hidden."""

    name: str
    criterion: Criterion
    met: Figure
    assessed: Figure
    rate: Figure


def aggregate(criteria: list[Criterion], by_organisation: dict[str, list[Facts]], total_name: str,
              today: datetime.date) -> list[AggregateRow]:
    """The ICS view: per organisation and for the whole system, met and judged enrolments and the
    rate, with no personal record. The met count is hidden when it or the enrolments that fall
    short are 1 to 4 (either gives a small number away beside the count judged), and a hidden
    organisation's count (met, or judged) is protected within the system's total (``protect``); the rate
    is hidden whenever either count is."""
    names = sorted(by_organisation)
    everyone = [fact for facts_ in by_organisation.values() for fact in facts_]
    scored = {name: score(criteria, by_organisation[name], today) for name in names}
    scored[total_name] = score(criteria, everyone, today)
    rows: list[AggregateRow] = []
    for index, criterion in enumerate(c for c in criteria if c.enabled):
        cells: dict[Hashable, Figure] = {}
        for name in [*names, total_name]:
            result = scored[name][index]
            short = result.assessed - result.met
            small = any(0 < people < 5 for people in (result.met, short))
            cells[(name, "met")] = replace(count(result.met), protects=small and not (0 < result.met < 5))
            cells[(name, "assessed")] = count(result.assessed)
        hidden = protect(cells, [([(name, "met") for name in names], (total_name, "met")),
                                 ([(name, "assessed") for name in names], (total_name, "assessed"))])
        for name in [*names, total_name]:
            result = scored[name][index]
            met, judged = hidden[(name, "met")], hidden[(name, "assessed")]
            # A rate beside one shown count gives the hidden other away.
            rate = replace(result.rate, protects=True) if met.hidden or judged.hidden else result.rate
            rows.append(AggregateRow(name, criterion, met, judged, rate))
    return rows


# The programme's own rules against a standard set.


@dataclass(frozen=True)
class Breach:
    standard_set: str
    criterion: str
    why: str


def programme_breaches(programme: Programme, standard_sets: Iterable[StandardSet]) -> list[Breach]:
    """Criteria the programme's set-up already breaks, whoever is enrolled: too short, reviews
    further apart than the criterion allows, a protected time allowance below it (or none). Reads
    the sets' criteria (prefetched by the caller: ``sets_for``)."""
    found = []
    for standard_set in standard_sets:
        for criterion in standard_set.criteria.all():
            if not criterion.enabled or criterion.parameter is None:
                continue
            n = criterion.parameter
            if criterion.kind == RuleKind.PROGRAMME_LENGTH and programme.length_months < n:
                why = f"The programme lasts {programme.length_months} months; the criterion asks for at least {n}."
            elif criterion.kind == RuleKind.MEETING_INTERVAL and programme.review_interval_months > n:
                why = (f"Review meetings are every {programme.review_interval_months} months; the criterion asks "
                       f"for at least every {n}.")
            elif criterion.kind == RuleKind.FIRST_MEETING and (
                    programme.first_meeting_days is None or programme.first_meeting_days > n):
                why = ("The first review meeting is planned one review interval in" if not programme.first_meeting_days
                       else f"The first review meeting is planned {programme.first_meeting_days} days in") + (
                    f"; the criterion asks for it within {n} days of the start.")
            elif criterion.kind == RuleKind.PROTECTED_TIME and programme.protected_hours_per_month < n:
                allowance = programme.protected_hours_per_month
                why = ("The programme sets no protected time allowance" if not allowance
                       else f"The protected time allowance is {allowance:g} hours a month") + (
                    f"; the criterion asks for at least {n}.")
            else:
                continue
            found.append(Breach(standard_set.name, criterion.title, why))
    return found


def sets_for(organisation_ids: Iterable[int]) -> QuerySet[StandardSet]:
    """The standard sets an organisation is held to: the national ones it has no copy of, and its
    copies (a copy replaces its original)."""
    organisation_ids = list(organisation_ids)
    copied = StandardSet.objects.filter(organisation_id__in=organisation_ids, based_on__isnull=False).values(
        "based_on"
    )
    national = Q(organisation__isnull=True) & ~Q(pk__in=copied)
    return (
        StandardSet.objects.filter(national | Q(organisation_id__in=organisation_ids))
        .prefetch_related("criteria").order_by(F("organisation_id").asc(nulls_first=True), "name")
    )


@setup_warnings.register
def programme_setup_warnings(programme: Programme) -> list[setup_warnings.SetupWarning]:
    """The programme page's warnings: its rules against the standard sets of its organisation."""
    return [setup_warnings.SetupWarning(breach.standard_set, breach.criterion, breach.why)
            for breach in programme_breaches(programme, sets_for([programme.organisation_id]))]
