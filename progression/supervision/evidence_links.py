"""Supervision notes as dated evidence for a competency: registered with
``progression.evidence_links`` when the app loads (``SupervisionConfig.ready``).

Offered to the person adding evidence: the notes of this case they may read (the practitioner and
their line manager). Shown to a reader of the case: the kind of session and its date to everyone
who sees the case; a link to the note only to a reader who may open it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.formats import date_format

from preceptorship import access
from progression.evidence_links import LinkedItem, register
from progression.supervision.models import SupervisionEvidenceLink, SupervisionNote

PREFIX = "supervision"


class SupervisionNotes:
    """Supervision notes (value "supervision:<pk>")."""

    link_model = SupervisionEvidenceLink

    def choices(self, *, actor: Any, case: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        rows = (access.scope(actor, SupervisionNote).filter(case_id=case.pk)
                .order_by("-held_on", "-pk").values_list("pk", "kind", "held_on"))
        kinds = dict(SupervisionNote.Kind.choices)
        return [("Supervision notes", [(f"{PREFIX}:{pk}", f"{kinds[kind]}, held {date_format(held, 'j F Y')}")
                                       for pk, kind, held in rows])]

    def attach(self, *, evidence: Any, value: str) -> None:
        SupervisionEvidenceLink.objects.create(evidence=evidence, note_id=int(value.partition(":")[2]))

    def linked(self, *, viewer: Any | None, evidence_ids: list[int]) -> dict[int, list[LinkedItem]]:
        # One query for the links with their notes (not the discussion), one for what the viewer may open.
        links = list(SupervisionEvidenceLink.objects.filter(evidence_id__in=evidence_ids).select_related("note")
                     .order_by("pk").only("evidence_id", "note__kind", "note__held_on"))
        seen: set[int] = set()
        if viewer is not None and links:
            seen = set(access.scope(viewer, SupervisionNote).filter(pk__in={link.note_id for link in links})
                       .values_list("pk", flat=True))
        found: dict[int, list[LinkedItem]] = defaultdict(list)
        for link in links:
            opened = link.note_id in seen
            found[link.evidence_id].append(LinkedItem(
                kind="supervision note", on=link.note.held_on, when="held",
                title=link.note.get_kind_display(), url=link.note.get_absolute_url() if opened else "",
                hidden_note="" if opened else "the note is open to the practitioner and their line manager",
            ))
        return found


register(SupervisionNotes())
