"""An audit entry as people read it: on the page, and as a row of the CSV and Excel files."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from preceptorship.auditlog.filters import kind_name
from preceptorship.models import AuditEntry, User

# Keys of ``before``/``after`` that hold a person's id: shown by the person's name.
PERSON_KEYS = frozenset({"user", "mentor", "line_manager", "delegate", "delegator", "preceptee", "practitioner",
                         "head_of_service", "actor", "recorded_by", "told_by"})
SYSTEM = "The system"

COLUMNS = [
    ("at", "When"), ("actor", "Who"), ("actor_email", "Their e-mail address"), ("action", "Action"),
    ("kind", "Kind of record"), ("record", "Record number"), ("organisation", "Organisation"),
    ("subject", "About"), ("subject_email", "Their e-mail address"), ("summary", "Summary"),
    ("changes", "Changes"), ("before", "Before (as stored)"), ("after", "After (as stored)"),
]


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the entry has no "before" for it (a record created, say)
    after: str | None


def person_names(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The names of the people the entries' changes name by id, in one query."""
    ids = {value for entry in entries for values in (entry.before, entry.after) if isinstance(values, dict)
           for key, value in values.items() if key in PERSON_KEYS and isinstance(value, int)}
    if not ids:
        return {}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids).only("first_name", "last_name", "email")}


def changes(entry: AuditEntry, names: dict[int, str] | None = None) -> list[Change]:
    """What changed, field by field: each field in ``before`` or ``after`` whose value differs (all of
    them when only one side was recorded)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    found = []
    for key in [*before, *(key for key in after if key not in before)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        found.append(Change(
            field=key.replace("_", " ").capitalize(),
            before=_readable(key, old, names) if key in before else None,
            after=_readable(key, new, names) if key in after else None,
        ))
    return found


def _readable(key: str, value: Any, names: dict[int, str] | None) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in PERSON_KEYS and isinstance(value, int) and names and value in names:
        return names[value]
    if isinstance(value, list):
        return ", ".join(_readable("", item, None) for item in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def person(user: User | None, fallback: str = "") -> str:
    return str(user) if user is not None else fallback


def changes_text(found: list[Change]) -> str:
    parts = []
    for change in found:
        if change.before is None:
            parts.append(f"{change.field}: {change.after}")
        elif change.after is None:
            parts.append(f"{change.field}: was {change.before}")
        else:
            parts.append(f"{change.field}: {change.before} → {change.after}")
    return "; ".join(parts)


def file_rows(entries: Iterable[AuditEntry], batch: int = 500) -> Iterator[list[Any]]:
    """The files' rows, people named a batch at a time."""
    chunk: list[AuditEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == batch:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def _rows(chunk: list[AuditEntry]) -> Iterator[list[Any]]:
    names = person_names(chunk)
    for entry in chunk:
        yield [
            _local(entry.at), person(entry.actor, SYSTEM), entry.actor.email if entry.actor else "",
            entry.action, kind_name(entry.object_type), entry.object_id,
            entry.organisation.name if entry.organisation else "",
            person(entry.subject), entry.subject.email if entry.subject else "",
            entry.summary, changes_text(changes(entry, names)),
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True, default=str),
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True, default=str),
        ]


def _local(moment: datetime.datetime) -> datetime.datetime:
    """The time in the site's zone, without the zone (spreadsheets cannot hold one)."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)
