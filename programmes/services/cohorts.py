"""Enrolling a cohort person by person: each with their own mentor and line manager, chosen on the
page or read from a spreadsheet; the mentors proposed for each person (same profession, spare
capacity, fewest preceptees first; for a small profession, mentors of other organisations of the
ICS); and the cohort enrolled all together or not at all.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.imports.reading import cell_text, fold, read_table
from preceptorship.models import AuditEntry, Membership, Organisation, User
from programmes import selectors
from programmes.models import Enrolment, Programme
from programmes.services.enrolments import (
    ENROLLED_OR_DONE,
    _check_programme_open,
    check_capacity,
    employer_of,
    enrolled_before,
    mentor_allowed,
    mentor_room,
    not_served,
    people_problems,
    refresh_dates,
)

Role = Membership.Role
MAX_COHORT = 200  # people on one page; a bigger intake is enrolled in several


class CohortRefused(Exception):  # noqa: N818 - reads as the situation, like Http404
    """Nobody was enrolled: ``rows`` maps a row's place in the cohort to {field: messages}."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(f"{len(rows)} row(s) of the cohort have problems; nobody was enrolled.")
        self.rows = rows


@dataclass(frozen=True)
class Place:
    preceptee: User
    mentor: User | None
    line_manager: User | None = None


@dataclass
class MentorOption:
    user: User
    organisation: Organisation
    load: int
    room: int  # ``mentor_room`` on this programme, before this cohort
    elsewhere: bool  # from another organisation of the ICS

    @property
    def label(self) -> str:
        profession = self.user.profession.name if self.user.profession_id else "profession not recorded"
        where = f", {self.organisation.name} (another organisation)" if self.elsewhere else ""
        return f"{self.user} ({profession}{where}): {self.load} active preceptee{'' if self.load == 1 else 's'}"


@dataclass
class CohortRow:
    """One person of the cohort, what may be chosen for them and what is proposed."""

    preceptee: User
    organisation: Organisation | None
    mentors: list[MentorOption] = field(default_factory=list)
    line_managers: list[User] = field(default_factory=list)
    proposed_mentor: MentorOption | None = None
    proposed_line_manager: User | None = None

    def mentor(self, pk: int | None) -> User | None:
        return next((option.user for option in self.mentors if option.user.pk == pk), None)

    def line_manager(self, pk: int | None) -> User | None:
        return next((user for user in self.line_managers if user.pk == pk), None)


def served_organisations(programme: Programme) -> list[int]:
    if programme.shared_with_ics and programme.organisation.ics_id:
        return list(Organisation.objects.filter(ics_id=programme.organisation.ics_id).values_list("pk", flat=True))
    return [programme.organisation_id]


def candidates(programme: Programme, ids: Sequence[int]) -> list[User]:
    """The people with these ids who may be put on the programme (practitioners of the served
    organisations and of its professions), by name; anyone on it already is kept, for the service
    to name. One query."""
    from preceptorship import access

    people = access.people_in(served_organisations(programme), Role.PRACTITIONER).filter(pk__in=list(ids)[:MAX_COHORT])
    professions = list(programme.professions.values_list("pk", flat=True))
    if professions:
        people = people.filter(Q(profession_id__in=professions) | Q(profession__isnull=True))
    return list(people.select_related("profession").order_by("last_name", "first_name", "pk"))


def cohort_rows(programme: Programme, people: Sequence[User]) -> list[CohortRow]:
    """A row per person with the mentors and line managers they may have and the ones proposed;
    three queries whatever the cohort's size."""
    ids = [person.pk for person in people]
    served = served_organisations(programme)
    ics_id = programme.organisation.ics_id
    employers: dict[int, Membership] = {}
    for membership in (Membership.objects.filter(user_id__in=ids).select_related("organisation")
                       .order_by("id")):
        current = employers.get(membership.user_id)
        own = membership.organisation_id == programme.organisation_id
        if current is None or (own and current.organisation_id != programme.organisation_id):
            if own or (programme.shared_with_ics and ics_id and membership.organisation.ics_id == ics_id):
                employers[membership.user_id] = membership
    professions = {person.profession_id for person in people if person.profession_id}
    where = Q(organisation_id__in=served)
    if ics_id and professions:
        where |= Q(organisation__ics_id=ics_id, user__profession_id__in=professions)
    expressions = selectors.mentor_load_expressions("user_id")
    mentoring = list(
        Membership.objects.filter(where, role=Role.MENTOR, user__is_active=True)
        .select_related("user__profession", "organisation")
        .annotate(load=expressions["current_load"], capacity=expressions["capacity"])
        .order_by("user__last_name", "user__first_name", "pk")
    )
    managing = list(
        Membership.objects.filter(organisation_id__in=served, role=Role.LINE_MANAGER, user__is_active=True)
        .select_related("user__profession").order_by("user__last_name", "user__first_name", "pk")
    )
    proposed = Counter[int]()  # places taken by this cohort's proposals so far
    rows = []
    for person in people:
        employer = employers.get(person.pk)
        row = CohortRow(preceptee=person, organisation=employer.organisation if employer else None)
        if employer is not None:
            row.mentors = _mentor_options(programme, person, employer.organisation, mentoring)
            row.line_managers = [m.user for m in managing
                                 if m.organisation_id == employer.organisation_id and m.user_id != person.pk]
            same_team = [m.user for m in managing if employer.team_id and m.team_id == employer.team_id
                         and m.user_id != person.pk]
            row.proposed_line_manager = same_team[0] if same_team else None
            row.proposed_mentor = _propose(row.mentors, person, proposed)
            if row.proposed_mentor:
                proposed[row.proposed_mentor.user.pk] += 1
        rows.append(row)
    return rows


def _mentor_options(
    programme: Programme, person: User, organisation: Organisation, mentoring: list[Membership]
) -> list[MentorOption]:
    """The mentors ``services.enrolments.mentor_permitted`` allows for the person: any mentor of
    their organisation, or one of their profession elsewhere in the ICS; the person's own
    profession first, then by load."""
    options: dict[int, MentorOption] = {}
    for membership in mentoring:
        mentor = membership.user
        if mentor.pk == person.pk:
            continue
        here = membership.organisation_id == organisation.pk
        same_profession = bool(person.profession_id) and mentor.profession_id == person.profession_id
        in_ics = bool(organisation.ics_id) and membership.organisation.ics_id == organisation.ics_id
        if not (here or (same_profession and in_ics)):
            continue
        known = options.get(mentor.pk)
        if known is not None and not known.elsewhere:
            continue
        capacity = selectors.capacity_adding_to(membership.load, membership.capacity, programme)
        options[mentor.pk] = MentorOption(
            user=mentor, organisation=membership.organisation, load=membership.load,
            room=mentor_room(current=membership.load, capacity=capacity), elsewhere=not here,
        )
    return sorted(options.values(), key=lambda o: (
        o.user.profession_id != person.profession_id or not person.profession_id, o.elsewhere, o.load,
        o.user.last_name, o.user.first_name, o.user.pk))


def _propose(options: list[MentorOption], person: User, taken: Counter[int]) -> MentorOption | None:
    """A mentor of the person's profession with a place free (counting the places this cohort's
    proposals took), fewest preceptees first: of their organisation, or, when their organisation
    has no mentor of their profession, of another organisation of the ICS."""
    if not person.profession_id:
        return None
    same = [o for o in options if o.user.profession_id == person.profession_id]
    here = [o for o in same if not o.elsewhere]
    pool = here or same  # another organisation only when there is nobody of the profession here
    free = [o for o in pool if o.room - taken[o.user.pk] > 0]
    return min(free, key=lambda o: (o.load + taken[o.user.pk], o.user.last_name, o.user.pk), default=None)


@transaction.atomic
def enrolment_cohort_places_create(
    *, actor: User, programme: Programme, places: Sequence[Place], start_date: datetime.date, transition: str,
    confirm_over_capacity: bool = False,
) -> list[Enrolment]:
    """Enrol each person with their own mentor and line manager, all or nobody.

    Raises ``ValidationError`` or ``TransitionError`` for the cohort's start date and the
    programme, ``OverCapacity`` (before anything is written) when mentors would go over their
    capacity without the lead's confirmation, and ``CohortRefused`` with each row's problems."""
    programme = Programme.objects.select_for_update().select_related("organisation").get(pk=programme.pk)
    _check_programme_open(programme, start_date)
    if not places:
        raise ValidationError({"people": "Choose at least one person to enrol."})
    if len(places) > MAX_COHORT:
        raise ValidationError({"people": f"Enrol at most {MAX_COHORT} people at once."})
    problems: dict[int, dict[str, list[str]]] = {}
    seen: set[int] = set()
    for number, place in enumerate(places):
        if place.preceptee.pk in seen:
            problems.setdefault(number, {}).setdefault("preceptee", []).append(
                f"{place.preceptee} is in the cohort twice.")
        seen.add(place.preceptee.pk)
        if place.mentor is None:
            problems.setdefault(number, {}).setdefault("mentor", []).append(f"Choose a mentor for {place.preceptee}")
    if problems:
        raise CohortRefused(problems)
    loads = Counter(place.mentor.pk for place in places if place.mentor)
    mentors = {place.mentor.pk: place.mentor for place in places if place.mentor}
    warnings = check_capacity(programme=programme, adding=[(mentors[pk], n) for pk, n in loads.items()],
                              confirm_over_capacity=confirm_over_capacity)
    enrolments = _checked_enrolments(programme, places, start_date=start_date, transition=transition)
    try:
        with transaction.atomic():
            Enrolment.objects.bulk_create(enrolments)
    except IntegrityError:  # enrolled by another page at this moment
        raise TransitionError("Someone else enrolled one of these people just now: nobody was enrolled. "
                              "Enrol the cohort again.") from None
    fields = ["start_date", "transition", "mentor", "line_manager"]
    AuditEntry.objects.bulk_create([
        *(audit.entry(actor=actor, action="enrolment.create", obj=enrolment,
                      summary=f"Enrolled {enrolment.preceptee} on {programme}", after=audit.snapshot(enrolment, fields))
          for enrolment in enrolments),
        audit.entry(
            actor=actor, action="enrolment.cohort_create", obj=programme,
            summary=f"Enrolled a cohort of {len(enrolments)} on {programme}, each with their own mentor",
            after={"enrolments": [e.pk for e in enrolments], "start_date": start_date.isoformat(),
                   "over_capacity_confirmed": [str(w) for w in warnings]},
        ),
    ])
    return enrolments


def _checked_enrolments(
    programme: Programme, places: Sequence[Place], *, start_date: datetime.date, transition: str
) -> list[Enrolment]:
    """The cohort's enrolments, unsaved, each checked by the rules of a single enrolment
    (``services.enrolments``) from what two queries read for the whole cohort; raises
    ``CohortRefused`` with every row's problems."""
    people = {place.preceptee.pk for place in places} | {place.mentor.pk for place in places if place.mentor} | {
        place.line_manager.pk for place in places if place.line_manager}
    memberships: dict[int, list[Membership]] = defaultdict(list)
    for membership in (Membership.objects.filter(user_id__in=people).select_related("organisation", "team")
                       .order_by("id")):
        memberships[membership.user_id].append(membership)
    earlier: dict[int, set[str]] = defaultdict(set)
    for preceptee_id, status in Enrolment.objects.filter(
        programme=programme, preceptee_id__in=[place.preceptee.pk for place in places], status__in=ENROLLED_OR_DONE,
    ).values_list("preceptee_id", "status"):
        earlier[preceptee_id].add(status)
    problems: dict[int, dict[str, list[str]]] = {}
    enrolments = []
    for number, place in enumerate(places):
        preceptee, mentor, line_manager = place.preceptee, place.mentor, place.line_manager
        employer = employer_of(programme, memberships[preceptee.pk])
        if employer is None:
            problems[number] = {"preceptee": [not_served(preceptee)]}
            continue
        mentoring = [(m.organisation_id, m.organisation.ics_id) for m in memberships[mentor.pk]
                     if m.role == Role.MENTOR]
        errors = people_problems(
            preceptee=preceptee, membership=employer, mentor=mentor,
            mentor_ok=mentor_allowed(preceptee=preceptee, organisation=employer.organisation, mentor=mentor,
                                     mentoring=mentoring),
            line_manager=line_manager,
            line_manager_ok=line_manager is None or any(
                m.role == Role.LINE_MANAGER and m.organisation_id == employer.organisation_id
                for m in memberships[line_manager.pk]),
        )
        if again := enrolled_before(preceptee, earlier[preceptee.pk]):
            errors["preceptee"] = again
        if errors:
            problems[number] = {name: [message] for name, message in errors.items()}
            continue
        enrolment = Enrolment(
            programme=programme, preceptee=preceptee, organisation=employer.organisation, team=employer.team,
            start_date=start_date, transition=transition, mentor=mentor, line_manager=line_manager,
            completion_due=start_date,
        )
        refresh_dates(enrolment)
        try:  # the people were checked above: their links need no query each
            enrolment.full_clean(exclude=["programme", "preceptee", "organisation", "team", "mentor", "line_manager"],
                                 validate_constraints=False)
        except ValidationError as error:
            problems[number] = error.message_dict
            continue
        enrolments.append(enrolment)
    if problems:
        raise CohortRefused(problems)
    return enrolments


# The spreadsheet.

COHORT_COLUMNS: dict[str, list[str]] = {
    "person": ["employee number or e-mail", "employee number", "e-mail", "email", "staff number",
               "assignment number", "preceptee", "person"],
    "mentor": ["mentor", "mentor e-mail", "mentor email", "mentor employee number"],
    "line_manager": ["line manager", "line manager e-mail", "line manager email", "line manager employee number",
                     "manager"],
}
COHORT_TEMPLATE = ["Employee number or e-mail", "Mentor", "Line manager"]
COHORT_HEADINGS = {fold(alias): key for key, aliases in COHORT_COLUMNS.items() for alias in aliases}


@dataclass
class FileRow:
    number: int  # the row in the file (the heading is row 1)
    person: str
    mentor: str
    line_manager: str


def read_cohort_file(name: str, content: bytes) -> list[FileRow]:
    """The rows of a cohort spreadsheet (CSV or .xlsx): who, their mentor and line manager, each
    by employee number or e-mail. Raises ``ImportFileError`` for a file that cannot be read."""
    from preceptorship.imports.reading import ImportFileError

    header, *body = read_table(name, content)
    keys = [COHORT_HEADINGS.get(fold(heading)) for heading in header]
    if "person" not in keys:
        raise ImportFileError("The first row must name the columns: “Employee number or e-mail” is missing")
    rows = []
    for number, values in enumerate(body, start=2):
        cells = {key: cell_text(value) for key, value in zip(keys, values, strict=False) if key}
        if any(cells.values()):
            rows.append(FileRow(number, cells.get("person", ""), cells.get("mentor", ""),
                                cells.get("line_manager", "")))
        if len(rows) > MAX_COHORT:
            raise ImportFileError(f"The file has more than {MAX_COHORT} people: enrol them in several cohorts")
    return rows


def people_named(texts: Sequence[str]) -> dict[str, User]:
    """Who each text (an e-mail address or an employee number) names, keyed by the text folded to
    lower case; one query."""
    wanted = {text.strip().lower() for text in texts if text.strip()}
    if not wanted:
        return {}
    found: dict[str, User] = {}
    people = User.objects.annotate(email_lower=Lower("email"), number_lower=Lower("employee_number")).filter(
        Q(email_lower__in=wanted) | Q(number_lower__in=wanted), is_active=True)
    for user in people.select_related("profession"):
        for key in (user.email_lower, user.number_lower):
            if key in wanted:
                found[key] = user
    return found


def already_on(programme: Programme, people: Sequence[User]) -> set[int]:
    """Who of ``people`` is on the programme now or completed it."""
    return set(Enrolment.objects.filter(programme=programme, preceptee__in=list(people),
                                        status__in=ENROLLED_OR_DONE).values_list("preceptee_id", flat=True))
