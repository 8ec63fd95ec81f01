"""Enrolling, the programme lead's enrolment list, the enrolment page (the timeline) and its actions:
pause, resume, extend, withdraw and change people.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from preceptorship import access
from preceptorship.forms import record_ids
from preceptorship.links import url_maker
from preceptorship.models import Membership, User
from preceptorship.pages import ServiceFormMixin, add_service_errors, crumbs
from preceptorship.templatetags.dates import day_month_year
from programmes import exports, selectors, services
from programmes.access import may_lead
from programmes.filters import EnrolmentFilter
from programmes.forms.lead import (
    ChangePeopleForm,
    EnrolForm,
    ExtendForm,
    PauseForm,
    ResumeForm,
    WithdrawForm,
)
from programmes.models import (
    Enrolment,
    Goal,
    Programme,
)
from programmes.services import OverCapacity, TransitionError
from programmes.templatetags.practice_tags import status_tag, status_value_tag
from programmes.views.common import (
    PAGE_SIZE,
    LeadOnlyMixin,
    counted_page,
    get_enrolment,
    programmes_crumbs,
    timeline_context,
)

Role = Membership.Role


# Enrolling


class PeopleSearchMixin:
    """For a form with name searches (``forms.lead.PeopleSearchForm``): a post by a search button
    (named "search") runs the searches and shows the form again, checking nothing and losing
    nothing typed; a new search asks again about capacity once the people are chosen."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        if "data" in kwargs and "search" in kwargs["data"]:
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"].pop("confirm_over_capacity", None)
            kwargs["searching"] = True
        return kwargs

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()  # type: ignore[attr-defined]
        if form.searching:
            return self.render_to_response(self.get_context_data(form=form))  # type: ignore[attr-defined]
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)  # type: ignore[attr-defined]


class ServiceEnrolMixin:
    """What every enrolling page does with the service's answer (the enrol page, the cohort page
    and the offer list's one-step enrolment): an over-capacity mentor asks the lead to confirm, the
    service's messages go beside their fields, and a closed programme is said at the top."""

    warnings: list[services.CapacityWarning]

    @property
    def warning(self) -> services.CapacityWarning | None:
        return self.warnings[0] if getattr(self, "warnings", None) else None

    def try_enrol(self, form: Any, enrol: Callable[[], Any], rename: dict[str, str] | None = None) -> Any:
        """``enrol()``'s answer, or None with the form told why (then show ``form_invalid``)."""
        try:
            return enrol()
        except OverCapacity as over:
            self.warnings = over.warnings
            form.ask_to_confirm()
        except ValidationError as error:
            add_service_errors(form, _rename(error, rename or {}))
        except TransitionError as error:
            form.add_error(None, str(error))
        return None


class EnrolView(ServiceEnrolMixin, PeopleSearchMixin, FormView):
    form_class = EnrolForm
    template_name = "programmes/lead/enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = access.get_for_user(
            request.user, Programme.objects.select_related("organisation"), action="enrol", pk=kwargs["pk"]
        )
        self.warnings = []
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.programme.status != Programme.Status.OPEN:
            messages.error(request, "This programme is closed to new enrolments.")
            return redirect(self.programme)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "per_person" in request.POST:  # on to the cohort page, a mentor and line manager for each person
            ticked = record_ids(request.POST.getlist("preceptees"))[:1000]
            query = urlencode([("person", pk) for pk in ticked])
            return redirect(f"{reverse('programmes:programme-enrol-cohort', args=[self.programme.pk])}?{query}")
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return super().get_initial() | {"find": self.request.GET.get("find", "")}

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"programme": self.programme}

    def form_valid(self, form: EnrolForm) -> HttpResponse:
        data = form.cleaned_data
        enrolments = self.try_enrol(form, lambda: services.enrolment_cohort_create(
            actor=self.request.user, programme=self.programme, preceptees=list(data["preceptees"]),
            start_date=data["start_date"], transition=data["transition"], mentor=data["mentor"],
            line_manager=data["line_manager"], confirm_over_capacity=data["confirm_over_capacity"],
        ), rename={"preceptee": "preceptees"})
        if enrolments is None:
            return self.form_invalid(form)
        names = ", ".join(str(e.preceptee) for e in enrolments)
        messages.success(self.request, f"Enrolled {len(enrolments)} {'person' if len(enrolments) == 1 else 'people'}: "
                                       f"{names}.")
        if len(enrolments) == 1:
            return redirect(enrolments[0])
        return redirect(f"{reverse('programmes:enrolment-list')}?programme={self.programme.pk}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [*programmes_crumbs(), (str(self.programme), self.programme.get_absolute_url())]
        return super().get_context_data(**kwargs) | {
            "programme": self.programme, "warning": self.warning, "crumbs": crumbs,
        }


def _rename(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(key, key): value for key, value in error.error_dict.items()})


class EnrolmentListView(LeadOnlyMixin, FilterView):
    filterset_class = EnrolmentFilter
    template_name = "programmes/lead/enrolment_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "enrolments"

    def get_queryset(self) -> QuerySet[Enrolment]:
        # Only what the table shows: each join more costs PostgreSQL more to plan than the query
        # costs to run (docs/performance.md). The CSV adds the employer and the line manager.
        rows = selectors.led_enrolments(self.request.user).select_related(None)
        shown = rows.select_related("programme", "preceptee__profession", "mentor", "team")
        return shown.order_by("-start_date", "-id")

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return super().get_filterset_kwargs(filterset_class) | {"user": self.request.user}

    def paginate_queryset(self, queryset: QuerySet[Enrolment], page_size: int) -> tuple:
        # The page is sorted and cut from the enrolments alone, with the list's length in the same
        # query, and the names joined to its rows only: joining them first would read every
        # enrolment's people before the sort, as many as the organisation has (docs/performance.md).
        # The page's rows are read by their ids: the outer query needs neither the scope nor the
        # filters again (repeating them multiplies PostgreSQL's planning time).
        ordering = queryset.query.order_by
        counted = counted_page(self, queryset.select_related(None).values("pk"), page_size)
        if counted is None:
            paginator, page, rows, is_paginated = super().paginate_queryset(queryset.select_related(None), page_size)
            ids: Any = rows.values("pk")
        else:
            paginator, page = counted
            ids, is_paginated = [row["pk"] for row in page.object_list], page.has_other_pages()
        # As values: the table shows only these columns, and building the rows' six model
        # instances each costs more than the query.
        page.object_list = Enrolment.objects.filter(pk__in=ids).order_by(*ordering).values(*ENROLMENT_TABLE_FIELDS)
        return paginator, page, page.object_list, is_paginated

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.request.GET.get("format") == "csv":
            return exports.response(enrolments_table(self.object_list.select_related("organisation", "line_manager")),
                                    "csv")
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        return context | {
            "rows": table_rows_of_values(context["enrolments"], today),
            "query_string": query.urlencode(),
            "today": today,
            "chosen_mentor": self.filterset.chosen_mentor(),
            "crumbs": crumbs(),
        }


# What includes/enrolment_table.html shows of each row and its joined records: reading only these
# columns halves the cost of building the page's 25 rows from the database's answer.
ENROLMENT_TABLE_FIELDS = (
    "id", "start_date", "next_review_due", "status", "programme__name", "team__name",
    "preceptee__first_name", "preceptee__last_name", "preceptee__email", "preceptee__profession__name",
    "mentor__first_name", "mentor__last_name", "mentor__email",
)


class TableRows(list):
    """``table_rows``, with their markup for includes/enrolment_table.html (``{{ rows.html }}``, or
    ``{{ rows.html_with_programme }}`` with the programme's column): as a template, its lookups
    through every row cost more than the rest of the table."""

    def _html(self, show_programme: bool) -> SafeString:
        parts = []
        for row in self:
            note = (f'<span class="app-table-note">{conditional_escape(row["note"])}</span>' if row["note"] else "")
            programme = f'<td class="nhsuk-table__cell">{conditional_escape(row["programme"])}</td>' \
                if show_programme else ""
            if row["next_review"]:
                review = conditional_escape(row["next_review"]) + (
                    ' <strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' if row["overdue"] else "")
            else:
                review = "None due"
            parts.append(
                '\n    <tr class="nhsuk-table__row">\n'
                f'      <td class="nhsuk-table__cell"><a href="{conditional_escape(row["url"])}">'
                f'{conditional_escape(row["preceptee"])}</a>{note}</td>\n'
                f"      {programme}\n"
                f'      <td class="nhsuk-table__cell">{conditional_escape(row["mentor"])}</td>\n'
                f'      <td class="nhsuk-table__cell">{conditional_escape(row["started"])}</td>\n'
                f'      <td class="nhsuk-table__cell">{review}</td>\n'
                f'      <td class="nhsuk-table__cell">{conditional_escape(row["status"])}</td>\n'
                "    </tr>\n    "
            )
        return mark_safe("".join(parts))  # noqa: S308  # nosec - every value is escaped

    @property
    def html(self) -> SafeString:
        return self._html(show_programme=False)

    @property
    def html_with_programme(self) -> SafeString:
        return self._html(show_programme=True)


def table_rows(enrolments: Iterable[Enrolment], today: datetime.date) -> TableRows:
    """What includes/enrolment_table.html shows of each enrolment, as plain values: the template's
    lookups through each row's objects cost more than the rest of the page. Each row's link comes
    from one URL reversal for the whole table."""
    url = url_maker("programmes:enrolment-detail")
    rows = TableRows()
    for enrolment in enrolments:
        profession = enrolment.preceptee.profession
        note = ""
        if profession:
            note = f"{profession.name}, {enrolment.team.name}" if enrolment.team else profession.name
        due = enrolment.next_review_due
        rows.append({
            "url": url(enrolment.pk), "preceptee": str(enrolment.preceptee), "note": note,
            "programme": enrolment.programme.name, "mentor": str(enrolment.mentor),
            "started": day_month_year(enrolment.start_date), "next_review": day_month_year(due),
            "overdue": bool(due) and enrolment.status == Enrolment.Status.ACTIVE and due < today,
            "status": status_tag(enrolment),
        })
    return rows


ENROLMENT_LIST_COLUMNS = [
    ("preceptee", "Preceptee"), ("profession", "Profession"), ("programme", "Programme"), ("employer", "Employer"),
    ("team", "Team"), ("mentor", "Mentor"), ("line_manager", "Line manager"), ("transition", "Transition reason"),
    ("status", "Status"), ("start_date", "Start date"), ("next_review_due", "Next review due"),
    ("review_overdue", "Review overdue"), ("completion_due", "Completion due"),
    ("withdrawal_reason", "Withdrawal reason"),
]


def enrolments_table(enrolments: QuerySet[Enrolment]) -> exports.Table:
    """Every filtered row of the lead's enrolment list (not only the page shown), as a file."""
    today = timezone.localdate()
    return exports.Table(name="all-enrolments", title="Enrolments", columns=ENROLMENT_LIST_COLUMNS, rows=[
        [str(e.preceptee), str(e.preceptee.profession or ""), e.programme.name, e.organisation.name,
         e.team.name if e.team else "", str(e.mentor), str(e.line_manager or ""), e.get_transition_display(),
         e.get_status_display(), e.start_date, e.next_review_due, "yes" if e.review_overdue(today) else "no",
         e.completion_due, e.get_withdrawal_reason_display()]
        for e in enrolments
    ])


def table_rows_of_values(enrolments: Iterable[dict[str, Any]], today: datetime.date) -> TableRows:
    """``table_rows`` of enrolments read as values of ``ENROLMENT_TABLE_FIELDS``."""
    url = url_maker("programmes:enrolment-detail")
    rows = TableRows()
    for enrolment in enrolments:
        profession, team = enrolment["preceptee__profession__name"], enrolment["team__name"]
        note = ""
        if profession:
            note = f"{profession}, {team}" if team is not None else profession
        due, status = enrolment["next_review_due"], enrolment["status"]
        rows.append({
            "url": url(enrolment["id"]),
            "preceptee": User.name_from(enrolment["preceptee__first_name"], enrolment["preceptee__last_name"],
                                     enrolment["preceptee__email"]),
            "note": note, "programme": enrolment["programme__name"],
            "mentor": User.name_from(enrolment["mentor__first_name"], enrolment["mentor__last_name"],
                                  enrolment["mentor__email"]),
            "started": day_month_year(enrolment["start_date"]), "next_review": day_month_year(due),
            "overdue": bool(due) and status == Enrolment.Status.ACTIVE and due < today,
            "status": status_value_tag(status),
        })
    return rows


# One enrolment


class EnrolmentDetailView(DetailView):
    """The timeline: the preceptee's home, and everyone's view of one preceptorship."""

    template_name = "programmes/lead/enrolment_detail.html"
    context_object_name = "enrolment"

    def get_object(self, queryset: QuerySet | None = None) -> Enrolment:
        # The schedule, the timeline, the protected time and the page each read the pauses,
        # extensions, goals and reviews: from one ``records``, so each kind is read once. Whether it
        # has been evaluated, whether the needs assessment is shared, the protected time received
        # and the names the page shows come with the enrolment; its people come after it.
        shown = selectors.with_page_facts(Enrolment.objects.select_related("programme"))
        enrolment = access.get_for_user(self.request.user, shown, action="view", pk=self.kwargs["pk"])
        self.records = selectors.EnrolmentRecords(enrolment)
        selectors.attach_people(enrolment, self.records.confirmations)
        return enrolment

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        enrolment: Enrolment = self.object
        user = self.request.user
        policy = access.policy_for(Enrolment)
        allowed = {
            action: policy.allows(user, enrolment, action)
            for action in ("manage", "change", "confirm_completion", "record_outcome", "certificate", "evaluate")
        }
        today, records = timezone.localdate(), self.records
        pauses, extensions = records.pauses, records.extensions
        return super().get_context_data(**kwargs) | timeline_context(enrolment, user, today, records) | {
            "can": allowed,
            "today": today,
            "pauses": pauses,
            "extensions": extensions,
            # One history in time order: a pause from its start, an extension from the day it was recorded.
            "changes": sorted([(pause.start_date, "pause", pause) for pause in pauses]
                              + [(timezone.localdate(extension.created_at), "extension", extension)
                                 for extension in extensions], key=lambda change: change[0]),
            "confirmations": records.confirmations,
            "completion_open": services.completion_open(enrolment, today),
            "time": selectors.protected_time_summary(enrolment, today, records=records),
            "evaluated": enrolment.evaluated,
            "goals": goal_totals(records.goals),
            # Filled in by the preceptee and talked through at review 1: asked for until it is shared.
            "ask_for_needs": enrolment.preceptee_id == user.pk and enrolment.is_current
            and not enrolment.reviews_held and not enrolment.needs_shared,
            "is_preceptee": enrolment.preceptee_id == user.pk,
            "crumbs": enrolment_crumbs(user),
        }


def goal_totals(goals: Iterable[Goal]) -> dict[str, int]:
    """Goals achieved of those set (a dropped one no longer counts): the totals everyone who sees the
    enrolment page may read, the programme lead included (it never reads the goals themselves)."""
    goals = list(goals)
    return {
        "set": sum(1 for goal in goals if goal.status != Goal.Status.DROPPED),
        "achieved": sum(1 for goal in goals if goal.status == Goal.Status.ACHIEVED),
    }


def enrolment_crumbs(user: Any) -> list[tuple[str, str]]:
    return crumbs(("Enrolments", reverse("programmes:enrolment-list"))) if may_lead(user) else crumbs()


class EnrolmentActionView(ServiceFormMixin, FormView):
    """A small form about one enrolment that calls one service and returns to the enrolment page."""

    template_name = "programmes/lead/enrolment_action.html"
    action = "change"
    title = ""
    intro = ""
    submit_label = "Save"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.enrolment = get_enrolment(request, kwargs["pk"], action=self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return self.enrolment.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [
            *enrolment_crumbs(self.request.user), (str(self.enrolment.preceptee), self.enrolment.get_absolute_url())
        ]
        return super().get_context_data(**kwargs) | {
            "enrolment": self.enrolment, "title": self.title, "intro": self.intro,
            "submit_label": self.submit_label, "crumbs": crumbs,
        }


class PauseView(EnrolmentActionView):
    form_class = PauseForm
    title = "Pause the preceptorship"
    intro = "Every review and the completion date after the start of the pause move later by the pause's length."
    submit_label = "Pause the preceptorship"
    success_message = "The pause has been recorded and the dates have moved."

    def perform(self, form: PauseForm) -> None:
        services.enrolment_pause(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)


class ExtendView(EnrolmentActionView):
    form_class = ExtendForm
    title = "Extend the preceptorship"
    intro = ("An extension moves the completion date later. The review schedule stays as it is. The mentor and "
             "line manager are asked again to confirm completion when the new date comes.")
    submit_label = "Extend"
    success_message = "The extension has been recorded."

    def get_initial(self) -> dict[str, Any]:
        """What the mentor or line manager proposed when they said "not yet", ready to accept or change."""
        proposals = [c for c in self.enrolment.confirmations.all() if not c.confirmed]
        if not proposals:
            return {}
        months = [c.proposed_extension_months for c in proposals if c.proposed_extension_months]
        reason = "\n".join(f"{c.get_role_display()}: {c.reason}" for c in proposals)
        return {"months": max(months) if months else None, "reason": reason}

    def perform(self, form: ExtendForm) -> None:
        services.enrolment_extend(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)


class WithdrawView(EnrolmentActionView):
    form_class = WithdrawForm
    title = "Record a withdrawal"
    intro = "The reason is kept for the retention figures."
    submit_label = "Record the withdrawal"
    success_message = "The withdrawal has been recorded."

    def perform(self, form: WithdrawForm) -> None:
        services.enrolment_withdraw(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)


class ChangePeopleView(PeopleSearchMixin, EnrolmentActionView):
    form_class = ChangePeopleForm
    template_name = "programmes/lead/change_people.html"
    action = "manage"
    title = "Change mentor or line manager"
    intro = "Find the mentor and the line manager by name. The people chosen stay listed whatever you search next."
    submit_label = "Save"
    success_message = "The mentor and line manager have been saved."
    warning: services.CapacityWarning | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"programme": self.enrolment.programme}

    def get_initial(self) -> dict[str, Any]:
        return {"mentor": self.enrolment.mentor_id, "line_manager": self.enrolment.line_manager_id}

    def form_valid(self, form: ChangePeopleForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except OverCapacity as over:
            self.warning = over.warning
            form.ask_to_confirm()
            return self.form_invalid(form)

    def perform(self, form: ChangePeopleForm) -> None:
        services.enrolment_change_people(actor=self.request.user, enrolment=self.enrolment, **form.people())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"warning": self.warning}


class ResumeView(EnrolmentActionView):
    """The return from a pause, on the date the preceptee came back (today unless changed)."""

    form_class = ResumeForm
    title = "Record the return from the pause"
    submit_label = "Record the return"
    success_message = "The preceptorship has resumed; the dates have been worked out again."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.enrolment = get_enrolment(request, kwargs["pk"], action=self.action)
        if self.enrolment.status != Enrolment.Status.PAUSED:
            messages.error(request, "Only a paused enrolment can resume.")
            return redirect(self.enrolment)
        return super().dispatch(request, *args, **kwargs)

    @property
    def intro(self) -> str:
        pause = self.enrolment.pauses.filter(start_date__lte=timezone.localdate()).order_by("-start_date").first()
        planned = (f"Paused from {pause.start_date:%-d %B %Y} ({pause.get_reason_display().lower()}), planned last "
                   f"day {pause.end_date:%-d %B %Y}. ") if pause else ""
        return planned + "Every review and the completion date after the return are worked out again."

    def get_initial(self) -> dict[str, Any]:
        return {"on": services.default_return_date(self.enrolment)}

    def perform(self, form: ResumeForm) -> None:
        services.enrolment_resume(actor=self.request.user, enrolment=self.enrolment, on=form.cleaned_data["on"])


enrolment_resume = ResumeView.as_view()  # the URL's name for it
