"""The programme lead's programmes (list, set up, page, close, delete) and mentors.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access
from preceptorship.models import Membership, User
from preceptorship.pages import act, add_service_errors, crumbs
from programmes import selectors, services, setup_warnings
from programmes.access import lead_organisation_ids, may_lead
from programmes.forms.lead import (
    ProgrammeForm,
)
from programmes.models import (
    Enrolment,
    Programme,
)
from programmes.services.enrolments import mentor_room
from programmes.views.common import PAGE_SIZE, LeadOnlyMixin, programmes_crumbs
from programmes.views.enrolments import table_rows

Role = Membership.Role

Role = Membership.Role


# Programmes


class ProgrammeListView(ListView):
    template_name = "programmes/lead/programme_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "programmes"

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programmes_for(self.request.user).prefetch_related("professions").order_by("status", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "can_create": may_lead(self.request.user),
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
        else:
            access.refuse_unless(may_lead(request.user), "Only programme leads can set up programmes.")
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
        crumbs = programmes_crumbs()
        if self.programme:
            crumbs.append((str(self.programme), self.programme.get_absolute_url()))
        return super().get_context_data(**kwargs) | {
            "programme": self.programme, "crumbs": crumbs,
            "setup_warnings": setup_warnings.warnings_for(self.programme),
        }


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
        shown = list(enrolments[:100])
        today = timezone.localdate()
        return super().get_context_data(**kwargs) | {
            "is_lead": is_lead,
            "professions": list(programme.professions.all()),
            "enrolments": shown,
            "rows": table_rows(shown, today),
            "enrolment_total": enrolments.count(),
            "has_enrolments": programme.enrolments.exists(),
            "evaluations": selectors.evaluation_summary(programme) if is_lead else None,
            "setup_warnings": setup_warnings.warnings_for(programme) if is_lead else [],
            "today": today,
            "crumbs": programmes_crumbs(),
        }


@require_POST
def programme_close(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_for_user(request.user, Programme, action="close", pk=pk)
    act(request, lambda: services.programme_close(actor=request.user, programme=programme),
        f"{programme} is closed: nobody new can be enrolled. Current enrolments carry on.")
    return redirect(programme)


@require_POST
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_for_user(request.user, Programme, action="delete", pk=pk)
    name = str(programme)
    # The service returns nothing: True says it went through (act answers None for a refusal).
    if act(request, lambda: services.programme_delete(actor=request.user, programme=programme) or True,
           f"{name} has been deleted.") is None:
        return redirect(programme)
    return redirect("programmes:programme-list")


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
        for mentor in context["mentors"]:
            mentor.space = mentor_room(current=mentor.current_load, capacity=mentor.capacity)
        return context | {"default_capacity": selectors.DEFAULT_CAPACITY, "crumbs": crumbs()}
