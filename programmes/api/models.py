"""API tokens: each belongs to one organisation and holds scopes. Only a hash of its secret is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from preceptorship.models import Organisation


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read enrolments, completions and progression outcomes"
        WRITE_STAFF = "write_staff", "Send staff records"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text='What uses it, for example "ESR nightly feed".')
    # The token reads "<key>.<secret>": the key finds the row, the secret is checked against its hash.
    key = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty for a token that does not expire.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organisation", "name", "id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def audit_name(self) -> str:
        return f"API token “{self.name}” ({self.key})"
