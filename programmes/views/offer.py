"""Offering preceptorship to all: the list of people who should be offered it (the programme lead's
organisations, the line manager's team), a person's offer record, marking a transition, recording
or undoing a decline, and the one-step enrolment.

Access is decided by ``preceptorship.access`` (the ``OfferPerson`` policy): outsiders get 404,
people who may read but not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView

from preceptorship import access
from preceptorship.models import Team
from preceptorship.pages import ServiceFormMixin, act, crumbs
from programmes import offer, services
from programmes.forms.offer import DeclineForm, MarkForm, OfferEnrolForm, OfferFilterForm
from programmes.models import Enrolment, OfferDecline, OfferPerson, TransitionMark
from programmes.views.common import PAGE_SIZE
from programmes.views.enrolments import PeopleSearchMixin, ServiceEnrolMixin

LIST_FIELDS = (
    "id", "user_id", "organisation_id", "team_id", "role", "user__first_name", "user__last_name", "user__email",
    "user__first_registered_on", "user__started_in_post_on", "user__profession__name", "team__name",
    "organisation__name",
)


def _refuse_outsiders(request: HttpRequest) -> None:
    access.refuse_unless(offer.may_see_offer(request.user),
                         "This page is for programme leads and line managers.")


def offer_crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(("Offer preceptorship", reverse("programmes:offer-list")), *more)


class OfferListView(ListView):
    template_name = "programmes/offer/list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "people"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _refuse_outsiders(request)
        self.today = timezone.localdate()
        user = request.user
        teams = Team.objects.order_by("name", "pk")
        if not access.is_administrator(user):
            teams = teams.filter(Q(organisation_id__in=offer.lead_organisation_ids(user))
                                 | Q(pk__in=offer.managed_team_ids(user)))
        self.filters = OfferFilterForm(request.GET or None, teams=teams)
        self.chosen = self.filters.chosen() if request.GET else {}
        self.everyone = self.chosen.get("show") == OfferFilterForm.EVERYONE
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[OfferPerson]:
        user = self.request.user
        rows = offer.not_enrolled(user, self.today) if self.everyone else offer.waiting(user, self.today)
        if self.chosen.get("team"):
            rows = rows.filter(team=self.chosen["team"])
        if self.chosen.get("profession"):
            rows = rows.filter(user__profession=self.chosen["profession"])
        return (rows.select_related("user__profession", "team", "organisation").only(*LIST_FIELDS)
                .order_by("user__last_name", "user__first_name", "pk"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["people"])
        marks = offer.marks_for(page)
        leads = offer.lead_organisation_ids(self.request.user)
        teams = offer.managed_team_ids(self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        rows = [{
            "person": row,
            "reasons": offer.reasons_of(row, marks.get((row.user_id, row.organisation_id), [])),
            "declined": row.declined,
            "url": reverse("programmes:offer-person", args=[row.pk]),
            "enrol_url": reverse("programmes:offer-enrol", args=[row.pk])
            if row.organisation_id in leads and not row.declined else "",
            "decline_url": reverse("programmes:offer-decline", args=[row.pk])
            if (row.organisation_id in leads or row.team_id in teams) and not row.declined else "",
        } for row in page]
        return context | {
            "rows": rows, "filters": self.filters, "everyone": self.everyone, "query_string": query.urlencode(),
            "several_organisations": len(leads) > 1 or access.is_administrator(self.request.user),
            "crumbs": crumbs(), "newly_months": offer.NEWLY_REGISTERED_MONTHS,
            "in_post_months": offer.NEW_IN_POST_MONTHS,
        }


def get_person(request: HttpRequest, pk: int, action: str = "view", today: datetime.date | None = None
               ) -> OfferPerson:
    """The person the page is about: 404 outside the viewer's scope (anyone the offer pages are not
    for has none), 403 for an action they may not take (administrators read only)."""
    source = offer.with_reasons(OfferPerson.objects.select_related("user__profession", "organisation", "team"),
                                today or timezone.localdate())
    return access.get_for_user(request.user, source, action=action, pk=pk)


class OfferPersonView(TemplateView):
    template_name = "programmes/offer/person.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person = get_person(self.request, kwargs["pk"])
        user = self.request.user
        marks = list(TransitionMark.objects.filter(person_id=person.user_id, organisation_id=person.organisation_id)
                     .select_related("recorded_by"))
        declines = list(OfferDecline.objects.filter(person_id=person.user_id, organisation_id=person.organisation_id)
                        .select_related("recorded_by", "undone_by"))
        enrolments = list(Enrolment.objects.filter(preceptee_id=person.user_id, organisation_id=person.organisation_id)
                          .select_related("programme").order_by("-start_date"))
        may_act = access.can(user, person, "mark")
        return super().get_context_data(**kwargs) | {
            "person": person, "reasons": offer.reasons_of(person, marks), "marks": marks, "declines": declines,
            "enrolments": enrolments, "may_act": may_act, "may_enrol": access.can(user, person, "enrol"),
            "standing": next((d for d in declines if d.standing), None),
            "crumbs": offer_crumbs(),
        }


class PersonActionView(ServiceFormMixin, FormView):
    """A form about one person on the offer pages, calling one service."""

    template_name = "programmes/offer/action.html"
    action = "mark"
    title = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.person = get_person(request, kwargs["pk"], self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return reverse("programmes:offer-person", args=[self.person.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "person": self.person, "title": self.title, "submit_label": self.submit_label,
            "crumbs": offer_crumbs((str(self.person.user), self.get_success_url())),
        }


class MarkView(PersonActionView):
    form_class = MarkForm
    action = "mark"
    title = "Mark a transition the staff record does not show"
    submit_label = "Save"

    def perform(self, form: MarkForm) -> TransitionMark:
        mark = services.transition_mark_record(actor=self.request.user, person=self.person,
                                               transition=form.cleaned_data["transition"])
        self.success_message = f"Marked {self.person.user} as {mark.get_transition_display().lower()}."
        return mark


class DeclineView(PersonActionView):
    form_class = DeclineForm
    action = "decline"
    title = "Record that they declined preceptorship"
    submit_label = "Record the decline"

    def get_initial(self) -> dict[str, Any]:
        return {"declined_on": timezone.localdate()}

    def perform(self, form: DeclineForm) -> OfferDecline:
        decline = services.offer_decline(actor=self.request.user, person=self.person, **form.cleaned_data)
        self.success_message = f"Recorded that {self.person.user} declined preceptorship."
        return decline


@require_POST
def decline_undo(request: HttpRequest, pk: int, decline_pk: int) -> HttpResponse:
    person = get_person(request, pk, "decline")
    decline = get_object_or_404(OfferDecline, pk=decline_pk, person_id=person.user_id,
                                organisation_id=person.organisation_id)
    act(request, lambda: services.offer_decline_undo(actor=request.user, decline=decline),
        f"Undid the decline: {person.user} is listed again.")
    return redirect("programmes:offer-person", pk=person.pk)


@require_POST
def mark_remove(request: HttpRequest, pk: int, mark_pk: int) -> HttpResponse:
    person = get_person(request, pk, "mark")
    mark = get_object_or_404(TransitionMark, pk=mark_pk, person_id=person.user_id,
                             organisation_id=person.organisation_id)
    act(request, lambda: services.transition_mark_remove(actor=request.user, mark=mark), "Took the mark back.")
    return redirect("programmes:offer-person", pk=person.pk)


class OfferEnrolView(ServiceEnrolMixin, PeopleSearchMixin, FormView):
    """One-step enrolment: the person, a suitable programme for their profession, the transition
    reason and their team's line manager pre-filled; ``services.enrolment_create`` decides."""

    form_class = OfferEnrolForm
    template_name = "programmes/offer/enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.today = timezone.localdate()
        self.person = get_person(request, kwargs["pk"], "enrol", self.today)
        self.reasons = offer.reasons_of(self.person, list(TransitionMark.objects.filter(
            person_id=self.person.user_id, organisation_id=self.person.organisation_id)))
        self.programmes = list(offer.suitable_programmes(self.person))
        asked = request.POST.get("programme") or request.GET.get("programme")
        try:
            asked_id = int(asked) if asked else None
        except ValueError:
            asked_id = None
        self.programme, self.transition = offer.proposed(self.programmes, self.reasons, asked_id)
        self.warnings = []
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.programme is None:
            return self.render_to_response(self.get_context_data(form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.programme is None:
            raise Http404("No open programme takes this person's profession.")
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"start_date": self.today, "transition": self.transition,
                "line_manager": offer.team_line_manager(self.person)}

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"programme": self.programme}

    def form_valid(self, form: OfferEnrolForm) -> HttpResponse:
        data = form.cleaned_data
        enrolment = self.try_enrol(form, lambda: services.enrolment_create(
            actor=self.request.user, programme=self.programme, preceptee=self.person.user,
            start_date=data["start_date"], transition=data["transition"], mentor=data["mentor"],
            line_manager=data["line_manager"], confirm_over_capacity=data["confirm_over_capacity"],
        ))
        if enrolment is None:
            return self.form_invalid(form)
        messages.success(self.request, f"Enrolled {self.person.user} on {self.programme}.")
        return redirect(enrolment)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person_url = reverse("programmes:offer-person", args=[self.person.pk])
        return super().get_context_data(**kwargs) | {
            "person": self.person, "reasons": self.reasons, "programme": self.programme,
            "programmes": self.programmes, "warning": self.warning, "person_url": person_url,
            "crumbs": offer_crumbs((str(self.person.user), person_url)),
        }
