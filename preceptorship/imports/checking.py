"""Checking a staff file's rows: the plan of who is created or updated, the teams added and every
row's errors. Checking writes nothing.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from preceptorship import access, services
from preceptorship.imports.reading import fold
from preceptorship.models import Membership, Organisation, Profession, Team, User

Role = Membership.Role
logger = logging.getLogger(__name__)


PROGRESS_EVERY = 500
ERRORS_SHOWN = 200
# A row about an account the importer may not change says only this: nothing about whose it is.
ADDRESS_REFUSED = "This address cannot be used in this import; ask an administrator"
OWN_ROW_REFUSED = "This is your own account: nobody can change their own roles or details in an import"
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y"]
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


# Checking.


@dataclass
class Plan:
    """What an import would do: new and changed people, new teams and roles, and every row's errors."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # {"row", "email", "changes": {field: [old, new]}}
    unchanged: int = 0
    teams: list[tuple[int, str]] = field(default_factory=list)  # (organisation id, name) to create
    roles: list[dict[str, Any]] = field(default_factory=list)  # memberships to create
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "email", "messages": [...]}
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    def preview(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "creates": len(self.creates),
            "updates": len(self.updates),
            "unchanged": self.unchanged,
            "new_roles": len(self.roles),
            "new_teams": sorted({name for _, name in self.teams}),
            "errors": self.errors[:ERRORS_SHOWN],
            "error_rows": len(self.errors),
            "create_sample": [{"row": c["row"], "email": c["email"], "name": f"{c['first_name']} {c['last_name']}"}
                              for c in self.creates[:ERRORS_SHOWN]],
            "update_sample": self.updates[:ERRORS_SHOWN],
        }


def _parse_date(text: str) -> datetime.date | None:
    for pattern, order in ((_UK_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            year, month, day = (int(parts[i]) for i in order)
            return datetime.date(year, month, day)  # ValueError for 31/02
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def allowed_organisations(user: Any) -> dict[str, Organisation]:
    """Organisations the user may import into, by folded name and slug."""
    if access.is_administrator(user):
        organisations = Organisation.objects.all()
    else:
        organisations = Organisation.objects.filter(pk__in=access.organisation_ids(user, Role.PROGRAMME_LEAD))
    found: dict[str, Organisation] = {}
    for organisation in organisations:
        found[fold(organisation.name)] = organisation
        found[fold(organisation.slug)] = organisation
    return found


_ROLE_NAMES = {fold(label): str(value) for value, label in Role.choices} | {
    fold(value): str(value) for value in Role.values
} | {
    # The words programmes use for the same roles.
    fold("preceptee"): str(Role.PRACTITIONER), fold("preceptor"): str(Role.MENTOR),
    fold("practice supervisor"): str(Role.MENTOR), fold("manager"): str(Role.LINE_MANAGER),
}
_ROLE_LABELS = {str(value): str(label) for value, label in Role.choices}


def _role_values(text: str, grantable: set[str]) -> tuple[list[str], list[str]]:
    labels = _ROLE_NAMES
    roles, problems = [], []
    for part in re.split(r"[;,|]", text or ""):
        if not part.strip():
            continue
        value = labels.get(fold(part))
        if value is None:
            problems.append(f"“{part.strip()}” is not a role (for example Practitioner, Mentor, Line manager)")
        elif value not in grantable:
            problems.append(f"You cannot give the role {_ROLE_LABELS[value]}: only an administrator can")
        elif value not in roles:
            roles.append(value)
    return roles or [Role.PRACTITIONER], problems


def check(user: Any, rows: list[dict[str, str]], *, progress: Any = None, by_employee_number: bool = False) -> Plan:
    """Check every row against the directory (a fixed number of queries) and plan the changes.

    ``by_employee_number``: a row whose employee number is known is that person's even under
    another e-mail address, whose address then changes (a staff record system that sends its
    records keeps the number when the address changes). A file's import matches by address alone."""
    plan = Plan(rows=len(rows))
    today = timezone.localdate()
    organisations = allowed_organisations(user)
    administrator = services.grants_every_role(user)
    grantable = {str(v) for v in (Role.values if administrator else services.LEAD_GRANTS)}
    professions: dict[str, Profession] = {}
    for profession in Profession.objects.all():
        professions[fold(profession.name)] = profession
        professions[fold(profession.slug)] = profession
    org_ids = {organisation.pk for organisation in organisations.values()}
    teams = {
        (team.organisation_id, fold(team.name)): team for team in Team.objects.filter(organisation_id__in=org_ids)
    }
    emails = [row.get("email", "").strip().lower() for row in rows]
    people = {user.email: user for user in User.objects.filter(email__in=[e for e in emails if e])}
    numbers = {row.get("employee_number", "").strip() for row in rows} - {""}
    numbered_people = {u.employee_number: u for u in User.objects.filter(employee_number__in=numbers)}
    numbered = {number: person.email for number, person in numbered_people.items()}
    seen_numbers: dict[str, int] = {}
    seen_people: dict[int, int] = {}
    memberships = {
        (m.user_id, m.organisation_id, m.role, m.team_id)
        for m in Membership.objects.filter(
            user_id__in={u.pk for u in people.values()} | {u.pk for u in numbered_people.values()})
    }
    employers: dict[int, set[int]] = {}
    for user_id, organisation_id, _role, _team in memberships:
        employers.setdefault(user_id, set()).add(organisation_id)
    seen: dict[str, int] = {}
    new_teams: dict[tuple[int, str], str] = {}
    for number, row in enumerate(rows, start=2):  # row 1 holds the headings
        if progress and (number - 1) % PROGRESS_EVERY == 0:
            progress(number - 1)
        messages: list[str] = []
        email = row.get("email", "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            messages.append("Enter a valid e-mail address" if email else "The e-mail address is missing")
        if email and email in seen:
            messages.append(f"The same e-mail address is on row {seen[email]}")
        seen.setdefault(email, number)
        employee_number = row.get("employee_number", "").strip()
        if employee_number:
            if len(employee_number) > 30:
                messages.append("The employee number must be 30 characters or fewer")
            elif employee_number in seen_numbers:
                messages.append(f"The same employee number is on row {seen_numbers[employee_number]}")
            elif numbered.get(employee_number, email) != email and not by_employee_number:
                messages.append("The employee number is already another person's")
            seen_numbers.setdefault(employee_number, number)
        for key, label in (("first_name", "first name"), ("last_name", "last name")):
            if not row.get(key):
                messages.append(f"The {label} is missing")
            elif len(row[key]) > 150:
                messages.append(f"The {label} must be 150 characters or fewer")
        organisation = organisations.get(fold(row.get("organisation")))
        if not row.get("organisation"):
            messages.append("The organisation is missing")
        elif organisation is None:
            messages.append(f"“{row['organisation']}” is not an organisation you can import staff into")
        profession = None
        if row.get("profession"):
            profession = professions.get(fold(row["profession"]))
            if profession is None:
                messages.append(f"“{row['profession']}” is not a profession we know")
        dates: dict[str, datetime.date | None] = {}
        for key, label in (("first_registered_on", "registration date"), ("started_in_post_on", "start date"),
                           ("left_on", "leaving date")):
            dates[key] = None
            if row.get(key):
                try:
                    dates[key] = _parse_date(row[key])
                except ValueError:
                    messages.append(f"The {label} “{row[key]}” is not a date (use 15/03/2025 or 2025-03-15)")
        if dates["left_on"] and dates["left_on"] > today:
            # Only a date that has passed: a planned leaving date would count as left before it happens.
            messages.append(f"The leaving date “{row['left_on']}” is in the future: give it once the person has left")
        elif dates["left_on"] and dates["started_in_post_on"] and dates["left_on"] < dates["started_in_post_on"]:
            messages.append("The leaving date is before the start date")
        for key, label, limit in (("job_title", "job title", 200), ("band", "band", 50),
                                  ("registration_number", "registration number", 50), ("team", "team", 200)):
            if len(row.get(key, "")) > limit:
                messages.append(f"The {label} must be {limit} characters or fewer")
        roles, role_problems = _role_values(row.get("roles", ""), grantable)
        messages += role_problems
        existing = people.get(email)
        renamed_from = None
        holder = numbered_people.get(employee_number) if by_employee_number and employee_number else None
        if holder is not None and holder.email != email and email:
            if existing is not None:
                messages.append("The e-mail address is already another person's")
            else:
                existing, renamed_from = holder, holder.email
        elif (by_employee_number and existing is not None and employee_number and existing.employee_number
              and existing.employee_number != employee_number):
            # A sender's numbers are its identity for a person: a new one on a known address is
            # another record (a second assignment, say), not a renumbering to follow silently.
            messages.append("The e-mail address belongs to a person with another employee number")
        if by_employee_number and existing is not None:
            if existing.pk in seen_people:
                messages.append(f"This person is already on row {seen_people[existing.pk]}")
            seen_people.setdefault(existing.pk, number)
        works_at = employers.get(existing.pk, set()) if existing else set()
        if (email and email == user.email) or (existing is not None and existing.pk == getattr(user, "pk", None)):
            messages.append(OWN_ROW_REFUSED)
        elif existing is not None and not administrator and (
                existing.is_superuser or existing.is_staff or not works_at & org_ids):
            # Administrators' and staff accounts, and accounts of no organisation the importer
            # leads, are never changed by a lead's import, and the preview tells nothing about them.
            messages.append(ADDRESS_REFUSED)
        elif organisation is not None:
            for role in roles:
                refusal = services.role_change_refusal(actor=user, user=existing, organisation_id=organisation.pk,
                                                       role=role, user_organisation_ids=works_at)
                if refusal and refusal not in messages:
                    messages.append(refusal)
        if messages:
            plan.errors.append({"row": number, "email": email, "messages": messages})
            continue
        team = None
        team_name = row.get("team", "").strip()
        if team_name:
            team = teams.get((organisation.pk, fold(team_name)))
            if team is None:
                new_teams.setdefault((organisation.pk, fold(team_name)), team_name)
        values = {
            "first_name": row["first_name"], "last_name": row["last_name"],
            "profession_id": profession.pk if profession else None,
            "job_title": row.get("job_title", ""), "band": row.get("band", ""),
            "registration_number": row.get("registration_number", ""), "employee_number": employee_number,
            **dates,
        }
        if existing is None:
            plan.creates.append({"row": number, "email": email, **values})
        else:
            changes = {
                name: [_jsonable(getattr(existing, name)), _jsonable(value)]
                for name, value in values.items()
                if (value not in ("", None) or name in ("first_name", "last_name")) and getattr(existing, name) != value
            }
            if renamed_from is not None:
                changes["email"] = [renamed_from, email]
            if changes:
                plan.updates.append({"row": number, "email": email, "changes": changes})
            else:
                plan.unchanged += 1
        user_id = existing.pk if existing else None
        for role in roles:
            key = (user_id, organisation.pk, role, team.pk if team else None)
            if user_id is None or key not in memberships:
                plan.roles.append({"email": email, "organisation_id": organisation.pk, "role": role,
                                   "team": (organisation.pk, fold(team_name)) if team_name else None})
    plan.teams = [(org_id, name) for (org_id, _), name in new_teams.items()]
    if progress:
        progress(len(rows))
    return plan


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value
