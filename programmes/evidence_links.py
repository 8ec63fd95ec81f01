"""Progression evidence that links a practitioner's reflection or review meeting record.

Registered with ``progression.evidence_links`` when the app loads (``ProgrammesConfig.ready``), so
``progression`` offers, saves and shows these links without importing this app.

- Offered to the person adding evidence: the practitioner's finished reflections they shared with
  their line manager, and the review meetings held on the practitioner's enrolments, each only if
  the person adding evidence may open it (``access.scope``).
- Shown to a reader of the case: the title and a link to the record only if the reader may open
  it; otherwise the kind of record and its date, never its title.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from preceptorship import access
from programmes.models import EvidenceLink, Reflection, ReviewMeeting
from progression.evidence_links import LinkedItem, register


def _date(value: Any) -> str:
    return date_format(value, "j F Y")


def _visible(viewer: Any | None, model: type, pks: set[int]) -> set[int]:
    if viewer is None or not pks:
        return set()
    return set(access.scope(viewer, model).filter(pk__in=pks).values_list("pk", flat=True))


class PreceptorshipRecords:
    """Reflections (value "reflection:<pk>") and review meetings (value "review:<pk>")."""

    link_model = EvidenceLink  # a reader of evidence learns with it which items link to anything

    def _reflections(self, actor: Any, case: Any) -> list[tuple[str, str]]:
        rows = (
            access.scope(actor, Reflection)
            .filter(author_id=case.practitioner_id, status=Reflection.Status.FINISHED, shared_with_line_manager=True)
            .order_by("-created_at", "-pk").values_list("pk", "title", "created_at")
        )
        return [(f"reflection:{pk}", f"{title} (written {_date(timezone.localdate(created))})")
                for pk, title, created in rows]

    def _reviews(self, actor: Any, case: Any) -> list[tuple[str, str]]:
        rows = (
            access.scope(actor, ReviewMeeting)
            .filter(enrolment__preceptee_id=case.practitioner_id, status=ReviewMeeting.Status.HELD)
            .order_by("-held_on", "-pk").values_list("pk", "number", "held_on", "enrolment__programme__name")
        )
        return [(f"review:{pk}", f"Review meeting {number}, held {_date(held)} ({programme})")
                for pk, number, held, programme in rows]

    def choices(self, *, actor: Any, case: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        return [("Reflections shared with the line manager", self._reflections(actor, case)),
                ("Review meetings", self._reviews(actor, case))]

    def attach(self, *, evidence: Any, value: str) -> None:
        kind, _, pk = value.partition(":")
        EvidenceLink.objects.create(evidence=evidence, **{f"{kind}_id": int(pk)})

    def linked(self, *, viewer: Any | None, evidence_ids: list[int]) -> dict[int, list[LinkedItem]]:
        # One query for the links with their records, then one per kind for what the viewer may open.
        # Only what a linked item shows: a reflection's answers and a meeting's notes are long.
        links = list(EvidenceLink.objects.filter(evidence_id__in=evidence_ids)
                     .select_related("reflection", "review").order_by("pk")
                     .only("evidence_id", "reflection__title", "reflection__created_at", "review__number",
                           "review__held_on"))
        reflections = _visible(viewer, Reflection, {link.reflection_id for link in links if link.reflection_id})
        reviews = _visible(viewer, ReviewMeeting, {link.review_id for link in links if link.review_id})
        found: dict[int, list[LinkedItem]] = defaultdict(list)
        for link in links:
            found[link.evidence_id].append(
                _reflection_item(link.reflection, link.reflection_id in reflections) if link.reflection_id
                else _review_item(link.review, link.review_id in reviews)
            )
        return found


def _reflection_item(reflection: Reflection, seen: bool) -> LinkedItem:
    return LinkedItem(
        kind="reflection", on=timezone.localdate(reflection.created_at), when="written",
        title=reflection.title if seen else "", url=reflection.get_absolute_url() if seen else "",
        hidden_note="" if seen else "only the practitioner and the people they share it with can read it",
    )


def _review_item(review: ReviewMeeting, seen: bool) -> LinkedItem:
    # The meeting's number and date are no secret to readers of the case; what was said is.
    return LinkedItem(
        kind="review meeting", on=review.held_on, when="held", title=f"Review meeting {review.number}",
        url=review.get_absolute_url() if seen else "",
        hidden_note="" if seen else "the record is open to the practitioner, their mentor and line manager",
    )


register(PreceptorshipRecords())
