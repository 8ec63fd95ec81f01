"""Exports of long lists, and the dashboards' summary tables.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from preceptorship.models import BaseModel, Organisation, Profession, Team, private_storage
from programmes.models.enrolments import Programme


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


# The dashboards' figures, rebuilt from the records above by ``programmes.reporting.summary.rebuild`` (every
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
    """The fields every summary table is grouped by: whose records, and the dashboards' filters.

    The summary tables' foreign keys have no database constraint (``db_constraint=False``): their
    rows are worked out again from the records every few minutes, and checking each key of a
    rebuild's hundreds of thousands of rows at commit took as long as the rebuild itself. Deleting
    an organisation still deletes its rows (``on_delete`` is applied by Django)."""

    detail = models.BooleanField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, db_constraint=False, related_name="+",
                                     help_text="The preceptees' employer.")
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, db_constraint=False, related_name="+",
                                 help_text="The organisation whose programme it is.")
    programme = models.ForeignKey(Programme, null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    profession = models.ForeignKey(Profession, null=True, on_delete=models.CASCADE, db_constraint=False,
                                   related_name="+")
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+")
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

    class Meta(SummaryRow.Meta):
        # A dashboard reads the months of its period only (an ICS's scope is a join, not a field).
        indexes = [*SummaryRow.Meta.indexes, models.Index(fields=["detail", "month"], name="eventfigures_month")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"


class CompletionLengths(SummaryRow):
    """How many completions in the month took ``days`` from start: the median months to complete."""

    month = models.DateField()
    days = models.IntegerField()
    completions = models.IntegerField()

    class Meta(SummaryRow.Meta):
        indexes = [*SummaryRow.Meta.indexes,
                   models.Index(fields=["detail", "month"], name="completionlengths_month")]

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


class OfferFigures(models.Model):
    """Practitioners of an allied health profession first registered in the month, in each
    organisation they work in, and how many of them have an enrolment with that organisation: the
    national baseline's "preceptorship offered" measure (ICS dashboard). A practitioner is first
    registered in one month only, so the months of a period add up to its people."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    profession = models.ForeignKey(Profession, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    month = models.DateField()
    newly_registered = models.IntegerField()
    offered = models.IntegerField()

    class Meta:
        # The ICS dashboard reads its organisations' rows of the period's months.
        indexes = [models.Index(fields=["organisation", "month"], name="offerfigures_organisation")]

    def __str__(self) -> str:
        return f"{self.offered} of {self.newly_registered} offered, {self.month:%Y-%m}"


class CaseFigures(models.Model):
    """Progression cases at each stage on the day of the build, by organisation, the practitioner's
    profession and team (the ICS dashboard's filters), with the sum of the times they reached the
    stage in seconds since 1970: the mean time in stage is then the time now less their mean."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    profession = models.ForeignKey(Profession, null=True, on_delete=models.CASCADE, db_constraint=False,
                                   related_name="+")
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    stage = models.CharField(max_length=20)
    cases = models.IntegerField()
    changed_seconds = models.FloatField(help_text="The sum of the cases' stage_changed_at, in seconds since 1970.")

    def __str__(self) -> str:
        return f"{self.cases} {self.stage}"


class PreparedDashboard(models.Model):
    """The figures sections of a dashboard's default view (no filter, the default period), rendered
    by the rebuild in the same transaction as the figures they show: a lead's dashboard for each
    organisation, the ICS dashboard for each integrated care system. A page of the default view
    shows them as they are; any other view works its figures out from the summary tables. They hold
    nothing of the viewer (no name, no token), only what they are keyed by."""

    class Kind(models.TextChoices):
        LEAD = "lead", "Programme lead's dashboard"
        ICS = "ics", "ICS dashboard"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.PositiveIntegerField(help_text="The organisation (lead) or the integrated care system (ICS).")
    start = models.DateField(help_text="The first day of the period.")
    end = models.DateField(help_text="The last day of the period.")
    built_at = models.DateTimeField(help_text="The build's time (SummaryBuild.built_at): the page's \"as of\".")
    sections = models.JSONField(help_text="The HTML of each figures section, by name.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "start", "end"],
                                               name="prepareddashboard_view")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}, {self.start:%Y-%m} to {self.end:%Y-%m}"
