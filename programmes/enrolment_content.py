"""What the enrolment page (the timeline) reads of an enrolment's own records, kept between requests.

The page reads the enrolment itself afresh on every request (the access check needs it), and with
it ``updated_at``. Its pauses, extensions, goals, review meetings, completion confirmations, mentor
and line manager, and three figures (evaluated, needs assessment shared, protected hours received)
are kept in the cache under ``programmes:enrolment-content:<pk>:<updated_at>``. Every save or
delete of one of those records moves the enrolment's ``updated_at`` in the same transaction
(``touch``, connected below for every process in ``ProgrammesConfig.ready``), so the next request
from any process reads them anew. People's names may be up to CONTENT_SECONDS old; a bulk update
that sends no signal is seen when the entry expires. Reflections depend on the reader: the page
reads them on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from preceptorship import kept
from preceptorship.models import User
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    NeedsAssessment,
    Pause,
    ProtectedTime,
    ReviewMeeting,
)

CONTENT_SECONDS = 600
# The related names the page reads through (``enrolment.pauses.all()`` and so on).
RELATED = {"pauses": Pause, "extensions": Extension, "goals": Goal, "reviews": ReviewMeeting}
TOUCHED_BY = (*RELATED.values(), CompletionConfirmation, Evaluation, NeedsAssessment, ProtectedTime)


@dataclass
class EnrolmentContent:
    related: dict[str, list[Any]]
    confirmations: list[CompletionConfirmation]
    people: dict[int, User]
    evaluated: bool
    needs_shared: bool
    protected_hours_received: Decimal


def _read(enrolment: Enrolment) -> EnrolmentContent:
    pk = enrolment.pk
    return EnrolmentContent(
        related={name: list(model.objects.filter(enrolment_id=pk)) for name, model in RELATED.items()},
        confirmations=list(CompletionConfirmation.objects.filter(enrolment_id=pk).select_related("by")),
        people=User.objects.in_bulk([p for p in (enrolment.mentor_id, enrolment.line_manager_id) if p]),
        **_figures(pk),
    )


def _figures(pk: int) -> dict[str, Any]:
    """Evaluated, needs assessment shared and protected hours received, in one query."""
    hours = (ProtectedTime.objects.filter(enrolment=OuterRef("pk")).order_by().values("enrolment")
             .annotate(total=Sum("hours")).values("total"))
    return Enrolment.objects.filter(pk=pk).values(
        evaluated=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"))),
        needs_shared=Exists(NeedsAssessment.objects.filter(enrolment=OuterRef("pk"), submitted_at__isnull=False)),
        protected_hours_received=Coalesce(Subquery(hours), Value(Decimal(0)), output_field=DecimalField()),
    ).get()


def attach(enrolment: Enrolment) -> EnrolmentContent:
    """Give ``enrolment`` its kept records: ``enrolment.pauses.all()`` (extensions, goals, reviews)
    answer from them without a query, as after ``prefetch_related``; its mentor, line manager and
    the three figures are set on it. Returns the content (its confirmations for the page)."""
    content = kept.kept_while_unchanged("programmes:enrolment-content", enrolment, lambda: _read(enrolment),
                                        CONTENT_SECONDS)
    # What prefetch_related fills: the related managers' all() read this instance's cache.
    prefetched = getattr(enrolment, "_prefetched_objects_cache", {})
    prefetched.update(content.related)
    enrolment._prefetched_objects_cache = prefetched
    enrolment.mentor = content.people.get(enrolment.mentor_id)
    enrolment.line_manager = content.people.get(enrolment.line_manager_id)
    enrolment.evaluated = content.evaluated
    enrolment.needs_shared = content.needs_shared
    enrolment.protected_hours_received = content.protected_hours_received
    return content


def touch(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: a record the page keeps changed, so its enrolment's ``updated_at`` moves."""
    if instance.enrolment_id is not None:
        Enrolment.objects.filter(pk=instance.enrolment_id).update(updated_at=timezone.now())


def connect() -> None:
    for model in TOUCHED_BY:
        post_save.connect(touch, sender=model, dispatch_uid=f"enrolment-content-{model.__name__}-save")
        post_delete.connect(touch, sender=model, dispatch_uid=f"enrolment-content-{model.__name__}-delete")
