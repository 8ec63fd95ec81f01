"""Supervision and Coaching for Performance notes on a progression case, with learning objectives.

The worker and their manager meet in supervision and use the progression table there: each note
records one session (its date, what was discussed) and the learning objectives agreed, each with a
target date and how it stands. A note can be linked as dated evidence for a competency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from preceptorship.models import BaseModel
from progression.models import Evidence, ProgressionCase


class SupervisionNote(BaseModel):
    class Kind(models.TextChoices):
        SUPERVISION = "supervision", "Supervision"
        COACHING = "coaching", "Coaching for Performance"
        OTHER = "other", "Another development conversation"

    case = models.ForeignKey(ProgressionCase, on_delete=models.CASCADE, related_name="supervision_notes")
    kind = models.CharField("kind of session", max_length=20, choices=Kind.choices, default=Kind.SUPERVISION)
    held_on = models.DateField("date of the session")
    discussion = models.TextField("what was discussed")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["case", "held_on"], name="supervision_note_case_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:note-detail", args=[self.pk])


class LearningObjective(BaseModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"
        NO_LONGER_NEEDED = "dropped", "No longer needed"

    note = models.ForeignKey(SupervisionNote, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField("learning objective")
    target_date = models.DateField("target date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class SupervisionEvidenceLink(models.Model):
    """Evidence on the case that points at a supervision note (``progression.evidence_links``)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="supervision_links")
    note = models.ForeignKey(SupervisionNote, on_delete=models.CASCADE, related_name="evidence_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "note"], name="supervision_link_once")]

    def __str__(self) -> str:
        return f"Evidence {self.evidence_id} links {self.note}"
