"""Competency frameworks, progression cases, their evidence and the sign-off chain."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import BaseModel, Membership, Organisation, Profession, Team
from preceptorship.models import private_storage as core_private_storage


def private_storage() -> FileSystemStorage:
    """Evidence, letters and packs live outside the web root, read only by permission-checked views."""
    return core_private_storage()


def _random_name(folder: str, filename: str) -> str:
    # The stored name never comes from the user: no path tricks, no guessable names.
    suffix = Path(filename).suffix.lower()[:10]
    return f"progression/{folder}/{uuid.uuid4().hex}{suffix}"


def evidence_upload_to(instance: models.Model, filename: str) -> str:
    return _random_name("evidence", filename)


def letter_upload_to(instance: models.Model, filename: str) -> str:
    return _random_name("letters", filename)


def pack_upload_to(instance: models.Model, filename: str) -> str:
    return _random_name("packs", filename)


class Framework(BaseModel):
    """One version of a competency framework. Published versions are never edited in place."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Kind(models.TextChoices):
        COMPETENCY = "competency", "Competency framework"
        # Tracked by the worker themselves and verified by their manager (SkillsPassport); its level
        # (the band it is for) is ``to_level``.
        SKILLS_PASSPORT = "skills_passport", "Skills passport"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPETENCY)
    slug = models.SlugField(max_length=100, help_text="Shared by every version of the same framework.")
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=300, blank=True, help_text="Who published it.")
    professions = models.ManyToManyField(Profession, blank=True, related_name="frameworks")
    from_level = models.CharField(max_length=100, blank=True)
    to_level = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        help_text="Empty when the framework is shared by every organisation.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions"
    )
    evidence_per_competency = models.PositiveSmallIntegerField(
        "dated pieces of evidence each competency needs", default=1,
        help_text="How many dated pieces of evidence a competency needs before it can be marked reached or "
                  "exceeded.",
    )
    self_assessed = models.BooleanField(
        "the worker rates themselves", default=False,
        help_text="On cases using this version, the practitioner rates each competency before submission, and "
                  "every rating where they and their manager disagree is settled.",
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(evidence_per_competency__lte=20),
                                   name="framework_evidence_per_competency_max_20"),
            models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_slug_version"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(status="draft"), name="framework_one_draft_per_slug"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="framework_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("progression:framework-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Section(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    required_for_sign_off = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "title"], name="section_unique_title_per_framework"),
        ]

    def __str__(self) -> str:
        return self.title


class Competency(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(max_length=30)
    statement = models.TextField()
    guidance = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section__order", "order", "id"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="competency_unique_code_per_section"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.statement[:60]}"


class PostQualifyingAward(BaseModel):
    """A post-qualifying award on the practitioner's record (shown as eligibility, never a gate)."""

    class Kind(models.TextChoices):
        BIA = "bia", "Best Interest Assessor"
        AMHP = "amhp", "Approved Mental Health Professional"
        PRACTICE_EDUCATOR = "practice_educator", "Practice Educator"
        AUTISM = "autism", "Autism Specialist"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        HELD = "held", "Held"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_qualifying_awards")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    other_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.HELD)
    awarded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user", "kind"]

    def __str__(self) -> str:
        label = self.other_name if self.kind == self.Kind.OTHER and self.other_name else self.get_kind_display()
        return f"{label} ({self.get_status_display().lower()})"


class ProgressionCase(BaseModel):
    class Stage(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "With the Head of Service"
        RECOMMENDED = "recommended", "With the Operational Director"
        SIGNED_OFF = "signed_off", "Signed off: with HR"
        HR_RECORDED = "hr_recorded", "HR process recorded: worker to be told"
        WORKER_TOLD = "worker_told", "Worker told: letter to confirm"
        CONFIRMED = "confirmed", "Confirmed in writing"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Statement(models.TextChoices):
        AGREED = "agreed", "Agrees with the table"
        COMMENTED = "commented", "Has added comments"
        UNABLE = "unable", "Could not give a statement"

    # Stages after which nothing about the case's content may change.
    LOCKED_STAGES = (
        Stage.SIGNED_OFF, Stage.HR_RECORDED, Stage.WORKER_TOLD, Stage.CONFIRMED, Stage.DECLINED, Stage.WITHDRAWN,
    )
    OPEN_STAGES = (Stage.DRAFT,)

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progression_cases"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="progression_cases")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="progression_cases")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cases")
    target_role = models.CharField(max_length=200, help_text='For example "Advanced Practitioner, Range 7".')
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty while a case the practitioner opened waits for their manager to take it up.",
    )
    head_of_service = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(
        default=0, help_text="Goes up at every step, so a page loaded before the last step can be refused."
    )
    return_reasons = models.TextField(blank=True, help_text="The latest reasons the case was returned or declined.")
    returned_by_role = models.CharField(max_length=30, blank=True)
    hr_reference = models.CharField("HR/payroll reference", max_length=100, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    redeployed_to = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    told_verbally_on = models.DateField(null=True, blank=True)
    told_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    letter_file = models.FileField(storage=private_storage, upload_to=letter_upload_to, blank=True)
    letter_generated_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True, help_text="Why the line manager withdrew the case.")
    # The practitioner's statement on the table before submission (or why their manager could not get
    # one); cleared when the case is returned, since the table is then worked on again. The history
    # keeps every statement.
    statement = models.CharField(max_length=10, choices=Statement.choices, blank=True)
    statement_text = models.TextField(blank=True)
    statement_at = models.DateTimeField(null=True, blank=True)
    statement_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-stage_changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["draft", "submitted", "recommended", "signed_off", "hr_recorded",
                                       "worker_told", "confirmed", "declined", "withdrawn"]),
                name="progression_case_valid_stage",
            ),
            # One open case per practitioner and framework version; the service also refuses a
            # second open case on another version of the same framework.
            models.UniqueConstraint(
                fields=["practitioner", "framework"],
                condition=~Q(stage__in=["confirmed", "declined", "withdrawn"]),
                name="progression_case_one_open_per_framework",
                violation_error_message="This practitioner already has an open progression case on this framework.",
            ),
        ]
        indexes = [
            # "Waiting for me" lists: cases at one stage in one organisation.
            models.Index(fields=["organisation", "stage"], name="progression_case_org_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} — {self.target_role}"

    def get_absolute_url(self) -> str:
        return reverse("progression:case-detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.stage in self.LOCKED_STAGES

    @property
    def is_editable(self) -> bool:
        return self.stage == self.Stage.DRAFT


class CompetencyAssessment(models.Model):
    """Where one competency of one case stands."""

    class Status(models.TextChoices):
        NOT_YET = "not_yet", "Not yet"
        DEVELOPING = "developing", "Developing"
        REACHED = "reached", "Reached"
        EXCEEDED = "exceeded", "Exceeded"

    MET = (Status.REACHED, Status.EXCEEDED)

    case = models.ForeignKey(ProgressionCase, on_delete=models.CASCADE, related_name="assessments")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_YET)
    reached_on = models.DateField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)
    worker_comment = models.TextField(blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)
    # Pointed at by the latest return (Head of Service or Operational Director), until resubmitted.
    flagged_on_return = models.BooleanField(default=False)
    # On a self-assessed framework: the practitioner's own rating, on the manager's scale.
    self_status = models.CharField("the practitioner's rating", max_length=20, choices=Status.choices, blank=True)
    self_rated_at = models.DateTimeField(null=True, blank=True)
    # The latest settlement of a disagreement, for the pair of ratings it settled: a rating changed
    # by either side afterwards opens the disagreement again. The audit log keeps every settlement.
    settled_self_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    settled_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    settled_reason = models.TextField(blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "competency__section__order", "competency__order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "competency"], name="assessment_unique_per_case_competency"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code}: {self.get_status_display()}"

    @property
    def is_met(self) -> bool:
        return self.status in self.MET

    @property
    def was_disputed(self) -> bool:
        """The practitioner's rating and the manager's differ, or differed before a settlement."""
        return bool(self.self_status) and (self.self_status != self.status or self.is_settled)

    @property
    def is_settled(self) -> bool:
        """A settlement stands for the two ratings as they are now."""
        return bool(self.settled_at) and (self.settled_self_status, self.settled_status) == (
            self.self_status, self.status)

    @property
    def needs_settling(self) -> bool:
        return bool(self.self_status) and self.self_status != self.status and not self.is_settled


class CompetencyMark(models.Model):
    """Append-only history of the manager's marks, so who marked what and when is kept."""

    assessment = models.ForeignKey(CompetencyAssessment, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(max_length=20, choices=CompetencyAssessment.Status.choices)
    reached_on = models.DateField(null=True, blank=True)
    comment = models.TextField(blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["marked_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.marked_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Marks are append-only.")
        super().save(*args, **kwargs)


class Evidence(BaseModel):
    """A dated practice example, linked to one or more competencies of the case."""

    case = models.ForeignKey(ProgressionCase, on_delete=models.CASCADE, related_name="evidence")
    competencies = models.ManyToManyField(Competency, related_name="evidence")
    title = models.CharField(max_length=200)
    example_date = models.DateField("date of the practice example")
    description = models.TextField("what happened and what it shows")
    file = models.FileField(storage=private_storage, upload_to=evidence_upload_to, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-example_date", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """Append-only step of the sign-off chain."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        TAKEN_UP = "taken_up", "Taken up by the line manager"
        SUBMITTED = "submitted", "Submitted to the Head of Service"
        RETURNED = "returned", "Returned"
        RECOMMENDED = "recommended", "Recommended to the Operational Director"
        DECLINED = "declined", "Declined"
        SIGNED_OFF = "signed_off", "Signed off"
        HR_RECORDED = "hr_recorded", "HR process recorded"
        WORKER_TOLD = "worker_told", "Worker told verbally"
        CONFIRMED = "confirmed", "Confirmed in writing"
        WITHDRAWN = "withdrawn", "Withdrawn"
        STATEMENT = "statement", "Practitioner's statement on the table"

    case = models.ForeignKey(ProgressionCase, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=Kind.choices)
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    # A delegate's decision names the Head of Service they decided for.
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Decisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Decisions are append-only.")

    @property
    def role_display(self) -> str:
        try:
            return Membership.Role(self.role).label
        except ValueError:
            return self.role


class LetterTemplate(BaseModel):
    """The confirmation letter an organisation sends; placeholders are a fixed, safe list."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="progression_letter")
    heading = models.CharField(max_length=200, default="Confirmation of career progression")
    body = models.TextField()

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"Letter for {self.organisation}"


class EvidencePack(BaseModel):
    """A PDF of a whole case, built in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    case = models.ForeignKey(ProgressionCase, on_delete=models.CASCADE, related_name="packs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to=pack_upload_to, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="evidence_pack_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"Evidence pack for case {self.case_id} ({self.status})"


class Delegation(BaseModel):
    """A Head of Service's decisions on the cases naming them, taken by another Head of Service of
    the same organisation for a while (leave, absence). Who delegated, to whom and until when are
    kept; a delegation ends on its last day or when it is withdrawn."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegate=models.F("delegator")), name="delegation_to_someone_else"),
        ]
        indexes = [models.Index(fields=["delegate", "ends_on"], name="delegation_delegate_idx")]

    def __str__(self) -> str:
        return f"{self.delegator} to {self.delegate}, {self.starts_on} to {self.ends_on}"

    def in_force(self, day) -> bool:
        return self.withdrawn_at is None and self.starts_on <= day <= self.ends_on


class SkillsPassport(BaseModel):
    """A worker's own record of the skills of one skills passport (a framework of that kind), each
    verified by their manager."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="skills_passports")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="passports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="skills_passports")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="skills_passports")

    class Meta:
        ordering = ["framework__to_level", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "framework"], name="skills_passport_one_per_framework",
                                    violation_error_message="You already have this skills passport."),
        ]

    def __str__(self) -> str:
        return f"{self.framework.name}: {self.worker}"

    def get_absolute_url(self) -> str:
        return reverse("progression:passport-detail", args=[self.pk])


class PassportSkill(models.Model):
    """One skill of a passport: achieved (with a date and an optional evidence note) as the worker
    records it, and verified or "not yet" by their manager. A change by the worker asks again."""

    class Verification(models.TextChoices):
        NOT_RECORDED = "not_recorded", "Not recorded"
        WAITING = "waiting", "Waiting for verification"
        VERIFIED = "verified", "Verified"
        NOT_YET = "not_yet", "Not yet"

    passport = models.ForeignKey(SkillsPassport, on_delete=models.CASCADE, related_name="skills")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    achieved_on = models.DateField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices, default=Verification.NOT_RECORDED)
    verification_reason = models.TextField(blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["passport", "competency__section__order", "competency__order"]
        constraints = [
            models.UniqueConstraint(fields=["passport", "competency"], name="passport_skill_unique"),
            models.CheckConstraint(
                condition=Q(verification__in=["not_recorded", "waiting", "verified", "not_yet"]),
                name="passport_skill_valid_verification",
            ),
        ]
        indexes = [
            # The manager's list: skills waiting for verification, per passport.
            models.Index(fields=["passport", "verification"], name="passport_skill_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code}: {self.get_verification_display()}"
