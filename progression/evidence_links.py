"""Evidence that points at a record another app owns: a reflection, a review meeting record.

``progression`` never imports the apps that own those records. An app that has such records
registers a ``LinkSource`` when it loads (``AppConfig.ready``); this module asks every registered
source which records the person adding evidence may link, checks and saves the link, and describes
the linked records for whoever reads the case. A source decides access itself: it offers only
records the person adding evidence may open, and names a record (its title, its page) only to a
reader who may open it. Everyone else who may see the case reads the kind of record and its date.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.formats import date_format

NO_LINK = ""


@dataclass(frozen=True)
class LinkedItem:
    """A linked record as one reader may see it."""

    kind: str  # "reflection", "review meeting"
    on: datetime.date | None  # the date it was written or held
    when: str  # "written", "held"
    title: str = ""  # empty when the reader may not know it
    url: str = ""  # empty when the reader may not open it
    hidden_note: str = ""  # said instead of the title when the reader may not open it

    @property
    def date_text(self) -> str:
        return f"{self.when} {date_format(self.on, 'j F Y')}" if self.on else ""


class LinkSource(Protocol):
    """What an app registers to let evidence link to its records."""

    def choices(self, *, actor: Any, case: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        """The records ``actor`` may link as evidence on ``case``, grouped for a select:
        [(group label, [(value, label), ...]), ...]; values are unique across sources ("reflection:12")."""
        ...

    def attach(self, *, evidence: Any, value: str) -> None:
        """Save the link from ``evidence`` to the record ``value`` names (already checked against ``choices``)."""
        ...

    def linked(self, *, viewer: Any | None, evidence_ids: list[int]) -> dict[int, list[LinkedItem]]:
        """The records linked from each evidence id, as ``viewer`` (None: a printed pack) may see them."""
        ...

    # Optionally, ``link_model``: the model of the saved links, with an ``evidence`` foreign key. When
    # every source tells it, a reader of evidence learns with the evidence which items link to
    # anything (``any_link_sql``), and the sources are asked about those items only.


_sources: list[LinkSource] = []


def register(source: LinkSource) -> LinkSource:
    if source not in _sources:
        _sources.append(source)
    return source


def choices(*, actor: Any, case: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select from every source, empty groups left out."""
    return [(label, options) for source in _sources for label, options in source.choices(actor=actor, case=case)
            if options]


def resolve(*, actor: Any, case: Any, value: str) -> Callable[[Any], None] | None:
    """Check ``value`` names a record ``actor`` may link on ``case``; return what saves the link.

    Raises ``ValidationError({"link": ...})`` for anything else (a record of another person, a
    private reflection, a made-up value)."""
    if not value:
        return None
    for source in _sources:
        offered = {option for _, options in source.choices(actor=actor, case=case) for option, _ in options}
        if value in offered:
            return lambda evidence: source.attach(evidence=evidence, value=value)
    raise ValidationError({"link": "Choose a reflection or review meeting from the list."})


def any_link_sql(evidence_table: str) -> str | None:
    """SQL true for a row of the evidence table (as ``evidence_table``, quoted) that any source links to a
    record, from the sources' ``link_model``; None when a source does not tell its model."""
    models = [getattr(source, "link_model", None) for source in _sources]
    if not all(models):
        return None
    if not models:
        return "1 = 0"
    quote = connection.ops.quote_name
    return " OR ".join(
        f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} link "  # noqa: S608 - table and column names
        f"WHERE link.{quote(model._meta.get_field('evidence').column)} = {evidence_table}.{quote('id')})"
        for model in models)


def linked_items(*, viewer: Any | None, evidence: Iterable[Any], linking: Iterable[int] | None = None) -> list[Any]:
    """Set ``.links`` on each evidence item (a list of LinkedItem), in a few queries whatever their number.

    ``linking``: the ids of the items that link to anything, when the caller read it with them
    (``any_link_sql``): the sources are asked about those only, and not at all when there are none."""
    items = list(evidence)
    for item in items:
        item.links = []
    ids = [item.pk for item in items] if linking is None else list(linking)
    if not ids:
        return items
    by_id = {item.pk: item for item in items}
    for source in _sources:
        for evidence_id, found in source.linked(viewer=viewer, evidence_ids=ids).items():
            by_id[evidence_id].links.extend(found)
    return items
