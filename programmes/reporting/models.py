"""Standards as data: a standard set (national, or an organisation's editable copy of one) is a
list of measurable criteria, each a rule kind the product evaluates (``programmes.reporting.standards``)
with its parameter. The national sets are loaded from ``data/standard_sets.json`` by a migration."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from preceptorship.models import BaseModel, Organisation


class RuleKind(models.TextChoices):
    PROGRAMME_LENGTH = "programme_length", "Programme length at least N months"
    FIRST_MEETING = "first_meeting", "First review meeting within N days of the start"
    MEETING_INTERVAL = "meeting_interval", "Review meetings at least every N months"
    PROTECTED_TIME = "protected_time", "Protected time recorded at least N hours a month"
    NAMED_PRECEPTOR = "named_preceptor", "A named preceptor (mentor) who is not the preceptee"
    PRECEPTOR_REGISTERED = "preceptor_registered", "Preceptor registered at least N months before the start"
    NEEDS_ASSESSMENT = "needs_assessment", "Needs assessment completed within N days of the start"
    EVALUATION = "evaluation", "Evaluation answered at completion"
    PRECEPTOR_TIME = "preceptor_time", "Preceptor time given at least N hours a year to each preceptee"
    PROTECTED_CASELOAD = "protected_caseload", "Protected caseload respected in the protected months"


# The kinds that take a number, and what the number counts.
PARAMETER_UNITS = {
    RuleKind.PROGRAMME_LENGTH: "months",
    RuleKind.FIRST_MEETING: "days",
    RuleKind.MEETING_INTERVAL: "months",
    RuleKind.PROTECTED_TIME: "hours a month",
    RuleKind.PRECEPTOR_REGISTERED: "months",
    RuleKind.NEEDS_ASSESSMENT: "days",
    RuleKind.PRECEPTOR_TIME: "hours a year",
}


class StandardSet(BaseModel):
    """National (no organisation, read-only) or an organisation's copy (``based_on`` names the original)."""

    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text="The published document the criteria come from.")
    source_url = models.URLField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="standard_sets",
        help_text="Empty for a national set; the organisation whose lead edits this copy otherwise.",
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(organisation__isnull=True),
                                    name="standard_set_national_code_unique"),
            models.UniqueConstraint(fields=["organisation", "code"], name="standard_set_organisation_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.organisation_id is None


class Criterion(BaseModel):
    standard_set = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=300, help_text="The criterion in the product's words.")
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    parameter = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, help_text="Where in the published document the criterion comes from.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["standard_set", "position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["standard_set", "code"], name="criterion_code_unique_in_set"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> str:
        return PARAMETER_UNITS.get(self.kind, "")

    @property
    def rule(self) -> str:
        """The rule as evaluated, with its number: "Programme length at least 12 months"."""
        label = RuleKind(self.kind).label
        if self.parameter is None:
            return label
        rule = label.replace(" N ", f" {self.parameter} ")
        if self.parameter == 1:  # "at least 1 hour a month", not "1 hours"
            for unit in ("hours", "days", "months"):
                rule = rule.replace(f" 1 {unit}", f" 1 {unit[:-1]}")
        return rule
