"""Offering preceptorship to everyone who should have it: the facts the staff record cannot tell
(a person is returning to practice, internationally recruited or changing sector), recorded by a
programme lead or line manager, and a person's recorded decision to decline.

Who should be offered is worked out by ``programmes.offer`` from the staff record (first
registration, start in post, profession) and these records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from preceptorship.models import Membership, Organisation
from programmes.models.enrolments import Transition


class OfferPerson(Membership):
    """A practitioner's place in an organisation, seen from the preceptorship offer: the row the
    offer list shows and its access policy is registered on (the core's ``Membership`` has none)."""

    class Meta:
        proxy = True
        verbose_name = "person to offer preceptorship"


class TransitionMark(models.Model):
    """A lead or line manager's record that a person is at a transition the staff record cannot show."""

    MARKABLE = (Transition.RETURN_TO_PRACTICE, Transition.INTERNATIONAL, Transition.CHANGE_OF_SETTING)

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    transition = models.CharField(
        max_length=30, choices=[(value, value.label) for value in MARKABLE],
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation", "transition"],
                                    name="transition_mark_once_per_person"),
            models.CheckConstraint(
                condition=Q(transition__in=["return_to_practice", "international", "change_of_setting"]),
                name="transition_mark_markable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_transition_display()}"


class OfferDecline(models.Model):
    """A person declined the preceptorship offered by an organisation, and why. Undone rather than
    deleted, so the record keeps both."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    declined_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], condition=Q(undone_at__isnull=True),
                                    name="offer_decline_one_standing"),
            models.CheckConstraint(condition=~Q(reason=""), name="offer_decline_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.person} declined preceptorship on {self.declined_on}"

    @property
    def standing(self) -> bool:
        return self.undone_at is None
