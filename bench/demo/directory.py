"""The fictional organisation directory of the demo: one ICS, three organisations, every role.

``build`` is idempotent (safe to run twice) and returns a ``Directory`` the apps' own demo
builders use to add programmes, enrolments and progression cases.
"""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass, field

from django.db import transaction

from preceptorship.models import IntegratedCareSystem, Membership, Organisation, Profession, Team, User

Role = Membership.Role


@dataclass
class Directory:
    ics: IntegratedCareSystem
    organisations: dict[str, Organisation] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (who, e-mail, role description)


ORGANISATIONS = [
    ("trust", "Dalesford Community Health NHS Foundation Trust", Organisation.Kind.NHS_TRUST),
    ("council", "Dalesford County Council Adult Social Care", Organisation.Kind.LOCAL_AUTHORITY),
    ("independent", "Riverbend Care Partnership", Organisation.Kind.INDEPENDENT),
]

TEAMS = [
    ("trust-community", "trust", "Community Therapy"),
    ("trust-acute", "trust", "Acute Therapies"),
    ("council-north", "council", "North Locality Adult Social Care"),
    ("council-ot", "council", "Occupational Therapy Service"),
    ("independent-home", "independent", "Reablement at Home"),
]

# key, first, last, e-mail, profession slug, job title, band, [(organisation, team or None, role)], description
PEOPLE = [
    ("admin", "Alex", "Admin", "admin@dalesford.example", None, "System administrator", "", [], "Administrator"),
    ("ics_lead", "Imogen", "Ashworth", "ics.lead@dalesford.example", "physiotherapy", "ICS AHP Faculty Lead", "",
     [("trust", None, Role.ICS_LEAD)], "ICS lead"),
    ("council_lead", "Priya", "Lennox", "practice.lead@council.dalesford.example", "occupational-therapy",
     "Principal Occupational Therapist (practice lead)", "Range 7",
     [("council", None, Role.PROGRAMME_LEAD)], "Programme lead (council)"),
    ("trust_lead", "Tom", "Hargreaves", "ahp.lead@trust.dalesford.example", "physiotherapy", "AHP Lead", "Band 8a",
     [("trust", None, Role.PROGRAMME_LEAD)], "Programme lead (trust)"),
    ("mentor_ot", "Maya", "Okafor", "maya.okafor@council.dalesford.example", "occupational-therapy",
     "Senior Occupational Therapist", "Range 6", [("council", "council-ot", Role.MENTOR)], "Mentor (council OT)"),
    ("mentor_sw", "Sam", "Whitfield", "sam.whitfield@council.dalesford.example", "social-work",
     "Senior Social Worker", "Range 7", [("council", "council-north", Role.MENTOR)], "Mentor (council social work)"),
    ("mentor_physio", "Hannah", "Price", "hannah.price@trust.dalesford.example", "physiotherapy",
     "Band 7 Physiotherapist", "Band 7", [("trust", "trust-community", Role.MENTOR)], "Mentor (trust physiotherapy)"),
    ("mentor_podiatry", "Ravi", "Kapoor", "ravi.kapoor@riverbend.example", "podiatry", "Lead Podiatrist", "Band 7",
     [("independent", "independent-home", Role.MENTOR)], "Cross-organisation mentor (podiatry)"),
    ("manager_ot", "Laura", "Bennett", "laura.bennett@council.dalesford.example", "occupational-therapy",
     "Team Manager, Occupational Therapy", "Range 8",
     [("council", "council-ot", Role.LINE_MANAGER), ("council", "council-ot", Role.MENTOR)],
     "Line manager (council OT)"),
    ("manager_sw", "Daniel", "Frost", "daniel.frost@council.dalesford.example", "social-work",
     "Team Manager, North Locality", "Range 8", [("council", "council-north", Role.LINE_MANAGER)],
     "Line manager (council social work)"),
    ("manager_trust", "Grace", "Ellison", "grace.ellison@trust.dalesford.example", "physiotherapy",
     "Therapy Team Lead", "Band 8a", [("trust", "trust-community", Role.LINE_MANAGER)], "Line manager (trust)"),
    ("head_of_service", "Owen", "Marsh", "owen.marsh@council.dalesford.example", "social-work",
     "Head of Service, Adult Social Care", "", [("council", "council-north", Role.HEAD_OF_SERVICE),
                                                ("council", "council-ot", Role.HEAD_OF_SERVICE)], "Head of Service"),
    ("director", "Fiona", "Castellano", "fiona.castellano@council.dalesford.example", "social-work",
     "Operational Director, Adult Social Care", "", [("council", None, Role.OPERATIONAL_DIRECTOR)],
     "Operational Director"),
    ("hr", "Nadia", "Brooks", "hr.advisor@council.dalesford.example", None, "HR Business Partner", "",
     [("council", None, Role.HR)], "HR"),
    ("data_protection", "Iris", "Fairbanks", "information.governance@council.dalesford.example", None,
     "Information Governance Manager", "", [("council", None, Role.DATA_PROTECTION)], "Data protection officer"),
    ("preceptee_ot_new", "Ellie", "Turner", "ellie.turner@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, month 1)"),
    ("preceptee_ot_mid", "Jordan", "Hayes", "jordan.hayes@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, month 8, overdue review)"),
    ("preceptee_ot_late", "Chloe", "Adams", "chloe.adams@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, month 17)"),
    ("preceptee_ot_done", "Ben", "Carter", "ben.carter@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 2", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, completed)"),
    ("preceptee_ot_paused", "Aisha", "Rahman", "aisha.rahman@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, paused on leave)"),
    ("preceptee_ot_withdrawn", "Luke", "Morgan", "luke.morgan@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Preceptee (OT, withdrawn)"),
    ("preceptee_physio", "Zara", "Mitchell", "zara.mitchell@trust.dalesford.example", "physiotherapy",
     "Physiotherapist", "Band 5", [("trust", "trust-community", Role.PRACTITIONER)],
     "Preceptee (multi-professional, physiotherapy)"),
    ("preceptee_podiatry", "Oliver", "Grant", "oliver.grant@trust.dalesford.example", "podiatry",
     "Podiatrist", "Band 5", [("trust", "trust-community", Role.PRACTITIONER)],
     "Preceptee (podiatry, mentored from another organisation)"),
    ("practitioner_sw", "Rosa", "Delgado", "rosa.delgado@council.dalesford.example", "social-work",
     "Social Worker", "Range 6", [("council", "council-north", Role.PRACTITIONER)],
     "Practitioner (social work, progression case)"),
    ("practitioner_ot", "Isaac", "Newman", "isaac.newman@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Range 6", [("council", "council-ot", Role.PRACTITIONER)],
     "Practitioner (OT, progression case)"),
    # Not enrolled yet: the "offer preceptorship" list (bench/demo/offer.py sets how they are found).
    ("offer_ot_newly", "Nia", "Pemberton", "nia.pemberton@council.dalesford.example", "occupational-therapy",
     "Occupational Therapist", "Level 1", [("council", "council-ot", Role.PRACTITIONER)],
     "Practitioner (OT, newly registered, to be offered preceptorship)"),
    ("offer_physio_international", "Tomasz", "Quillfeather", "tomasz.quillfeather@trust.dalesford.example",
     "physiotherapy", "Physiotherapist", "Band 5", [("trust", "trust-community", Role.PRACTITIONER)],
     "Practitioner (physiotherapy, recruited abroad, to be offered preceptorship)"),
]


@transaction.atomic
def build(*, password: str, today: datetime.date) -> Directory:
    ics, _ = IntegratedCareSystem.objects.get_or_create(
        slug="dalesford-ics", defaults={"name": "Dalesford and Moorside Integrated Care System"}
    )
    directory = Directory(ics=ics)
    for key, name, kind in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            slug=f"demo-{key}", defaults={"name": name, "kind": kind, "ics": ics}
        )
        directory.organisations[key] = organisation
    for key, org_key, name in TEAMS:
        team, _ = Team.objects.get_or_create(organisation=directory.organisations[org_key], name=name)
        directory.teams[key] = team
    professions = {p.slug: p for p in Profession.objects.all()}
    for key, first, last, email, profession, title, band, roles, description in PEOPLE:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name = first, last
        user.profession = professions.get(profession) if profession else None
        user.job_title, user.band = title, band
        if profession:
            user.regulator = User.Regulator.SWE if profession == "social-work" else User.Regulator.HCPC
            prefix = "SW" if profession == "social-work" else "HC"
            number = zlib.crc32(email.encode()) % 900000 + 100000
            user.registration_number = user.registration_number or f"{prefix}{number}"
        user.is_staff = user.is_superuser = key == "admin"
        user.set_password(password)
        user.save()
        for org_key, team_key, role in roles:
            Membership.objects.get_or_create(
                user=user,
                organisation=directory.organisations[org_key],
                role=role,
                team=directory.teams[team_key] if team_key else None,
            )
        directory.users[key] = user
        directory.logins.append((description, email, key))
    _set_career_dates(directory, today)
    return directory


def _set_career_dates(directory: Directory, today: datetime.date) -> None:
    """Registration and start-in-post dates that make the eligibility panel meaningful."""
    years = {"practitioner_sw": 4, "practitioner_ot": 3, "preceptee_ot_done": 2}
    for key, user in directory.users.items():
        if user.profession_id is None:
            continue
        span = years.get(key, 1 if key.startswith("preceptee") else 8)
        user.first_registered_on = today.replace(year=today.year - span, day=1)
        user.started_in_post_on = user.first_registered_on
        user.save(update_fields=["first_registered_on", "started_in_post_on"])
