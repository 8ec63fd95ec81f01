"""What the programmes pages share: the enrolment a page is about, its breadcrumbs, and the
practice form page.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import ServiceFormMixin, crumbs
from preceptorship.templatetags.dates import day_month_name_year
from programmes import selectors, services
from programmes.access import may_lead, practice_enrolments
from programmes.models import (
    Enrolment,
)
from programmes.schedule import progress_percent

if TYPE_CHECKING:
    from django.views.generic.list import MultipleObjectMixin

Role = Membership.Role


PAGE_SIZE = 25


def counted_page(view: MultipleObjectMixin, queryset: QuerySet, page_size: int) -> tuple[Paginator, Page] | None:
    """One page of ``queryset`` as the list view's paginator would cut it, read with the number of
    rows of the whole list in the same query (a window count): a separate COUNT reads the filtered
    rows a second time. ``page.object_list`` is the page's rows, each with ``listed_total`` (an
    attribute, or a key of rows read as values). None
    when the page holds no row (out of range, or an empty list), the list is DISTINCT or has orphans: the caller
    lets the paginator count, and answer, as usual."""
    page_number = view.request.GET.get(view.page_kwarg) or view.kwargs.get(view.page_kwarg) or 1
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        return None
    if number < 1 or queryset.query.distinct or view.get_paginate_orphans():
        return None
    start = (number - 1) * page_size
    rows = list(queryset.annotate(listed_total=Window(Count("*")))[start:start + page_size])
    if not rows:
        return None
    paginator = view.get_paginator(queryset, page_size, orphans=view.get_paginate_orphans(),
                                   allow_empty_first_page=view.get_allow_empty())
    first = rows[0]  # a model instance, or a dict when the queryset reads values
    paginator.count = first["listed_total"] if isinstance(first, dict) else first.listed_total  # no COUNT query
    page = paginator.page(number)
    page.object_list = rows
    return paginator, page


class Timeline(list):
    """``selectors.timeline``'s items, with their markup for includes/timeline.html (``{{ timeline.html }}``):
    as a template, its lookups through every item cost more than the rest of the enrolment page."""

    @property
    def html(self) -> SafeString:
        parts = ["<ol class=\"app-timeline\">\n  "]
        for item in self:
            label = conditional_escape(item.label)
            title = f'<a href="{conditional_escape(item.url)}">{label}</a>' if item.url else label
            overdue = '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' if item.state == "overdue" else ""
            detail = (f'<span class="app-timeline__detail">{conditional_escape(item.detail)}</span>'
                      if item.detail else "")
            parts.append(
                f'\n  <li class="app-timeline__item app-timeline__item--{conditional_escape(item.state)}">\n'
                f"    <strong>{title}</strong>\n    {overdue}\n"
                f'    <span class="app-timeline__date">{day_month_name_year(item.on)}</span>\n'
                f"    {detail}\n  </li>\n  "
            )
        parts.append("\n</ol>")
        return mark_safe("".join(parts))  # noqa: S308  # nosec - every label, detail and link is escaped


def progress_step(percent: int) -> int:
    """The progress bar's width class: the nearest 5% (the CSP forbids inline widths)."""
    return 5 * round(percent / 5)


def timeline_context(enrolment: Enrolment, user: Any, today: datetime.date,
                     records: selectors.EnrolmentRecords | None = None) -> dict[str, Any]:
    """The schedule, the timeline and the progress bar of one enrolment (its page and the home panel),
    each reading the enrolment's records from the one ``records``."""
    records = records if records is not None else selectors.EnrolmentRecords(enrolment)
    schedule = services.enrolment_schedule(enrolment, records=records)
    progress = progress_percent(enrolment.start_date, schedule.completion, today) if enrolment.is_current else 100
    return {
        "enrolment": enrolment,
        "schedule": schedule,
        "timeline": Timeline(selectors.timeline(enrolment, user=user, today=today, records=records)),
        "progress": progress,
        "progress_step": progress_step(progress),
        "month": selectors.month_of(enrolment, today) if enrolment.is_current else None,
    }


def programmes_crumbs() -> list[tuple[str, str]]:
    return crumbs(("Programmes", reverse("programmes:programme-list")))


def enrolment_queryset() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "programme", "programme__organisation", "preceptee", "preceptee__profession", "mentor", "line_manager",
        "organisation", "team",
    )


def get_enrolment(request: HttpRequest, pk: int, action: str = "view") -> Enrolment:
    return access.get_for_user(request.user, enrolment_queryset(), action=action, pk=pk)


class LeadOnlyMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access.refuse_unless(may_lead(request.user), "This page is for programme leads.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def enrolment_url(enrolment: Enrolment) -> str:
    """The enrolment page, or the practice page for the viewer's own journey while it is not built."""
    try:
        return enrolment.get_absolute_url()
    except NoReverseMatch:
        return reverse("programmes:my-preceptorship")


def enrolment_crumbs(enrolment: Enrolment, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs((str(enrolment.preceptee), enrolment_url(enrolment)), *more)


def roles_on(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    return {
        "is_preceptee": enrolment.preceptee_id == user.pk,
        "is_mentor": enrolment.mentor_id == user.pk,
        "is_line_manager": enrolment.line_manager_id == user.pk,
    }


class PracticeFormMixin(ServiceFormMixin):
    """A practice form calling one service (``perform``), on the practice form page with its heading."""

    success_message = "Saved."
    template_name = "programmes/practice/form.html"
    heading = ""
    caption = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading, caption=self.caption, crumbs=self.crumbs())
        return context

    def crumbs(self) -> list[tuple[str, str]]:
        return crumbs()


class EnrolmentMixin:
    """Loads ``self.enrolment`` from the ``pk`` kwarg within the right scope, checked for an action."""

    enrolment_scope = staticmethod(practice_enrolments)
    enrolment_action = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.enrolment = access.get_for_user(
            request.user,
            self.enrolment_scope(request.user).select_related("programme", "preceptee", "mentor", "line_manager"),
            action=self.enrolment_action, pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["enrolment"] = self.enrolment
        context.update(roles_on(self.request.user, self.enrolment))
        return context

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment)
