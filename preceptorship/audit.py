"""Writing the append-only audit log. Services call ``record`` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from preceptorship.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    audited = entry(actor=actor, action=action, obj=obj, summary=summary, before=before, after=after)
    audited.save()
    return audited


def entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """An unsaved entry, for services that write many at once (``AuditEntry.objects.bulk_create``)."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields' current values, ready for ``before``/``after``."""
    return {name: getattr(obj, name) for name in fields}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[key] = value
    return out
