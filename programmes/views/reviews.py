"""Review meetings: the list, recording one, not held, the record, corrections, addenda and
acknowledging.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access, charts
from preceptorship.figures import Figure
from preceptorship.models import Membership
from preceptorship.pages import act, add_service_errors
from programmes import selectors, services
from programmes.access import review_enrolments
from programmes.forms.practice import (
    AcknowledgeForm,
    AddendumForm,
    NotHeldForm,
    ReviewForm,
)
from programmes.models import (
    Enrolment,
    Goal,
    ReviewDraft,
    ReviewMeeting,
)
from programmes.services import TransitionError
from programmes.views.common import EnrolmentMixin, PracticeFormMixin, enrolment_crumbs, enrolment_url, roles_on

Role = Membership.Role


# Review meetings


class ReviewListView(EnrolmentMixin, ListView):
    template_name = "programmes/practice/review_list.html"
    context_object_name = "reviews"
    enrolment_scope = staticmethod(review_enrolments)

    def get_queryset(self) -> QuerySet[ReviewMeeting]:
        return access.scope(self.request.user, ReviewMeeting).filter(enrolment=self.enrolment).order_by(
            "-number", "-recorded_at"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        can_record = access.can(self.request.user, self.enrolment, "record_review")
        context.update(
            crumbs=self.crumbs(), overdue=self.enrolment.review_overdue(), can_record=can_record,
            draft=selectors.review_draft(self.enrolment) if can_record else None,
            trend=scores_trend(list(context["reviews"])),
        )
        return context


def protected_caseload(enrolment: Enrolment) -> tuple[int, int] | None:
    """The programme's protected caseload (at most %, for the first months), for the form's hint."""
    programme = enrolment.programme
    if programme.protected_caseload_percent and programme.protected_caseload_months:
        return programme.protected_caseload_percent, programme.protected_caseload_months
    return None


def scores_trend(reviews: list[ReviewMeeting]) -> charts.Chart | None:
    """Wellbeing and confidence at each meeting held, asked every time so the trend shows (from two)."""
    held = sorted((r for r in reviews if r.status == ReviewMeeting.Status.HELD and r.wellbeing), key=lambda r: r.number)
    if len(held) < 2:
        return None
    return charts.line_chart(
        "Wellbeing and confidence at each review meeting (1 to 5)", [f"Review {r.number}" for r in held],
        [("Wellbeing", [Figure(r.wellbeing, 0) for r in held]),
         ("Confidence", [Figure(r.confidence, 0) for r in held])],
        first_header="Meeting", minimum=0, maximum=5,
    )


class ReviewRecordView(EnrolmentMixin, PracticeFormMixin, FormView):
    form_class = ReviewForm
    template_name = "programmes/practice/review_form.html"
    enrolment_scope = staticmethod(review_enrolments)
    enrolment_action = "record_review"
    success_message = "The review meeting is recorded. The preceptee has been asked to read and acknowledge it."

    @property
    def heading(self) -> str:
        return f"Record review meeting {self.enrolment.reviews_held + 1}"

    def goals(self) -> list[Goal]:
        return list(self.enrolment.goals.exclude(status__in=[Goal.Status.ACHIEVED, Goal.Status.DROPPED]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "goals": self.goals(), "with_draft": True,
                "protected_caseload": protected_caseload(self.enrolment)}

    @functools.cached_property
    def draft(self) -> ReviewDraft | None:
        return selectors.review_draft(self.enrolment)

    def get_form(self, form_class: Any = None) -> ReviewForm:
        form = super().get_form(form_class)
        if not form.is_bound and self.draft is not None:
            form.restore(self.draft.answers)  # back to a record saved to finish later: as it was left
        return form

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "draft" not in request.POST:
            return super().post(request, *args, **kwargs)
        # "Save and finish later": kept as typed, none of the record's checks apply yet.
        form = self.get_form()
        try:
            services.review_draft_save(actor=request.user, enrolment=self.enrolment, answers=form.typed())
        except TransitionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(request, "Your draft review record is saved. The meeting is not recorded yet and nobody "
                                  "has been told. Continue it from the preceptee's page.")
        return redirect(enrolment_url(self.enrolment))

    def get_initial(self) -> dict[str, Any]:
        # Nobody is ticked as present: the record says who was there only when the mentor says so.
        return {
            "held_on": timezone.localdate(),
            "next_meeting_on": services.default_next_meeting(
                self.enrolment, after_number=self.enrolment.reviews_held + 1
            ),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["draft"] = self.draft
        if not self.enrolment.reviews_held:  # the needs assessment is talked through at review 1
            context["aside_link"] = (f"Read {self.enrolment.preceptee}'s needs assessment (opens in a new tab)",
                                     reverse("programmes:needs-assessment", args=[self.enrolment.pk]))
        return context

    def perform(self, form: ReviewForm) -> ReviewMeeting:
        return services.review_record(
            actor=self.request.user, enrolment=self.enrolment, goal_progress=form.goal_progress(),
            actions=form.actions(), **form.review_fields(),
        )

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Review meetings", reverse("programmes:review-list",
                                                                            args=[self.enrolment.pk])))


@require_POST
def review_draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = access.get_for_user(
        request.user, review_enrolments(request.user).select_related("programme"), action="record_review", pk=pk
    )
    act(request, lambda: services.review_draft_discard(actor=request.user, enrolment=enrolment),
        "The draft review record is discarded.")
    return redirect("programmes:review-list", enrolment.pk)


class ReviewNotHeldView(EnrolmentMixin, PracticeFormMixin, FormView):
    form_class = NotHeldForm
    enrolment_scope = staticmethod(review_enrolments)
    enrolment_action = "record_review"
    heading = "Record a meeting that did not take place"
    success_message = "Saved. The new date is now the next review due."

    @property
    def caption(self) -> str:
        due = self.enrolment.next_review_due
        when = f", due on {due:%-d %B %Y}" if due else ""
        return (f"Review meeting {self.enrolment.reviews_held + 1}{when}. The preceptee and you are sent the "
                "new date, with a calendar invitation that moves the meeting.")

    def perform(self, form: NotHeldForm) -> ReviewMeeting:
        return services.review_mark_not_held(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("programmes:review-list", args=[self.enrolment.pk])

    crumbs = ReviewRecordView.crumbs


def _review_for(user: Any, pk: int, action: str = "view") -> ReviewMeeting:
    queryset = ReviewMeeting.objects.select_related(
        "enrolment__programme", "enrolment__preceptee", "enrolment__mentor", "enrolment__line_manager", "recorded_by"
    )
    return access.get_for_user(user, queryset, action=action, pk=pk)


REVIEW_TEMPLATE = "programmes/practice/review_detail.html"


def _review_context(request: HttpRequest, review: ReviewMeeting, **forms: Any) -> dict[str, Any]:
    user = request.user
    enrolment = review.enrolment
    # The goals' text and progress notes only for those who see the goals themselves (the preceptee,
    # mentor and line manager); a programme lead sees how many goals were reviewed.
    goal_updates = list(review.goal_updates.select_related("goal"))
    visible_goals = set(access.scope(user, Goal).filter(enrolment_id=enrolment.pk).values_list("pk", flat=True))
    context = {
        "review": review, "enrolment": enrolment, **roles_on(user, enrolment),
        "actions": review.actions.all(), "addenda": review.addenda.select_related("author"),
        "goal_updates": [update for update in goal_updates if update.goal_id in visible_goals],
        "goals_reviewed": len({update.goal_id for update in goal_updates}),
        "can_correct": access.can(user, review, "correct") and review.status == ReviewMeeting.Status.HELD,
        "can_add_addendum": access.can(user, review, "addendum") and review.status == ReviewMeeting.Status.HELD,
        "can_acknowledge": access.can(user, review, "acknowledge") and review.acknowledged_at is None,
        "crumbs": enrolment_crumbs(enrolment, ("Review meetings", reverse("programmes:review-list",
                                                                          args=[enrolment.pk]))),
        "acknowledge_form": forms.get("acknowledge_form") or AcknowledgeForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
    }
    return context


class ReviewDetailView(DetailView):
    template_name = REVIEW_TEMPLATE
    context_object_name = "review"

    def get_object(self, queryset: Any = None) -> ReviewMeeting:
        return _review_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_review_context(self.request, self.object)}


class ReviewCorrectView(PracticeFormMixin, FormView):
    form_class = ReviewForm
    template_name = "programmes/practice/review_form.html"
    success_message = "The record is corrected. The change is kept in the audit log."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.review = _review_for(request.user, kwargs["pk"], action="correct")
        self.enrolment = self.review.enrolment
        return super().dispatch(request, *args, **kwargs)

    @property
    def heading(self) -> str:
        return f"Correct the record of review meeting {self.review.number}"

    @property
    def caption(self) -> str:
        return f"You can correct it until {timezone.localtime(self.review.locked_after):%-d %B %Y at %H:%M}."

    def goals(self) -> list[Goal]:
        """The goals reviewed at this meeting, and those still open (progress on one may have been missed)."""
        reviewed = Q(updates__review=self.review)
        still_open = ~Q(status__in=[Goal.Status.ACHIEVED, Goal.Status.DROPPED])
        return list(self.enrolment.goals.filter(reviewed | still_open).distinct())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "goals": self.goals(), "action_rows": self.review.actions.count(),
                "submit": "Save the correction", "protected_caseload": protected_caseload(self.enrolment)}

    def get_initial(self) -> dict[str, Any]:
        return ReviewForm.initial_from(self.review)

    def perform(self, form: ReviewForm) -> ReviewMeeting:
        return services.review_correct(
            actor=self.request.user, review=self.review, goal_progress=form.goal_progress(), actions=form.actions(),
            **form.review_fields(),
        )

    def get_success_url(self) -> str:
        return self.review.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "enrolment": self.enrolment}

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, (f"Review meeting {self.review.number}",
                                                 self.review.get_absolute_url()))


@require_POST
def review_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for(request.user, pk, action="addendum")
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.review_add_addendum(actor=request.user, review=review, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your addendum is added to the record.")
            return redirect(review)
    return render(request, REVIEW_TEMPLATE, _review_context(request, review, addendum_form=form))


@require_POST
def review_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for(request.user, pk, action="acknowledge")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.review_acknowledge(actor=request.user, review=review, comment=form.cleaned_data["comment"])
        except TransitionError as error:
            # The form is no longer on the page once acknowledged: say so above the record.
            messages.info(request, str(error))
        else:
            messages.success(request, "Thank you. You have acknowledged the record.")
        return redirect(review)
    return render(request, REVIEW_TEMPLATE, _review_context(request, review, acknowledge_form=form))
