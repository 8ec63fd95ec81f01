"""Who sees and changes the preceptor's records.

Administrators use the admin screens; the pages are the leads' and the mentors' own.

- A register line (``Preceptor``, a mentor role in one organisation): the organisation's programme
  leads see and change it (``edit``: registration date, exception, allowance); the mentor sees
  their own line and records their own training (``edit_training``); for the mentor the lead's page
  is read-only (403). Everyone else is outside the scope (404).
- Time given: the mentor who gave it, alone (leads see the totals on the register).
- The mentor's wellbeing after a review meeting: the mentor of that review only. Whoever else sees
  the review (preceptee, line manager, lead) is refused the page (403); leads read aggregates of at
  least five on the preceptor feedback page.
- The preceptor evaluation: the mentor answers for an organisation where they hold the mentor role
  (``evaluate``, their own line only); leads see aggregates of at least five.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from preceptorship import access
from preceptorship.models import Membership, Organisation
from programmes.access import lead_organisation_ids
from programmes.models import ReviewMeeting
from programmes.preceptors.models import Preceptor, TimeGiven

Role = Membership.Role
LEADS_ONLY = "This page is for the organisation's programme leads."
MENTORS_ONLY = "This page is for mentors."
MENTOR_OF_THE_REVIEW_ONLY = "Only the mentor of this review meeting records their own wellbeing after it."


def may_keep_register(user: Any) -> bool:
    return bool(lead_organisation_ids(user))


def is_mentor(user: Any) -> bool:
    return access.has_role(user, Role.MENTOR)


@access.register(Preceptor)
class PreceptorPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(Q(organisation_id__in=lead_organisation_ids(user)) | Q(user_id=user.pk))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        lead = obj.organisation_id in lead_organisation_ids(user)
        own = obj.user_id == user.pk
        match action:
            case "edit":
                return lead
            case "edit_training":
                return lead or own
            case "evaluate":
                return own
        return False

    def sees(self, user: Any, obj: Any) -> bool:
        return obj.user_id == user.pk or obj.organisation_id in lead_organisation_ids(user)


@access.register(TimeGiven)
class TimeGivenPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(mentor_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "delete" and obj.mentor_id == user.pk


def mentor_review(user: Any, pk: int) -> ReviewMeeting:
    """A review meeting the user mentored: 404 outside the review's own scope, 403 for those who
    may read the review but were not its mentor."""
    review = access.get_for_user(
        user, ReviewMeeting.objects.select_related("enrolment", "enrolment__preceptee", "enrolment__programme"), pk=pk
    )
    access.refuse_unless(review.enrolment.mentor_id == user.pk, MENTOR_OF_THE_REVIEW_ONLY)
    return review


def led_organisation(user: Any, pk: int) -> Organisation:
    """An organisation the user sees (404 otherwise) and leads (403 otherwise)."""
    organisation = access.get_for_user(user, Organisation, pk=pk)
    access.refuse_unless(organisation.pk in lead_organisation_ids(user), LEADS_ONLY)
    return organisation


def register_organisations(user: Any) -> models.QuerySet[Organisation]:
    """The organisations whose register the user keeps."""
    return Organisation.objects.filter(pk__in=lead_organisation_ids(user)).order_by("name")
