"""Protected time and the needs assessment.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import act
from programmes import selectors, services
from programmes.forms.practice import (
    NeedsAssessmentForm,
    ProtectedTimeForm,
)
from programmes.models import (
    NeedsAssessment,
    ProtectedTime,
)
from programmes.views.common import PAGE_SIZE, EnrolmentMixin, PracticeFormMixin, enrolment_crumbs

Role = Membership.Role


# Protected time


class ProtectedTimeView(EnrolmentMixin, ListView):
    template_name = "programmes/practice/protected_time.html"
    context_object_name = "entries"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[ProtectedTime]:
        return access.scope(self.request.user, ProtectedTime).filter(enrolment=self.enrolment).select_related(
            "logged_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        can_log = access.can(self.request.user, self.enrolment, "log_time")
        context.update(
            crumbs=self.crumbs(), summary=selectors.protected_time_summary(self.enrolment),
            # Whoever may log time (the preceptee and mentor, while it runs) may correct it too.
            can_log=can_log, can_change=can_log,
        )
        return context


class ProtectedTimeLogView(EnrolmentMixin, PracticeFormMixin, FormView):
    form_class = ProtectedTimeForm
    enrolment_action = "log_time"
    heading = "Log protected time"
    caption = "Time set aside for development: supervision, study, shadowing, reflection or a course."
    success_message = "The time is logged."

    def get_initial(self) -> dict[str, Any]:
        return {"on": timezone.localdate()}

    def perform(self, form: ProtectedTimeForm) -> ProtectedTime:
        return services.protected_time_log(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:protected-time", args=[self.enrolment.pk])

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Protected time", self.get_success_url()))


def _entry_for(user: Any, pk: int, action: str = "view") -> ProtectedTime:
    queryset = ProtectedTime.objects.select_related(
        "enrolment__programme", "enrolment__preceptee", "enrolment__mentor", "enrolment__line_manager"
    )
    return access.get_for_user(user, queryset, action=action, pk=pk)


class ProtectedTimeCorrectView(PracticeFormMixin, FormView):
    form_class = ProtectedTimeForm
    heading = "Correct protected time"
    success_message = "The entry is corrected."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.entry = _entry_for(request.user, kwargs["pk"], action="change")
        self.enrolment = self.entry.enrolment
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "submit": "Save the correction"}

    def get_initial(self) -> dict[str, Any]:
        entry = self.entry
        return {"on": entry.on, "hours": entry.hours, "activity": entry.activity, "note": entry.note}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "enrolment": self.enrolment}

    def perform(self, form: ProtectedTimeForm) -> ProtectedTime:
        return services.protected_time_correct(actor=self.request.user, entry=self.entry, **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:protected-time", args=[self.enrolment.pk])

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Protected time", self.get_success_url()))


@require_http_methods(["GET", "POST"])
def protected_time_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure", naming the entry; POST deletes it through the service."""
    entry = _entry_for(request.user, pk, action="change")
    listing = reverse("programmes:protected-time", args=[entry.enrolment_id])
    if request.method == "POST":
        act(request, lambda: services.protected_time_delete(actor=request.user, entry=entry) or True,
            "The entry is deleted.")
        return redirect(listing)
    return render(request, "programmes/practice/protected_time_delete.html", {
        "entry": entry, "enrolment": entry.enrolment, "listing": listing,
        "crumbs": enrolment_crumbs(entry.enrolment, ("Protected time", listing)),
    })


# Needs assessment


class NeedsAssessmentView(EnrolmentMixin, DetailView):
    template_name = "programmes/practice/needs_assessment.html"
    context_object_name = "assessment"

    def get_object(self, queryset: Any = None) -> NeedsAssessment | None:
        return access.scope(self.request.user, NeedsAssessment).filter(enrolment=self.enrolment).first()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.object  # None before the preceptee starts it: the context then has no "assessment"
        context.update(
            assessment=assessment,
            crumbs=self.crumbs(), can_change=access.can(self.request.user, self.enrolment, "needs_assessment"),
            # Until the preceptee shares it, it is theirs alone.
            visible=assessment is not None and (
                assessment.submitted_at is not None or self.enrolment.preceptee_id == self.request.user.pk
            ),
        )
        return context


class NeedsAssessmentEditView(EnrolmentMixin, PracticeFormMixin, FormView):
    form_class = NeedsAssessmentForm
    enrolment_action = "needs_assessment"
    heading = "Your needs assessment"
    caption = ("Your starting point, in your own words. Your mentor and line manager read it once you share it, "
               "and you talk it through at your first review meeting.")

    def get_initial(self) -> dict[str, Any]:
        assessment = NeedsAssessment.objects.filter(enrolment=self.enrolment).first()
        if assessment is None:
            return {}
        return {name: getattr(assessment, name) for name in services.NEEDS_FIELDS}

    def perform(self, form: NeedsAssessmentForm) -> NeedsAssessment:
        submit = "draft" not in self.request.POST
        self.success_message = (
            "Your needs assessment is shared with your mentor and line manager." if submit
            else "Your draft is saved. Only you can see it."
        )
        return services.needs_assessment_save(
            actor=self.request.user, enrolment=self.enrolment, submit=submit, **form.cleaned_data
        )

    def get_success_url(self) -> str:
        return reverse("programmes:needs-assessment", args=[self.enrolment.pk])

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Needs assessment", self.get_success_url()))
