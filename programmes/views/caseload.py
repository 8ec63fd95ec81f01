"""The mentor's caseload, the line manager's team and the preceptee's own preceptorship.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import ListView
from django_filters.views import FilterView

from preceptorship import access
from preceptorship.links import url_maker
from preceptorship.models import Membership, User
from preceptorship.pages import crumbs
from preceptorship.templatetags.dates import day_month_year
from programmes import exports, selectors
from programmes.filters import PracticeEnrolmentFilter
from programmes.models import (
    Enrolment,
    Programme,
)
from programmes.views.common import PAGE_SIZE, counted_page

Role = Membership.Role


# Caseload and team


CSV_COLUMNS = [
    ("preceptee", "Preceptee"), ("profession", "Profession"), ("programme", "Programme"), ("status", "Status"),
    ("start_date", "Start date"), ("next_review_due", "Next review due"), ("review_overdue", "Review overdue"),
    ("reviews_held", "Reviews held"), ("completion_due", "Completion due"),
    ("reflections_awaiting_feedback", "Reflections awaiting feedback"), ("employer", "Employer"),
    ("transition", "Transition reason"), ("mentor", "Mentor"),
]


class EnrolmentListView(FilterView):
    """Shared by the caseload and the team: filter, sort (overdue first by default), one page of
    rows, and the filtered rows as a CSV file."""

    filterset_class = PracticeEnrolmentFilter
    paginate_by = PAGE_SIZE
    role = Role.MENTOR
    heading = ""
    file_name = "caseload"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access.refuse_unless(access.has_role(request.user, self.role),
                       f"This page is for people with the {self.role.label.lower()} role.")
        return super().dispatch(request, *args, **kwargs)

    def rows(self) -> QuerySet[Enrolment]:
        raise NotImplementedError

    @functools.cached_property
    def scoped_rows(self) -> QuerySet[Enrolment]:
        """The list's enrolments, before any filter, without joins: the filter's choices read
        their ids in subqueries."""
        return self.rows().select_related(None)

    def get_queryset(self) -> QuerySet[Enrolment]:
        # Only what the table and the CSV show: each join more costs the planner more than the
        # query costs to run (docs/performance.md).
        rows = self.scoped_rows.select_related("programme", "preceptee__profession")
        flagged = selectors.with_flags(rows, self.request.user, all_mentored=self.role == Role.MENTOR)
        return flagged.order_by(
            F("next_review_due").asc(nulls_last=True), "preceptee__last_name", "pk"
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        return kwargs | {"rows": self.scoped_rows, "by_mentor": self.role != Role.MENTOR}

    def paginate_queryset(self, queryset: QuerySet[Enrolment], page_size: int) -> tuple:
        # The page's rows read only the columns the table shows, as values (the CSV reads the whole
        # rows), and the list's length with them.
        shown = queryset.values(*CASELOAD_TABLE_FIELDS)
        counted = counted_page(self, shown, page_size)
        if counted is None:
            return super().paginate_queryset(shown, page_size)
        paginator, page = counted
        return paginator, page, page.object_list, page.has_other_pages()

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.request.GET.get("format") == "csv":
            return exports.response(self.table(), "csv")
        return super().render_to_response(context, **kwargs)

    def table(self) -> exports.Table:
        """Every filtered row (not only this page), for the CSV download."""
        today = timezone.localdate()
        return exports.Table(name=self.file_name, title=self.heading, columns=CSV_COLUMNS, rows=[
            [str(e.preceptee), str(e.preceptee.profession or ""), str(e.programme), e.get_status_display(),
             e.start_date, e.next_review_due, "yes" if e.review_overdue(today) else "no", e.reviews_held,
             e.completion_due, e.shared_awaiting, str(e.organisation), e.get_transition_display(), str(e.mentor)]
            for e in self.object_list
        ])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        today = timezone.localdate()
        context.update(heading=self.heading, today=today, query_string=query.urlencode(), crumbs=crumbs(),
                       rows=caseload_rows(context["page_obj"].object_list, today))
        return context


HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>'
CELL = '      <td class="nhsuk-table__cell" role="cell">' + HEADING


class CaseloadRows(list):
    """``caseload_rows``, with their markup for practice/includes/enrolment_table.html
    (``{{ rows.html }}``): as a template, its lookups through every row cost more than the rest of
    the table."""

    @property
    def html(self) -> SafeString:
        parts = []
        for row in self:
            preceptee = conditional_escape(row["preceptee"])
            profession = (f'<br><span class="nhsuk-body-s">{conditional_escape(row["profession"])}</span>'
                          if row["profession"] else "")
            over = ('<br><strong class="nhsuk-tag nhsuk-tag--orange">Caseload above protection</strong>'
                    if row["caseload_over"] else "")
            if row["next_review"]:
                overdue = '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' if row["overdue"] else ""
                review = f'{conditional_escape(row["next_review"])}\n          {overdue}\n        '
            else:
                review = "None due"
            draft = (f'<br><a href="{conditional_escape(row["draft_url"])}">Review record in progress — continue'
                     f'<span class="nhsuk-u-visually-hidden"> ({preceptee})</span></a>' if row["draft_url"] else "")
            parts.append(
                '\n    <tr class="nhsuk-table__row" role="row">\n'
                f'{CELL.format("Preceptee")}<a href="{conditional_escape(row["url"])}">{preceptee}</a>'
                f"{profession}</td>\n"
                f'{CELL.format("Programme")}{conditional_escape(row["programme"])}</td>\n'
                f'{CELL.format("Status")}{conditional_escape(row["status"])}{over}</td>\n'
                f'{CELL.format("Next review")}\n        {review}{draft}</td>\n'
                f'{CELL.format("Reviews held")}{conditional_escape(localize(row["reviews_held"]))}</td>\n'
                f'{CELL.format("Reflections awaiting feedback")}{conditional_escape(localize(row["shared_awaiting"]))}'
                "</td>\n    </tr>\n    "
            )
        return mark_safe("".join(parts))  # noqa: S308  # nosec - every value is escaped


def caseload_rows(enrolments: Iterable[dict[str, Any]], today: datetime.date) -> CaseloadRows:
    """What practice/includes/enrolment_table.html shows of each enrolment (read as values of
    ``CASELOAD_TABLE_FIELDS``), as plain values: the template's lookups through each row's objects
    cost more than the rest of the page. Each row's link comes from one URL reversal for the whole
    table."""
    url = url_maker("programmes:review-list")
    draft_url = url_maker("programmes:review-record")
    programmes: dict[int, Programme] = {}  # the caseload rule of each programme shown
    rows = CaseloadRows()
    for enrolment in enrolments:
        pk, due, status = enrolment["id"], enrolment["next_review_due"], enrolment["status"]
        programme = programmes.get(enrolment["programme_id"])
        if programme is None:
            programme = programmes[enrolment["programme_id"]] = Programme(
                pk=enrolment["programme_id"],
                protected_caseload_months=enrolment["programme__protected_caseload_months"],
                protected_caseload_percent=enrolment["programme__protected_caseload_percent"])
        rows.append({
            "url": url(pk),
            "preceptee": User.name_from(enrolment["preceptee__first_name"], enrolment["preceptee__last_name"],
                                     enrolment["preceptee__email"]),
            "profession": enrolment["preceptee__profession__name"] or "", "programme": enrolment["programme__name"],
            "status": STATUS_LABELS.get(status, status), "next_review": day_month_year(due),
            "overdue": bool(due) and status == Enrolment.Status.ACTIVE and due < today,
            "reviews_held": enrolment["reviews_held"], "shared_awaiting": enrolment["shared_awaiting"],
            "draft_url": draft_url(pk) if enrolment["review_draft_saved"] else "",
            "caseload_over": selectors.caseload_over(programme, enrolment["start_date"], enrolment["latest_caseload"],
                                                     enrolment["latest_caseload_on"], today),
        })
    return rows


STATUS_LABELS = dict(Enrolment.Status.choices)

# What includes/enrolment_table.html shows of each row of the caseload and the team, with the
# figures ``selectors.with_flags`` adds.
CASELOAD_TABLE_FIELDS = (
    "id", "status", "start_date", "next_review_due", "reviews_held", "programme_id", "programme__name",
    "programme__protected_caseload_months", "programme__protected_caseload_percent", "preceptee__first_name",
    "preceptee__last_name", "preceptee__email", "preceptee__profession__name",
    "latest_caseload", "latest_caseload_on", "shared_awaiting", "review_draft_saved",
)


class CaseloadView(EnrolmentListView):
    template_name = "programmes/practice/caseload.html"
    heading = "Your caseload"

    def rows(self) -> QuerySet[Enrolment]:
        return selectors.caseload(self.request.user)


class TeamView(EnrolmentListView):
    template_name = "programmes/practice/caseload.html"
    heading = "Your team's preceptorships"
    role = Role.LINE_MANAGER
    file_name = "team-preceptorships"

    def rows(self) -> QuerySet[Enrolment]:
        return selectors.team_enrolments(self.request.user)


class MyPreceptorshipView(ListView):
    """The preceptee's own enrolments, each with its goals, reflections, reviews and time."""

    template_name = "programmes/practice/my_preceptorship.html"
    context_object_name = "enrolments"

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolments_for(self.request.user).filter(preceptee_id=self.request.user.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(crumbs=crumbs(),
                       to_acknowledge=list(selectors.reviews_to_acknowledge(self.request.user)))
        return context
