"""Scoped reads for frameworks and progression cases."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from preceptorship import access
from preceptorship.models import Membership, Organisation, Team, User
from preceptorship.sql import fixed_sql
from progression import evidence_links
from progression.access import delegations_in_force
from progression.models import (
    Competency,
    CompetencyAssessment,
    Decision,
    Evidence,
    EvidencePack,
    Framework,
    PostQualifyingAward,
    ProgressionCase,
    Section,
)
from progression.services.cases import MISSING_VALUES, framework_fit_refusal

Role = Membership.Role
Stage = ProgressionCase.Stage


def frameworks_for(user: Any) -> QuerySet:
    return access.scope(user, Framework).select_related("owner").prefetch_related("professions")


def framework_with_content(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        "professions",
        Prefetch("sections", queryset=Section.objects.order_by("order").prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("order"))
        )),
    )


def frameworks_suiting(practitioner: User) -> QuerySet:
    """The published frameworks a case for ``practitioner`` may be opened on: the service's own rule
    (``services.framework_fit_refusal``: their profession, their current band or range)."""
    published = Framework.objects.filter(status=Framework.Status.PUBLISHED).prefetch_related("professions")
    suiting = [framework.pk for framework in published if not framework_fit_refusal(framework, practitioner)]
    return Framework.objects.filter(pk__in=suiting).order_by("name")


def open_cases_on(framework: Framework) -> QuerySet:
    """The cases still open on one framework version, whoever may see them (retiring it warns of each)."""
    return (ProgressionCase.objects.filter(framework=framework)
            .exclude(stage__in=[Stage.CONFIRMED, Stage.DECLINED, Stage.WITHDRAWN])
            .select_related("practitioner", "organisation")
            .order_by("organisation__name", "practitioner__first_name", "practitioner__last_name", "pk"))


# What the case lists and pages name a case by.
CASE_RELATED = ("practitioner", "practitioner__profession", "team", "framework", "line_manager", "head_of_service",
                "organisation")


def cases_for(user: Any) -> QuerySet:
    return access.scope(user, ProgressionCase).select_related(*CASE_RELATED)


def waiting_for(user: Any) -> QuerySet:
    """Cases at a step the user may take now, by role."""
    cases = access.scope(user, ProgressionCase)
    condition = Q(pk__in=[])
    condition |= Q(line_manager_id=user.pk, stage__in=[Stage.DRAFT, Stage.HR_RECORDED, Stage.WORKER_TOLD])
    if access.has_role(user, Role.HEAD_OF_SERVICE):
        # The cases naming them, and those of the Heads of Service who delegated to them.
        delegated = delegations_in_force(user).filter(delegator_id=OuterRef("head_of_service_id"),
                                                      organisation_id=OuterRef("organisation_id"))
        condition |= Q(stage=Stage.SUBMITTED) & (Q(head_of_service_id=user.pk) | Exists(delegated))
    for m in access.memberships(user):
        if m.role == Role.OPERATIONAL_DIRECTOR:
            condition |= Q(organisation_id=m.organisation_id, stage=Stage.RECOMMENDED)
        elif m.role == Role.HR:
            condition |= Q(organisation_id=m.organisation_id, stage__in=[Stage.SIGNED_OFF, Stage.WORKER_TOLD])
        elif m.role == Role.LINE_MANAGER:
            team_q = Q() if m.team_id is None else Q(team_id=m.team_id)
            condition |= Q(organisation_id=m.organisation_id, line_manager__isnull=True) & team_q
    return (
        cases.filter(condition).exclude(practitioner_id=user.pk)
        .select_related("practitioner", "team", "framework")
        .order_by("stage_changed_at", "pk")
    )


@dataclass
class SectionRow:
    section: Section
    rows: list[CompetencyAssessment] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)  # the rows as a page shows them

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.is_met)

    @property
    def percent(self) -> int:
        return round(100 * self.met / len(self.rows)) if self.rows else 0


def case_table(case: ProgressionCase, evidence: Iterable[EvidenceShown] | None = None) -> list[SectionRow]:
    """The case's competencies grouped by section, each with its evidence count (one query).

    ``evidence``: the case's evidence from ``case_evidence_shown``, when the caller has read it
    already: the counts are taken from it instead of a subquery per row."""
    assessments = (
        CompetencyAssessment.objects.filter(case=case)
        .select_related("competency__section", "marked_by")
        .order_by("competency__section__order", "competency__order")
    )
    if evidence is None:
        # Counted from this case's evidence: a join through the competency would read the evidence of
        # every case on the framework (hundreds of milliseconds at ICS scale, see docs/performance.md).
        links = (
            Evidence.competencies.through.objects.filter(evidence__case_id=case.pk,
                                                         competency_id=OuterRef("competency_id"))
            .order_by().values("competency_id").annotate(n=Count("pk")).values("n")
        )
        assessments = assessments.annotate(evidence_count=Coalesce(Subquery(links, output_field=IntegerField()), 0))
    else:
        shown = Counter(pk for item in evidence for pk in item.competency_ids)
        assessments = list(assessments)
        for assessment in assessments:
            assessment.evidence_count = shown[assessment.competency_id]
    sections: dict[int, SectionRow] = {}
    for assessment in assessments:
        section = assessment.competency.section
        sections.setdefault(section.pk, SectionRow(section)).rows.append(assessment)
    return list(sections.values())


# What the case page's table shows of each competency, its section and who marked it, and what the
# page reads to tell what the case lacks before it can be submitted.
CASE_TABLE_VALUES = (
    "competency_id", "competency__code", "competency__statement", "status", "reached_on", "manager_comment",
    "worker_comment", "marked_by_id", "marked_at", "marked_by__first_name", "marked_by__last_name",
    "competency__section_id", "competency__section__title", "competency__section__required_for_sign_off",
    "flagged_on_return",
)
CASE_TABLE_VALUES += tuple(name for name in MISSING_VALUES if name not in CASE_TABLE_VALUES)


def case_table_values(case: ProgressionCase) -> list[dict[str, Any]]:
    """The case's competencies in the table's order, each as the plain values of ``CASE_TABLE_VALUES``
    (one query): the case page shows them without building an object for each row, its competency,
    section and marker. They hold what ``services.missing_for_submission`` reads too."""
    return list(
        CompetencyAssessment.objects.filter(case=case)
        .order_by("competency__section__order", "competency__order", "competency_id").values(*CASE_TABLE_VALUES)
    )


# The people a case names whose names its page shows, read with the case, and the names of its team
# and organisation (all the page shows of them; who recorded an "unable" statement is read if shown).
CASE_PAGE_PEOPLE = ("line_manager", "head_of_service", "told_by")
NAMES_SQL = {
    "team_name": "SELECT t.name FROM {team} t WHERE t.id = {case}.team_id",
    "organisation_name": "SELECT o.name FROM {organisation} o WHERE o.id = {case}.organisation_id",
    "line_manager_first_name": "SELECT u.first_name FROM {user} u WHERE u.id = {case}.line_manager_id",
    "line_manager_last_name": "SELECT u.last_name FROM {user} u WHERE u.id = {case}.line_manager_id",
    "head_of_service_first_name": "SELECT u.first_name FROM {user} u WHERE u.id = {case}.head_of_service_id",
    "head_of_service_last_name": "SELECT u.last_name FROM {user} u WHERE u.id = {case}.head_of_service_id",
    "told_by_first_name": "SELECT u.first_name FROM {user} u WHERE u.id = {case}.told_by_id",
    "told_by_last_name": "SELECT u.last_name FROM {user} u WHERE u.id = {case}.told_by_id",
}


def _sql(sql: str, output_field: Any) -> RawSQL:
    """A subquery on the case's row, written with ``{case}``, ``{pack}``, ``{award}``, ``{user}``, ``{team}``
    and ``{organisation}`` for the tables of cases, evidence packs, awards, users, teams and organisations."""
    return fixed_sql(sql, output_field, case=ProgressionCase, pack=EvidencePack, award=PostQualifyingAward,
                     user=User, team=Team, organisation=Organisation)


def case_page_facts() -> dict[str, Any]:
    """Annotations for the case's own query telling its page what it shows of records most cases
    have none of, and the names of the people, team and organisation it names: ``latest_pack_id``
    (its latest evidence pack, or None), ``practitioner_has_awards``, ``<person>_first_name`` and
    ``<person>_last_name`` for each of ``CASE_PAGE_PEOPLE``, ``team_name`` and ``organisation_name``
    (``case_page_people`` sets them on the case). A case without a pack or awards takes no query for
    them, and the people, team and organisation none.

    Written as SQL: as Subquery and Exists expressions they cost more to build than the query takes
    to run, and joining them plans and builds for longer than reading them apart."""
    facts = {
        "latest_pack_id": _sql("SELECT p.id FROM {pack} p WHERE p.case_id = {case}.id "
                               "ORDER BY p.created_at DESC, p.id DESC LIMIT 1", IntegerField()),
        "practitioner_has_awards": _sql("EXISTS (SELECT 1 FROM {award} a WHERE a.user_id = {case}.practitioner_id)",
                                        BooleanField()),
    }
    for name, sql in NAMES_SQL.items():
        facts[name] = _sql(sql, CharField())
    return facts


def case_page_people(case: ProgressionCase) -> None:
    """Set each of ``CASE_PAGE_PEOPLE``, the team and the organisation on a case read with
    ``case_page_facts``: each with its names read (its other fields are read if asked for), or None."""
    for person in CASE_PAGE_PEOPLE:
        setattr(case, person, _named(getattr(case, f"{person}_id"), getattr(case, f"{person}_first_name"),
                                     getattr(case, f"{person}_last_name")))
    case.team = None if case.team_id is None else Team.from_db(connection.alias, ["id", "name"],
                                                                (case.team_id, case.team_name))
    case.organisation = Organisation.from_db(connection.alias, ["id", "name"],
                                             (case.organisation_id, case.organisation_name))


def case_evidence(case: ProgressionCase) -> QuerySet:
    return Evidence.objects.filter(case=case).select_related("added_by").prefetch_related("competencies")


# What the case page shows of each evidence item and who added it, then each of its competencies
# (a row for each: the item's own values repeat).
EVIDENCE_SHOWN_VALUES = (
    "id", "title", "example_date", "description", "file", "original_filename", "added_by__first_name",
    "added_by__last_name", "competencies__id",
)


@dataclass
class EvidenceShown:
    """A piece of evidence as the case page shows it: ``codes``, its competencies' codes in the
    framework's order, and their ids; ``added_by``, the name of who added it ("" if they are gone);
    ``file``, the stored file's name ("" without one)."""

    pk: int
    title: str
    example_date: datetime.date
    description: str
    file: str
    original_filename: str
    added_by: str
    codes: list[str] = field(default_factory=list)
    competency_ids: list[int] = field(default_factory=list)
    # Set by the page: its links, and the records it links to (``evidence_links.linked_items``).
    url: str = ""
    file_url: str = ""
    links: list[Any] = field(default_factory=list)
    # Whether it links to any record of another app (``evidence_links.any_link_sql``); True when a
    # source does not say.
    has_links: bool = True


def case_evidence_shown(case: ProgressionCase,
                        competencies: Iterable[tuple[int, str]] | None = None) -> list[EvidenceShown]:
    """The case page's evidence, newest example first, in one query: each item with the ids of its
    competencies, a row for each (reading the items and their competencies apart took two queries,
    each costing more to build than to run), and whether it links to any record elsewhere
    (``has_links``: the page asks the link sources about those items only).

    ``competencies``: the case's competencies in the framework's order as (id, code), when the caller
    has read them (the table's rows): the codes and their order come from them instead of joining
    the competencies and their sections; the framework's are read otherwise (or for one not there)."""
    linking = evidence_links.any_link_sql(connection.ops.quote_name(Evidence._meta.db_table))
    rows = (Evidence.objects.filter(case_id=case.pk).order_by("-example_date", "-id")
            .annotate(has_links=Value(True) if linking is None else RawSQL(  # noqa: S611  # nosec - the sources' tables, no input
                linking, (), output_field=BooleanField()))
            .values_list(*EVIDENCE_SHOWN_VALUES, "has_links"))
    items: dict[int, EvidenceShown] = {}
    for pk, title, example_date, description, file, filename, first, last, competency_id, linked in rows:
        item = items.get(pk)
        if item is None:
            name = f"{first or ''} {last or ''}".strip()  # User.get_full_name
            item = items[pk] = EvidenceShown(pk, title, example_date, description, file or "", filename, name,
                                             has_links=bool(linked))
        if competency_id is not None:
            item.competency_ids.append(competency_id)
    codes = dict(competencies or ())
    if any(pk not in codes for item in items.values() for pk in item.competency_ids):
        codes = dict(Competency.objects.filter(section__framework_id=case.framework_id)
                     .order_by("section__order", "order", "id").values_list("id", "code"))
    order = {pk: position for position, pk in enumerate(codes)}
    for item in items.values():
        item.competency_ids.sort(key=lambda pk: (order.get(pk, len(order)), pk))
        item.codes = [codes.get(pk, "") for pk in item.competency_ids]
    return list(items.values())


def case_history(case: ProgressionCase) -> QuerySet:
    return Decision.objects.filter(case=case).select_related("actor", "on_behalf_of")


DECISION_SHOWN_FIELDS = ("id", "case_id", "actor_id", "role", "at", "decision", "comment", "on_behalf_of_id")


def case_history_shown(case: ProgressionCase) -> list[Decision]:
    """``case_history`` as the case page shows it: each decision with what the page shows of it and
    the names of its actor and of whoever they decided for (their other fields are read if asked
    for), read as plain values: joining the two people as records cost more to build than to run."""
    people = ("actor__first_name", "actor__last_name", "on_behalf_of__first_name", "on_behalf_of__last_name")
    decisions = []
    for row in Decision.objects.filter(case_id=case.pk).values_list(*DECISION_SHOWN_FIELDS, *people):
        decision = Decision.from_db(connection.alias, DECISION_SHOWN_FIELDS, row[:len(DECISION_SHOWN_FIELDS)])
        actor_first, actor_last, for_first, for_last = row[len(DECISION_SHOWN_FIELDS):]
        decision.actor = _named(decision.actor_id, actor_first, actor_last)
        decision.on_behalf_of = _named(decision.on_behalf_of_id, for_first, for_last)
        decisions.append(decision)
    return decisions


def _named(pk: int | None, first_name: str | None, last_name: str | None) -> User | None:
    """A user read with their names only (their other fields are read if asked for), or None."""
    return None if pk is None else User.from_db(connection.alias, ["id", "first_name", "last_name"],
                                                (pk, first_name, last_name))



def latest_recommendation(case: ProgressionCase) -> Decision | None:
    """The Head of Service's latest recommendation on the case (with their reasons), if any."""
    return (Decision.objects.filter(case=case, decision=Decision.Kind.RECOMMENDED)
            .select_related("actor", "on_behalf_of").order_by("at", "id").last())


# Eligibility --------------------------------------------------------------------------------

# Another app (programmes) may tell eligibility whether a practitioner completed a preceptorship.
_preceptorship_lookups: list[Callable[[User], str | None]] = []


def register_preceptorship_lookup(lookup: Callable[[User], str | None]) -> None:
    """``lookup(user)`` returns a short description of a completed preceptorship, or None."""
    if lookup not in _preceptorship_lookups:
        _preceptorship_lookups.append(lookup)


def _years_months(since: datetime.date | None, today: datetime.date) -> str:
    if since is None:
        return "Not recorded"
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    months = max(months, 0)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " and ".join(parts)


@dataclass
class Eligibility:
    since_registration: str
    in_post: str
    meets_time: bool | None
    awards: list[PostQualifyingAward]
    preceptorship: str | None


QUALIFYING_YEARS = 3  # the qualifying year plus two years at Range 6


def eligibility(practitioner: User, *, today: datetime.date | None = None,
                awards: list[PostQualifyingAward] | None = None) -> Eligibility:
    """``awards``: the practitioner's post-qualifying awards when the caller knows them already
    (none, say, from ``case_page_facts``); read here otherwise."""
    today = today or timezone.localdate()
    registered = practitioner.first_registered_on
    meets = None
    if registered is not None:
        meets = registered <= _years_ago(today, QUALIFYING_YEARS)
    completed = None
    for lookup in _preceptorship_lookups:
        completed = lookup(practitioner)
        if completed:
            break
    return Eligibility(
        since_registration=_years_months(registered, today),
        in_post=_years_months(practitioner.started_in_post_on, today),
        meets_time=meets,
        awards=list(PostQualifyingAward.objects.filter(user=practitioner)) if awards is None else awards,
        preceptorship=completed,
    )


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)
