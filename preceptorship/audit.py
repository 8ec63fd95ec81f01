"""Writing the append-only audit log. Services call ``record`` inside their transaction.

Each entry says which organisation it belongs to and which person it is about, so a programme
lead reads their organisation's log and a subject access request finds a person's entries. The
core cannot import the apps, so each app tells ``register_scope`` how to read those two from its
own models (in its ``AppConfig.ready``); a service passes them itself where the object cannot say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models

from preceptorship.models import AuditEntry, Membership, Organisation, StaffImport, Team, User

# (organisation id, subject user id), either may be None.
Scope = tuple[int | None, int | None]
ScopeReader = Callable[[models.Model], Scope]

_SCOPES: dict[str, ScopeReader] = {}
_ADMINISTRATORS_ONLY: set[str] = set()


def register_scope(model: type[models.Model], reader: ScopeReader, *, in_organisation_log: bool = True) -> None:
    """Say how to read an audited model's organisation and person. ``in_organisation_log=False``
    keeps its entries out of the organisation's log that programme leads read, for records a lead
    may not read themselves (a reflection, a progression case): administrators alone read those."""
    _SCOPES[model._meta.label_lower] = reader
    if not in_organisation_log:
        _ADMINISTRATORS_ONLY.add(model._meta.label_lower)


class PathScope:
    """A reader following dotted attribute paths, such as ``"enrolment.programme.organisation_id"``;
    the back-fill reads its paths to load each batch's related rows in one query."""

    def __init__(self, organisation: str | None, subject: str | None) -> None:
        self.organisation, self.subject = organisation, subject

    def __call__(self, obj: models.Model) -> Scope:
        return _follow(obj, self.organisation), _follow(obj, self.subject)

    def related(self) -> list[str]:
        """The relations the paths cross, for ``select_related``."""
        return sorted({"__".join(path.split(".")[:-1]) for path in (self.organisation, self.subject)
                       if path and "." in path})


def scope_by_path(organisation: str | None, subject: str | None) -> PathScope:
    return PathScope(organisation, subject)


def scope_of(obj: models.Model) -> Scope:
    """The organisation and person an object's audit entries belong to; (None, None) when unknown."""
    reader = _SCOPES.get(obj._meta.label_lower)
    return reader(obj) if reader else (None, None)


def administrators_only_types() -> list[str]:
    """The kinds of record whose entries only administrators read."""
    return sorted(_ADMINISTRATORS_ONLY)


def registered_types() -> list[str]:
    """The model labels whose scope is known (the back-fill and the tests read them)."""
    return sorted(_SCOPES)


def fill_scopes(*, batch_size: int = 1000) -> int:
    """Give entries written before entries had an organisation and a person theirs, read from the
    records as they are now. Entries whose record is gone keep the organisation and person their
    ``before`` names, if any (a role taken away). Returns how many entries were filled; running it
    again finds nothing new to fill."""
    filled = 0
    unfilled = AuditEntry.objects.filter(organisation__isnull=True, subject__isnull=True)
    for label in unfilled.values_list("object_type", flat=True).distinct().order_by("object_type"):
        reader = _SCOPES.get(label)
        model = apps.get_model(label) if reader else None
        last_id = 0
        while True:
            batch = list(unfilled.filter(object_type=label, pk__gt=last_id).order_by("pk")[:batch_size])
            if not batch:
                break
            last_id = batch[-1].pk
            objects: dict[str, models.Model] = {}
            if model is not None:
                rows = model._default_manager.all()
                if isinstance(reader, PathScope) and reader.related():
                    rows = rows.select_related(*reader.related())
                keys = [e.object_id for e in batch if e.object_id.isdigit()]
                objects = {str(obj.pk): obj for obj in rows.filter(pk__in=keys)}
            changed = []
            for audited in batch:
                obj = objects.get(audited.object_id)
                organisation_id, subject_id = reader(obj) if obj is not None and reader else _scope_named(audited)
                if organisation_id is None and subject_id is None:
                    continue
                audited.organisation_id, audited.subject_id = organisation_id, subject_id
                changed.append(audited)
            # A bulk update, not save(): the entries' content is unchanged, they gain where they belong.
            AuditEntry.objects.bulk_update(changed, ["organisation", "subject"])
            filled += len(changed)
    return filled


def _scope_named(audited: AuditEntry) -> Scope:
    named = audited.before or audited.after or {}
    organisation_id, subject_id = named.get("organisation"), named.get("user")
    organisation_id = organisation_id if isinstance(organisation_id, int) else None
    subject_id = subject_id if isinstance(subject_id, int) else None
    if organisation_id is not None and not Organisation.objects.filter(pk=organisation_id).exists():
        organisation_id = None
    if subject_id is not None and not User.objects.filter(pk=subject_id).exists():
        subject_id = None
    return organisation_id, subject_id


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
    # An actor that is not a person (an organisation's API token) has no account to link: the
    # summary names it instead.
    acting_as = getattr(actor, "audit_name", "") if actor_id is None else ""
    if acting_as and acting_as not in summary:
        summary = f"{acting_as}: {summary}"
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
        before=jsonable(before or {}),
        after=jsonable(after or {}),
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


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the log's JSON holds them: records by their id, dates and the like as text."""
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
# Changed on the admin pages (preceptorship/admin_audit.py): the organisation sees its own.
register_scope(Organisation, scope_by_path("pk", None))
register_scope(Team, scope_by_path("organisation_id", None))
# An import may add people to several organisations: administrators read its entries.
register_scope(StaffImport, scope_by_path(None, None))
