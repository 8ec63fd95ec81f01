"""Demo progression cases at every stage of the sign-off chain, for both shipped frameworks.

``build(directory=, today=)`` runs after the directory (``bench.demo.directory``). Every case goes
through the same services a person would use, so the history, notifications and letter are real.
Running it again changes nothing: a practitioner who already has a case is left alone. All names
are fictional.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from preceptorship.models import Membership, User
from preceptorship.workdays import working_days_between
from progression import services
from progression.models import Competency, Framework, PostQualifyingAward, ProgressionCase
from progression.reminders import WAIT_WORKING_DAYS

Role = Membership.Role
SW = "social-worker-range-6-to-7"
OT = "occupational-therapist-range-6-to-7"
TARGET = "Advanced Practitioner, Range 7"

# Extra practitioners so each stage has its own case: key, first, last, profession, team key.
EXTRA_PRACTITIONERS = [
    ("practitioner_sw_submitted", "Tariq", "Bell", "social-work", "council-north"),
    ("practitioner_sw_returned", "Hollie", "Quinn", "social-work", "council-north"),
    ("practitioner_ot_done", "Megan", "Ashby", "occupational-therapy", "council-ot"),
]

EXAMPLES = [
    ("Safeguarding enquiry with a hostile family member",
     "Led a section 42 enquiry where the family disputed every concern; kept the person's wishes at the centre "
     "and agreed a protection plan with the police and the GP."),
    ("Mentoring a newly qualified colleague",
     "Supervised an ASYE worker's first complex assessment, modelled the conversation and reviewed the write-up."),
    ("Chairing a multi-agency risk meeting",
     "Chaired a meeting with health, housing and the provider; recorded decisions and followed up actions."),
]


def build(*, directory: Any, today: datetime.date) -> dict[str, ProgressionCase]:
    """Cases: being evidenced, returned with reasons, with the Head of Service, with the Operational
    Director, and signed off with the letter sent."""
    users = dict(directory.users)
    council = directory.organisations["council"]
    for key, first, last, profession, team_key in EXTRA_PRACTITIONERS:
        users[key] = _practitioner(first, last, profession, council, directory.teams[team_key], today,
                                   password_hash=users["practitioner_sw"].password)
    frameworks = {slug: Framework.objects.get(slug=slug, status=Framework.Status.PUBLISHED) for slug in (SW, OT)}
    _awards(users, today)
    plans = [
        ("practitioner_sw", SW, "manager_sw", "council-north", "evidenced"),
        ("practitioner_sw_returned", SW, "manager_sw", "council-north", "returned"),
        ("practitioner_sw_submitted", SW, "manager_sw", "council-north", "submitted"),
        ("practitioner_ot", OT, "manager_ot", "council-ot", "recommended"),
        ("practitioner_ot_done", OT, "manager_ot", "council-ot", "confirmed"),
    ]
    cases = {}
    for practitioner_key, slug, manager_key, team_key, stage in plans:
        practitioner = users[practitioner_key]
        existing = ProgressionCase.objects.filter(practitioner=practitioner).first()
        if existing is not None:
            cases[practitioner_key] = existing
            continue
        with transaction.atomic():
            cases[practitioner_key] = _case(users, frameworks[slug], practitioner, users[manager_key], council,
                                            directory.teams[team_key], stage, today)
    return cases


def _practitioner(first: str, last: str, profession: str, organisation: Any, team: Any, today: datetime.date,
                  *, password_hash: str) -> User:
    """A fictional practitioner who signs in with the same demo password as everyone else."""
    from preceptorship.models import Profession

    email = f"{first}.{last}@council.dalesford.example".lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, job_title="Range 6 practitioner", band="Range 6",
                    profession=Profession.objects.filter(slug=profession).first(),
                    first_registered_on=today.replace(year=today.year - 5, day=1),
                    started_in_post_on=today.replace(year=today.year - 3, day=1), password=password_hash)
        user.save()
    Membership.objects.get_or_create(user=user, organisation=organisation, team=team, role=Role.PRACTITIONER)
    return user


def _awards(users: dict[str, User], today: datetime.date) -> None:
    PostQualifyingAward.objects.get_or_create(
        user=users["practitioner_sw"], kind=PostQualifyingAward.Kind.BIA,
        defaults={"status": PostQualifyingAward.Status.HELD, "awarded_on": today.replace(year=today.year - 1, day=1)},
    )
    PostQualifyingAward.objects.get_or_create(
        user=users["practitioner_ot"], kind=PostQualifyingAward.Kind.PRACTICE_EDUCATOR,
        defaults={"status": PostQualifyingAward.Status.IN_PROGRESS},
    )


def _case(users: dict[str, User], framework: Framework, practitioner: User, manager: User, organisation: Any,
          team: Any, stage: str, today: datetime.date) -> ProgressionCase:
    hos, director, hr = users["head_of_service"], users["director"], users["hr"]
    case = services.progression_case_open(actor=manager, practitioner=practitioner, framework=framework,
                                          target_role=TARGET, head_of_service=hos, organisation=organisation,
                                          team=team)
    competencies = list(Competency.objects.filter(section__framework=framework).select_related("section")
                        .order_by("section__order", "order"))
    for n, (title, description) in enumerate(EXAMPLES):
        services.evidence_add(actor=practitioner, case=case, title=title,
                              example_date=today - datetime.timedelta(days=30 * (n + 2)), description=description,
                              competencies=competencies[n * 4:n * 4 + 6])
    # The rest of the framework, six competencies to an audited case file: every competency marked
    # reached below has the dated evidence the framework asks for.
    covered = {c.pk for n in range(len(EXAMPLES)) for c in competencies[n * 4:n * 4 + 6]}
    rest = [c for c in competencies if c.pk not in covered]
    for n in range(0, len(rest), 6):
        services.evidence_add(actor=manager, case=case, title=f"Audited case file {n // 6 + 1}",
                              example_date=today - datetime.timedelta(days=25 + n),
                              description="The team manager's audit of a case file the practitioner led: "
                                          "the assessment, the plan and the review show these competencies.",
                              competencies=rest[n:n + 6])
    first = competencies[0]
    services.competency_worker_comment(actor=practitioner, case=case, competency=first,
                                       comment="I completed my ASYE with the North Locality team.")
    # Being evidenced: all but the last two required competencies reached, so the manager has work left.
    to_mark = competencies if stage != "evidenced" else competencies[:-2]
    for n, competency in enumerate(to_mark):
        status = "exceeded" if n % 7 == 3 else "reached"
        services.competency_mark(actor=manager, case=case, competency=competency, status=status,
                                 reached_on=today - datetime.timedelta(days=20 + n),
                                 comment="Seen in supervision and in the audited case files.")
    if stage == "evidenced":
        return case
    case = services.progression_case_statement(
        actor=practitioner, case=case, agrees=stage != "returned",
        comment="" if stage != "returned" else "I agree with the table. The audit of my safeguarding work "
                                                 "finished last month and its outcome could be added.")
    case = services.progression_case_submit(actor=manager, case=case, comment="Ready for your recommendation.")
    if stage == "submitted":
        # Submitted ten working days ago and still with the Head of Service, so the reminder sweep
        # nudges them today (the demo's only rewriting of history).
        submitted_on = today
        while working_days_between(submitted_on, today) < WAIT_WORKING_DAYS:
            submitted_on -= datetime.timedelta(days=1)
        submitted_at = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(10)))
        ProgressionCase.objects.filter(pk=case.pk).update(stage_changed_at=submitted_at)
        case.decisions.filter(to_stage=ProgressionCase.Stage.SUBMITTED).update(at=submitted_at)
        case.refresh_from_db()
        return case
    if stage == "returned":
        required = [c for c in competencies if c.section.required_for_sign_off]
        return services.progression_case_hos_decide(
            actor=hos, case=case, recommend=False, competencies=required[:2],
            comment="Please add a dated example of leading a complex safeguarding enquiry for the Range 7 "
                    "competencies, and the outcome of the audit mentioned in the comments.",
        )
    case = services.progression_case_hos_decide(actor=hos, case=case, recommend=True,
                                                comment="Strong evidence of leadership; recommended.")
    if stage == "recommended":
        return case
    case = services.progression_case_od_decide(actor=director, case=case, decision="sign_off",
                                               comment="Signed off.")
    case = services.progression_case_hr_record(actor=hr, case=case, hr_reference="ASC-PAY-20417",
                                               effective_date=today - datetime.timedelta(days=7))
    case = services.progression_case_record_told(actor=manager, case=case,
                                                 told_on=today - datetime.timedelta(days=10), told_by=manager)
    return services.progression_case_confirm(actor=hr, case=case)
