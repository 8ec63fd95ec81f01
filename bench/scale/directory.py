"""The scale ICS's people: one person made up at a time, and each organisation's directory."""

from __future__ import annotations

from bench.scale.common import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    LAST_NAMES,
    LINE_MANAGERS_PER_TEAM,
    TEAMS_PER_ORGANISATION,
    BuildState,
    People,
    days,
    split_round_robin,
)
from preceptorship.models import Membership, Organisation, User

Role = Membership.Role


class DirectoryBuilder(BuildState):
    """Each organisation's people in every role, with their memberships."""

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
