"""Programmes, enrolments and what changes an enrolment's dates: pauses, extensions, and the needs
assessment at the start.

Dates that depend on the schedule (next review due, completion due) are derived by
``programmes.schedule`` and kept on the enrolment by the services, so the reminder sweep can find
what is due with set-based queries.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import BaseModel, Organisation, Profession, Team
from programmes.schedule import add_months
from progression.models import Framework

# Preceptees meet their mentor within their first two weeks (the standards' "first meeting within N days").
FIRST_MEETING_DAYS = 14


class Transition(models.TextChoices):
    NEWLY_REGISTERED = "newly_registered", "Newly registered"
    RETURN_TO_PRACTICE = "return_to_practice", "Return to practice"
    INTERNATIONAL = "international", "International recruit"
    CHANGE_OF_SETTING = "change_of_setting", "Change of setting or sector"
    RETURN_FROM_LEAVE = "return_from_leave", "Return from long leave (for example maternity or carer's leave)"


class Programme(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes",
        help_text="Its programme lead sets the programme up and manages its enrolments.",
    )
    shared_with_ics = models.BooleanField(
        "open to the whole ICS", default=False,
        help_text="Preceptees from every organisation of the integrated care system can be enrolled.",
    )
    professions = models.ManyToManyField(
        Profession, related_name="+",
        help_text="One profession makes it uni-professional; several make it multi-professional.",
    )
    transitions = models.JSONField(
        "transitions it supports", default=list,
        help_text="Newly registered, return to practice, international recruits and so on.",
    )
    length_months = models.PositiveSmallIntegerField("length in months", default=18)
    review_interval_months = models.PositiveSmallIntegerField("review meetings every (months)", default=3)
    first_meeting_days = models.PositiveSmallIntegerField(
        "first review meeting within (days)", default=FIRST_MEETING_DAYS, null=True, blank=True,
        validators=[MinValueValidator(1, "Enter at least 1 day"), MaxValueValidator(92, "Enter 92 days or fewer")],
        help_text="The first meeting is planned this many days after the start; the next ones every review "
                  "interval after the last meeting held. Empty: the first meeting is one review interval in.",
    )
    entry_level = models.CharField(
        "entry level", max_length=50, blank=True, help_text='For example "Level 1" or "Band 5"'
    )
    exit_level = models.CharField("exit level", max_length=50, blank=True, help_text='For example "Level 2"')
    protected_hours_per_month = models.DecimalField(
        "protected time (hours per month)", max_digits=5, decimal_places=1, default=0,
        validators=[MinValueValidator(0)],
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="programmes",
        limit_choices_to={"status": "published"}, verbose_name="practice standards framework",
        help_text="Optional: goals and reflections can then link to its competencies.",
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        "mentor capacity", default=4, help_text="The most preceptees one mentor supports at a time."
    )
    protected_caseload_months = models.PositiveSmallIntegerField(
        "protected caseload for the first (months)", null=True, blank=True,
        validators=[MinValueValidator(1, "Enter at least 1 month"), MaxValueValidator(36, "Enter 36 months or fewer")],
    )
    protected_caseload_percent = models.PositiveSmallIntegerField(
        "protected caseload: at most (% of a full caseload)", null=True, blank=True,
        validators=[MinValueValidator(1, "Enter a share from 1 to 100"),
                    MaxValueValidator(100, "Enter a share from 1 to 100")],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(length_months__gte=1), name="programme_length_positive"),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1) & Q(review_interval_months__lte=models.F("length_months")),
                name="programme_interval_within_length",
            ),
            models.CheckConstraint(condition=Q(mentor_capacity__gte=1), name="programme_capacity_positive"),
            models.CheckConstraint(
                condition=Q(protected_caseload_months__isnull=True, protected_caseload_percent__isnull=True)
                | Q(protected_caseload_months__gte=1, protected_caseload_percent__gte=1,
                    protected_caseload_percent__lte=100),
                name="programme_protected_caseload_whole",
            ),
            models.CheckConstraint(
                condition=Q(first_meeting_days__isnull=True) | Q(first_meeting_days__gte=1),
                name="programme_first_meeting_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme-detail", args=[self.pk])

    def caseload_limit(self, start: datetime.date, on: datetime.date) -> int | None:
        """The most of a full caseload (in %) a preceptee who started on ``start`` should carry on ``on``:
        the protected share in their first months, None after them or when the programme sets none."""
        if not self.protected_caseload_percent or not self.protected_caseload_months:
            return None
        return self.protected_caseload_percent if on < add_months(start, self.protected_caseload_months) else None

    def transition_labels(self) -> list[str]:
        labels = dict(Transition.choices)
        return [labels.get(value, value) for value in self.transitions]


class Enrolment(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class WithdrawalReason(models.TextChoices):
        LEFT_ORGANISATION = "left_organisation", "Left the organisation"
        LEFT_PROFESSION = "left_profession", "Left the profession"
        MOVED_ROLE = "moved_role", "Moved role internally"
        OTHER = "other", "Other"

    CURRENT = (Status.ACTIVE, Status.PAUSED)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    preceptee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="The preceptee's employer."
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    start_date = models.DateField()
    transition = models.CharField("transition reason", max_length=30, choices=Transition.choices)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentored_enrolments"
    )
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_enrolments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Derived by the services from programmes.schedule; read by the reminder sweep.
    next_review_due = models.DateField(null=True, blank=True)
    completion_due = models.DateField()
    reviews_held = models.PositiveSmallIntegerField(default=0)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=30, choices=WithdrawalReason.choices, blank=True)
    withdrawal_detail = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, help_text='For example "Progressed to Level 2"')
    pay_step_on = models.DateField("pay step takes effect on", null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "preceptee"],
                condition=Q(status__in=["active", "paused"]),
                name="enrolment_one_current_per_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (Q(withdrawn_on__isnull=False) & ~Q(withdrawal_reason="")),
                name="enrolment_withdrawal_has_date_and_reason",
            ),
        ]
        indexes = [
            # The reminder sweep: active enrolments whose next review or completion is due.
            models.Index(fields=["status", "next_review_due"], name="enrolment_next_review"),
            models.Index(fields=["status", "completion_due"], name="enrolment_completion"),
            models.Index(fields=["mentor", "status"], name="enrolment_mentor_status"),
            models.Index(fields=["line_manager", "status"], name="enrolment_manager_status"),
        ]

    def __str__(self) -> str:
        return f"{self.preceptee} on {self.programme}"

    def get_absolute_url(self) -> str:
        return reverse("programmes:enrolment-detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT

    def review_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.next_review_due is not None and self.next_review_due < today


class Pause(BaseModel):
    class Reason(models.TextChoices):
        MATERNITY = "maternity", "Maternity, paternity or adoption leave"
        CARER = "carer", "Carer's leave"
        SICKNESS = "sickness", "Long-term sickness"
        OTHER_LEAVE = "other_leave", "Other long leave"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="pause_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.start_date} to {self.end_date}"


class Extension(BaseModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="extensions")
    months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24)])
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=Q(months__gte=1), name="extension_months_positive")]

    def __str__(self) -> str:
        return f"{self.months} months: {self.reason[:40]}"


class NeedsAssessment(BaseModel):
    """The preceptee's own starting point, discussed at review 1. May hold health information."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="needs_assessment")
    strengths = models.TextField(
        "your strengths", blank=True, help_text="What you bring: skills, experience, previous learning."
    )
    learning_needs = models.TextField("your learning needs", blank=True)
    support_wanted = models.TextField("support you would like", blank=True)
    reasonable_adjustments = models.TextField(
        "reasonable adjustments", blank=True,
        help_text=(
            "Anything that helps you work and learn at your best. "
            "Only you, your mentor and your line manager see this."
        ),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Needs assessment for {self.enrolment}"
