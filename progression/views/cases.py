"""Progression cases: the lists, opening a case, the case page, taking a case up, the base of every
form about a case, and marking competencies.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView

from preceptorship import access, spreadsheets
from preceptorship.links import url_maker
from preceptorship.models import Membership, User
from preceptorship.pages import ServiceFormMixin, add_service_errors, crumbs
from preceptorship.templatetags.dates import day_month_year
from progression import access as progression_access
from progression import evidence_links, forms, line_managers, selectors, services
from progression.models import (
    CompetencyAssessment,
    EvidencePack,
    ProgressionCase,
)
from progression.services import StaleCaseError, TransitionError
from progression.views import case_html

Role = Membership.Role
Stage = ProgressionCase.Stage


# Cases: lists ----------------------------------------------------------------------------------


class CaseListView(FilterView):
    """All cases the user may see, filtered; ``?format=csv`` downloads the filtered rows."""

    template_name = "progression/case_list.html"
    filterset_class = forms.CaseFilter
    paginate_by = 25
    context_object_name = "cases"

    def get_queryset(self) -> Any:
        return selectors.cases_for(self.request.user).order_by("-stage_changed_at", "-pk")

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.request.GET.get("format") == "csv":
            return cases_csv(self.object_list)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["crumbs"] = crumbs()
        context["may_open"] = progression_access.may_open_case(self.request.user)
        return context


def cases_csv(cases: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="progression-cases.csv"'
    writer = spreadsheets.csv_writer(response)
    writer.writerow(["practitioner", "profession", "team", "framework", "target role", "stage", "in stage since"])
    for case in cases:
        writer.writerow([
            case.practitioner.get_full_name(),
            case.practitioner.profession.name if case.practitioner.profession else "",
            case.team.name if case.team else "", str(case.framework), case.target_role, case.get_stage_display(),
            case.stage_changed_at.date().isoformat(),
        ])
    return response


class WaitingListView(ListView):
    template_name = "progression/case_waiting.html"
    paginate_by = 25
    context_object_name = "cases"

    def get_queryset(self) -> Any:
        return selectors.waiting_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["crumbs"] = crumbs()
        return context


# Cases: opening and the case page ------------------------------------------------------------------


class CaseOpenView(FormView):
    template_name = "progression/case_open.html"
    form_class = forms.CaseOpenForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access.refuse_unless(progression_access.may_open_case(request.user),
                       "Only a line manager or a practitioner can open a progression case.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A line manager chooses the practitioner first; a practitioner opens their own case.
        if self.choosing_practitioner():
            return self.render_to_response(self.get_context_data())
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.chosen_practitioner() is None:
            chooser = forms.CasePractitionerForm(request.POST, user=request.user)
            if chooser.is_valid():  # a number the check above read otherwise
                chooser.add_error("practitioner", "Choose a practitioner from the list.")
            return self.render_to_response(self.get_context_data(form=chooser))
        return super().post(request, *args, **kwargs)

    def chosen_practitioner(self) -> User | None:
        """The practitioner the case is for, if chosen (the GET's or the POST's), among those the user may
        open a case for; a practitioner is always choosing themselves."""
        people = forms.case_practitioners(self.request.user)
        if not access.organisation_ids(self.request.user, Role.LINE_MANAGER):
            return people.first()
        chosen = (self.request.POST if self.request.method == "POST" else self.request.GET).get("practitioner", "")
        return people.filter(pk=int(chosen)).first() if chosen.isdigit() and len(chosen) < 19 else None

    def choosing_practitioner(self) -> bool:
        return self.chosen_practitioner() is None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "practitioner": self.chosen_practitioner()}

    def form_valid(self, form: forms.CaseOpenForm) -> HttpResponse:
        practitioner = form.cleaned_data["practitioner"]
        membership = line_managers.case_membership(self.request.user, practitioner)
        if membership is None:
            form.add_error("practitioner", "Choose a practitioner of your team or someone you line manage.")
            return self.form_invalid(form)
        try:
            case = services.progression_case_open(
                actor=self.request.user, practitioner=practitioner, framework=form.cleaned_data["framework"],
                target_role=form.cleaned_data["target_role"], head_of_service=form.cleaned_data["head_of_service"],
                organisation=membership.organisation, team=membership.team,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error("practitioner", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The progression case is open.")
        return redirect(case)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        practitioner = self.chosen_practitioner()
        if practitioner is None:  # the first step's form: the practitioner alone
            kwargs.setdefault("form", forms.CasePractitionerForm(
                self.request.GET if "practitioner" in self.request.GET else None, user=self.request.user))
        context = super().get_context_data(**kwargs)
        context["practitioner"] = practitioner
        context["may_choose"] = bool(access.organisation_ids(self.request.user, Role.LINE_MANAGER))
        context["crumbs"] = crumbs(("Progression cases", reverse("progression:case-list")))
        return context


TAG_CLASSES = {CompetencyAssessment.Status.EXCEEDED: " nhsuk-tag--green", CompetencyAssessment.Status.REACHED:
               " nhsuk-tag--green", CompetencyAssessment.Status.DEVELOPING: " nhsuk-tag--yellow"}


STATUS_LABELS = dict(CompetencyAssessment.Status.choices)


def _row_cells(row: dict[str, Any], url: str, evidence_count: int, needed: int) -> dict[str, Any]:
    """What the case table shows of one competency (``selectors.case_table_values``), as plain
    values: the template's lookups through each row's objects cost more than the rest of the page."""
    marked_by = ""
    if row["marked_by_id"]:
        marked_on = day_month_year(timezone.localtime(row["marked_at"])) if row["marked_at"] else ""
        name = f"{row['marked_by__first_name']} {row['marked_by__last_name']}".strip()  # User.get_full_name
        marked_by = f"{name}, {marked_on}"
    return {
        "url": url, "code": row["competency__code"], "statement": row["competency__statement"],
        "tag": TAG_CLASSES.get(row["status"], " nhsuk-tag--grey"), "status": STATUS_LABELS[row["status"]],
        "reached_on": day_month_year(row["reached_on"]) or "–", "evidence_count": evidence_count,
        "evidence_short": evidence_count < needed,
        "manager_comment": row["manager_comment"] or "–", "marked_by": marked_by,
        "worker_comment": row["worker_comment"] or "–", "flagged": row["flagged_on_return"],
    }


@dataclass
class TableSection:
    """One section of the case page's table: its rows as cells, and how many are met."""

    pk: int
    title: str
    required_for_sign_off: bool
    cells: list[dict[str, Any]] = field(default_factory=list)
    met: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.met / len(self.cells)) if self.cells else 0


def case_page_table(case: ProgressionCase, rows: list[dict[str, Any]], shown: Counter[int]) -> list[TableSection]:
    """The case table by section, from its rows (``selectors.case_table_values``). Each row's evidence
    count comes from the case's evidence already read (``shown``, by competency id), and its link from
    one URL reversal for the page."""
    competency_url = url_maker("progression:case-competency", case.pk)
    needed = case.framework.evidence_per_competency
    sections: dict[int, TableSection] = {}
    for row in rows:
        section = sections.get(row["competency__section_id"])
        if section is None:
            section = sections[row["competency__section_id"]] = TableSection(
                row["competency__section_id"], row["competency__section__title"],
                row["competency__section__required_for_sign_off"])
        section.cells.append(_row_cells(row, competency_url(row["competency_id"]), shown[row["competency_id"]],
                                        needed))
        if row["status"] in CompetencyAssessment.MET:
            section.met += 1
    return list(sections.values())


def get_case(request: HttpRequest, pk: int, action: str = "view") -> ProgressionCase:
    # get_for_user applies the user's scope: applied twice, the condition doubles the query's cost.
    cases = ProgressionCase.objects.select_related(*selectors.CASE_RELATED)
    return access.get_for_user(request.user, cases, action=action, pk=pk)


class CaseDetailView(DetailView):
    """The council's table: per section, each competency's status, date, evidence count and comments."""

    template_name = "progression/case_detail.html"
    context_object_name = "case"

    def get_object(self, queryset: Any = None) -> ProgressionCase:
        # The case joined to its practitioner and framework, with the names of the people it names
        # (line manager, Head of Service, who told the worker), its team and its organisation: joining
        # them too makes the query longer to build and plan than to run.
        user = self.request.user
        cases = ProgressionCase.objects.select_related("practitioner", "framework").annotate(
            **selectors.case_page_facts())
        case = access.get_for_user(user, cases, action="view", pk=self.kwargs["pk"])
        selectors.case_page_people(case)
        return case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case: ProgressionCase = self.object
        user = self.request.user
        policy = access.policy_for(ProgressionCase)
        rows = selectors.case_table_values(case)
        shown = selectors.case_evidence_shown(case, ((row["competency_id"], row["competency__code"]) for row in rows))
        evidence = evidence_links.linked_items(viewer=user, evidence=shown,
                                               linking=[item.pk for item in shown if item.has_links])
        # The evidence counts by competency, for the table and what the case lacks, from the items read.
        counts = Counter(pk for item in evidence for pk in item.competency_ids)
        table = case_page_table(case, rows, counts)
        # Each item's links from one URL reversal for the page: one per item cost more than its other lines.
        evidence_url, file_url = (url_maker(name, case.pk) for name in
                                  ("progression:evidence-detail", "progression:evidence-file"))
        for item in evidence:
            item.url, item.file_url = evidence_url(item.pk), file_url(item.pk)
        actions = {name: policy.allows(user, case, name) for name in (
            "take_up", "mark", "submit", "add_evidence", "worker_comment", "hos_decide", "od_decide", "hr_record",
            "record_told", "confirm", "statement", "statement_unable", "withdraw", "self_rate", "settle")}
        # What the case lacks before it can be submitted, for whoever works on the draft: "Submit" is
        # offered only when nothing is missing and the viewer may submit it.
        working = case.stage == Stage.DRAFT and (actions["submit"] or actions["statement"])
        missing = services.missing_for_submission(case, counts, rows) if working else []
        history = selectors.case_history_shown(case)  # also tells which decisions are the viewer's
        submit_refusal = (services.separation_refusal(case, user, services.SUBMISSION, history)
                          if actions["submit"] else "")
        flagged = [cell for section in table for cell in section.cells if cell["flagged"]] \
            if case.stage == Stage.DRAFT else []
        context.update(
            table=table,
            table_html=case_html.table_html(table, flagging=bool(flagged),
                                            needed=case.framework.evidence_per_competency),
            evidence_html=case_html.evidence_html(evidence),
            missing=missing,
            missing_competencies=[item for item in missing if item.code],
            statement_missing=any(not item.code for item in missing),
            submit_refusal=submit_refusal,
            flagged=flagged,
            evidence=evidence,
            history=history,
            history_html=case_html.history_html(history),
            eligibility=selectors.eligibility(case.practitioner,
                                              awards=None if case.practitioner_has_awards else []),
            actions=actions,
            may_download_letter=bool(case.letter_file) and progression_access.may_download_letter(user, case),
            pack=services.evidence_pack_fail_if_stale(
                EvidencePack.objects.filter(pk=case.latest_pack_id).first() if case.latest_pack_id else None),
            crumbs=crumbs(("Progression cases", reverse("progression:case-list"))),
        )
        return context




@require_POST
def case_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "take_up")
    services.progression_case_take_up(actor=request.user, case=case)
    messages.success(request, "You are now the line manager for this case.")
    return redirect(case)


class CaseMovedOn(Exception):  # noqa: N818 - reads as the situation
    """Someone else changed the case since this page was loaded: the page is shown again."""


class CaseFormView(ServiceFormMixin, FormView):
    """A form about one case: fetched with access checked for ``action`` before anything else."""

    action = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.case = get_case(request, kwargs["pk"], self.action)
        except PermissionDenied:
            moved_on = moved_on_response(request, get_case(request, kwargs["pk"]))
            if moved_on:
                return moved_on
            raise
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["case"] = self.case
        context["crumbs"] = crumbs(("Progression cases", reverse("progression:case-list")),
                                    (f"Case for {self.case.practitioner.get_full_name()}",
                                     self.case.get_absolute_url()))
        return context

    def call_service(self, form: Any) -> None:
        raise NotImplementedError

    success_message = "Saved."
    # The services check each person's right on the locked case: a refusal is said above the form.
    refusals = (TransitionError, PermissionDenied)

    def perform(self, form: Any) -> None:
        try:
            self.call_service(form)
        except StaleCaseError as error:  # a TransitionError, but not one to show on this form
            raise CaseMovedOn(str(error)) from error

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except CaseMovedOn as error:
            messages.error(self.request, str(error))
            return redirect(self.case)

    def get_success_url(self) -> str:
        return self.case.get_absolute_url()


def moved_on_response(request: HttpRequest, case: ProgressionCase) -> HttpResponse | None:
    """A step posted from a page loaded before the case moved on: say so, and show the case as it is."""
    posted = posted_revision(request)
    if request.method != "POST" or posted is None or posted == case.revision:
        return None
    messages.error(request, f"This case changed since you loaded the page: it is now “{case.get_stage_display()}”. "
                            "Nothing was recorded; check the case as it stands now.")
    return redirect(case)


def posted_revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


class CompetencyView(CaseFormView):
    """One competency of a case: the manager marks it; the practitioner comments on it."""

    template_name = "progression/competency.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = get_case(request, kwargs["pk"])
        self.assessment = (
            CompetencyAssessment.objects.filter(case=self.case, competency_id=kwargs["competency"])
            .select_related("competency__section", "marked_by").first()
        )
        if self.assessment is None:
            raise Http404("Not found.")
        policy = access.policy_for(ProgressionCase)
        self.marking = policy.allows(request.user, self.case, "mark")
        self.commenting = policy.allows(request.user, self.case, "worker_comment")
        if request.method == "POST" and not (self.marking or self.commenting):
            raise PermissionDenied("You cannot change this competency.")
        return FormView.dispatch(self, request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return forms.MarkForm if self.marking else forms.WorkerCommentForm

    def get_initial(self) -> dict[str, Any]:
        a = self.assessment
        if self.marking:
            return {"status": a.status, "reached_on": a.reached_on, "comment": a.manager_comment}
        return {"comment": a.worker_comment}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        if self.marking:
            services.competency_mark(actor=self.request.user, case=self.case, competency=self.assessment.competency,
                                     status=data["status"], reached_on=data["reached_on"], comment=data["comment"])
            self.success_message = f"{self.assessment.competency.code} is marked."
        else:
            services.competency_worker_comment(actor=self.request.user, case=self.case,
                                               competency=self.assessment.competency, comment=data["comment"])
            self.success_message = "Your comment is saved."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            assessment=self.assessment,
            may_change=self.marking or self.commenting,
            may_add_evidence=access.policy_for(ProgressionCase).allows(self.request.user, self.case, "add_evidence"),
            marks=self.assessment.marks.select_related("marked_by"),
            evidence=selectors.case_evidence(self.case).filter(competencies=self.assessment.competency),
        )
        return context
