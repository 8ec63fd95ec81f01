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
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench.scale.common import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    ICS_SLUG,
    LAST_NAMES,
    PLACES,
    PRECEPTEES_PER_MENTOR,
    SENTENCES,
    SWEEP_EMAIL_DOMAIN,
    SWEEP_ICS_SLUG,
    TEAM_NAMES,
    TEAMS_PER_ORGANISATION,
    ScaleDataExists,
    Sizes,
    Writer,
    days,
    split,
)
from bench.scale.directory import DirectoryBuilder
from bench.scale.enrolments import EnrolmentsBuilder
from bench.scale.progression import ProgressionBuilder
from preceptorship.models import IntegratedCareSystem, Membership, Organisation, Profession, Team, User
from programmes.models import Enrolment, Goal, Programme, Reflection, ReviewMeeting, Transition
from programmes.schedule import build_schedule
from progression.models import Evidence, ProgressionCase

# What the benchmark, the command and the tests use.
__all__ = ["EMAIL_DOMAIN", "ICS_SLUG", "SENTENCES", "SWEEP_EMAIL_DOMAIN", "SWEEP_ICS_SLUG", "ScaleDataExists", "Sizes",
           "build", "counts", "top_up_active_enrolments"]

Role = Membership.Role


class Builder(DirectoryBuilder, EnrolmentsBuilder, ProgressionBuilder):
    """The whole build; each part lives in the module of its concern."""

    def __init__(self, *, sizes: Sizes, today: datetime.date, seed: int, batch_size: int, password: str | None,
                 log: Callable[[str], None]) -> None:
        self.sizes, self.today, self.log = sizes, today, log
        self.rng = random.Random(seed)
        self.out = Writer(batch_size)
        # One hash for everybody: hashing per user would take minutes.
        self.password = make_password(password)
        self.professions = {p.slug: p for p in Profession.objects.all()}
        self.serial = 0

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


