"""The preceptor register (programme leads), the mentor's own preceptor page (training, time given,
evaluation), the mentor's wellbeing after a review meeting, and the leads' aggregates.

Access: ``programmes.preceptors.access`` (outsiders 404, read-only viewers 403). Writes:
``programmes.preceptors.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, ListView

from preceptorship import access
from preceptorship.pages import ServiceFormMixin, act, crumbs
from programmes import exports
from programmes.models import Enrolment
from programmes.preceptors import selectors, services
from programmes.preceptors.access import (
    LEADS_ONLY,
    MENTORS_ONLY,
    is_mentor,
    led_organisation,
    may_keep_register,
    mentor_review,
    register_organisations,
)
from programmes.preceptors.forms import (
    AllowanceForm,
    EvaluationForm,
    RegisterEntryForm,
    TimeGivenForm,
    TrainingForm,
    WellbeingForm,
)
from programmes.preceptors.models import (
    Preceptor,
    PreceptorEvaluation,
    PreceptorRecord,
    PreceptorWellbeing,
    RegisterSettings,
    TimeGiven,
)

FORM_TEMPLATE = "programmes/practice/form.html"


def register_crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(("Preceptor register", reverse("programmes:preceptors:register")), *more)


def mine_crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(("Your preceptor record", reverse("programmes:preceptors:mine")), *more)


def _preceptor(request: HttpRequest, pk: int, action: str) -> Preceptor:
    return access.get_for_user(request.user, Preceptor.objects.select_related("user", "organisation"), action=action,
                               pk=pk)


class RegisterView(ListView):
    """The register of the organisations the lead keeps it for: training, registration, exception,
    time given this year against the allowance, and the flags."""

    template_name = "preceptors/register.html"
    context_object_name = "preceptors"
    paginate_by = 50
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Nothing to post to a list, whoever asks: 405 before access is decided.
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        access.refuse_unless(may_keep_register(request.user), LEADS_ONLY)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Preceptor]:
        return selectors.register_queryset(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        organisations = list(register_organisations(self.request.user))
        allowances = dict(RegisterSettings.objects.filter(organisation__in=organisations).values_list(
            "organisation_id", "allowance_hours"))
        for organisation in organisations:
            organisation.allowance = allowances.get(organisation.pk)
        return context | {
            "lines": selectors.lines(context["preceptors"], today),
            "organisations": organisations,
            "year": selectors.year_label(selectors.year_start(today)),
            "crumbs": crumbs(),
        }


def _register_table(user: Any) -> exports.Table:
    today = timezone.localdate()
    table = exports.Table("preceptor_register", "Preceptor register", [
        ("organisation", "Organisation"), ("mentor", "Mentor"), ("profession", "Profession"),
        ("first_registered_on", "Date first registered"), ("first_preceptee_start", "First preceptee's start"),
        ("training_completed_on", "Training completed"), ("training_course", "Course"),
        ("exception", "Exception agreed"), ("exception_reason", "Why"), ("exception_agreed_by", "Agreed by"),
        ("exception_agreed_on", "Date agreed"), ("hours_given_this_year", "Hours given this year"),
        ("allowance_hours", "Allowance (hours)"), ("flags", "Flags"),
    ])
    for line in selectors.lines(selectors.register_queryset(user), today):
        record = line.record or PreceptorRecord()
        mentor = line.mentor
        table.rows.append([
            str(line.preceptor.organisation), str(mentor), mentor.profession.name if mentor.profession else "",
            mentor.first_registered_on, line.first_start, record.training_completed_on, record.training_course,
            "yes" if record.has_exception else "no", record.exception_reason, record.exception_agreed_by,
            record.exception_agreed_on, line.given, line.allowance, "; ".join(line.flags),
        ])
    return table


@require_GET
def register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    access.refuse_unless(may_keep_register(request.user), LEADS_ONLY)
    if fmt not in exports.CONTENT_TYPES:
        raise Http404("No such format.")
    return exports.response(_register_table(request.user), fmt)


class EntryView(ServiceFormMixin, FormView):
    """The lead's part of one register entry."""

    form_class = RegisterEntryForm
    template_name = FORM_TEMPLATE
    success_message = "Register entry saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.preceptor = _preceptor(request, kwargs["pk"], "edit")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        record = PreceptorRecord.objects.filter(organisation_id=self.preceptor.organisation_id,
                                                mentor_id=self.preceptor.user_id).first() or PreceptorRecord()
        return {
            "registered_on": self.preceptor.user.first_registered_on,
            "has_exception": "yes" if record.has_exception else "no",
            "exception_reason": record.exception_reason, "exception_agreed_by": record.exception_agreed_by,
            "exception_agreed_on": record.exception_agreed_on, "allowance_hours": record.allowance_hours,
        }

    def perform(self, form: RegisterEntryForm) -> Any:
        return services.preceptor_record_update(actor=self.request.user, preceptor=self.preceptor, **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:preceptors:register")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "heading": f"Register entry of {self.preceptor.user}",
            "caption": f"{self.preceptor.organisation}. The exception needs all three of why, who agreed and when.",
            "crumbs": register_crumbs(),
        }


class TrainingView(ServiceFormMixin, FormView):
    """The mentor's (or the lead's) record of the mentor's preceptor training."""

    form_class = TrainingForm
    template_name = FORM_TEMPLATE
    success_message = "Training saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.preceptor = _preceptor(request, kwargs["pk"], "edit_training")
        self.own = self.preceptor.user_id == request.user.pk
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        record = PreceptorRecord.objects.filter(organisation_id=self.preceptor.organisation_id,
                                                mentor_id=self.preceptor.user_id).first() or PreceptorRecord()
        return {"training_completed_on": record.training_completed_on, "training_course": record.training_course}

    def perform(self, form: TrainingForm) -> Any:
        return services.preceptor_training_update(
            actor=self.request.user, preceptor=self.preceptor,
            completed_on=form.cleaned_data["training_completed_on"], course=form.cleaned_data["training_course"],
        )

    def get_success_url(self) -> str:
        return reverse("programmes:preceptors:mine" if self.own else "programmes:preceptors:register")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        heading = "Your preceptor training" if self.own else f"Preceptor training of {self.preceptor.user}"
        return super().get_context_data(**kwargs) | {
            "heading": heading, "caption": str(self.preceptor.organisation),
            "crumbs": mine_crumbs() if self.own else register_crumbs(),
        }


class AllowanceView(ServiceFormMixin, FormView):
    form_class = AllowanceForm
    template_name = FORM_TEMPLATE
    success_message = "Allowance saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.organisation = led_organisation(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        found = RegisterSettings.objects.filter(organisation=self.organisation).first()
        return {"allowance_hours": found.allowance_hours if found else None}

    def perform(self, form: AllowanceForm) -> Any:
        return services.register_allowance_set(actor=self.request.user, organisation=self.organisation,
                                               hours=form.cleaned_data["allowance_hours"])

    def get_success_url(self) -> str:
        return reverse("programmes:preceptors:register")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "heading": "Preceptor time allowance", "caption": str(self.organisation), "crumbs": register_crumbs(),
        }


@require_GET
def feedback(request: HttpRequest) -> HttpResponse:
    """The leads' aggregates: preceptors' evaluations and wellbeing this year, five answers or more."""
    access.refuse_unless(may_keep_register(request.user), LEADS_ONLY)
    start = selectors.year_start(timezone.localdate())
    return render(request, "preceptors/feedback.html", {
        "rows": selectors.feedback(register_organisations(request.user), start),
        "year": selectors.year_label(start), "crumbs": register_crumbs(),
    })


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The mentor's own page: their register entries, their time this year, the evaluation."""
    access.refuse_unless(is_mentor(request.user), MENTORS_ONLY)
    today = timezone.localdate()
    start = selectors.year_start(today)
    preceptors = access.scope(request.user, Preceptor).filter(user_id=request.user.pk).select_related(
        "user", "organisation").order_by("organisation__name", "pk")
    lines = selectors.lines(preceptors, today)
    answered = set(PreceptorEvaluation.objects.filter(mentor=request.user, year=start.year).values_list(
        "organisation_id", flat=True))
    for line in lines:
        line.evaluated = line.preceptor.organisation_id in answered
    return render(request, "preceptors/mine.html", {
        "lines": lines, "year": selectors.year_label(start), "crumbs": crumbs(),
    })


class TimeGivenView(ServiceFormMixin, FormView):
    """The mentor's log of time given to their preceptees this year, with the form to add to it."""

    form_class = TimeGivenForm
    template_name = "preceptors/time_given.html"
    success_message = "Time logged."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access.refuse_unless(is_mentor(request.user), MENTORS_ONLY)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        enrolments = (
            Enrolment.objects.filter(mentor_id=self.request.user.pk, status__in=Enrolment.CURRENT)
            .select_related("preceptee", "programme").order_by("preceptee__last_name", "preceptee__first_name", "pk")
        )
        return super().get_form_kwargs() | {"enrolments": enrolments}

    def perform(self, form: TimeGivenForm) -> Any:
        return services.time_given_log(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:preceptors:time")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        entries = list(selectors.time_given_by(self.request.user, today))
        return super().get_context_data(**kwargs) | {
            "entries": entries, "total": sum(entry.hours for entry in entries),
            "year": selectors.year_label(selectors.year_start(today)), "crumbs": mine_crumbs(),
        }


@require_POST
def time_given_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_for_user(request.user, TimeGiven, action="delete", pk=pk)
    act(request, lambda: services.time_given_delete(actor=request.user, entry=entry), "Entry deleted.")
    return redirect("programmes:preceptors:time")


class WellbeingView(ServiceFormMixin, FormView):
    """The mentor's own wellbeing after a review meeting they held: only they see it."""

    form_class = WellbeingForm
    template_name = FORM_TEMPLATE
    success_message = "Saved. Only you see this; your programme lead sees averages of five or more answers."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.review = mentor_review(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        found = PreceptorWellbeing.objects.filter(review=self.review, mentor=self.request.user).first()
        return {"score": found.score, "note": found.note} if found else {}

    def perform(self, form: WellbeingForm) -> Any:
        return services.preceptor_wellbeing_record(actor=self.request.user, review=self.review, **form.cleaned_data)

    def get_success_url(self) -> str:
        return self.review.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "heading": f"Your own wellbeing after review meeting {self.review.number}",
            "caption": "Only you see your answer. Your programme lead sees averages of at least five answers.",
            "enrolment": self.review.enrolment,
            "crumbs": crumbs((f"Review meeting {self.review.number}", self.review.get_absolute_url())),
        }


class EvaluationView(ServiceFormMixin, FormView):
    """The mentor's yearly evaluation for one organisation."""

    form_class = EvaluationForm
    template_name = FORM_TEMPLATE
    success_message = "Thank you. Your answers are only ever reported with those of at least four others."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.preceptor = _preceptor(request, kwargs["pk"], "evaluate")
        self.start = selectors.year_start(timezone.localdate())
        if PreceptorEvaluation.objects.filter(organisation_id=self.preceptor.organisation_id, mentor=request.user,
                                              year=self.start.year).exists():
            messages.info(request, "You have already answered this year's evaluation.")
            return redirect("programmes:preceptors:mine")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form: EvaluationForm) -> Any:
        return services.preceptor_evaluation_submit(actor=self.request.user, preceptor=self.preceptor,
                                                    year=self.start.year, answers=form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:preceptors:mine")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "heading": "How is being a preceptor going?",
            "caption": f"{self.preceptor.organisation}, {selectors.year_label(self.start)}. Your answers are only "
            "ever reported with those of at least four others.",
            "crumbs": mine_crumbs(),
        }
