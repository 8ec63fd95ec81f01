"""The programme lead's pages (programmes, enrolments, mentors) and the enrolment page with its
actions (pause, resume, extend, withdraw, change people, completion, certificate, evaluation).

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView

from preceptorship import access
from preceptorship.links import url_maker
from preceptorship.models import Membership, User
from preceptorship.pages import ServiceFormMixin, add_service_errors, crumbs
from preceptorship.pdf import render_pdf
from programmes import exports, selectors, services
from programmes.access import lead_organisation_ids
from programmes.filters import EnrolmentFilter
from programmes.forms_lead import (
    ChangePeopleForm,
    ConfirmCompletionForm,
    EnrolForm,
    EvaluationForm,
    ExtendForm,
    OutcomeForm,
    PauseForm,
    ProgrammeForm,
    ResumeForm,
    WithdrawForm,
)
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Goal,
    Programme,
)
from programmes.schedule import progress_percent
from programmes.services import OverCapacity, TransitionError

Role = Membership.Role
PAGE_SIZE = 25


def progress_step(percent: int) -> int:
    """The progress bar's width class: the nearest 5% (the CSP forbids inline widths)."""
    return 5 * round(percent / 5)


def timeline_context(enrolment: Enrolment, user: Any, today: datetime.date) -> dict[str, Any]:
    """The schedule, the timeline and the progress bar of one enrolment (its page and the home panel)."""
    schedule = services.enrolment_schedule(enrolment)
    progress = progress_percent(enrolment.start_date, schedule.completion, today) if enrolment.is_current else 100
    return {
        "enrolment": enrolment,
        "schedule": schedule,
        "timeline": selectors.timeline(enrolment, user=user, today=today),
        "progress": progress,
        "progress_step": progress_step(progress),
        "month": selectors.month_of(enrolment, today) if enrolment.is_current else None,
    }


def _is_lead(user: Any) -> bool:
    return bool(lead_organisation_ids(user))


def _programmes_crumbs() -> list[tuple[str, str]]:
    return crumbs(("Programmes", reverse("programmes:programme-list")))


def _enrolment_queryset() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "programme", "programme__organisation", "preceptee", "preceptee__profession", "mentor", "line_manager",
        "organisation", "team",
    )


def _get_enrolment(request: HttpRequest, pk: int, action: str = "view") -> Enrolment:
    return access.get_for_user(request.user, _enrolment_queryset(), action=action, pk=pk)


# Programmes


class ProgrammeListView(ListView):
    template_name = "programmes/lead/programme_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "programmes"

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programmes_for(self.request.user).prefetch_related("professions").order_by("status", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "can_create": _is_lead(self.request.user),
            "crumbs": crumbs(),
        }


class ProgrammeFormView(FormView):
    """Create (no pk) or change (pk) a programme."""

    form_class = ProgrammeForm
    template_name = "programmes/lead/programme_form.html"
    programme: Programme | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if "pk" in kwargs:
            self.programme = access.get_for_user(request.user, Programme, action="change", pk=kwargs["pk"])
        elif not _is_lead(request.user):
            raise PermissionDenied("Only programme leads can set up programmes.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.programme}

    def form_valid(self, form: ProgrammeForm) -> HttpResponse:
        fields = form.programme_fields()
        try:
            if self.programme is None:
                programme = services.programme_create(
                    actor=self.request.user, professions=form.cleaned_data["professions"], **fields
                )
                messages.success(self.request, f"{programme} has been set up. You can now enrol people.")
            else:
                programme = services.programme_update(
                    actor=self.request.user, programme=self.programme,
                    professions=form.cleaned_data["professions"], **fields,
                )
                messages.success(self.request, "The programme has been saved.")
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(programme)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = _programmes_crumbs()
        if self.programme:
            crumbs.append((str(self.programme), self.programme.get_absolute_url()))
        return super().get_context_data(**kwargs) | {"programme": self.programme, "crumbs": crumbs}


class ProgrammeDetailView(DetailView):
    template_name = "programmes/lead/programme_detail.html"
    context_object_name = "programme"

    def get_object(self, queryset: QuerySet | None = None) -> Programme:
        return access.get_for_user(
            self.request.user, Programme.objects.select_related("organisation", "framework"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programme = self.object
        user = self.request.user
        is_lead = access.can(user, programme, "change")
        enrolments = (
            selectors.enrolments_for(user).filter(programme=programme).order_by("status", "preceptee__last_name")
        )
        return super().get_context_data(**kwargs) | {
            "is_lead": is_lead,
            "professions": list(programme.professions.all()),
            "enrolments": enrolments[:100],
            "enrolment_total": enrolments.count(),
            "has_enrolments": programme.enrolments.exists(),
            "evaluations": selectors.evaluation_summary(programme) if is_lead else None,
            "today": timezone.localdate(),
            "crumbs": _programmes_crumbs(),
        }


@require_POST
def programme_close(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_for_user(request.user, Programme, action="close", pk=pk)
    try:
        services.programme_close(actor=request.user, programme=programme)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{programme} is closed: nobody new can be enrolled. Current enrolments carry on.")
    return redirect(programme)


@require_POST
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_for_user(request.user, Programme, action="delete", pk=pk)
    try:
        services.programme_delete(actor=request.user, programme=programme)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect(programme)
    messages.success(request, f"{programme} has been deleted.")
    return redirect("programmes:programme-list")


# Enrolling


class PeopleSearchMixin:
    """For a form with name searches (``forms_lead.PeopleSearchForm``): a post by a search button
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


class EnrolView(PeopleSearchMixin, FormView):
    form_class = EnrolForm
    template_name = "programmes/lead/enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = access.get_for_user(
            request.user, Programme.objects.select_related("organisation"), action="enrol", pk=kwargs["pk"]
        )
        self.warning: services.CapacityWarning | None = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.programme.status != Programme.Status.OPEN:
            messages.error(request, "This programme is closed to new enrolments.")
            return redirect(self.programme)
        return super().get(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return super().get_initial() | {"find": self.request.GET.get("find", "")}

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"programme": self.programme}

    def form_valid(self, form: EnrolForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            enrolments = services.enrolment_cohort_create(
                actor=self.request.user, programme=self.programme, preceptees=list(data["preceptees"]),
                start_date=data["start_date"], transition=data["transition"], mentor=data["mentor"],
                line_manager=data["line_manager"], confirm_over_capacity=data["confirm_over_capacity"],
            )
        except OverCapacity as over:
            self.warning = over.warning
            form.ask_to_confirm()
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_errors(form, _rename(error, {"preceptee": "preceptees"}))
            return self.form_invalid(form)
        except TransitionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        names = ", ".join(str(e.preceptee) for e in enrolments)
        messages.success(self.request, f"Enrolled {len(enrolments)} {'person' if len(enrolments) == 1 else 'people'}: "
                                       f"{names}.")
        if len(enrolments) == 1:
            return redirect(enrolments[0])
        return redirect(f"{reverse('programmes:enrolment-list')}?programme={self.programme.pk}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [*_programmes_crumbs(), (str(self.programme), self.programme.get_absolute_url())]
        return super().get_context_data(**kwargs) | {
            "programme": self.programme, "warning": self.warning, "crumbs": crumbs,
        }


def _rename(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(key, key): value for key, value in error.error_dict.items()})


# The programme lead's enrolment list and mentors


class LeadOnlyMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _is_lead(request.user):
            raise PermissionDenied("This page is for programme leads.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


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
        # The page is sorted and cut from the enrolments alone and the names joined to its rows
        # only (a subquery: the same queries): joining them first read every enrolment's people
        # before the sort, as many as the organisation has (docs/performance.md).
        # The rows' ids come from the scoped and filtered query: the outer query needs neither the
        # scope nor the filters again (repeating them tripled PostgreSQL's planning time).
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset.select_related(None), page_size)
        page.object_list = (
            Enrolment.objects.filter(pk__in=rows.values("pk"))
            .select_related("programme", "preceptee__profession", "mentor", "team")
            .only(*ENROLMENT_TABLE_FIELDS).order_by(*queryset.query.order_by)
        )
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
        link_rows(context["enrolments"])
        return context | {
            "query_string": query.urlencode(),
            "today": timezone.localdate(),
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


def link_rows(enrolments: Iterable[Enrolment]) -> None:
    """Each row's link to its enrolment (``url``) from one URL reversal for the whole page: a
    reversal per row cost more than the rest of the row's cells."""
    url = url_maker("programmes:enrolment-detail")
    for enrolment in enrolments:
        enrolment.url = url(enrolment.pk)


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


class MentorListView(LeadOnlyMixin, ListView):
    template_name = "programmes/lead/mentor_list.html"
    context_object_name = "mentors"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[User]:
        organisations = lead_organisation_ids(self.request.user)
        mentors_here = Membership.objects.filter(organisation_id__in=organisations, role=Role.MENTOR)
        # Mentors from other organisations of the ICS who support this organisation's preceptees.
        mentoring_ours = Enrolment.objects.filter(
            programme__organisation_id__in=organisations, status__in=Enrolment.CURRENT
        )
        people = User.objects.filter(
            Q(pk__in=mentors_here.values("user_id")) | Q(pk__in=mentoring_ours.values("mentor_id"))
        )
        return selectors.with_mentor_load(people.select_related("profession")).order_by("last_name", "first_name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisations = lead_organisation_ids(self.request.user)
        default = (
            Programme.objects.filter(organisation_id__in=organisations, status=Programme.Status.OPEN)
            .aggregate(capacity=Min("mentor_capacity"))["capacity"]
            or Programme._meta.get_field("mentor_capacity").default
        )
        for mentor in context["mentors"]:
            mentor.capacity = mentor.tightest_capacity or default
            mentor.space = mentor.capacity - mentor.current_load
        return context | {"default_capacity": default, "crumbs": crumbs()}


# One enrolment


class EnrolmentDetailView(DetailView):
    """The timeline: the preceptee's home, and everyone's view of one preceptorship."""

    template_name = "programmes/lead/enrolment_detail.html"
    context_object_name = "enrolment"

    def get_object(self, queryset: QuerySet | None = None) -> Enrolment:
        # The schedule, the timeline, the protected time and the page each read the pauses,
        # extensions, goals and reviews: read once each. Whether it has been evaluated, whether the
        # needs assessment is shared and the protected time received come with the enrolment.
        shown = _enrolment_queryset().select_related(None).select_related(
            "programme", "preceptee__profession", "organisation", "team")
        enrolment = access.get_for_user(self.request.user, selectors.with_timeline_content(shown),
                                        action="view", pk=self.kwargs["pk"])
        selectors.attach_people(enrolment)
        return enrolment

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        enrolment: Enrolment = self.object
        user = self.request.user
        policy = access.policy_for(Enrolment)
        allowed = {
            action: policy.allows(user, enrolment, action)
            for action in ("manage", "change", "confirm_completion", "record_outcome", "certificate", "evaluate")
        }
        today = timezone.localdate()
        return super().get_context_data(**kwargs) | timeline_context(enrolment, user, today) | {
            "can": allowed,
            "today": today,
            "pauses": list(enrolment.pauses.all()),
            "extensions": list(enrolment.extensions.all()),
            "confirmations": list(enrolment.confirmations.all()),
            "completion_open": services.completion_open(enrolment, today),
            "time": selectors.protected_time_summary(enrolment, today),
            "evaluated": enrolment.evaluated,
            "goals": goal_totals(enrolment),
            # Filled in by the preceptee and talked through at review 1: asked for until it is shared.
            "ask_for_needs": enrolment.preceptee_id == user.pk and enrolment.is_current
            and not enrolment.reviews_held and not enrolment.needs_shared,
            "is_preceptee": enrolment.preceptee_id == user.pk,
            "crumbs": _enrolment_crumbs(user),
        }


def goal_totals(enrolment: Enrolment) -> dict[str, int]:
    """Goals achieved of those set (a dropped one no longer counts): the totals everyone who sees the
    enrolment page may read, the programme lead included (it never reads the goals themselves)."""
    goals = list(enrolment.goals.all())  # prefetched with the enrolment, shared with the timeline
    return {
        "set": sum(1 for goal in goals if goal.status != Goal.Status.DROPPED),
        "achieved": sum(1 for goal in goals if goal.status == Goal.Status.ACHIEVED),
    }


def _enrolment_crumbs(user: Any) -> list[tuple[str, str]]:
    return crumbs(("Enrolments", reverse("programmes:enrolment-list"))) if _is_lead(user) else crumbs()


class EnrolmentActionView(ServiceFormMixin, FormView):
    """A small form about one enrolment that calls one service and returns to the enrolment page."""

    template_name = "programmes/lead/enrolment_action.html"
    action = "change"
    title = ""
    intro = ""
    submit_label = "Save"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.enrolment = _get_enrolment(request, kwargs["pk"], action=self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return self.enrolment.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [
            *_enrolment_crumbs(self.request.user), (str(self.enrolment.preceptee), self.enrolment.get_absolute_url())
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


class ConfirmCompletionView(EnrolmentActionView):
    form_class = ConfirmCompletionForm
    action = "confirm_completion"
    title = "Confirm completion"
    submit_label = "Send my answer"
    success_message = "Your answer has been recorded. The programme lead records the outcome."

    @property
    def intro(self) -> str:  # type: ignore[override]
        return (
            f"{self.enrolment.preceptee}'s preceptorship is due to complete on "
            f"{self.enrolment.completion_due:%-d %B %Y}. The mentor and the line manager each confirm."
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.completion_open(self.enrolment):
            messages.info(request, "Completion can be confirmed from a month before the completion date "
                                   f"({self.enrolment.completion_due:%-d %B %Y}).")
            return redirect(self.enrolment)
        return super().get(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        """Their earlier answer, to change (it is replaced, not added to)."""
        earlier = self.enrolment.confirmations.filter(by_id=self.request.user.pk).first()
        if earlier is None:
            return {}
        return {"confirmed": "yes" if earlier.confirmed else "no", "reason": earlier.reason,
                "proposed_extension_months": earlier.proposed_extension_months}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """What the answer rests on, as the enrolment page shows it, and the other person's answer."""
        enrolment, today = self.enrolment, timezone.localdate()
        goals = goal_totals(enrolment)
        time = selectors.protected_time_summary(enrolment, today)
        summary = [
            ("Reviews held", f"{enrolment.reviews_held} of {len(services.enrolment_schedule(enrolment).reviews)}"),
            ("Goals", f"{goals['achieved']} achieved of {goals['set']} set" if goals["set"] else "None set"),
            ("Protected time", f"{time.received.normalize():f} of {time.expected.normalize():f} hours so far"),
        ]
        return super().get_context_data(**kwargs) | {
            "summary_rows": summary, "confirmation_rows": confirmation_rows(enrolment),
        }

    def perform(self, form: ConfirmCompletionForm) -> None:
        data = form.cleaned_data
        services.completion_confirm(
            actor=self.request.user, enrolment=self.enrolment, confirmed=data["confirmed"],
            reason=data.get("reason") or "", proposed_extension_months=data.get("proposed_extension_months"),
        )


class OutcomeView(EnrolmentActionView):
    form_class = OutcomeForm
    action = "record_outcome"
    title = "Record the outcome"
    intro = "Once recorded the preceptorship is complete and the preceptee can download their certificate."
    submit_label = "Record the outcome and complete"
    success_message = "The preceptorship is complete. The preceptee has been told and can download their certificate."

    def get_initial(self) -> dict[str, Any]:
        exit_level = self.enrolment.programme.exit_level
        return {
            "completed_on": min(timezone.localdate(), self.enrolment.completion_due),
            "outcome": f"Progressed to {exit_level}" if exit_level else "",
        }

    def perform(self, form: OutcomeForm) -> None:
        services.completion_record_outcome(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"confirmation_rows": confirmation_rows(self.enrolment)}


def confirmation_rows(enrolment: Enrolment) -> list[tuple[str, CompletionConfirmation | None]]:
    """Each answer completion waits for (mentor, and line manager if there is one), or None."""
    confirmations = {c.role: c for c in enrolment.confirmations.select_related("by")}
    return [(CompletionConfirmation.Role(role).label, confirmations.get(role))
            for role in services.required_confirmations(enrolment)]


class EvaluationView(EnrolmentActionView):
    form_class = EvaluationForm
    action = "evaluate"
    title = "Tell us about your preceptorship"
    intro = ("Your answers help improve the programme. Programme leads only see totals, and only once at least "
             "5 people have answered, so nobody can tell what you said.")
    submit_label = "Send my answers"
    success_message = "Thank you. Your answers have been sent."

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if Evaluation.objects.filter(enrolment=self.enrolment).exists():
            messages.info(request, "You have already evaluated this programme. Thank you.")
            return redirect(self.enrolment)
        return super().get(request, *args, **kwargs)

    def perform(self, form: EvaluationForm) -> None:
        services.evaluation_submit(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)


class ResumeView(EnrolmentActionView):
    """The return from a pause, on the date the preceptee came back (today unless changed)."""

    form_class = ResumeForm
    title = "Record the return from the pause"
    submit_label = "Record the return"
    success_message = "The preceptorship has resumed; the dates have been worked out again."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.enrolment = _get_enrolment(request, kwargs["pk"], action=self.action)
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


@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _get_enrolment(request, pk, action="certificate")
    pdf = render_pdf("pdf/certificate.html", {"enrolment": enrolment, "programme": enrolment.programme})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"preceptorship certificate {enrolment.preceptee.last_name or enrolment.pk}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
