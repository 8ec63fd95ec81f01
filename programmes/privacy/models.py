"""Subject access exports and retention runs.

A subject access export is one zip of everything the product holds about one person, built in
the background and downloadable until it expires. A retention run is one pass of the retention
schedule (docs/data-protection.md), real or a dry run, with what it found.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from preceptorship.models import BaseModel, Organisation, User, private_storage


def export_upload_to(instance: models.Model, filename: str) -> str:
    # Never the person's name: nothing guessable in the private folder or bucket.
    return f"privacy/exports/{uuid.uuid4().hex}.zip"


class DataSubject(User):
    """A person as a data protection officer sees them: the access policy differs from the
    directory's (``UserPolicy``), so it is registered on this proxy."""

    class Meta:
        proxy = True
        verbose_name = "data subject"


class SubjectAccessExport(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    WAITING = (Status.QUEUED, Status.RUNNING)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Whose records; empty once the account itself is gone.",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The organisation whose data protection officer asked; empty when an administrator asked.",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(storage=private_storage, upload_to=export_upload_to, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Records found in each section.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "subject access export"

    def __str__(self) -> str:
        return f"Subject access export {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("privacy:export-detail", args=[self.pk])


class RetentionRun(models.Model):
    """One pass of the retention schedule. A real run claims itself before acting: at most one
    runs at a time, and the nightly run of a day exists once (``claim``), so two beat fires (or a
    fire and a retry) never act twice."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=100, help_text="What started it: the nightly task, the command ...")
    claim = models.CharField(max_length=100, blank=True, help_text="The nightly run's day, unique.")
    as_of = models.DateField(help_text="The day the dates were counted from.")
    counts = models.JSONField(default=dict, blank=True, help_text="Records acted on (or found), by kind.")
    ids = models.JSONField(default=dict, blank=True, help_text="Their ids, by kind.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["claim"], condition=~Q(claim=""), name="retention_run_unique_claim"),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running", dry_run=False),
                name="retention_run_one_real_run_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        kind = "Dry run" if self.dry_run else "Run"
        return f"{kind} of {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return sum(self.counts.values())
