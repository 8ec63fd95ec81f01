"""Goals and their progress.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import add_service_errors
from programmes import services
from programmes.forms.practice import (
    GoalForm,
    GoalProgressForm,
)
from programmes.models import (
    Goal,
    GoalUpdate,
    Reflection,
)
from programmes.views.common import EnrolmentMixin, PracticeFormMixin, enrolment_crumbs, roles_on

Role = Membership.Role

Role = Membership.Role


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
        today = timezone.localdate()
        for goal in context["goals"]:
            goal.overdue = goal.is_overdue(today)
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
    today = timezone.localdate()
    goal.overdue = goal.is_overdue(today)
    context = {
        "goal": goal, "enrolment": enrolment, **roles_on(request.user, enrolment), "can_change": can_change,
        "updates": goal.updates.select_related("author", "review"), "competencies": goal.competencies.all(),
        # The reflections linked to it that this reader may open (a private one only to its author).
        "reflections": access.scope(request.user, Reflection).filter(goals=goal).order_by("-updated_at", "-id"),
        "progress_form": progress_form or GoalProgressForm(initial={"on": today}),
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
