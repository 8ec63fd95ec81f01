"""A whole Integrated Care System at scale, built with bulk inserts for the benchmark.

``build(organisations=20, preceptees=5000)`` creates one ICS with its organisations, teams and
people in every role, programmes, enrolments in every state (active, paused, completed,
withdrawn) with their review meetings, goals, reflections, protected time, completion
confirmations and evaluations, and progression cases at every stage with 25 competencies and
20 evidence items each. Every other figure follows from the number of preceptees:

- 1 mentor for every 10 preceptees; 2 progression cases for every 5 preceptees;
- 6 review meetings, 6 goals and 6 reflections for every preceptee (the held reviews follow each
  enrolment's schedule; cancelled and missed meetings make up the rest);
- 20 evidence items per progression case.

The derived dates (next review due, completion due, reviews held) come from
``programmes.schedule`` exactly as the services keep them, so the reminder sweep and the pages see
what they would see in production. Everything is fictional (``@scale.example`` addresses). The
whole build is one transaction: it either completes or leaves the database as it was. It refuses
to run into a database that already holds scale data.

``top_up_active_enrolments(total)`` adds, in a separate ICS, as many active enrolments as needed
for the database to hold ``total`` active enrolments: the reminder sweep's benchmark load.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from preceptorship.models import IntegratedCareSystem, Membership, Organisation, Profession, Team, User
from programmes.models import (
    REFLECTIVE_MODELS,
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    Pause,
    Programme,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewAction,
    ReviewMeeting,
    Transition,
)
from programmes.schedule import Period, add_months, build_schedule
from progression.models import (
    Competency,
    CompetencyAssessment,
    CompetencyMark,
    Decision,
    Evidence,
    Framework,
    ProgressionCase,
    Section,
)

Role = Membership.Role
Stage = ProgressionCase.Stage
M = TypeVar("M", bound=models.Model)

ICS_SLUG = "scale-ics"
SWEEP_ICS_SLUG = "scale-sweep-ics"
EMAIL_DOMAIN = "scale.example"
SWEEP_EMAIL_DOMAIN = "sweep.scale.example"

TEAMS_PER_ORGANISATION = 5
LINE_MANAGERS_PER_TEAM = 2
PRECEPTEES_PER_MENTOR = 10
CASES_PER_PRECEPTEE = 0.4
EVIDENCE_PER_CASE = 20
REVIEWS_PER_PRECEPTEE = 6
GOALS_PER_PRECEPTEE = 6
REFLECTIONS_PER_PRECEPTEE = 6
PROTECTED_TIME_PER_PRECEPTEE = 4

ENROLMENT_MIX = {
    Enrolment.Status.ACTIVE: 0.50,
    Enrolment.Status.PAUSED: 0.06,
    Enrolment.Status.COMPLETED: 0.36,
    Enrolment.Status.WITHDRAWN: 0.08,
}
STAGE_MIX = {
    Stage.DRAFT: 0.30,
    Stage.SUBMITTED: 0.12,
    Stage.RECOMMENDED: 0.10,
    Stage.SIGNED_OFF: 0.07,
    Stage.HR_RECORDED: 0.06,
    Stage.WORKER_TOLD: 0.05,
    Stage.CONFIRMED: 0.22,
    Stage.DECLINED: 0.08,
}
# The steps each stage has been through, in order (a draft may also have been returned once).
CHAIN = [
    (Decision.Kind.SUBMITTED, Stage.DRAFT, Stage.SUBMITTED, Role.LINE_MANAGER),
    (Decision.Kind.RECOMMENDED, Stage.SUBMITTED, Stage.RECOMMENDED, Role.HEAD_OF_SERVICE),
    (Decision.Kind.SIGNED_OFF, Stage.RECOMMENDED, Stage.SIGNED_OFF, Role.OPERATIONAL_DIRECTOR),
    (Decision.Kind.HR_RECORDED, Stage.SIGNED_OFF, Stage.HR_RECORDED, Role.HR),
    (Decision.Kind.WORKER_TOLD, Stage.HR_RECORDED, Stage.WORKER_TOLD, Role.LINE_MANAGER),
    (Decision.Kind.CONFIRMED, Stage.WORKER_TOLD, Stage.CONFIRMED, Role.HR),
]
STEPS_TO = {Stage.DRAFT: 0, Stage.SUBMITTED: 1, Stage.RECOMMENDED: 2, Stage.SIGNED_OFF: 3, Stage.HR_RECORDED: 4,
            Stage.WORKER_TOLD: 5, Stage.CONFIRMED: 6, Stage.DECLINED: 2}

FIRST_NAMES = [
    "Abi", "Adam", "Amara", "Ben", "Bethan", "Callum", "Cara", "Dev", "Dina", "Eden", "Elias", "Erin", "Farah",
    "Finn", "Gemma", "Harvey", "Hana", "Iqra", "Isla", "Jack", "Jade", "Kai", "Kezia", "Leon", "Lily", "Malik",
    "Mia", "Nathan", "Nia", "Omar", "Orla", "Pavel", "Poppy", "Quinn", "Rhys", "Ruby", "Sami", "Sienna", "Theo",
    "Tia", "Umar", "Violet", "Wes", "Willow", "Xander", "Yasmin", "Zac", "Zoe", "Ade", "Bea",
]
LAST_NAMES = [
    "Ashby", "Barlow", "Carver", "Dunmore", "Ellery", "Fenwick", "Garside", "Holloway", "Ibbotson", "Jessop",
    "Kettle", "Lomax", "Marsden", "Naylor", "Oldroyd", "Pickles", "Quarmby", "Ramsden", "Sutcliffe", "Thwaite",
    "Uttley", "Varley", "Whiteley", "Yeadon", "Ackroyd", "Birtwistle", "Crowther", "Dewhirst", "Earnshaw",
    "Firth", "Greenwood", "Haigh", "Illingworth", "Jowett", "Kershaw", "Lumb", "Midgley", "Nuttall", "Ogden",
    "Priestley", "Rushworth", "Shackleton", "Tattersall", "Wadsworth", "Brearley", "Cockcroft", "Drake",
    "Exley", "Foulds", "Gaukroger",
]
PLACES = [
    "Aldermoor", "Brackenfield", "Calderbrook", "Dunstanvale", "Eastwold", "Fellside", "Greystone", "Hollinbeck",
    "Ingleburn", "Kestrel Vale", "Larkhill", "Millbridge", "Northcombe", "Oakenshaw", "Pendlecroft", "Ravensworth",
    "Stonegate", "Thornaby Marsh", "Underbank", "Westerdale",
]
TEAM_NAMES = ["Community Therapy", "Acute Therapies", "Adult Social Care North", "Adult Social Care South",
              "Reablement", "Mental Health", "Learning Disabilities", "Children and Families"]
SENTENCES = [
    "We talked through the caseload and how the first visits went.",
    "Confidence with complex discharges is growing; supervision notes show steadier judgement.",
    "Protected time was hard to take this month because of vacancies in the team.",
    "Agreed to shadow a senior colleague on two joint assessments before the next review.",
    "Feedback from the family was positive about how the plan was explained.",
    "Workload felt heavy in the middle of the period; we agreed to cap new allocations.",
    "Completed the moving and handling refresher and used it on a home visit the next week.",
    "Reflected on a safeguarding concern and how it was escalated to the duty manager.",
    "Wants more experience of mental capacity assessments with support.",
    "Documentation is timely and clear; recording of the rationale for decisions has improved.",
]
GOAL_TEXTS = [
    ("Lead a joint home visit with a senior colleague", "Two visits led, with written feedback from the colleague"),
    ("Complete a mental capacity assessment with support", "Assessment signed off by my supervisor"),
    ("Present a case at the team learning session", "Presentation given and feedback collected"),
    ("Manage a caseload of twelve people", "Twelve allocated cases for a month without escalation"),
    ("Finish the safeguarding level 3 course", "Certificate received"),
    ("Supervise a student for one week", "Student's placement feedback mentions my support"),
]
REFLECTION_TITLES = [
    "A difficult conversation with a carer", "My first discharge planning meeting", "Working with interpreters",
    "A home visit that changed my plan", "Escalating a safeguarding concern", "Learning from a complaint",
]
EVIDENCE_TITLES = [
    "Complex discharge coordinated across agencies", "Supervision of a newly qualified colleague",
    "Best interests meeting chaired", "Audit of case recording", "Training session delivered to the team",
    "Risk assessment in a contested placement",
]


@dataclass(frozen=True)
class Sizes:
    organisations: int
    preceptees: int

    @property
    def mentors(self) -> int:
        return max(self.organisations, round(self.preceptees / PRECEPTEES_PER_MENTOR))

    @property
    def cases(self) -> int:
        return round(self.preceptees * CASES_PER_PRECEPTEE)

    @property
    def reviews(self) -> int:
        return self.preceptees * REVIEWS_PER_PRECEPTEE

    @property
    def goals(self) -> int:
        return self.preceptees * GOALS_PER_PRECEPTEE

    @property
    def reflections(self) -> int:
        return self.preceptees * REFLECTIONS_PER_PRECEPTEE

    @property
    def evidence(self) -> int:
        return self.cases * EVIDENCE_PER_CASE


class ScaleDataExists(Exception):  # noqa: N818 - reads as the situation
    pass


# Small helpers


def split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` near-equal whole shares."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def allocate(total: int, shares: dict[Any, float], rng: random.Random) -> list[Any]:
    """``total`` labels in the given proportions (largest remainder, every label at least once when
    there is room), shuffled."""
    weight = sum(shares.values())
    exact = {key: total * share / weight for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    if total >= len(shares):
        for key in counts:
            counts[key] = max(counts[key], 1)
    for key in sorted(exact, key=lambda k: exact[k] - int(exact[k]), reverse=True):
        if sum(counts.values()) >= total:
            break
        counts[key] += 1
    while sum(counts.values()) > total:
        biggest = max(counts, key=counts.get)
        counts[biggest] -= 1
    labels = [key for key, count in counts.items() for _ in range(count)]
    rng.shuffle(labels)
    return labels


def spread(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """``total`` items spread over slots in proportion to their weights (whole numbers, exact sum)."""
    weight = sum(weights)
    if not weights or weight <= 0:
        return [0] * len(weights)
    counts = [int(total * w / weight) for w in weights]
    missing = total - sum(counts)
    for index in rng.choices(range(len(weights)), weights=weights, k=missing):
        counts[index] += 1
    return counts


def days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=int(n))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Writer:
    """bulk_create in batches, counting rows per model."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.counts: Counter[str] = Counter()

    def insert(self, model: type[M], objects: list[M]) -> list[M]:
        if objects:
            model.objects.bulk_create(objects, batch_size=self.batch_size)
            self.counts[model._meta.label] += len(objects)
        return objects


# The directory


@dataclass
class People:
    programme_lead: User | None = None
    heads_of_service: list[User] = field(default_factory=list)
    director: User | None = None
    hr: User | None = None
    line_managers: dict[int, list[User]] = field(default_factory=dict)  # team index -> managers
    mentors: dict[int, list[User]] = field(default_factory=dict)
    preceptees: list[tuple[User, int]] = field(default_factory=list)  # (user, team index)
    practitioners: list[tuple[User, int]] = field(default_factory=list)


class Builder:
    def __init__(self, *, sizes: Sizes, today: datetime.date, seed: int, batch_size: int, password: str | None,
                 log: Callable[[str], None]) -> None:
        self.sizes, self.today, self.log = sizes, today, log
        self.rng = random.Random(seed)
        self.out = Writer(batch_size)
        # One hash for everybody: hashing per user would take minutes.
        self.password = make_password(password)
        self.professions = {p.slug: p for p in Profession.objects.all()}
        self.serial = 0

    # People

    def person(self, organisation: Organisation, role: str, profession: str | None, title: str, band: str,
               registered_years: float) -> User:
        self.serial += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        prof = self.professions.get(profession) if profession else None
        registered = self.today - days(365 * registered_years + self.rng.randint(0, 300))
        regulator = ""
        if prof is not None:
            regulator = User.Regulator.SWE if prof.slug == "social-work" else (
                User.Regulator.NMC if prof.kind in ("nursing", "midwifery") else User.Regulator.HCPC)
        return User(
            email=f"{first}.{last}.{self.serial}@{organisation.slug}.{EMAIL_DOMAIN}".lower(),
            first_name=first, last_name=last, password=self.password, profession=prof, job_title=title,
            band=band, regulator=regulator if prof and prof.kind != "support" else "",
            registration_number=f"{'SW' if regulator == User.Regulator.SWE else 'RG'}{100000 + self.serial}"
            if regulator else "",
            first_registered_on=registered if prof else None, started_in_post_on=registered if prof else None,
        )

    def build(self) -> dict[str, int]:
        sizes = self.sizes
        self.log(f"Building an ICS of {sizes.organisations} organisations and {sizes.preceptees} preceptees.")
        self.frameworks()
        ics = IntegratedCareSystem.objects.create(name="Scale Moorside and Dales Integrated Care System",
                                                  slug=ICS_SLUG)
        kinds = [Organisation.Kind.NHS_TRUST, Organisation.Kind.LOCAL_AUTHORITY, Organisation.Kind.NHS_TRUST,
                 Organisation.Kind.LOCAL_AUTHORITY, Organisation.Kind.PRIMARY_CARE, Organisation.Kind.INDEPENDENT]
        labels = {Organisation.Kind.NHS_TRUST: "Community Health NHS Trust",
                  Organisation.Kind.LOCAL_AUTHORITY: "Council Adult Social Care",
                  Organisation.Kind.PRIMARY_CARE: "Primary Care Network",
                  Organisation.Kind.INDEPENDENT: "Care Partnership"}
        organisations = []
        for index in range(sizes.organisations):
            kind = kinds[index % len(kinds)]
            place = PLACES[index % len(PLACES)] + (f" {index // len(PLACES) + 1}" if index >= len(PLACES) else "")
            organisations.append(Organisation(name=f"{place} {labels[kind]} (scale)", slug=f"scale-org-{index + 1}",
                                              kind=kind, ics=ics))
        self.out.insert(Organisation, organisations)
        teams = [Team(organisation=org, name=f"{TEAM_NAMES[(i + t) % len(TEAM_NAMES)]} {t + 1}")
                 for i, org in enumerate(organisations) for t in range(TEAMS_PER_ORGANISATION)]
        self.out.insert(Team, teams)
        self.teams = {org.pk: teams[i * TEAMS_PER_ORGANISATION:(i + 1) * TEAMS_PER_ORGANISATION]
                      for i, org in enumerate(organisations)}
        preceptees = split(sizes.preceptees, sizes.organisations)
        mentors = split(sizes.mentors, sizes.organisations)
        cases = split(sizes.cases, sizes.organisations)
        # Each organisation's share of the meetings, goals and reflections.
        shares = [n / max(1, sizes.preceptees) for n in preceptees]
        for index, organisation in enumerate(organisations):
            people = self.directory(organisation, preceptees[index], mentors[index], cases[index],
                                    ics_lead=index == 0)
            self.preceptorship(organisation, people, share=shares[index], hosts_shared=index == 0,
                               shared=self.shared_programme if index else None)
            self.progression(organisation, people)
            self.log(f"  {organisation.name}: {preceptees[index]} preceptees, {cases[index]} cases")
        return dict(sorted(self.out.counts.items()))

    def directory(self, organisation: Organisation, preceptees: int, mentors: int, cases: int, *,
                  ics_lead: bool) -> People:
        council = organisation.kind == Organisation.Kind.LOCAL_AUTHORITY
        professions = self.organisation_professions(organisation)
        lead_prof = "social-work" if council else "physiotherapy"
        people = People()
        users: list[User] = []
        roles: list[tuple[User, str, int | None]] = []

        def add(user: User, role: str, team: int | None = None) -> User:
            users.append(user)
            roles.append((user, role, team))
            return user

        people.programme_lead = add(self.person(organisation, Role.PROGRAMME_LEAD, lead_prof,
                                                "Practice Development Lead", "Band 8a", 15), Role.PROGRAMME_LEAD)
        if ics_lead:
            add(self.person(organisation, Role.ICS_LEAD, "occupational-therapy", "ICS AHP Faculty Lead", "", 20),
                Role.ICS_LEAD)
        for h in range(2):
            hos = self.person(organisation, Role.HEAD_OF_SERVICE, lead_prof, "Head of Service", "", 18)
            users.append(hos)
            people.heads_of_service.append(hos)
            for t in range(TEAMS_PER_ORGANISATION):
                if t % 2 == h:
                    roles.append((hos, Role.HEAD_OF_SERVICE, t))
        people.director = add(self.person(organisation, Role.OPERATIONAL_DIRECTOR, lead_prof,
                                          "Operational Director", "", 22), Role.OPERATIONAL_DIRECTOR)
        people.hr = add(self.person(organisation, Role.HR, None, "HR Business Partner", "", 0), Role.HR)
        for t in range(TEAMS_PER_ORGANISATION):
            people.line_managers[t] = [
                add(self.person(organisation, Role.LINE_MANAGER, professions[(t + m) % len(professions)],
                                "Team Manager", "Range 8" if council else "Band 7", 12), Role.LINE_MANAGER, t)
                for m in range(LINE_MANAGERS_PER_TEAM)
            ]
        for m, t in enumerate(split_round_robin(mentors, TEAMS_PER_ORGANISATION)):
            prof = professions[m % len(professions)]
            user = add(self.person(organisation, Role.MENTOR, prof, "Senior practitioner", "Range 7" if council
                                   else "Band 7", 8), Role.MENTOR, t)
            people.mentors.setdefault(t, []).append(user)
        for t in split_round_robin(preceptees, TEAMS_PER_ORGANISATION):
            prof = self.rng.choice(professions)
            user = add(self.person(organisation, Role.PRACTITIONER, prof, "Practitioner", "Level 1" if council
                                   else "Band 5", self.rng.uniform(0, 2)), Role.PRACTITIONER, t)
            people.preceptees.append((user, t))
        for p, t in enumerate(split_round_robin(cases, TEAMS_PER_ORGANISATION)):
            prof = "social-work" if council and p % 3 else professions[p % len(professions)]
            user = add(self.person(organisation, Role.PRACTITIONER, prof, "Practitioner", "Range 6" if council
                                   else "Band 6", self.rng.uniform(2, 8)), Role.PRACTITIONER, t)
            people.practitioners.append((user, t))
        self.out.insert(User, users)
        teams = self.teams[organisation.pk]
        self.out.insert(Membership, [
            Membership(user=user, organisation=organisation, role=role, team=teams[t] if t is not None else None)
            for user, role, t in roles
        ])
        return people

    def organisation_professions(self, organisation: Organisation) -> list[str]:
        if organisation.kind == Organisation.Kind.LOCAL_AUTHORITY:
            return ["social-work", "social-work", "occupational-therapy"]
        if organisation.kind == Organisation.Kind.PRIMARY_CARE:
            return ["physiotherapy", "paramedic-science", "nursing", "dietetics"]
        if organisation.kind == Organisation.Kind.INDEPENDENT:
            return ["occupational-therapy", "physiotherapy", "nursing", "ahp-support-worker"]
        return ["physiotherapy", "occupational-therapy", "speech-and-language-therapy", "radiography", "podiatry",
                "dietetics", "nursing", "midwifery", "orthoptics", "art-therapy"]

    # Frameworks

    def frameworks(self) -> None:
        now = timezone.now()
        specs = [
            ("standards", "Scale ICS practice standards, Level 1 to Level 2", "Level 1", "Level 2",
             [("Practice", 4, True), ("Communication", 4, True), ("Leadership", 4, False)]),
            ("social-work", "Scale ICS social work career progression, Range 6 to Range 7", "Range 6", "Range 7",
             [("Range 6 entry point", 5, False), ("Range 6 key competencies", 10, True),
              ("Range 7 key competencies", 10, True)]),
            ("ahp", "Scale ICS allied health career progression, Band 6 to Band 7", "Band 6", "Band 7",
             [("Band 6 entry point", 5, False), ("Band 6 key competencies", 10, True),
              ("Band 7 key competencies", 10, True)]),
        ]
        self.framework_competencies: dict[str, list[Competency]] = {}
        self.required: dict[str, set[int]] = {}
        self.framework: dict[str, Framework] = {}
        for key, name, from_level, to_level, sections in specs:
            framework = Framework.objects.create(
                name=name, slug=f"scale-{key}", source="Scale ICS workforce team", from_level=from_level,
                to_level=to_level, status=Framework.Status.PUBLISHED, published_at=now,
            )
            rows = self.out.insert(Section, [
                Section(framework=framework, title=title, order=i, required_for_sign_off=required)
                for i, (title, _, required) in enumerate(sections)
            ])
            competencies = self.out.insert(Competency, [
                Competency(section=section, code=f"{i + 1}.{c + 1}", order=c,
                           statement=f"{SENTENCES[(i * 3 + c) % len(SENTENCES)]} (competency {i + 1}.{c + 1})",
                           guidance="Examples from practice, dated, with the outcome for the person.")
                for i, (section, (_, count, _)) in enumerate(zip(rows, sections, strict=True)) for c in range(count)
            ])
            by_section = {s.pk: required for s, (_, _, required) in zip(rows, sections, strict=True)}
            self.framework[key] = framework
            self.framework_competencies[key] = competencies
            self.required[key] = {c.pk for c in competencies if by_section[c.section_id]}
        self.framework["standards"].professions.set(
            [p for p in self.professions.values() if p.kind in ("ahp", "nursing", "midwifery")])
        self.shared_programme: Programme | None = None

    # Preceptorship

    def programmes(self, organisation: Organisation, *, hosts_shared: bool) -> list[Programme]:
        kind = organisation.kind
        templates: list[tuple[str, int, int, list[str], bool]]
        if kind == Organisation.Kind.LOCAL_AUTHORITY:
            templates = [("Social work preceptorship (ASYE and beyond)", 12, 3, ["social-work"], False),
                         ("Occupational therapy preceptorship", 18, 3, ["occupational-therapy"], True)]
        elif kind == Organisation.Kind.NHS_TRUST:
            templates = [("Allied health professions preceptorship", 18, 2,
                          [s for s, p in self.professions.items() if p.kind == "ahp"], True),
                         ("Nursing and midwifery preceptorship", 12, 2, ["nursing", "midwifery"], True)]
        else:
            templates = [("Multi-professional preceptorship", 18, 2, self.organisation_professions(organisation),
                          True)]
        if hosts_shared:
            templates.append(("ICS preceptorship for international recruits", 24, 3,
                              [s for s, p in self.professions.items() if p.kind != "support"], True))
        programmes = [
            Programme(
                name=f"{name} ({organisation.slug})", organisation=organisation, length_months=length,
                review_interval_months=interval, transitions=[t.value for t in Transition],
                entry_level="Level 1", exit_level="Level 2", protected_hours_per_month=Decimal("7.5"),
                framework=self.framework["standards"] if with_framework else None, mentor_capacity=12,
                shared_with_ics=name.startswith("ICS "),
            )
            for name, length, interval, _, with_framework in templates
        ]
        self.out.insert(Programme, programmes)
        through = Programme.professions.through
        self.out.insert(through, [
            through(programme_id=programme.pk, profession_id=self.professions[slug].pk)
            for programme, (_, _, _, slugs, _) in zip(programmes, templates, strict=True) for slug in slugs
            if slug in self.professions
        ])
        if hosts_shared:
            self.shared_programme = programmes[-1]
        return programmes

    def preceptorship(self, organisation: Organisation, people: People, *, share: float, hosts_shared: bool,
                      shared: Programme | None) -> None:
        rng = self.rng
        programmes = self.programmes(organisation, hosts_shared=hosts_shared)
        own = [p for p in programmes if not p.shared_with_ics]
        statuses = allocate(len(people.preceptees), ENROLMENT_MIX, rng)
        plans: list[Plan] = []
        load: Counter[int] = Counter()
        for (preceptee, t), status in zip(people.preceptees, statuses, strict=True):
            programme = shared if shared is not None and rng.random() < 0.03 else rng.choice(own)
            team_mentors = people.mentors.get(t) or [m for ms in people.mentors.values() for m in ms]
            mentor = min(team_mentors, key=lambda m: (load[m.pk], rng.random()))
            load[mentor.pk] += 1
            plans.append(self.plan(programme, preceptee, organisation, self.teams[organisation.pk][t], mentor,
                                   rng.choice(people.line_managers[t]), status))
        self.out.insert(Enrolment, [plan.enrolment for plan in plans])
        self.out.insert(Pause, [pause for plan in plans for pause in plan.pauses])
        self.out.insert(Extension, [ext for plan in plans for ext in plan.extensions])
        self.reviews(plans, round(self.sizes.reviews * share))
        self.goals(plans, round(self.sizes.goals * share))
        self.reflections(plans, round(self.sizes.reflections * share))
        self.protected_time(plans, round(self.sizes.preceptees * PROTECTED_TIME_PER_PRECEPTEE * share))
        self.completion(plans)

    def plan(self, programme: Programme, preceptee: User, organisation: Organisation, team: Team, mentor: User,
             manager: User, status: str) -> Plan:
        rng, today = self.rng, self.today
        length, interval = programme.length_months, programme.review_interval_months
        span = length * 30
        pauses: list[tuple[datetime.date, datetime.date, str]] = []
        extension = 0
        end: datetime.date = today  # the last day the enrolment was running
        if status == Enrolment.Status.ACTIVE:
            start = today - days(rng.uniform(0, span - 5))
            if rng.random() < 0.08 and (today - start).days > 150:
                p_start = start + days(rng.uniform(30, (today - start).days - 100))
                pauses.append((p_start, p_start + days(rng.uniform(20, 80)), rng.choice(Pause.Reason.values)))
            if rng.random() < 0.04 and (today - start).days > span - 90:
                extension = rng.choice([3, 6])
        elif status == Enrolment.Status.PAUSED:
            start = today - days(rng.uniform(60, span - 30))
            p_start = max(start + days(30), today - days(rng.uniform(5, 120)))
            pauses.append((p_start, today + days(rng.uniform(30, 240)), rng.choice(Pause.Reason.values)))
        elif status == Enrolment.Status.COMPLETED:
            start = add_months(today, -length) - days(rng.uniform(20, 900))
        else:
            start = today - days(rng.uniform(90, 900))
            end = min(today, start + days(rng.uniform(30, span)))
        schedule = build_schedule(start=start, interval_months=interval, length_months=length,
                                  pauses=[Period(a, b) for a, b, _ in pauses], extension_months=extension)
        if status == Enrolment.Status.COMPLETED:
            end = min(today, schedule.completion + days(rng.uniform(0, 20)))
        due = [d for d in schedule.reviews if d <= end]
        held = len(due)
        if status == Enrolment.Status.ACTIVE and held and rng.random() < 0.15:
            held -= 1  # the latest review is overdue
        enrolment = Enrolment(
            programme=programme, preceptee=preceptee, organisation=organisation, team=team, start_date=start,
            transition=rng.choices(Transition.values, weights=[70, 8, 10, 8, 4])[0], mentor=mentor,
            line_manager=manager, status=status, completion_due=schedule.completion, reviews_held=held,
            next_review_due=schedule.review_due(held + 1) if status in Enrolment.CURRENT else None,
            created_at=at(start, 9),
        )
        if status == Enrolment.Status.WITHDRAWN:
            enrolment.withdrawn_on = end
            enrolment.withdrawal_reason = rng.choices(Enrolment.WithdrawalReason.values, weights=[50, 15, 25, 10])[0]
            if enrolment.withdrawal_reason == Enrolment.WithdrawalReason.OTHER:
                enrolment.withdrawal_detail = "Moved abroad with family."
        elif status == Enrolment.Status.COMPLETED:
            enrolment.completed_on = end
            enrolment.outcome = "Progressed to Level 2"
            enrolment.pay_step_on = add_months(end.replace(day=1), 1)
        plan = Plan(enrolment=enrolment, schedule_reviews=list(schedule.reviews[:held]), end=end)
        plan.pauses = [Pause(enrolment=enrolment, reason=reason, start_date=a, end_date=b, recorded_by=manager)
                       for a, b, reason in pauses]
        if extension:
            plan.extensions = [Extension(enrolment=enrolment, months=extension, recorded_by=manager,
                                         reason="More time to gain experience of complex cases.")]
        return plan

    def reviews(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        meetings: list[ReviewMeeting] = []
        for plan in plans:
            e = plan.enrolment
            for number, due in enumerate(plan.schedule_reviews, start=1):
                held_on = min(plan.end, max(e.start_date, due + days(rng.uniform(-14, 10))))
                recorded = at(held_on, 15)
                latest = number == len(plan.schedule_reviews)
                meetings.append(ReviewMeeting(
                    enrolment=e, number=number, status=ReviewMeeting.Status.HELD, due_on=due, held_on=held_on,
                    attended_line_manager=rng.random() < 0.5, discussion=" ".join(rng.sample(SENTENCES, 3)),
                    wellbeing=min(5, 2 + number // 2 + rng.randint(0, 1)),
                    confidence=min(5, 1 + number // 2 + rng.randint(0, 1)),
                    protected_time_received=rng.choices(ReviewMeeting.ProtectedTime.values, weights=[6, 3, 1])[0],
                    next_meeting_on=None, recorded_by_id=e.mentor_id, recorded_at=recorded,
                    acknowledged_at=None if latest and rng.random() < 0.3 else recorded + days(rng.uniform(1, 10)),
                    created_at=recorded,
                ))
        held = len(meetings)
        # Cancelled and missed meetings make up the rest of the target.
        with_history = [plan for plan in plans if plan.schedule_reviews]
        for _ in range(max(0, target - held) if with_history else 0):
            plan = rng.choice(with_history)
            number = rng.randint(1, len(plan.schedule_reviews))
            due = plan.schedule_reviews[number - 1]
            status = rng.choice([ReviewMeeting.Status.CANCELLED, ReviewMeeting.Status.MISSED])
            on = max(plan.enrolment.start_date, due - days(rng.uniform(0, 10)))
            meetings.append(ReviewMeeting(
                enrolment=plan.enrolment, number=number, status=status, due_on=due, held_on=None,
                reason="Mentor on sick leave." if status == ReviewMeeting.Status.CANCELLED
                else "Preceptee called to an urgent visit.",
                next_meeting_on=due + days(14), recorded_by_id=plan.enrolment.mentor_id, recorded_at=at(on, 16),
                created_at=at(on, 16),
            ))
        self.out.insert(ReviewMeeting, meetings)
        self.out.insert(ReviewAction, [
            ReviewAction(review=review, description="Book two shadowing sessions with a senior colleague",
                         owner=rng.choice(ReviewAction.Owner.values), due_on=review.held_on + days(30))
            for review in meetings[:held] if rng.random() < 0.6
        ])

    def elapsed_weights(self, plans: list[Plan]) -> list[float]:
        return [1 + max(0, (plan.end - plan.enrolment.start_date).days) / 30 for plan in plans]

    def goals(self, plans: list[Plan], target: int) -> None:
        rng, today = self.rng, self.today
        goals: list[Goal] = []
        for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True):
            e = plan.enrolment
            for _ in range(count):
                created = e.start_date + days(rng.uniform(0, max(1, (plan.end - e.start_date).days)))
                what, measure = rng.choice(GOAL_TEXTS)
                target_date = created + days(rng.uniform(30, 180))
                status = Goal.Status.NOT_STARTED
                if target_date < today:
                    status = rng.choices([Goal.Status.ACHIEVED, Goal.Status.CHANGED, Goal.Status.DROPPED,
                                          Goal.Status.IN_PROGRESS], weights=[75, 8, 5, 12])[0]
                elif created < today - days(20):
                    status = Goal.Status.IN_PROGRESS
                goals.append(Goal(
                    enrolment=e, what=what, measure=measure, target_date=target_date, status=status,
                    status_reason="The service changed, so the goal changed with it." if status in Goal.NEEDS_REASON
                    else "", achieved_on=min(today, target_date - days(rng.uniform(0, 20)))
                    if status == Goal.Status.ACHIEVED else None,
                    created_by_id=e.preceptee_id, created_at=at(created, 11),
                ))
        self.out.insert(Goal, goals)
        standards = self.framework_competencies["standards"]
        through = Goal.competencies.through
        self.out.insert(through, [
            through(goal_id=goal.pk, competency_id=rng.choice(standards).pk)
            for goal in goals if goal.enrolment.programme.framework_id and rng.random() < 0.7
        ])
        self.out.insert(GoalUpdate, [
            GoalUpdate(goal=goal, on=min(today, goal.created_at.date() + days(30)), note=rng.choice(SENTENCES),
                       author_id=goal.enrolment.preceptee_id)
            for goal in goals if goal.status in (Goal.Status.IN_PROGRESS, Goal.Status.ACHIEVED)
            and rng.random() < 0.5
        ])

    def reflections(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        rows: list[Reflection] = []
        for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True):
            e = plan.enrolment
            for _ in range(count):
                written = e.start_date + days(rng.uniform(0, max(1, (plan.end - e.start_date).days)))
                model = rng.choices(Reflection.Model.values, weights=[5, 3, 1, 1])[0]
                finished = rng.random() < 0.85
                to_mentor = finished and rng.random() < 0.6
                to_manager = finished and rng.random() < 0.2
                rows.append(Reflection(
                    enrolment=e, author_id=e.preceptee_id, title=rng.choice(REFLECTION_TITLES), model=model,
                    answers={key: rng.choice(SENTENCES) for key, _, _ in REFLECTIVE_MODELS[model][1]},
                    status=Reflection.Status.FINISHED if finished else Reflection.Status.DRAFT,
                    shared_with_mentor=to_mentor, shared_with_line_manager=to_manager,
                    shared_at=at(written, 17) if to_mentor or to_manager else None, created_at=at(written, 14),
                ))
        self.out.insert(Reflection, rows)
        self.out.insert(ReflectionFeedback, [
            ReflectionFeedback(reflection=r, author_id=r.enrolment.mentor_id, created_at=r.shared_at + days(3),
                               text="Thank you for sharing this. What would you try first next time?")
            for r in rows if r.shared_with_mentor and rng.random() < 0.7
        ])

    def protected_time(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        self.out.insert(ProtectedTime, [
            ProtectedTime(enrolment=plan.enrolment, hours=Decimal(rng.choice(["1", "1.5", "2", "3.5", "7.5"])),
                          on=plan.enrolment.start_date + days(rng.uniform(0, max(1, (plan.end - plan.enrolment
                                                                                      .start_date).days))),
                          activity=rng.choice(ProtectedTime.Activity.values), note="Study day",
                          logged_by_id=plan.enrolment.preceptee_id)
            for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True)
            for _ in range(count)
        ])

    def completion(self, plans: list[Plan]) -> None:
        rng, today = self.rng, self.today
        needs, confirmations, evaluations = [], [], []
        for plan in plans:
            e = plan.enrolment
            submitted = rng.random() < 0.9
            needs.append(NeedsAssessment(
                enrolment=e, strengths="Organised, calm with families.", learning_needs="Complex discharges.",
                support_wanted="Regular supervision.", submitted_at=at(e.start_date + days(14)) if submitted else None,
            ))
            if e.status == Enrolment.Status.COMPLETED:
                for role, person in ((CompletionConfirmation.Role.MENTOR, e.mentor_id),
                                     (CompletionConfirmation.Role.LINE_MANAGER, e.line_manager_id)):
                    confirmations.append(CompletionConfirmation(enrolment=e, role=role, by_id=person, confirmed=True))
                if rng.random() < 0.75:
                    evaluations.append(Evaluation(
                        enrolment=e, support_received=rng.randint(2, 5), confidence_now=rng.randint(3, 5),
                        protected_time=rng.randint(1, 5), would_recommend=rng.choices(
                            Evaluation.Recommend.values, weights=[7, 2, 1])[0],
                    ))
            elif e.status == Enrolment.Status.ACTIVE and e.completion_due <= today + days(31) and rng.random() < 0.5:
                confirmations.append(CompletionConfirmation(enrolment=e, role=CompletionConfirmation.Role.MENTOR,
                                                            by_id=e.mentor_id, confirmed=True))
        self.out.insert(NeedsAssessment, needs)
        self.out.insert(CompletionConfirmation, confirmations)
        self.out.insert(Evaluation, evaluations)

    # Progression

    def progression(self, organisation: Organisation, people: People) -> None:
        rng, today = self.rng, self.today
        stages = allocate(len(people.practitioners), STAGE_MIX, rng)
        cases: list[ProgressionCase] = []
        for (practitioner, t), stage in zip(people.practitioners, stages, strict=True):
            key = "social-work" if practitioner.profession and practitioner.profession.slug == "social-work" else "ahp"
            manager = rng.choice(people.line_managers[t])
            waiting_for_manager = stage == Stage.DRAFT and rng.random() < 0.1
            changed = today - days(rng.uniform(1, 40 if stage in (Stage.SUBMITTED, Stage.RECOMMENDED) else 300))
            case = ProgressionCase(
                practitioner=practitioner, organisation=organisation, team=self.teams[organisation.pk][t],
                framework=self.framework[key],
                target_role="Advanced Practitioner, Range 7" if key == "social-work" else "Senior practitioner, Band 7",
                line_manager=None if waiting_for_manager else manager,
                head_of_service=people.heads_of_service[t % 2],
                opened_by=practitioner if waiting_for_manager or rng.random() < 0.2 else manager,
                stage=stage, stage_changed_at=at(changed, 12), revision=STEPS_TO[stage] + 1,
                created_at=at(changed - days(rng.uniform(60, 300))),
            )
            if stage == Stage.DECLINED:
                case.return_reasons = "The Range 7 competencies on leadership are not yet evidenced."
                case.returned_by_role = Role.OPERATIONAL_DIRECTOR
            elif stage == Stage.DRAFT and not waiting_for_manager and rng.random() < 0.15:
                case.return_reasons = "Please add dated examples for the key competencies."
                case.returned_by_role = Role.HEAD_OF_SERVICE
            if STEPS_TO[stage] >= 4 and stage != Stage.DECLINED:
                case.hr_reference = f"HR-{organisation.pk}-{practitioner.pk}"
                case.effective_date = changed.replace(day=1)
            if STEPS_TO[stage] >= 5 and stage != Stage.DECLINED:
                case.told_verbally_on, case.told_by = changed, manager
            cases.append(case)
        self.out.insert(ProgressionCase, cases)
        assessments: list[CompetencyAssessment] = []
        evidence: list[Evidence] = []
        decisions: list[Decision] = []
        for case, (practitioner, t) in zip(cases, people.practitioners, strict=True):
            key = "social-work" if case.framework_id == self.framework["social-work"].pk else "ahp"
            competencies = self.framework_competencies[key]
            required = self.required[key]
            progressed = case.stage not in (Stage.DRAFT, Stage.DECLINED)
            ready = rng.uniform(0.2, 0.9)
            opened = case.created_at.date()
            marker = case.line_manager_id or people.line_managers[t][0].pk
            for competency in competencies:
                met = (progressed and (competency.pk in required or rng.random() < 0.8)) or rng.random() < ready
                status = (rng.choice([CompetencyAssessment.Status.REACHED, CompetencyAssessment.Status.EXCEEDED])
                          if met else rng.choice([CompetencyAssessment.Status.NOT_YET,
                                                  CompetencyAssessment.Status.DEVELOPING]))
                marked = status != CompetencyAssessment.Status.NOT_YET
                reached_on = opened + days(rng.uniform(0, 60)) if met else None
                assessments.append(CompetencyAssessment(
                    case=case, competency=competency, status=status, reached_on=reached_on,
                    manager_comment="Seen in practice and discussed in supervision." if marked else "",
                    worker_comment="See the evidence linked." if met and rng.random() < 0.4 else "",
                    marked_by_id=marker if marked else None, marked_at=at(reached_on or opened) if marked else None,
                ))
            for i in range(EVIDENCE_PER_CASE):
                evidence.append(Evidence(
                    case=case, title=rng.choice(EVIDENCE_TITLES), example_date=opened - days(rng.uniform(0, 400)),
                    description=" ".join(rng.sample(SENTENCES, 2)), added_by_id=practitioner.pk if i % 3 else marker,
                    created_at=at(opened + days(i)),
                ))
            decisions.extend(self.decisions(case, people, marker, opened))
        self.out.insert(CompetencyAssessment, assessments)
        self.out.insert(CompetencyMark, [
            CompetencyMark(assessment=a, status=a.status, reached_on=a.reached_on, comment=a.manager_comment,
                           marked_by_id=a.marked_by_id, marked_at=a.marked_at)
            for a in assessments if a.marked_at
        ])
        self.out.insert(Evidence, evidence)
        through = Evidence.competencies.through
        links = []
        per_case = {}
        for a in assessments:
            per_case.setdefault(a.case_id, []).append(a.competency_id)
        for item in evidence:
            for competency_id in rng.sample(per_case[item.case_id], rng.choice([1, 1, 2, 3])):
                links.append(through(evidence_id=item.pk, competency_id=competency_id))
        self.out.insert(through, links)
        self.out.insert(Decision, decisions)

    def decisions(self, case: ProgressionCase, people: People, manager_id: int,
                  opened: datetime.date) -> list[Decision]:
        rng = self.rng
        actors = {Role.LINE_MANAGER: manager_id, Role.HEAD_OF_SERVICE: case.head_of_service_id,
                  Role.OPERATIONAL_DIRECTOR: people.director.pk, Role.HR: people.hr.pk}
        when = at(opened)
        rows = [Decision(case=case, actor_id=case.opened_by_id, role=Role.LINE_MANAGER
                         if case.opened_by_id == manager_id else Role.PRACTITIONER, at=when,
                         decision=Decision.Kind.OPENED, from_stage="", to_stage=Stage.DRAFT)]
        if case.line_manager_id and case.opened_by_id != case.line_manager_id:
            when += days(rng.uniform(1, 10))
            rows.append(Decision(case=case, actor_id=manager_id, role=Role.LINE_MANAGER, at=when,
                                 decision=Decision.Kind.TAKEN_UP, from_stage=Stage.DRAFT, to_stage=Stage.DRAFT))
        if case.returned_by_role == Role.HEAD_OF_SERVICE:
            when += days(rng.uniform(20, 60))
            rows.append(Decision(case=case, actor_id=manager_id, role=Role.LINE_MANAGER, at=when,
                                 decision=Decision.Kind.SUBMITTED, from_stage=Stage.DRAFT, to_stage=Stage.SUBMITTED))
            when += days(rng.uniform(3, 15))
            rows.append(Decision(case=case, actor_id=case.head_of_service_id, role=Role.HEAD_OF_SERVICE, at=when,
                                 decision=Decision.Kind.RETURNED, from_stage=Stage.SUBMITTED, to_stage=Stage.DRAFT,
                                 comment=case.return_reasons))
        steps = CHAIN[:STEPS_TO[case.stage]]
        if case.stage == Stage.DECLINED:
            steps = CHAIN[:2]
        for kind, source, target, role in steps:
            when += days(rng.uniform(3, 20))
            rows.append(Decision(case=case, actor_id=actors[role], role=role, at=when, decision=kind,
                                 from_stage=source, to_stage=target))
        if case.stage == Stage.DECLINED:
            rows.append(Decision(case=case, actor_id=people.director.pk, role=Role.OPERATIONAL_DIRECTOR,
                                 at=when + days(5), decision=Decision.Kind.DECLINED, from_stage=Stage.RECOMMENDED,
                                 to_stage=Stage.DECLINED, comment=case.return_reasons))
        return rows


@dataclass
class Plan:
    enrolment: Enrolment
    schedule_reviews: list[datetime.date]  # due dates of the reviews held, in order
    end: datetime.date
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)


def split_round_robin(total: int, slots: int) -> list[int]:
    return [i % slots for i in range(total)]


def build(*, organisations: int = 20, preceptees: int = 5000, today: datetime.date | None = None, seed: int = 8,
          batch_size: int = 2000, password: str | None = None,
          log: Callable[[str], None] = lambda message: None) -> dict[str, int]:
    """Create the scale ICS; returns the number of rows made per model."""
    if organisations < 1 or preceptees < organisations:
        raise ValueError("Give at least one organisation and at least one preceptee per organisation.")
    if IntegratedCareSystem.objects.filter(slug=ICS_SLUG).exists():
        raise ScaleDataExists(
            f"This database already holds scale data (the integrated care system '{ICS_SLUG}'). Scale data "
            "is generated once per database: drop and re-create the database, migrate, and run again."
        )
    builder = Builder(sizes=Sizes(organisations, preceptees), today=today or timezone.localdate(), seed=seed,
                      batch_size=batch_size, password=password, log=log)
    with transaction.atomic():
        rows = builder.build()
    analyse()
    return rows


def analyse() -> None:
    """Refresh the planner's statistics, as autovacuum would soon after a bulk load: the page
    figures should not depend on whether it has run yet."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def top_up_active_enrolments(total: int, *, today: datetime.date | None = None, seed: int = 9,
                             batch_size: int = 5000) -> int:
    """Add active enrolments in a separate ICS until the database holds ``total``; returns how many were added.

    Their start dates are spread over a whole programme, so on any day some reviews fall due, some
    are overdue and some completions come near, as in a real system."""
    today = today or timezone.localdate()
    missing = total - Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count()
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    password = make_password(None)
    with transaction.atomic():
        ics, _ = IntegratedCareSystem.objects.get_or_create(
            slug=SWEEP_ICS_SLUG, defaults={"name": "Scale sweep load Integrated Care System"})
        organisation, _ = Organisation.objects.get_or_create(
            slug="scale-sweep-org", defaults={"name": "Sweep load Community Trust (scale)", "ics": ics,
                                              "kind": Organisation.Kind.NHS_TRUST})
        programme = Programme.objects.filter(organisation=organisation).first() or Programme.objects.create(
            name="Sweep load preceptorship", organisation=organisation, length_months=18, review_interval_months=3,
            mentor_capacity=12)
        start_serial = User.objects.filter(email__endswith=f"@{SWEEP_EMAIL_DOMAIN}").count()
        mentors_needed = max(1, missing // PRECEPTEES_PER_MENTOR)
        writer = Writer(batch_size)

        def people(count: int, kind: str, offset: int) -> list[User]:
            return [User(email=f"{kind}{offset + i}@{SWEEP_EMAIL_DOMAIN}", first_name=rng.choice(FIRST_NAMES),
                         last_name=rng.choice(LAST_NAMES), password=password) for i in range(count)]

        mentors = writer.insert(User, people(mentors_needed, "mentor", start_serial))
        preceptees = writer.insert(User, people(missing, "preceptee", start_serial + mentors_needed))
        writer.insert(Membership, [Membership(user=m, organisation=organisation, role=Role.MENTOR) for m in mentors]
                      + [Membership(user=p, organisation=organisation, role=Role.PRACTITIONER) for p in preceptees])
        rows = []
        for i, preceptee in enumerate(preceptees):
            start = today - days(rng.uniform(0, 18 * 30 - 5))
            schedule = build_schedule(start=start, interval_months=3, length_months=18)
            held = len([d for d in schedule.reviews if d <= today])
            if held and rng.random() < 0.15:
                held -= 1
            rows.append(Enrolment(
                programme=programme, preceptee=preceptee, organisation=organisation, start_date=start,
                transition=Transition.NEWLY_REGISTERED, mentor=mentors[i % len(mentors)], reviews_held=held,
                next_review_due=schedule.review_due(held + 1), completion_due=schedule.completion,
            ))
            if len(rows) >= batch_size:
                writer.insert(Enrolment, rows)
                rows = []
        writer.insert(Enrolment, rows)
    analyse()
    return missing


def counts(ics_slug: str = ICS_SLUG) -> dict[str, Any]:
    """Figures of the scale ICS, for the command's summary and the tests."""
    enrolments = Enrolment.objects.filter(organisation__ics__slug=ics_slug)
    cases = ProgressionCase.objects.filter(organisation__ics__slug=ics_slug)
    return {
        "organisations": Organisation.objects.filter(ics__slug=ics_slug).count(),
        "preceptees": enrolments.values("preceptee").distinct().count(),
        "mentors": Membership.objects.filter(organisation__ics__slug=ics_slug, role=Role.MENTOR).count(),
        "enrolments by status": dict(Counter(enrolments.values_list("status", flat=True))),
        "review meetings": ReviewMeeting.objects.filter(enrolment__in=enrolments).count(),
        "goals": Goal.objects.filter(enrolment__in=enrolments).count(),
        "reflections": Reflection.objects.filter(enrolment__in=enrolments).count(),
        "progression cases by stage": dict(Counter(cases.values_list("stage", flat=True))),
        "evidence": Evidence.objects.filter(case__in=cases).count(),
    }


