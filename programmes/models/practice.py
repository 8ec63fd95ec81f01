"""The practice side of an enrolment: review meetings and their actions, goals, reflections and
feedback, protected time, and the records linked to progression evidence.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import BaseModel
from programmes.models.enrolments import Enrolment
from progression.models import Competency, Evidence

SCORE = [MinValueValidator(1, "Choose a score from 1 to 5"), MaxValueValidator(5, "Choose a score from 1 to 5")]
CORRECTION_DAYS = 7



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
    caseload_percent = models.PositiveSmallIntegerField(
        "caseload (% of a full caseload)", null=True, blank=True,
        validators=[MaxValueValidator(200, "Enter a share from 0 to 200")],
    )
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

    @property
    def caseload_limit(self) -> int | None:
        """The protected caseload (in %) on the day the meeting was held, if the programme sets one then."""
        if self.held_on is None:
            return None
        return self.enrolment.programme.caseload_limit(self.enrolment.start_date, self.held_on)

    @property
    def caseload_exceeded(self) -> bool:
        limit = self.caseload_limit
        return limit is not None and self.caseload_percent is not None and self.caseload_percent > limit


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


class ReviewDraft(BaseModel):
    """A review meeting record being written: what the mentor typed, kept as posted (nothing is checked)
    until it is recorded or discarded. One per enrolment, for its next meeting; the preceptee never sees it."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="review_draft")
    number = models.PositiveSmallIntegerField(help_text="The review meeting the draft is for.")
    answers = models.JSONField(default=dict, blank=True, help_text="Each form field's typed values, as posted.")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Draft record of review {self.number} for {self.enrolment}"


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

    def is_overdue(self, today: datetime.date) -> bool:
        """Still open (not started or in progress) after its target date."""
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS) and self.target_date < today


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
