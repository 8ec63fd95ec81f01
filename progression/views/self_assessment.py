"""Self-assessment: a framework version marked for it, the practitioner's own ratings, and the
disagreements their line manager settles.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from preceptorship import access
from preceptorship.pages import ServiceFormMixin
from preceptorship.templatetags.dates import day_month_year
from progression import forms, services
from progression.models import CompetencyAssessment, Framework, ProgressionCase
from progression.views.cases import CaseFormView, get_case
from progression.views.decisions import case_crumbs
from progression.views.frameworks import framework_crumbs, get_framework


class FrameworkSelfAssessmentView(ServiceFormMixin, FormView):
    """Whoever manages the framework marks this version for self-assessment, or not."""

    template_name = "progression/framework_self_assessment.html"
    form_class = forms.FrameworkSelfAssessmentForm
    success_message = "Saved: how this version is assessed."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = get_framework(request, kwargs["pk"], "change")
        if self.framework.status == Framework.Status.RETIRED:
            raise PermissionDenied("A retired version no longer changes.")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"self_assessed": "yes" if self.framework.self_assessed else "no"}

    def perform(self, form: forms.FrameworkSelfAssessmentForm) -> Framework:
        return services.framework_set_self_assessment(actor=self.request.user, framework=self.framework,
                                                      self_assessed=form.cleaned_data["self_assessed"])

    def get_success_url(self) -> str:
        return self.framework.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(framework=self.framework, crumbs=framework_crumbs(self.framework),
                       open_cases=self.framework.cases.filter(stage=ProgressionCase.Stage.DRAFT).count())
        return context


def _self_assessed(case: ProgressionCase) -> None:
    if not case.framework.self_assessed:
        raise Http404("This case's framework is not self-assessed.")


def _rows(case: ProgressionCase) -> list[CompetencyAssessment]:
    return list(CompetencyAssessment.objects.filter(case=case).select_related("competency__section")
                .order_by("competency__section__order", "competency__order"))


class SelfAssessmentView(CaseFormView):
    """The practitioner rates each competency of their case themselves."""

    template_name = "progression/self_assessment.html"
    form_class = forms.SelfAssessmentForm
    action = "self_rate"
    success_message = "Your ratings are saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _self_assessed(get_case(request, kwargs["pk"]))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        self.rows = _rows(self.case)
        return {**super().get_form_kwargs(), "rows": self.rows}

    def get_initial(self) -> dict[str, Any]:
        return {f"rating_{row.competency_id}": row.self_status for row in self.rows}

    def call_service(self, form: forms.SelfAssessmentForm) -> None:
        services.self_assessment_save(actor=self.request.user, case=self.case, ratings=form.ratings())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(rated=sum(1 for row in self.rows if row.self_status), total=len(self.rows))
        return context


class DisagreementListView(TemplateView):
    """Side by side, every competency where the practitioner's rating and the manager's differ, with
    its settlement if there is one. Seen by whoever sees the case."""

    template_name = "progression/disagreements.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = get_case(request, kwargs["pk"])
        _self_assessed(self.case)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = services.disagreements(self.case)
        unrated = CompetencyAssessment.objects.filter(case=self.case, self_status="").count()
        context.update(
            case=self.case, rows=rows, unrated=unrated,
            open_count=sum(1 for row in rows if row.needs_settling),
            may_settle=access.can(self.request.user, self.case, "settle"),
            crumbs=case_crumbs(self.case),
        )
        for row in rows:
            row.settled_on = day_month_year(row.settled_at.date()) if row.settled_at else ""
        return context


class SettleView(CaseFormView):
    """The line manager settles one disagreement: which rating stands, or a new one, and why."""

    template_name = "progression/disagreement_settle.html"
    form_class = forms.SettleForm
    action = "settle"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        case = get_case(request, kwargs["pk"])
        _self_assessed(case)
        self.row = (CompetencyAssessment.objects.filter(case=case, competency_id=kwargs["competency"])
                    .select_related("competency__section").first())
        if self.row is None or not self.row.was_disputed:
            raise Http404("No disagreement on this competency.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "row": self.row}

    def call_service(self, form: forms.SettleForm) -> None:
        outcome, new_status = form.chosen_outcome()
        services.disagreement_settle(actor=self.request.user, case=self.case, competency=self.row.competency,
                                     outcome=outcome, new_status=new_status, reason=form.cleaned_data["reason"])
        self.success_message = f"The disagreement on {self.row.competency.code} is settled."

    def get_success_url(self) -> str:
        return reverse("progression:case-disagreements", args=[self.case.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["row"] = self.row
        context["crumbs"] = [*case_crumbs(self.case),
                             ("Disagreements", reverse("progression:case-disagreements", args=[self.case.pk]))]
        return context
