"""The organisation directory: people, the organisations they work for, and their roles."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship import workdays
from preceptorship.storage import private_files


class BaseModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Profession(models.Model):
    class Kind(models.TextChoices):
        AHP = "ahp", "Allied health profession"
        SOCIAL_WORK = "social_work", "Social work"
        NURSING = "nursing", "Nursing"
        MIDWIFERY = "midwifery", "Midwifery"
        SUPPORT = "support", "Support worker"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    regulator = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntegratedCareSystem(BaseModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "integrated care system"

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        PRIMARY_CARE = "primary_care", "Primary care"
        INDEPENDENT = "independent", "Independent or voluntary sector"

    class Nation(models.TextChoices):
        """Whose bank holidays count as non-working days (for "10 working days" and the like)."""

        ENGLAND_AND_WALES = workdays.ENGLAND_AND_WALES, "England and Wales"
        SCOTLAND = workdays.SCOTLAND, "Scotland"
        NORTHERN_IRELAND = workdays.NORTHERN_IRELAND, "Northern Ireland"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    ics = models.ForeignKey(
        IntegratedCareSystem, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    nation = models.CharField(
        max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES,
        help_text="Bank holidays of this nation do not count as working days.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    """A service within an organisation (e.g. 'Adult social care: North locality')."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    class Regulator(models.TextChoices):
        NONE = "", "Not registered"
        HCPC = "hcpc", "Health and Care Professions Council (HCPC)"
        SWE = "swe", "Social Work England"
        NMC = "nmc", "Nursing and Midwifery Council (NMC)"

    BAND_SUGGESTIONS = [
        "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Range 5", "Range 6", "Range 7",
        "Level 1", "Level 2",
    ]

    username = None
    email = models.EmailField("e-mail address", unique=True)
    profession = models.ForeignKey(Profession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_title = models.CharField(max_length=200, blank=True)
    band = models.CharField("band or range", max_length=50, blank=True)
    regulator = models.CharField(max_length=10, choices=Regulator.choices, blank=True)
    registration_number = models.CharField(max_length=50, blank=True)
    employee_number = models.CharField(
        max_length=30, blank=True,
        help_text="The number the staff record (ESR, iTrent, SAP) knows this person by; unique when given.",
    )
    first_registered_on = models.DateField("date first registered", null=True, blank=True)
    started_in_post_on = models.DateField("date started in post", null=True, blank=True)
    # From the staff record (ESR's "Termination Date"): the day the person left the organisation.
    left_on = models.DateField("date left", null=True, blank=True)
    email_reminders = models.BooleanField(
        "e-mail me reminders that are not essential",
        default=True,
        help_text="Escalations and sign-off requests are always e-mailed.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"], condition=~Q(employee_number=""), name="user_unique_employee_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name_from(self.first_name, self.last_name, self.email)

    @staticmethod
    def name_from(first_name: str, last_name: str, email: str) -> str:
        """How a person is named (``str()`` of a user), from values read without the record."""
        return f"{first_name} {last_name}".strip() or email

    def save(self, *args, **kwargs) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Membership(BaseModel):
    """A role a person holds in one organisation (optionally for one team or service)."""

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        MENTOR = "mentor", "Mentor"
        LINE_MANAGER = "line_manager", "Line manager"
        HEAD_OF_SERVICE = "head_of_service", "Head of Service"
        OPERATIONAL_DIRECTOR = "operational_director", "Operational Director"
        HR = "hr", "HR"
        PROGRAMME_LEAD = "programme_lead", "Programme lead"
        ICS_LEAD = "ics_lead", "ICS lead"
        ADMINISTRATOR = "administrator", "Administrator"
        # Answers subject access requests and erasure requests for the organisation.
        DATA_PROTECTION = "data_protection", "Data protection officer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "team"], name="membership_unique_role_per_team"
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(team__isnull=True),
                name="membership_unique_role_without_team",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"], name="membership_org_role")]

    def __str__(self) -> str:
        where = f"{self.organisation}" + (f", {self.team.name}" if self.team_id else "")
        return f"{self.user} — {self.get_role_display()} ({where})"


class AuditEntry(models.Model):
    """Append-only record of every state change, written by the services."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    # Whose log it is (a programme lead reads their organisation's) and whom it is about (a subject
    # access request). Filled by preceptorship/audit.py; indexed with the time below.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, help_text="The person the entry is about.",
    )
    summary = models.CharField(max_length=500)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The audit viewer: a lead's organisation, newest first; one person's entries.
            models.Index(fields=["organisation", "-at"], name="audit_organisation_at"),
            models.Index(fields=["subject", "-at"], name="audit_subject_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class Notification(models.Model):
    """One message to one person. The unique key makes a repeated sweep or task a no-op."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not e-mailed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200, unique=True, help_text="kind:object:recipient:due date")
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    essential = models.BooleanField(default=False)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its delivery task was last queued.")
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last started sending it.")
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    ics = models.TextField(blank=True, help_text="iCalendar invitation attached to the e-mail, if any.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count and the notifications page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The sweep re-delivers pending rows whose broker message was lost.
            models.Index(fields=["status", "created_at"], name="notification_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("notification-open", args=[self.pk])


def private_storage() -> Storage:
    """``STORAGES["default"]``: a private folder or a private bucket (preceptorship/storage.py)."""
    return private_files


def import_upload_to(instance: models.Model, filename: str) -> str:
    # Never the uploader's file name: no path tricks, nothing guessable.
    return f"imports/staff/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class StaffImport(BaseModel):
    """One upload of staff from an HR (ESR-style) export: checked first, saved whole or not at all."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(storage=private_storage, upload_to=import_upload_to)
    original_filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0, help_text="Progress of the current step.")
    step = models.CharField(max_length=100, blank=True)
    preview = models.JSONField(default=dict, blank=True, help_text="Counts, row errors and changes found.")
    site_url = models.CharField(max_length=300, blank=True, help_text="Where invitation links point.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_status_display()})"
