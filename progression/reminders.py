"""Nudges along the sign-off chain: a progression case still waiting at a step after 10 working days.

When a case reaches a step the service tells the people who can take it (see
``progression.services``). If it is still at that step 10 working days later (weekends and
the bank holidays of the organisation's nation do not count), they are reminded, and again every 10 working
days while it waits. The day a case reached its step is its London date, so a step taken just
after midnight in summer time counts from that day.

| stage | who can take the next step |
|---|---|
| draft, opened by the practitioner, no line manager yet | line managers of the team (or the whole organisation) |
| with the Head of Service | the case's Head of Service, and whoever they delegated to that day |
| with the Operational Director | Operational Directors of the organisation |
| signed off | HR of the organisation |
| HR process recorded | the line manager (tells the worker) |
| worker told | the line manager and HR (the confirmation letter) |

A draft with a line manager is being built, and a confirmed or declined case is finished: no
nudges. Set-based: one query for the waiting cases, one for the people holding the roles and one for
the delegations in force.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.reminders import Reminder, register_source, url_maker
from preceptorship.workdays import SUBDIVISIONS, add_working_days, latest_start_for, working_days_between
from progression.models import Delegation, ProgressionCase

Role = Membership.Role
Stage = ProgressionCase.Stage

KIND = "progression_case_waiting"
WAIT_WORKING_DAYS = 10

# Roles in the organisation that can take the next step, besides the people named on the case.
ORGANISATION_ROLES = {
    Stage.RECOMMENDED: (Role.OPERATIONAL_DIRECTOR,),
    Stage.SIGNED_OFF: (Role.HR,),
    Stage.WORKER_TOLD: (Role.HR,),
}
NEXT_STEP = {
    Stage.DRAFT: "take up the case as its line manager",
    Stage.SUBMITTED: "recommend the case to the Operational Director, or return it",
    Stage.RECOMMENDED: "sign off, return or decline the case",
    Stage.SIGNED_OFF: "record the HR and payroll process",
    Stage.HR_RECORDED: "tell the worker and record that they were told",
    Stage.WORKER_TOLD: "produce the confirmation letter",
}


def _waiting_cases(today: datetime.date) -> list[dict[str, Any]]:
    """Query 1: cases at a step someone must take, there for at least 10 working days.

    The filter on the database is exact for the most lenient of the nations' calendars (the latest
    day a case may have reached its step and waited 10 working days in any of them); each case is
    then measured against its own organisation's calendar."""
    latest_reached = max(latest_start_for(today, WAIT_WORKING_DAYS, nation) for nation in SUBDIVISIONS)
    reached_before = timezone.make_aware(
        datetime.datetime.combine(latest_reached + datetime.timedelta(days=1), datetime.time.min)
    )
    waiting = Q(stage__in=[Stage.SUBMITTED, Stage.RECOMMENDED, Stage.SIGNED_OFF, Stage.HR_RECORDED,
                           Stage.WORKER_TOLD]) | Q(stage=Stage.DRAFT, line_manager__isnull=True)
    return list(
        ProgressionCase.objects.filter(waiting, stage_changed_at__lt=reached_before).values(
            "pk", "stage", "stage_changed_at", "revision", "organisation_id", "organisation__nation", "team_id",
            "practitioner_id", "line_manager_id", "head_of_service_id", "target_role", "practitioner__first_name",
            "practitioner__last_name", "practitioner__email",
        )
    )


def _role_holders(organisation_ids: set[int]) -> dict[tuple[int, str], list[tuple[int, int | None]]]:
    """Query 2: (organisation, role) -> [(user, team)] for the roles that act on waiting cases."""
    holders: dict[tuple[int, str], list[tuple[int, int | None]]] = defaultdict(list)
    if organisation_ids:
        rows = Membership.objects.filter(
            organisation_id__in=organisation_ids, user__is_active=True,
            role__in=[Role.LINE_MANAGER, Role.OPERATIONAL_DIRECTOR, Role.HR],
        ).order_by().values_list("organisation_id", "role", "user_id", "team_id")
        for organisation_id, role, user_id, team_id in rows:
            holders[organisation_id, role].append((user_id, team_id))
    return holders


def _delegates(today: datetime.date, organisation_ids: set[int]) -> dict[tuple[int, int], list[int]]:
    """Query 3 (only when cases wait): (organisation, Head of Service) -> the delegates deciding for them today."""
    delegates: dict[tuple[int, int], list[int]] = defaultdict(list)
    if organisation_ids:
        rows = Delegation.objects.filter(
            organisation_id__in=organisation_ids, withdrawn_at__isnull=True, starts_on__lte=today, ends_on__gte=today,
        ).order_by().values_list("organisation_id", "delegator_id", "delegate_id")
        for organisation_id, delegator_id, delegate_id in rows:
            delegates[organisation_id, delegator_id].append(delegate_id)
    return delegates


def _who_can_act(case: dict[str, Any], holders: dict, delegates: dict | None = None) -> list[int]:
    stage, organisation_id = case["stage"], case["organisation_id"]
    people: list[int] = []
    if stage == Stage.DRAFT:
        people = [user for user, team in holders.get((organisation_id, Role.LINE_MANAGER), [])
                  if case["team_id"] is None or team == case["team_id"]]
    elif stage == Stage.SUBMITTED:
        # The named Head of Service, and whoever decides for them today.
        people = [case["head_of_service_id"],
                  *(delegates or {}).get((organisation_id, case["head_of_service_id"]), [])]
    elif stage in (Stage.HR_RECORDED, Stage.WORKER_TOLD) and case["line_manager_id"]:
        people = [case["line_manager_id"]]
    for role in ORGANISATION_ROLES.get(stage, ()):
        people += [user for user, _ in holders.get((organisation_id, role), [])]
    return sorted({person for person in people if person and person != case["practitioner_id"]})


@register_source("progression")
def waiting_case_reminders(today: datetime.date) -> Iterator[Reminder]:
    cases = _waiting_cases(today)
    holders = _role_holders({case["organisation_id"] for case in cases})
    delegates = _delegates(today, {case["organisation_id"] for case in cases if case["stage"] == Stage.SUBMITTED})
    case_url = url_maker("progression:case-detail")
    for case in cases:
        reached = timezone.localtime(case["stage_changed_at"]).date()
        nation = case["organisation__nation"]
        waited = working_days_between(reached, today, nation)
        if waited < WAIT_WORKING_DAYS:
            continue
        # The latest nudge due: 10, 20, 30 ... working days after the case reached the step. A sweep
        # that did not run on that day (the beat was down) sends it on the next run, once: the
        # notification's key holds this date.
        due_on = add_working_days(reached, waited // WAIT_WORKING_DAYS * WAIT_WORKING_DAYS, nation)
        practitioner = (f"{case['practitioner__first_name']} {case['practitioner__last_name']}".strip()
                        or case["practitioner__email"])
        stage_label = Stage(case["stage"]).label
        subject = f"Still waiting: progression case for {practitioner} ({waited} working days)"
        body = (f"The progression case for {practitioner} ({case['target_role']}) has been at the step "
                f"\u201c{stage_label}\u201d since {reached:%A %-d %B %Y}: {waited} working days. "
                f"The next step is to {NEXT_STEP[case['stage']]}.")
        for recipient_id in _who_can_act(case, holders, delegates):
            yield Reminder(
                kind=KIND, about=f"progression.case:{case['pk']}:r{case['revision']}", recipient_id=recipient_id,
                due_on=due_on, subject=subject, url=case_url(case["pk"]), body=body, essential=True,
            )
