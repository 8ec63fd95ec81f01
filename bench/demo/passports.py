"""Demo skills passports: the trust's passports for support workers of bands 2, 3 and 4, each a short
fictional example (a handful of skills, named as an example), and a support worker who keeps the
band 3 passport: one skill verified, one "not yet" with the reason, one waiting for their manager.

``build(directory=, today=)`` runs after the directory. Everything goes through the services a person
would use; running it again changes nothing. All names are fictional.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from preceptorship.models import Membership, Profession, User
from progression import frameworks_io, services
from progression.models import Competency, Framework, SkillsPassport

Role = Membership.Role
EXAMPLE = "A fictional example showing how a passport is laid out: import your own from the template."
SKILLS = {
    "Band 2": [
        ("Communication", "B2-COM-1", "Introduces themselves and explains the session to the person."),
        ("Communication", "B2-COM-2", "Tells the registered clinician about any change they notice."),
        ("Safe care", "B2-SAF-1", "Prepares and cleans the equipment for a therapy session."),
        ("Safe care", "B2-SAF-2", "Follows the moving and handling plan agreed for the person."),
    ],
    "Band 3": [
        ("Communication", "B3-COM-1", "Explains a planned activity in words the person understands."),
        ("Communication", "B3-COM-2", "Records what happened in a session in the person's notes."),
        ("Person-centred care", "B3-PCC-1", "Checks the person's consent before each activity."),
        ("Person-centred care", "B3-PCC-2", "Carries out a delegated exercise programme and reports progress."),
        ("Quality improvement", "B3-QI-1", "Suggests a change to a routine task and tries it with the team."),
    ],
    "Band 4": [
        ("Leadership", "B4-LEA-1", "Shows a new support worker the team's routine tasks."),
        ("Person-centred care", "B4-PCC-1", "Runs a group session planned by the registered clinician."),
        ("Person-centred care", "B4-PCC-2", "Adapts a delegated activity within the limits the clinician set."),
        ("Evidence-based practice", "B4-EBP-1", "Finds and shares a patient leaflet the team can use."),
    ],
}
WORKER = ("support_worker", "Jordan", "Pike", "jordan.pike@trust.dalesford.example", "Therapy Support Worker",
          "Band 3")


def _framework(lead: User, trust: Any, level: str) -> Framework:
    slug = f"ahp-support-worker-passport-{level.lower().replace(' ', '-')}"
    framework = Framework.objects.filter(slug=slug, status=Framework.Status.PUBLISHED).first()
    if framework is not None:
        return framework
    sections: dict[str, list[dict[str, str]]] = {}
    for title, code, statement in SKILLS[level]:
        sections.setdefault(title, []).append({"code": code, "statement": statement, "guidance": ""})
    data = frameworks_io.normalise({
        "name": f"AHP support worker skills passport, {level} (fictional example)", "slug": slug,
        "source": EXAMPLE, "to_level": level, "kind": "skills passport", "evidence_per_competency": 0,
        "sections": [{"title": title, "competencies": items} for title, items in sections.items()],
    })
    problems = frameworks_io.validate_framework(data)
    assert not problems, problems
    return services.framework_import(actor=lead, data=data, owner=trust, publish=True)


def _worker(directory: Any, password_hash: str) -> User:
    key, first, last, email, job_title, band = WORKER
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, job_title=job_title, band=band,
                    profession=Profession.objects.filter(slug="physiotherapy").first(), password=password_hash)
        user.save()
    Membership.objects.get_or_create(user=user, organisation=directory.organisations["trust"],
                                     team=directory.teams["trust-community"], role=Role.PRACTITIONER)
    if not any(login[1] == email for login in directory.logins):
        directory.logins.append(("Support worker (trust), with a skills passport", email, key))
    return user


def build(*, directory: Any, today: datetime.date) -> SkillsPassport:
    users = directory.users
    trust = directory.organisations["trust"]
    with transaction.atomic():
        frameworks = {level: _framework(users["trust_lead"], trust, level) for level in SKILLS}
        worker = _worker(directory, users["manager_trust"].password)
        passport = SkillsPassport.objects.filter(worker=worker).first()
        if passport is not None:
            return passport
        passport = services.passport_start(actor=worker, framework=frameworks["Band 3"])
        skills = list(Competency.objects.filter(section__framework=passport.framework)
                      .order_by("section__order", "order"))
        notes = ["Seen by the physiotherapist on three home visits.", "Notes audited by the team lead.",
                 "Asked before each session on the falls group."]
        for n, (skill, note) in enumerate(zip(skills, notes, strict=False)):
            services.passport_skill_record(actor=worker, passport=passport, competency=skill,
                                           achieved_on=today - datetime.timedelta(days=30 - 7 * n),
                                           evidence_note=note)
        manager = users["manager_trust"]
        services.passport_skill_verify(actor=manager, passport=passport, competency=skills[0], verified=True)
        services.passport_skill_verify(actor=manager, passport=passport, competency=skills[1], verified=False,
                                       reason="Two more sets of notes first, written on the day of the session.")
    return passport
