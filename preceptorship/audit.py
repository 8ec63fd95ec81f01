"""Writing the append-only audit log. Services call ``record`` inside their transaction.

Each entry says which organisation it belongs to and which person it is about, so a programme
lead reads their organisation's log and a subject access request finds a person's entries. The
core cannot import the apps, so each app tells ``register_scope`` how to read those two from its
own models (in its ``AppConfig.ready``); a service passes them itself where the object cannot say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from preceptorship.models import AuditEntry, Membership, StaffImport, User

# (organisation id, subject user id), either may be None.
Scope = tuple[int | None, int | None]
ScopeReader = Callable[[models.Model], Scope]

_SCOPES: dict[str, ScopeReader] = {}


def register_scope(model: type[models.Model], reader: ScopeReader) -> None:
    """Say how to read an audited model's organisation and person."""
    _SCOPES[model._meta.label_lower] = reader


def scope_by_path(organisation: str | None, subject: str | None) -> ScopeReader:
    """A reader following dotted attribute paths, such as ``"enrolment.organisation_id"``."""

    def read(obj: models.Model) -> Scope:
        return _follow(obj, organisation), _follow(obj, subject)

    return read


def scope_of(obj: models.Model) -> Scope:
    """The organisation and person an object's audit entries belong to; (None, None) when unknown."""
    reader = _SCOPES.get(obj._meta.label_lower)
    return reader(obj) if reader else (None, None)


def registered_types() -> list[str]:
    """The model labels whose scope is known (the back-fill command and the tests read them)."""
    return sorted(_SCOPES)


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
    organisation: Any = None,
    subject: Any = None,
) -> AuditEntry:
    audited = entry(actor=actor, action=action, obj=obj, summary=summary, before=before, after=after,
                    organisation=organisation, subject=subject)
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
    organisation: Any = None,
    subject: Any = None,
) -> AuditEntry:
    """An unsaved entry, for services that write many at once (``AuditEntry.objects.bulk_create``).

    ``organisation`` and ``subject`` (an instance or a primary key) override what the object says.
    """
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    organisation_id, subject_id = scope_of(obj)
    if organisation is not None:
        organisation_id = _pk(organisation)
    if subject is not None:
        subject_id = _pk(subject)
    return AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        organisation_id=organisation_id,
        subject_id=subject_id,
        summary=summary[:500],
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields' current values, ready for ``before``/``after``."""
    return {name: getattr(obj, name) for name in fields}


def _pk(value: Any) -> int:
    return value.pk if isinstance(value, models.Model) else int(value)


def _follow(obj: Any, path: str | None) -> int | None:
    if not path:
        return None
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[key] = value
    return out


# The core's own audited models.
register_scope(User, lambda user: (None, user.pk))
register_scope(Membership, scope_by_path("organisation_id", "user_id"))
# An import may add people to several organisations: administrators read its entries.
register_scope(StaffImport, scope_by_path(None, None))
