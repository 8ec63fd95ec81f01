"""The preceptor's side: the register an organisation keeps of its mentors (training, registration,
exceptions, time allowance), the time they give their preceptees, their own wellbeing after a
review meeting, and their evaluation of the programme.

A mentor is anyone holding the mentor role in an organisation (``preceptorship.Membership``);
``Preceptor`` is that role seen as a register entry, so its access policy is this app's own.
The registration date is the person's ``User.first_registered_on`` (the staff record's, which
the standards scorecard also reads), not a second copy.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from preceptorship.models import BaseModel, Membership, Organisation
from programmes.models import Enrolment, ReviewMeeting

SCORE = [MinValueValidator(1, "Choose a score from 1 to 5"), MaxValueValidator(5, "Choose a score from 1 to 5")]
HOURS_IN_A_YEAR = [
    MinValueValidator(0, "Enter 0 hours or more"), MaxValueValidator(2000, "Enter 2,000 hours or fewer"),
]
# How long before their first preceptee's start a mentor should have been registered (the AHP and
# nursing standards' "at least 12 months").
REGISTERED_MONTHS_BEFORE = 12


class MentorRoleManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(role=Membership.Role.MENTOR)


class Preceptor(Membership):
    """A mentor role in one organisation, as a line of that organisation's preceptor register."""

    objects = MentorRoleManager()

    class Meta:
        proxy = True
        verbose_name = "preceptor"

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class RegisterSettings(BaseModel):
    """An organisation's defaults for its preceptor register."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    allowance_hours = models.DecimalField(
        "time allowance per preceptor each year (hours)", max_digits=6, decimal_places=1, validators=HOURS_IN_A_YEAR,
        help_text="The hours a preceptor may give their preceptees each year (April to March), unless their own "
        "allowance is set.",
    )

    class Meta:
        verbose_name = "preceptor register settings"
        verbose_name_plural = "preceptor register settings"

    def __str__(self) -> str:
        return f"Preceptor register settings of {self.organisation}"


class PreceptorRecord(BaseModel):
    """One mentor's entry on one organisation's register: training and any exception to the
    registration rule, kept by the organisation's programme lead (the mentor records their own
    training)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preceptor_records")
    training_completed_on = models.DateField("date preceptor training completed", null=True, blank=True)
    training_course = models.CharField("course name", max_length=200, blank=True)
    training_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    has_exception = models.BooleanField("an exception to the registration rule is agreed", default=False)
    exception_reason = models.TextField("why the exception was agreed", blank=True)
    exception_agreed_by = models.CharField("who agreed it", max_length=200, blank=True)
    exception_agreed_on = models.DateField("date agreed", null=True, blank=True)
    allowance_hours = models.DecimalField(
        "their own time allowance each year (hours)", max_digits=6, decimal_places=1, null=True, blank=True,
        validators=HOURS_IN_A_YEAR,
        help_text="Leave empty to use the organisation's allowance.",
    )

    class Meta:
        ordering = ["organisation_id", "mentor_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "mentor"], name="preceptor_record_one_per_organisation"),
            models.CheckConstraint(
                condition=Q(has_exception=False)
                | (~Q(exception_reason="") & ~Q(exception_agreed_by="") & Q(exception_agreed_on__isnull=False)),
                name="preceptor_record_exception_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Register entry of {self.mentor}"


class TimeGiven(BaseModel):
    """Time a mentor gave one preceptee (supervision, meetings, feedback on reflections)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on = models.DateField("date")
    hours = models.DecimalField(
        max_digits=4, decimal_places=1,
        validators=[
            MinValueValidator(0.5, "Enter at least half an hour"), MaxValueValidator(24, "Enter 24 hours or fewer")
        ],
    )
    note = models.CharField("what it was for", max_length=300, blank=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "time given"
        verbose_name_plural = "time given"
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="time_given_hours_in_a_day"),
        ]
        indexes = [models.Index(fields=["mentor", "on"], name="time_given_mentor_on")]

    def __str__(self) -> str:
        return f"{self.hours}h on {self.on}"


class PreceptorWellbeing(BaseModel):
    """How the mentor themselves felt after a review meeting: theirs alone; leads see aggregates of
    at least five."""

    review = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(
        "how are you feeling after this meeting?", validators=SCORE,
        help_text="1 is struggling, 5 is very well.",
    )
    note = models.TextField("anything you want to note for yourself", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "mentor"], name="preceptor_wellbeing_one_per_review"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="preceptor_wellbeing_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"Wellbeing after review {self.review_id}"


class PreceptorEvaluation(BaseModel):
    """A mentor's view of preceptorship in one organisation, once a year (April to March);
    reported only in aggregates of at least five."""

    class Again(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Not sure"
        NO = "no", "No"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(help_text="The year (April to March) starting in this calendar year.")
    prepared = models.PositiveSmallIntegerField(
        "how well did your training prepare you to be a preceptor?", validators=SCORE,
        help_text="1 is not at all, 5 is very well.",
    )
    time_enough = models.PositiveSmallIntegerField(
        "did you have the time you needed for your preceptees?", validators=SCORE, help_text="1 is never, 5 is always."
    )
    supported = models.PositiveSmallIntegerField(
        "how well supported did you feel as a preceptor?", validators=SCORE,
        help_text="1 is not at all, 5 is very well supported.",
    )
    again = models.CharField("would you be a preceptor again?", max_length=10, choices=Again.choices)
    comments = models.TextField("anything else you want to tell us", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "mentor", "year"], name="preceptor_evaluation_once_a_year"),
            models.CheckConstraint(
                condition=Q(prepared__gte=1, prepared__lte=5) & Q(time_enough__gte=1, time_enough__lte=5)
                & Q(supported__gte=1, supported__lte=5),
                name="preceptor_evaluation_scores_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Preceptor evaluation {self.year}"
