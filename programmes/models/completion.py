"""Completion: the two confirmations and the preceptee's evaluation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from preceptorship.models import BaseModel
from programmes.models.enrolments import Enrolment
from programmes.models.practice import SCORE


class CompletionConfirmation(BaseModel):
    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        LINE_MANAGER = "line_manager", "Line manager"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="confirmations")
    role = models.CharField(max_length=20, choices=Role.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed = models.BooleanField()
    reason = models.TextField("why not yet", blank=True)
    proposed_extension_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # Why completion is confirmed before the completion date, or with reviews not held or goals
    # still open: the service asks for it then, and the enrolment's history shows it.
    early_reason = models.TextField("why confirm now", blank=True)

    class Meta:
        ordering = ["updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "role"], name="completion_one_confirmation_per_role"),
            models.CheckConstraint(condition=Q(confirmed=True) | ~Q(reason=""), name="completion_refusal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {'confirmed' if self.confirmed else 'not yet'}"


class Evaluation(BaseModel):
    """The preceptee's view of the programme; reported only in aggregates of at least five."""

    class Recommend(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Not sure"
        NO = "no", "No"

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="evaluation")
    support_received = models.PositiveSmallIntegerField(
        "how well supported did you feel?", validators=SCORE, help_text="1 is not at all, 5 is very well supported."
    )
    confidence_now = models.PositiveSmallIntegerField(
        "how confident do you feel in your role now?", validators=SCORE,
        help_text="1 is not at all, 5 is very confident.",
    )
    protected_time = models.PositiveSmallIntegerField(
        "did you get the protected time you needed?", validators=SCORE, help_text="1 is never, 5 is always."
    )
    would_recommend = models.CharField(
        "would you recommend the programme to a colleague?", max_length=10, choices=Recommend.choices
    )
    comments = models.TextField("anything else you want to tell us", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(support_received__gte=1, support_received__lte=5)
                & Q(confidence_now__gte=1, confidence_now__lte=5)
                & Q(protected_time__gte=1, protected_time__lte=5),
                name="evaluation_scores_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.enrolment.programme}"
