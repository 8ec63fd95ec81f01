"""Preceptorship programmes and each preceptee's journey through one.

Dates that depend on the schedule (next review due, completion due) are derived by
``programmes.schedule`` and kept on the enrolment by the services, so the reminder sweep can find
what is due with set-based queries.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import BaseModel, Organisation, Profession, Team, private_storage
from progression.models import Competency, Evidence, Framework

SCORE = [MinValueValidator(1, "Choose a score from 1 to 5"), MaxValueValidator(5, "Choose a score from 1 to 5")]
CORRECTION_DAYS = 7


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
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme-detail", args=[self.pk])

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


class ReviewMeeting(BaseModel):
    class Status(models.TextChoices):
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed"

    class ProtectedTime(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reviews")
    number = models.PositiveSmallIntegerField(help_text="Which scheduled review this is (1 at the first interval).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    due_on = models.DateField(null=True, blank=True)
    held_on = models.DateField("date held", null=True, blank=True)
    attended_preceptee = models.BooleanField("preceptee", default=True)
    attended_mentor = models.BooleanField("mentor", default=True)
    attended_line_manager = models.BooleanField("line manager", default=False)
    attended_others = models.CharField("others who attended", max_length=300, blank=True)
    discussion = models.TextField(blank=True)
    wellbeing = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    protected_time_received = models.CharField(max_length=10, choices=ProtectedTime.choices, blank=True)
    next_meeting_on = models.DateField("next meeting", null=True, blank=True)
    reason = models.TextField("reason", blank=True, help_text="Why the meeting was cancelled or missed.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    preceptee_comment = models.TextField("your comment", blank=True)

    class Meta:
        ordering = ["enrolment", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "number"], condition=Q(status="held"), name="review_one_held_per_number"
            ),
            models.CheckConstraint(
                condition=Q(wellbeing__isnull=True) | Q(wellbeing__gte=1, wellbeing__lte=5), name="review_wellbeing_1_5"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False), name="review_held_has_date"
            ),
        ]
        indexes = [
            # The preceptee's "review records to acknowledge".
            models.Index(fields=["enrolment", "acknowledged_at"], name="review_acknowledgement"),
        ]

    def __str__(self) -> str:
        return f"Review {self.number} ({self.get_status_display().lower()}) for {self.enrolment}"

    def get_absolute_url(self) -> str:
        return reverse("programmes:review-detail", args=[self.pk])

    @property
    def locked_after(self) -> datetime.datetime:
        return self.recorded_at + datetime.timedelta(days=CORRECTION_DAYS)

    def is_locked(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.locked_after


class ReviewAction(BaseModel):
    class Owner(models.TextChoices):
        PRECEPTEE = "preceptee", "Preceptee"
        MENTOR = "mentor", "Mentor"
        LINE_MANAGER = "line_manager", "Line manager"
        OTHER = "other", "Someone else"

    review = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("action", max_length=300)
    owner = models.CharField(max_length=20, choices=Owner.choices)
    due_on = models.DateField("due by", null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class ReviewAddendum(BaseModel):
    """A correction added once the record is locked; the original stays as it was."""

    review = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("addendum")

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "review addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.review}"


class Goal(BaseModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        CHANGED = "changed", "Changed"
        DROPPED = "dropped", "Dropped"

    NEEDS_REASON = (Status.CHANGED, Status.DROPPED)

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="goals")
    what = models.CharField("what you want to achieve", max_length=300)
    measure = models.TextField("how you will know you have achieved it")
    achievable = models.TextField(
        "what will help you achieve it", blank=True,
        help_text="The support, time, learning or resources you need, so the goal is achievable.",
    )
    relevant = models.TextField(
        "why it matters to your practice", blank=True,
        help_text="How it links to your role, your learning needs or the practice standards.",
    )
    target_date = models.DateField("target date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    status_reason = models.TextField("why it changed or was dropped", blank=True)
    achieved_on = models.DateField(null=True, blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="preceptorship_goals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["target_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(measure=""), name="goal_has_measure"),
            models.CheckConstraint(
                condition=~Q(status__in=["changed", "dropped"]) | ~Q(status_reason=""), name="goal_change_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def get_absolute_url(self) -> str:
        return reverse("programmes:goal-detail", args=[self.pk])


class GoalUpdate(BaseModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField("date")
    note = models.TextField("progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    review = models.ForeignKey(
        ReviewMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="goal_updates",
        help_text="Set when the progress was recorded at a review meeting.",
    )

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.note[:40]}"


# Each reflective model's prompts, shown as separate fields: (key, label, hint).
REFLECTIVE_MODELS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "gibbs": ("Gibbs' reflective cycle", [
        ("description", "Description", "What happened?"),
        ("feelings", "Feelings", "What were you thinking and feeling?"),
        ("evaluation", "Evaluation", "What was good and bad about the experience?"),
        ("analysis", "Analysis", "What sense can you make of the situation?"),
        ("conclusion", "Conclusion", "What else could you have done?"),
        ("action_plan", "Action plan", "If it arose again, what would you do?"),
    ]),
    "driscoll": ("Driscoll's model (What? So what? Now what?)", [
        ("what", "What?", "Describe the event or situation."),
        ("so_what", "So what?", "What did you learn? Why does it matter?"),
        ("now_what", "Now what?", "What will you do differently, and what do you need to do it?"),
    ]),
    "kolb": ("Kolb's learning cycle", [
        ("experience", "Concrete experience", "What happened?"),
        ("observation", "Reflective observation", "Looking back, what do you notice?"),
        ("conceptualisation", "Abstract conceptualisation",
         "What have you learned, and how does it fit what you know?"),
        ("experimentation", "Active experimentation", "What will you try next time?"),
    ]),
    "free": ("Free text", [
        ("text", "Your reflection", "Write in whatever way works for you."),
    ]),
}


class Reflection(BaseModel):
    """Private to its author until they share it."""

    class Model(models.TextChoices):
        GIBBS = "gibbs", "Gibbs' reflective cycle"
        DRISCOLL = "driscoll", "Driscoll (What? So what? Now what?)"
        KOLB = "kolb", "Kolb's learning cycle"
        FREE = "free", "Free text"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINISHED = "finished", "Finished"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    title = models.CharField(max_length=200)
    model = models.CharField("reflective model", max_length=10, choices=Model.choices, default=Model.GIBBS)
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    shared_with_mentor = models.BooleanField(default=False)
    shared_with_line_manager = models.BooleanField(default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="reflections")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="preceptorship_reflections")

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="finished") | (Q(shared_with_mentor=False) & Q(shared_with_line_manager=False)),
                name="reflection_drafts_are_never_shared",
            ),
        ]
        indexes = [
            # The mentor's "shared reflections awaiting feedback".
            models.Index(fields=["enrolment", "shared_with_mentor"], name="reflection_shared"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programmes:reflection-detail", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        return self.shared_with_mentor or self.shared_with_line_manager

    def prompts(self) -> list[tuple[str, str, str, str]]:
        """(key, label, hint, answer) for the chosen model."""
        _, prompts = REFLECTIVE_MODELS[self.model]
        return [(key, label, hint, (self.answers or {}).get(key, "")) for key, label, hint in prompts]


class ReflectionFeedback(BaseModel):
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("feedback")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Feedback on {self.reflection}"


class ProtectedTime(BaseModel):
    class Activity(models.TextChoices):
        SUPERVISION = "supervision", "Supervision"
        STUDY = "study", "Study"
        SHADOWING = "shadowing", "Shadowing"
        REFLECTION = "reflection", "Reflection"
        COURSE = "course", "Course or training"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="protected_time")
    on = models.DateField("date")
    hours = models.DecimalField(
        max_digits=4, decimal_places=1,
        validators=[
            MinValueValidator(0.5, "Enter at least half an hour"), MaxValueValidator(24, "Enter 24 hours or fewer")
        ],
    )
    activity = models.CharField(max_length=20, choices=Activity.choices)
    note = models.CharField("what you did", max_length=300, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "protected time"
        verbose_name_plural = "protected time"
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="protected_time_hours_in_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.hours}h {self.get_activity_display()} on {self.on}"


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

    class Meta:
        ordering = ["role"]
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


class EvidenceLink(BaseModel):
    """A progression case's evidence that points at a reflection or a review meeting record.

    Owned here because ``progression`` must not depend on ``programmes``."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="preceptorship_links")
    reflection = models.ForeignKey(Reflection, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(ReviewMeeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reflection__isnull=False, review__isnull=True)
                | Q(reflection__isnull=True, review__isnull=False),
                name="evidence_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} -> {self.reflection or self.review}"


def export_upload_to(instance: models.Model, filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class ExportJob(BaseModel):
    """A large export built in the background; its owner downloads the file when it is ready."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=50, help_text="Which table or list is exported.")
    format = models.CharField(max_length=10, choices=Format.choices)
    parameters = models.JSONField(default=dict, blank=True, help_text="The filters applied.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to=export_upload_to, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table}.{self.format} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done_rows / self.total_rows)) if self.total_rows else 0


# The dashboards' figures, rebuilt from the records above by ``programmes.summary.rebuild`` (every
# few minutes, see docs/architecture.md, "Dashboard figures"). Each table holds sums by the fields
# the dashboards group and filter by: at the finest grain (``detail``, for a filtered dashboard) and
# by employer and programme organisation only (not ``detail``, for the unfiltered dashboards and
# the home page), so the common pages add up a few hundred rows whatever the number of records.


class SummaryBuild(models.Model):
    """When the dashboards' figures were last rebuilt: the time the pages give them "as of"."""

    built_at = models.DateTimeField()
    built_for = models.DateField(help_text="The day figures such as overdue reviews were counted on.")

    def __str__(self) -> str:
        return f"Dashboard figures as of {self.built_at:%Y-%m-%d %H:%M}"


class SummaryRow(models.Model):
    """The fields every summary table is grouped by: whose records, and the dashboards' filters."""

    detail = models.BooleanField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                     help_text="The preceptees' employer.")
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                 help_text="The organisation whose programme it is.")
    programme = models.ForeignKey(Programme, null=True, on_delete=models.CASCADE, related_name="+")
    profession = models.ForeignKey(Profession, null=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    transition = models.CharField(max_length=30, blank=True)
    withdrawal_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        abstract = True
        # A lead's dashboard reads the rows of their programmes' organisations, an ICS's of its employers.
        indexes = [models.Index(fields=["detail", "provider"], name="%(class)s_provider"),
                   models.Index(fields=["detail", "organisation"], name="%(class)s_organisation")]


class MonthFigures(SummaryRow):
    """Per month: starts, endings (completion or withdrawal), protected time and evaluations.
    Active enrolments at a month's end are the starts up to it less the endings up to it."""

    month = models.DateField()
    starts = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    ended = models.IntegerField(default=0, help_text="Completed or withdrawn in the month.")
    withdrawn_first_year = models.IntegerField(default=0)
    hours_started = models.DecimalField(max_digits=12, decimal_places=1, default=0,
                                        help_text="Protected hours a month of the enrolments that started.")
    hours_ended = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    protected_hours = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    evaluations = models.IntegerField(default=0)
    support_total = models.IntegerField(default=0)
    confidence_total = models.IntegerField(default=0)
    protected_time_total = models.IntegerField(default=0)
    would_recommend = models.IntegerField(default=0)


    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.provider_id} {self.month:%Y-%m}"


class EventFigures(SummaryRow):
    """Held review meetings (by review number) and extensions per month. ``previous`` is the month
    of the same enrolment's event before (none, or three years or more before): an enrolment is
    counted once in a period, in the first month of it where it has one, that is where ``previous``
    is before the period."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review meeting held"
        EXTENSION = "extension", "Extension agreed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    month = models.DateField()
    number = models.PositiveSmallIntegerField(null=True)
    previous = models.DateField(null=True)
    events = models.IntegerField(default=0, help_text="Reviews with a due date, or extensions.")
    on_time = models.IntegerField(default=0)
    wellbeing_total = models.IntegerField(default=0)
    wellbeing_answers = models.IntegerField(default=0)
    confidence_total = models.IntegerField(default=0)
    confidence_answers = models.IntegerField(default=0)


    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"


class CompletionLengths(SummaryRow):
    """How many completions in the month took ``days`` from start: the median months to complete."""

    month = models.DateField()
    days = models.IntegerField()
    completions = models.IntegerField()


    def __str__(self) -> str:
        return f"{self.completions} in {self.month:%Y-%m} after {self.days} days"


class CurrentFigures(SummaryRow):
    """Enrolments current (active or paused), current on a programme of several professions, and
    active with a review overdue, on the day of the build."""

    active = models.IntegerField(default=0)
    multi_professional = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.active} current"
