"""Pages of the practice side: review meetings, goals, reflections, protected time, the needs
assessment, the mentor's caseload and the line manager's team.

Access is decided by ``preceptorship.access`` (404 outside the scope, 403 for read-only viewers);
the enrolment-level scopes come from ``programmes.access``: ``practice_enrolments`` (preceptee,
mentor, line manager) and ``review_enrolments`` (those and the programme lead).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView

from preceptorship import access
from preceptorship.links import url_maker
from preceptorship.models import Membership
from preceptorship.pages import ServiceFormMixin, add_service_errors, crumbs
from programmes import charts, exports, selectors, services
from programmes.access import practice_enrolments, review_enrolments
from programmes.filters import PracticeEnrolmentFilter
from programmes.forms_practice import (
    AcknowledgeForm,
    AddendumForm,
    FeedbackForm,
    GoalForm,
    GoalProgressForm,
    NeedsAssessmentForm,
    NotHeldForm,
    ProtectedTimeForm,
    ReflectionForm,
    ReflectiveModelForm,
    ReviewForm,
    ShareForm,
)
from programmes.models import (
    REFLECTIVE_MODELS,
    Enrolment,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    Programme,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewMeeting,
)
from programmes.reporting import Figure
from programmes.services import TransitionError

Role = Membership.Role
PAGE_SIZE = 25


def enrolment_url(enrolment: Enrolment) -> str:
    """The enrolment page, or the practice page for the viewer's own journey while it is not built."""
    try:
        return enrolment.get_absolute_url()
    except NoReverseMatch:
        return reverse("programmes:my-preceptorship")


def enrolment_crumbs(enrolment: Enrolment, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs((str(enrolment.preceptee), enrolment_url(enrolment)), *more)


def _roles_on(user: Any, enrolment: Enrolment) -> dict[str, bool]:
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
        context.update(_roles_on(self.request.user, self.enrolment))
        return context

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment)


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
        if not access.has_role(request.user, self.role):
            raise PermissionDenied(f"This page is for people with the {self.role.label.lower()} role.")
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
        return selectors.with_flags(rows, self.request.user).order_by(
            F("next_review_due").asc(nulls_last=True), "preceptee__last_name", "pk"
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        rows = self.scoped_rows
        kwargs["programmes"] = access.scope(self.request.user, Programme).filter(
            pk__in=rows.values("programme_id")
        ).order_by("name").only("name")
        return kwargs | {"rows": rows, "by_mentor": self.role != Role.MENTOR}

    def paginate_queryset(self, queryset: QuerySet[Enrolment], page_size: int) -> tuple:
        # The page's rows read only the columns the table shows (the CSV reads the whole rows).
        return super().paginate_queryset(queryset.only(*CASELOAD_TABLE_FIELDS), page_size)

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
        url = url_maker("programmes:review-list")
        for enrolment in context["page_obj"].object_list:
            enrolment.url = url(enrolment.pk)
        context.update(heading=self.heading, today=timezone.localdate(), query_string=query.urlencode(),
                       crumbs=crumbs())
        return context


# What includes/enrolment_table.html shows of each row of the caseload and the team.
CASELOAD_TABLE_FIELDS = (
    "id", "status", "next_review_due", "reviews_held", "programme__name", "preceptee__first_name",
    "preceptee__last_name", "preceptee__email", "preceptee__profession__name",
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
        context.update(
            crumbs=self.crumbs(), overdue=self.enrolment.review_overdue(),
            can_record=access.can(self.request.user, self.enrolment, "record_review"),
            trend=scores_trend(list(context["reviews"])),
        )
        return context


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
        return {**super().get_form_kwargs(), "goals": self.goals()}

    def get_initial(self) -> dict[str, Any]:
        attended = ["preceptee", "mentor"] + (["line_manager"] if self.enrolment.line_manager_id else [])
        return {
            "held_on": timezone.localdate(), "attended": attended,
            "next_meeting_on": services.default_next_meeting(
                self.enrolment, after_number=self.enrolment.reviews_held + 1
            ),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
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
        "review": review, "enrolment": enrolment, **_roles_on(user, enrolment),
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
                "submit": "Save the correction"}

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


# Goals


class GoalListView(EnrolmentMixin, ListView):
    template_name = "programmes/practice/goal_list.html"
    context_object_name = "goals"

    def get_queryset(self) -> QuerySet[Goal]:
        return access.scope(self.request.user, Goal).filter(enrolment=self.enrolment).prefetch_related(
            Prefetch("updates", queryset=GoalUpdate.objects.select_related("author")), "competencies"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(crumbs=self.crumbs(), can_add=access.can(self.request.user, self.enrolment, "add_goal"))
        return context


class GoalCreateView(EnrolmentMixin, PracticeFormMixin, FormView):
    form_class = GoalForm
    enrolment_action = "add_goal"
    heading = "Set a goal"
    caption = "Make it SMART: specific, measurable, achievable, relevant and time-bound."
    success_message = "The goal is set."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "enrolment": self.enrolment}

    def perform(self, form: GoalForm) -> Goal:
        return services.goal_create(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Goals", reverse("programmes:goal-list", args=[self.enrolment.pk])))


def _goal_for(user: Any, pk: int, action: str = "view") -> Goal:
    queryset = Goal.objects.select_related("enrolment__programme", "enrolment__preceptee")
    return access.get_for_user(user, queryset, action=action, pk=pk)


GOAL_TEMPLATE = "programmes/practice/goal_detail.html"


def _goal_context(request: HttpRequest, goal: Goal, progress_form: GoalProgressForm | None = None) -> dict[str, Any]:
    enrolment = goal.enrolment
    can_change = access.can(request.user, goal, "change") and enrolment.is_current
    context = {
        "goal": goal, "enrolment": enrolment, **_roles_on(request.user, enrolment), "can_change": can_change,
        "updates": goal.updates.select_related("author", "review"), "competencies": goal.competencies.all(),
        # The reflections linked to it that this reader may open (a private one only to its author).
        "reflections": access.scope(request.user, Reflection).filter(goals=goal).order_by("-updated_at", "-id"),
        "progress_form": progress_form or GoalProgressForm(initial={"on": timezone.localdate()}),
        "crumbs": enrolment_crumbs(enrolment, ("Goals", reverse("programmes:goal-list", args=[enrolment.pk]))),
    }
    return context


class GoalDetailView(DetailView):
    template_name = GOAL_TEMPLATE
    context_object_name = "goal"

    def get_object(self, queryset: Any = None) -> Goal:
        return _goal_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_goal_context(self.request, self.object)}


@require_POST
def goal_progress(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _goal_for(request.user, pk, action="update")
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        try:
            services.goal_add_progress(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your progress is recorded.")
            return redirect(goal)
    return render(request, GOAL_TEMPLATE, _goal_context(request, goal, progress_form=form))


class GoalUpdateView(PracticeFormMixin, FormView):
    form_class = GoalForm
    success_message = "The goal is updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.goal = _goal_for(request.user, kwargs["pk"], action="change")
        self.enrolment = self.goal.enrolment
        return super().dispatch(request, *args, **kwargs)

    heading = "Change the goal"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "enrolment": self.enrolment, "with_status": True}

    def get_initial(self) -> dict[str, Any]:
        goal = self.goal
        return {"what": goal.what, "measure": goal.measure, "achievable": goal.achievable, "relevant": goal.relevant,
                "target_date": goal.target_date, "status": goal.status, "status_reason": goal.status_reason,
                "competencies": list(goal.competencies.all())}

    def perform(self, form: GoalForm) -> Goal:
        fields = dict(form.cleaned_data)
        competencies = fields.pop("competencies", None)
        return services.goal_update(actor=self.request.user, goal=self.goal, competencies=competencies, **fields)

    def get_success_url(self) -> str:
        return self.goal.get_absolute_url()

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Goals", reverse("programmes:goal-list", args=[self.enrolment.pk])),
                                (self.goal.what, self.goal.get_absolute_url()))


# Reflections


class ReflectionListView(EnrolmentMixin, ListView):
    template_name = "programmes/practice/reflection_list.html"
    context_object_name = "reflections"

    def get_queryset(self) -> QuerySet[Reflection]:
        # Scoped: the author sees all of theirs; mentor and line manager only what was shared with them.
        return access.scope(self.request.user, Reflection).filter(enrolment=self.enrolment)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(crumbs=self.crumbs(),
                       can_write=access.can(self.request.user, self.enrolment, "write_reflection"))
        return context


def draft_key(enrolment: Enrolment, model_key: str, reflection: Reflection | None) -> str:
    return f"reflection-{reflection.pk}" if reflection else f"reflection-new-{enrolment.pk}-{model_key}"


class ReflectionFormMixin(PracticeFormMixin):
    form_class = ReflectionForm
    template_name = "programmes/practice/reflection_form.html"
    reflection: Reflection | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        goals = list(self.enrolment.goals.all())
        return {**super().get_form_kwargs(), "model": self.model_key, "enrolment": self.enrolment, "goals": goals}

    def perform(self, form: ReflectionForm) -> Reflection:
        finish = "draft" not in self.request.POST
        self.success_message = "Your reflection is saved." if finish else (
            "Your draft is saved. Only you can see it."
        )
        return services.reflection_save(
            actor=self.request.user, enrolment=self.enrolment,
            reflection=self.reflection or autosaved_draft(self.request, self.enrolment),
            title=form.cleaned_data["title"], model=self.model_key, answers=form.answers(), finish=finish,
            goals=form.chosen_goals(), competencies=form.cleaned_data.get("competencies") or [],
        )

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        if isinstance(form, ReflectionForm):
            # The browser keeps what is typed under this key until the saved reflection is shown.
            form.helper.attrs = {"data-app-draft": draft_key(self.enrolment, self.model_key, self.reflection)}
            # A new reflection or a draft is also saved on the server as the author writes; a finished
            # one changes only when its author presses a button (its readers may be reading it).
            if self.reflection is None or self.reflection.status == Reflection.Status.DRAFT:
                form.helper.attrs.update({
                    "data-app-autosave": self.autosave_url(),
                    "data-app-autosave-seconds": str(getattr(settings, "REFLECTION_AUTOSAVE_SECONDS", 20)),
                })
        return form

    def autosave_url(self) -> str:
        if self.reflection is not None:
            return reverse("programmes:reflection-autosave", args=[self.reflection.pk])
        new = reverse("programmes:reflection-autosave-new", args=[self.enrolment.pk])
        return f"{new}?{urlencode({'model': self.model_key})}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "enrolment": self.enrolment, "model_key": self.model_key}

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Reflections", reverse("programmes:reflection-list",
                                                                        args=[self.enrolment.pk])))


class ReflectionCreateView(EnrolmentMixin, ReflectionFormMixin, FormView):
    """First the reflective model (``?model=``), then its questions."""

    enrolment_action = "write_reflection"
    heading = "Write a reflection"
    caption = "Only you can see it until you choose to share it."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.model_key = request.GET.get("model", "")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.model_key not in REFLECTIVE_MODELS:
            choose = ReflectiveModelForm(request.GET if "model" in request.GET else None)
            if choose.is_bound:
                choose.is_valid()
            context = self.get_context_data(form=choose)
            return self.render_to_response({**context, "choosing": True})
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.model_key not in REFLECTIVE_MODELS:
            return redirect(reverse("programmes:reflection-create", args=[self.enrolment.pk]))
        return super().post(request, *args, **kwargs)


class ReflectionUpdateView(ReflectionFormMixin, FormView):
    heading = "Change your reflection"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.reflection = access.get_for_user(
            request.user, Reflection.objects.select_related("enrolment__programme", "enrolment__preceptee"),
            action="change", pk=kwargs["pk"],
        )
        self.enrolment = self.reflection.enrolment
        self.model_key = self.reflection.model
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return ReflectionForm.initial_from(self.reflection)


SIGNED_OUT = "You are signed out, so the draft was not saved. Sign in again to save it."


def json_endpoint(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """A POST the page's script sends: every answer is JSON, including being signed out (401 rather
    than the sign-in page, so the page can say so and keep what was typed), 404 and 403."""

    @login_not_required
    @require_POST
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"message": SIGNED_OUT}, status=401)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"message": "Not found."}, status=404)
        except PermissionDenied:
            return JsonResponse({"message": "Only the author can save this reflection."}, status=403)

    return wrapper


def _not_saved(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    messages_ = [message for field_messages in errors.values() for message in field_messages]
    return JsonResponse({"message": "The draft was not saved: " + " ".join(messages_), "errors": errors},
                        status=status)


AUTOSAVED = "reflection_autosaved"  # session key: the page's draft token -> the draft its first save created
AUTOSAVED_KEPT = 20


def _draft_token(request: HttpRequest) -> str:
    return request.POST.get("draft_token", "")[:64]


def autosaved_draft(request: HttpRequest, enrolment: Enrolment) -> Reflection | None:
    """The draft an earlier autosave of this page created (the page may have been left before it
    heard back), so saving again changes that draft rather than making a second one."""
    token = _draft_token(request)
    pk = request.session.get(AUTOSAVED, {}).get(token)
    if not token or not isinstance(pk, int):
        return None
    return Reflection.objects.filter(
        pk=pk, author=request.user, enrolment=enrolment, status=Reflection.Status.DRAFT,
    ).first()


def _remember_autosaved(request: HttpRequest, reflection: Reflection) -> None:
    token = _draft_token(request)
    if token:
        kept = request.session.get(AUTOSAVED, {})
        kept[token] = reflection.pk
        request.session[AUTOSAVED] = dict(list(kept.items())[-AUTOSAVED_KEPT:])


def _autosave(
    request: HttpRequest, enrolment: Enrolment, reflection: Reflection | None, model_key: str
) -> JsonResponse:
    if model_key not in REFLECTIVE_MODELS:
        return _not_saved(400, {"model": ["Choose a reflective model."]})
    if reflection is not None and reflection.status != Reflection.Status.DRAFT:
        return _not_saved(409, {"__all__": ["This reflection is finished: save your changes with the button."]})
    reflection = reflection or autosaved_draft(request, enrolment)
    data = request.POST
    if reflection is not None:
        # A box missing from the request (a broken request, a page from before a change) keeps what the
        # draft holds instead of emptying it.
        data = request.POST.copy()
        for name, value in ReflectionForm.initial_from(reflection).items():
            if name not in data and isinstance(value, str):
                data[name] = value
    form = ReflectionForm(data, model=model_key, enrolment=enrolment, goals=list(enrolment.goals.all()))
    form.fields["title"].required = False  # a draft may have no title yet ("Untitled reflection")
    if not form.is_valid():
        return _not_saved(400, {field: list(errors) for field, errors in form.errors.items()})
    typed = form.cleaned_data["title"].strip() or any(value.strip() for value in form.answers().values())
    if reflection is None and not typed:
        return _not_saved(400, {"__all__": ["Write something first."]})
    if not typed:
        # Every box empty: an autosave never blanks a draft (the buttons save what the page shows).
        return _not_saved(400, {"__all__": ["nothing was written, so your saved draft is kept as it was."]})
    try:
        saved = services.reflection_save(
            actor=request.user, enrolment=enrolment, reflection=reflection, title=form.cleaned_data["title"],
            model=model_key, answers=form.answers(), finish=False, goals=form.chosen_goals(),
            competencies=form.cleaned_data.get("competencies") or [],
        )
    except ValidationError as error:
        return _not_saved(400, error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    except TransitionError as error:
        return _not_saved(409, {"__all__": [str(error)]})
    _remember_autosaved(request, saved)
    at = f"{timezone.localtime(saved.updated_at):%H:%M}"
    return JsonResponse({
        "id": saved.pk, "saved_at": at, "message": f"Draft saved at {at}. Only you can see it.",
        "autosave_url": reverse("programmes:reflection-autosave", args=[saved.pk]),
        "form_url": reverse("programmes:reflection-update", args=[saved.pk]),
        "draft_key": draft_key(enrolment, model_key, saved),
    })


@json_endpoint
def reflection_autosave_new(request: HttpRequest, pk: int) -> JsonResponse:
    """The first save of a reflection being written (``?model=``): creates the draft and answers where
    the next saves go, so they change that draft instead of making another."""
    enrolment = access.get_for_user(
        request.user, practice_enrolments(request.user).select_related("programme"), action="write_reflection", pk=pk,
    )
    return _autosave(request, enrolment, None, request.GET.get("model", ""))


@json_endpoint
def reflection_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves what the author has written so far into their draft."""
    reflection = access.get_for_user(
        request.user, Reflection.objects.select_related("enrolment__programme"), action="change", pk=pk,
    )
    return _autosave(request, reflection.enrolment, reflection, reflection.model)


def _reflection_for(user: Any, pk: int, action: str = "view") -> Reflection:
    queryset = Reflection.objects.select_related(
        "author", "enrolment__programme", "enrolment__preceptee", "enrolment__mentor", "enrolment__line_manager"
    )
    return access.get_for_user(user, queryset, action=action, pk=pk)


REFLECTION_TEMPLATE = "programmes/practice/reflection_detail.html"


def _reflection_context(
    request: HttpRequest, reflection: Reflection, feedback_form: FeedbackForm | None = None,
    share_form: ShareForm | None = None,
) -> dict[str, Any]:
    enrolment = reflection.enrolment
    is_author = reflection.author_id == request.user.pk
    context = {
        "reflection": reflection, "enrolment": enrolment, **_roles_on(request.user, enrolment),
        "is_author": is_author, "can_feedback": access.can(request.user, reflection, "feedback"),
        "drafts_replaced": f"{draft_key(enrolment, reflection.model, None)} {draft_key(enrolment, '', reflection)}",
        "feedback": ReflectionFeedback.objects.filter(reflection=reflection).select_related("author"),
        "goals": reflection.goals.all(), "competencies": reflection.competencies.all(),
        "feedback_form": feedback_form or FeedbackForm(),
        "share_form": share_form or ShareForm(initial={"with_mentor": reflection.shared_with_mentor,
                                                       "with_line_manager": reflection.shared_with_line_manager}),
        "crumbs": enrolment_crumbs(enrolment, ("Reflections", reverse("programmes:reflection-list",
                                                                      args=[enrolment.pk]))),
    }
    return context


class ReflectionDetailView(DetailView):
    template_name = REFLECTION_TEMPLATE
    context_object_name = "reflection"

    def get_object(self, queryset: Any = None) -> Reflection:
        return _reflection_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_reflection_context(self.request, self.object)}


@require_POST
def reflection_share(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _reflection_for(request.user, pk, action="share")
    form = ShareForm(request.POST)
    form.is_valid()  # two check boxes: always valid
    try:
        services.reflection_share(
            actor=request.user, reflection=reflection, with_mentor=form.cleaned_data.get("with_mentor", False),
            with_line_manager=form.cleaned_data.get("with_line_manager", False),
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except TransitionError as error:
        messages.info(request, str(error))  # a draft has no sharing form to show the message beside
        return redirect(reflection)
    else:
        shared = form.cleaned_data.get("with_mentor")
        messages.success(request, "Your reflection is shared." if shared else "Your reflection is private again.")
        return redirect(reflection)
    return render(request, REFLECTION_TEMPLATE, _reflection_context(request, reflection, share_form=form))


@require_POST
def reflection_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _reflection_for(request.user, pk, action="feedback")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_add_feedback(actor=request.user, reflection=reflection, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your feedback is sent to {reflection.author}.")
            return redirect(reflection)
    return render(request, REFLECTION_TEMPLATE, _reflection_context(request, reflection, feedback_form=form))


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
        context.update(
            crumbs=self.crumbs(), summary=selectors.protected_time_summary(self.enrolment),
            can_log=access.can(self.request.user, self.enrolment, "log_time"),
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
