"""The scale data's sizes, names and texts, and the small helpers every part of the build uses."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from preceptorship.models import Membership, Profession, Team, User
from programmes.models import (
    Enrolment,
    Extension,
    Pause,
    Programme,
)
from progression.models import (
    Competency,
    Decision,
    Framework,
    ProgressionCase,
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
    Stage.DRAFT: 0.28,
    Stage.SUBMITTED: 0.12,
    Stage.RECOMMENDED: 0.10,
    Stage.SIGNED_OFF: 0.07,
    Stage.HR_RECORDED: 0.06,
    Stage.WORKER_TOLD: 0.05,
    Stage.CONFIRMED: 0.22,
    Stage.DECLINED: 0.08,
    Stage.WITHDRAWN: 0.02,
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
            Stage.WORKER_TOLD: 5, Stage.CONFIRMED: 6, Stage.DECLINED: 2, Stage.WITHDRAWN: 0}

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


@dataclass
class Plan:
    enrolment: Enrolment
    schedule_reviews: list[datetime.date]  # due dates of the reviews held, in order
    end: datetime.date
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)


def split_round_robin(total: int, slots: int) -> list[int]:
    return [i % slots for i in range(total)]


class BuildState:
    """What the parts of the build share through ``self``: the sizes, the day, the random numbers,
    the writer, and what earlier parts made (teams, frameworks, the shared programme)."""

    sizes: Sizes
    today: datetime.date
    log: Callable[[str], None]
    rng: random.Random
    out: Writer
    password: str
    professions: dict[str, Profession]
    serial: int
    teams: dict[int, list[Team]]
    framework: dict[str, Framework]
    framework_competencies: dict[str, list[Competency]]
    required: dict[str, set[int]]
    shared_programme: Programme | None
