"""Pages for frameworks, progression cases, evidence and the sign-off chain.

Every view decides access through ``preceptorship.access``: outsiders get 404, people who may
read a case but not take the step asked get 403. Writes go through ``progression.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView, View
from django_filters.views import FilterView

from preceptorship import access, spreadsheets
from preceptorship.links import url_maker
from preceptorship.models import Membership, User
from preceptorship.pages import ServiceFormMixin, add_service_errors, crumbs
from progression import evidence_links, forms, frameworks_io, line_managers, selectors, services
from progression.access import can_manage_frameworks, may_delegate
from progression.models import (
    Competency,
    CompetencyAssessment,
    Delegation,
    Evidence,
    EvidencePack,
    Framework,
    LetterTemplate,
    ProgressionCase,
    Section,
)
from progression.services import StaleCaseError, TransitionError

Role = Membership.Role
Stage = ProgressionCase.Stage


# Frameworks ------------------------------------------------------------------------------------


class FrameworkListView(ListView):
    template_name = "progression/framework_list.html"
    context_object_name = "frameworks"

    def get_queryset(self) -> Any:
        # Queries: the user's memberships, the frameworks (with owner), their professions.
        return selectors.frameworks_for(self.request.user).order_by("name", "-version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_import"] = can_manage_frameworks(self.request.user)
        # The letter template belongs to an organisation, edited by its HR or programme lead.
        context["can_edit_letter"] = access.has_role(self.request.user, Role.HR, Role.PROGRAMME_LEAD)
        context["crumbs"] = crumbs()
        return context


def _framework(request: HttpRequest, pk: int, action: str = "view") -> Framework:
    return access.get_for_user(request.user, Framework, action=action, pk=pk)


class FrameworkDetailView(DetailView):
    template_name = "progression/framework_detail.html"
    context_object_name = "framework"

    def get_object(self, queryset: Any = None) -> Framework:
        scoped = selectors.framework_with_content(access.scope(self.request.user, Framework).select_related("owner"))
        try:
            return scoped.get(pk=self.kwargs["pk"])
        except Framework.DoesNotExist:
            raise Http404("Not found.") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        framework = self.object
        user = self.request.user
        context["may_manage"] = access.can(user, framework, "change")
        context["editing"] = context["may_manage"] and framework.is_editable
        context["crumbs"] = crumbs(("Frameworks", reverse("progression:framework-list")))
        return context


@require_POST
def framework_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk, "new_version")
    try:
        draft = services.framework_new_version(actor=request.user, framework=framework)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect(framework)
    messages.success(request, f"Version {draft.version} is a draft: edit it, then publish it.")
    return redirect(draft)


@require_POST
def framework_publish(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk, "publish")
    try:
        services.framework_publish(actor=request.user, framework=framework)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The framework is published. New cases use this version.")
    return redirect(framework)


@require_POST
def framework_retire(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk, "retire")
    try:
        services.framework_retire(actor=request.user, framework=framework)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The framework is retired. Cases already open on it keep its wording.")
    return redirect(framework)


class FrameworkEditView(FormView):
    template_name = "progression/framework_edit.html"
    form_class = forms.FrameworkEditForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = _framework(request, kwargs["pk"], "change")
        if not self.framework.is_editable:
            messages.error(request, "A published framework is never edited in place: make a new version instead.")
            return redirect(self.framework)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        framework = selectors.framework_with_content(Framework.objects.filter(pk=self.framework.pk)).get()
        return {
            "name": framework.name, "source": framework.source, "from_level": framework.from_level,
            "to_level": framework.to_level, "professions": list(framework.professions.all()),
            "content": frameworks_io.export_csv([framework]),
            "required_sections": "\n".join(s.title for s in framework.sections.all() if s.required_for_sign_off),
        }

    def form_valid(self, form: forms.FrameworkEditForm) -> HttpResponse:
        data = form.cleaned_data
        required = [line.strip() for line in data["required_sections"].splitlines() if line.strip()]
        parsed = frameworks_io.parse_csv(data["content"], meta={"name": data["name"], "slug": self.framework.slug,
                                                                 "required_sections": required})
        if parsed.errors:
            form.add_error("content", parsed.errors)
            return self.form_invalid(form)
        titles = {s["title"] for s in parsed.frameworks[0]["sections"]}
        unknown = [title for title in required if title not in titles]
        if unknown:
            form.add_error("required_sections", f"No section is called: {', '.join(unknown)}.")
            return self.form_invalid(form)
        payload = {**parsed.frameworks[0], "source": data["source"], "from_level": data["from_level"],
                   "to_level": data["to_level"], "professions": [p.slug for p in data["professions"]]}
        try:
            services.framework_update(actor=self.request.user, framework=self.framework, data=payload)
        except ValidationError as error:
            form.add_error("content", error.messages)
            return self.form_invalid(form)
        except TransitionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The draft is saved.")
        return redirect(self.framework)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["framework"] = self.framework
        context["crumbs"] = _framework_crumbs(self.framework)
        return context


# Structured editing of a draft's sections and competencies ------------------------------------------


def _draft(request: HttpRequest, pk: int) -> Framework:
    """A draft the user may change (404 outside their frameworks, 403 if not theirs to change)."""
    return _framework(request, pk, "change")


def _not_a_draft(request: HttpRequest, framework: Framework) -> HttpResponse | None:
    if framework.is_editable:
        return None
    messages.error(request, "A published framework is never edited in place: make a new version instead.")
    return redirect(framework)


def _framework_crumbs(framework: Framework) -> list[tuple[str, str]]:
    return crumbs(("Frameworks", reverse("progression:framework-list")),
                   (str(framework), framework.get_absolute_url()))


def _content_url(framework: Framework, anchor: str) -> str:
    return f"{framework.get_absolute_url()}#{anchor}"


class DraftContentFormView(ServiceFormMixin, FormView):
    """Add or change a section or a competency of a draft framework."""

    template_name = "progression/framework_content_form.html"
    heading = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = _draft(request, kwargs["pk"])
        refused = _not_a_draft(request, self.framework)
        if refused:
            return refused
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs: Any) -> None:
        """Fetch the section or competency named in the URL (404 if it is not in this framework)."""

    success_message = "The draft is saved."

    def save(self, data: dict[str, Any]) -> str:
        """Call the service; return the anchor on the framework page to go back to."""
        raise NotImplementedError

    def perform(self, form: Any) -> str:
        return self.save(form.cleaned_data)

    def get_success_url(self) -> str:
        return _content_url(self.framework, self.result)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "framework": self.framework, "heading": self.heading,
                "crumbs": _framework_crumbs(self.framework)}


class SectionFormView(DraftContentFormView):
    form_class = forms.SectionForm
    section: Section | None = None

    def load(self, **kwargs: Any) -> None:
        if "section" in kwargs:
            self.section = _get_or_404(Section.objects.filter(framework=self.framework), kwargs["section"])
            self.heading = f"Change the section “{self.section.title}”"
        else:
            self.heading = "Add a section"

    def get_initial(self) -> dict[str, Any]:
        if self.section is None:
            return {}
        return {"title": self.section.title, "required_for_sign_off": self.section.required_for_sign_off}

    def save(self, data: dict[str, Any]) -> str:
        section = services.framework_section_save(
            actor=self.request.user, framework=self.framework, section=self.section, title=data["title"],
            required_for_sign_off=data["required_for_sign_off"])
        return f"section-{section.pk}"


class CompetencyFormView(DraftContentFormView):
    form_class = forms.CompetencyForm
    competency: Competency | None = None
    section: Section | None = None

    def load(self, **kwargs: Any) -> None:
        if "competency" in kwargs:
            self.competency = _get_or_404(
                Competency.objects.filter(section__framework=self.framework).select_related("section"),
                kwargs["competency"])
            self.section = self.competency.section
            self.heading = f"Change the competency {self.competency.code}"
        else:
            self.section = _get_or_404(Section.objects.filter(framework=self.framework), kwargs["section"])
            self.heading = f"Add a competency to “{self.section.title}”"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "framework": self.framework}

    def get_initial(self) -> dict[str, Any]:
        if self.competency is None:
            return {"section": self.section.pk}
        c = self.competency
        return {"section": c.section_id, "code": c.code, "statement": c.statement, "guidance": c.guidance}

    def save(self, data: dict[str, Any]) -> str:
        competency = services.framework_competency_save(
            actor=self.request.user, framework=self.framework, section=data["section"], competency=self.competency,
            code=data["code"], statement=data["statement"], guidance=data["guidance"])
        return f"competency-{competency.pk}"


def _get_or_404(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found.")
    return found


class DraftContentDeleteView(View):
    """Confirm (with a warning), then remove a section or a competency of a draft framework."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = _draft(request, kwargs["pk"])
        refused = _not_a_draft(request, self.framework)
        if refused:
            return refused
        self.item = _get_or_404(self.queryset(), kwargs[self.url_kwarg])
        return super().dispatch(request, *args, **kwargs)

    url_kwarg = ""

    def queryset(self) -> Any:
        raise NotImplementedError

    def remove(self) -> tuple[str, str]:
        """Call the service; return the message and the anchor to go back to."""
        raise NotImplementedError

    def page(self) -> dict[str, str]:
        """heading, consequence, button and cancel (and optionally statement) of the confirmation."""
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, "progression/framework_content_delete.html", {
            "framework": self.framework, "crumbs": _framework_crumbs(self.framework), **self.page()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            message, anchor = self.remove()
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect(self.framework)
        messages.success(request, message)
        return redirect(_content_url(self.framework, anchor))


class SectionDeleteView(DraftContentDeleteView):
    url_kwarg = "section"

    def queryset(self) -> Any:
        return Section.objects.filter(framework=self.framework)

    def remove(self) -> tuple[str, str]:
        services.framework_section_delete(actor=self.request.user, framework=self.framework, section=self.item)
        return f"The section “{self.item.title}” is removed.", "maincontent"

    def page(self) -> dict[str, str]:
        count = self.item.competencies.count()
        return {
            "heading": f"Remove the section “{self.item.title}”?",
            "consequence": f"The section and its {count} competenc{'y' if count == 1 else 'ies'} are removed from "
                           "this draft. Published versions keep theirs.",
            "button": "Remove the section", "cancel": _content_url(self.framework, f"section-{self.item.pk}"),
        }


class CompetencyDeleteView(DraftContentDeleteView):
    url_kwarg = "competency"

    def queryset(self) -> Any:
        return Competency.objects.filter(section__framework=self.framework)

    def remove(self) -> tuple[str, str]:
        services.framework_competency_delete(actor=self.request.user, framework=self.framework, competency=self.item)
        return f"The competency {self.item.code} is removed.", f"section-{self.item.section_id}"

    def page(self) -> dict[str, str]:
        return {
            "heading": f"Remove the competency {self.item.code}?", "statement": self.item.statement,
            "consequence": "The competency is removed from this draft. Published versions keep theirs.",
            "button": "Remove the competency", "cancel": _content_url(self.framework, f"competency-{self.item.pk}"),
        }


@require_POST
def framework_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a section, or a competency within its section, one place up or down."""
    framework = _draft(request, pk)
    refused = _not_a_draft(request, framework)
    if refused:
        return refused
    kind = request.POST.get("kind", "")
    try:
        item = int(request.POST.get("item", ""))
        services.framework_content_move(actor=request.user, framework=framework, kind=kind, pk=item,
                                        direction=request.POST.get("direction", ""))
    except ValueError as error:  # a missing item, or a TransitionError
        messages.error(request, str(error) if isinstance(error, TransitionError) else "Choose what to move.")
        return redirect(framework)
    return redirect(_content_url(framework, f"{kind}-{item}"))


def framework_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    framework = selectors.framework_with_content(Framework.objects.filter(pk=framework.pk)).get()
    as_csv = request.GET.get("format") == "csv"
    body = frameworks_io.export_csv([framework]) if as_csv else frameworks_io.export_json([framework])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if as_csv else "application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.slug}-v{framework.version}.{"csv" if as_csv else "json"}"'
    )
    return response


def _import_owner(request: HttpRequest) -> Any:
    organisations = [m.organisation for m in access.memberships(request.user) if m.role == Role.PROGRAMME_LEAD]
    return organisations[0] if organisations else None


def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload, preview with row-by-row errors, then confirm: nothing is saved unless all is valid."""
    if not can_manage_frameworks(request.user):
        raise PermissionDenied("Only a programme lead can import frameworks.")
    owner = _import_owner(request)
    context: dict[str, Any] = {"crumbs": crumbs(("Frameworks", reverse("progression:framework-list"))),
                               "owner": owner}
    form = forms.FrameworkImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        confirm = forms.FrameworkImportConfirmForm(request.POST)
        if confirm.is_valid():
            result = _parse_import(confirm.cleaned_data["filename"], confirm.cleaned_data["text"],
                                   confirm.cleaned_data["name"])
            try:
                created = [services.framework_import(actor=request.user, data=data, owner=owner)
                           for data in result.frameworks] if result.ok else []
            except ValidationError as error:
                result.errors.extend(error.messages)
                created = []
            if created:
                messages.success(request, f"Imported {len(created)} framework draft(s). Check and publish them.")
                return redirect(created[0])
            context["result"] = result
    elif request.method == "POST":
        form = forms.FrameworkImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = _parse_import(form.cleaned_data["file"].name, form.text, form.cleaned_data["name"])
            context["result"] = result
            if result.ok:
                context["confirm"] = forms.FrameworkImportConfirmForm(initial={
                    "filename": form.cleaned_data["file"].name, "text": form.text, "name": form.cleaned_data["name"],
                })
    context["form"] = form
    return render(request, "progression/framework_import.html", context)


def _parse_import(filename: str, text: str, name: str) -> frameworks_io.ParseResult:
    meta = {"name": name, "slug": slugify(name)[:100]}
    return frameworks_io.parse_file(filename, text, meta=meta)


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
            return _cases_csv(self.object_list)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["crumbs"] = crumbs()
        context["may_open"] = access.has_role(self.request.user, Role.LINE_MANAGER, Role.PRACTITIONER)
        return context


def _cases_csv(cases: Any) -> HttpResponse:
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
        if not access.has_role(request.user, Role.LINE_MANAGER, Role.PRACTITIONER):
            raise PermissionDenied("Only a line manager or a practitioner can open a progression case.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

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
        context = super().get_context_data(**kwargs)
        context["crumbs"] = crumbs(("Progression cases", reverse("progression:case-list")))
        return context


def _case(request: HttpRequest, pk: int, action: str = "view") -> ProgressionCase:
    # get_for_user applies the user's scope: applied twice, the condition doubles the query's cost.
    cases = ProgressionCase.objects.select_related(*selectors.CASE_RELATED)
    return access.get_for_user(request.user, cases, action=action, pk=pk)


class CaseDetailView(DetailView):
    """The council's table: per section, each competency's status, date, evidence count and comments."""

    template_name = "progression/case_detail.html"
    context_object_name = "case"

    def get_object(self, queryset: Any = None) -> ProgressionCase:
        # The case joined to four tables and its two managers read in one more query: PostgreSQL
        # planned the eight-table join in 3 ms for a 0.2 ms query (docs/performance.md).
        user = self.request.user
        cases = ProgressionCase.objects.select_related("practitioner", "framework", "team", "organisation")
        case = access.get_for_user(user, cases, action="view", pk=self.kwargs["pk"])
        managers = User.objects.in_bulk([pk for pk in (case.line_manager_id, case.head_of_service_id) if pk])
        case.line_manager, case.head_of_service = managers.get(case.line_manager_id), managers.get(
            case.head_of_service_id)
        return case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case: ProgressionCase = self.object
        user = self.request.user
        policy = access.policy_for(ProgressionCase)
        evidence = evidence_links.linked_items(viewer=user, evidence=selectors.case_evidence_shown(case))
        table = selectors.case_table(case, evidence)
        # Each row's links from one URL reversal for the page: one per row cost more than the rest of its cells.
        competency_url, evidence_url, file_url = (
            url_maker(name, case.pk) for name in
            ("progression:case-competency", "progression:evidence-detail", "progression:evidence-file"))
        for row in (row for section in table for row in section.rows):
            row.url = competency_url(row.competency_id)
        for item in evidence:
            item.url, item.file_url = evidence_url(item.pk), file_url(item.pk)
        actions = {name: policy.allows(user, case, name) for name in (
            "take_up", "mark", "submit", "add_evidence", "worker_comment", "hos_decide", "od_decide", "hr_record",
            "record_told", "confirm")}
        context.update(
            table=table,
            missing=[row for section in table if section.section.required_for_sign_off
                     for row in section.rows if not row.is_met],
            evidence=evidence,
            history=list(selectors.case_history(case)),
            eligibility=selectors.eligibility(case.practitioner),
            actions=actions,
            may_download_letter=bool(case.letter_file) and _may_download_letter(user, case),
            pack=services.evidence_pack_fail_if_stale(EvidencePack.objects.filter(case=case).first()),
            crumbs=crumbs(("Progression cases", reverse("progression:case-list"))),
        )
        return context


def _may_download_letter(user: Any, case: ProgressionCase) -> bool:
    from progression.access import holds_chain_role

    return user.pk in (case.practitioner_id, case.line_manager_id) or holds_chain_role(user, case, Role.HR)


@require_POST
def case_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "take_up")
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
            self.case = _case(request, kwargs["pk"], self.action)
        except PermissionDenied:
            moved_on = _moved_on(request, _case(request, kwargs["pk"]))
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


class CompetencyView(CaseFormView):
    """One competency of a case: the manager marks it; the practitioner comments on it."""

    template_name = "progression/competency.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = _case(request, kwargs["pk"])
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
            marks=self.assessment.marks.select_related("marked_by"),
            evidence=selectors.case_evidence(self.case).filter(competencies=self.assessment.competency),
        )
        return context


class EvidenceAddView(CaseFormView):
    template_name = "progression/evidence_add.html"
    form_class = forms.EvidenceForm
    action = "add_evidence"
    success_message = "The evidence is added."

    def get_form_kwargs(self) -> dict[str, Any]:
        competencies = Competency.objects.filter(section__framework_id=self.case.framework_id).select_related(
            "section").order_by("section__order", "section_id", "order", "id")
        links = evidence_links.choices(actor=self.request.user, case=self.case)
        return {**super().get_form_kwargs(), "case": self.case, "competencies": competencies, "links": links}

    def get_initial(self) -> dict[str, Any]:
        wanted = self.request.GET.get("competency")
        return {"competencies": [wanted]} if wanted else {}

    def call_service(self, form: forms.EvidenceForm) -> None:
        data = form.cleaned_data
        chosen = [form.competency_rows[pk] for pk in data["competencies"]]
        try:
            services.evidence_add(actor=self.request.user, case=self.case, title=data["title"],
                                  example_date=data["example_date"], description=data["description"],
                                  competencies=chosen, upload=data["file"], link=data.get("link") or "")
        except ValidationError as error:
            if not hasattr(error, "error_dict") and data["file"] is not None:
                raise ValidationError({"file": error.messages}) from None
            raise


def _evidence(request: HttpRequest, pk: int, evidence: int, action: str = "view") -> Evidence:
    """One evidence item of a case the user may see (404 otherwise), checked for ``action`` (403)."""
    case = _case(request, pk)
    item = access.get_for_user(request.user, Evidence.objects.filter(case=case).select_related("added_by"),
                               pk=evidence)
    item.case = case
    access.require(request.user, item, action)
    return item


def _evidence_crumbs(case: ProgressionCase) -> list[tuple[str, str]]:
    return crumbs(("Progression cases", reverse("progression:case-list")),
                   (f"Case for {case.practitioner.get_full_name()}", case.get_absolute_url()))


def evidence_detail(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    """One evidence item in full: its competencies, file and linked reflection or review meeting."""
    item = _evidence(request, pk, evidence)
    evidence_links.linked_items(viewer=request.user, evidence=[item])
    return render(request, "progression/evidence_detail.html", {
        "case": item.case, "item": item,
        "competencies": item.competencies.select_related("section").order_by("section__order", "order"),
        "may_delete": access.policy_for(Evidence).allows(request.user, item, "delete"),
        "crumbs": _evidence_crumbs(item.case),
    })


def evidence_delete(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    """Confirm, then delete evidence added by mistake (its author or the line manager, while a draft)."""
    item = _evidence(request, pk, evidence, "delete")
    if request.method == "POST":
        try:
            services.evidence_delete(actor=request.user, evidence=item)
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{item.title}” is deleted.")
        return redirect(item.case)
    return render(request, "progression/evidence_delete.html", {
        "case": item.case, "item": item, "crumbs": _evidence_crumbs(item.case),
    })


def evidence_file(request: HttpRequest, pk: int, evidence: int) -> FileResponse:
    """The evidence file, only to those who may see the case, always as a download."""
    case = _case(request, pk)
    item = Evidence.objects.filter(case=case, pk=evidence).exclude(file="").first()
    if item is None:
        raise Http404("Not found.")
    return _download(item.file, item.original_filename or "evidence", item.content_type or "application/octet-stream")


def _download(stored: Any, filename: str, content_type: str) -> FileResponse:
    """A private file, always as an attachment; a file missing from the disk is a 404, not a 500."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer available.") from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@require_POST
def case_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    moved_on = _moved_on(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "submit")
    comment = request.POST.get("comment", "").replace("\x00", "")  # a NUL byte: PostgreSQL stores none
    try:
        services.progression_case_submit(actor=request.user, case=case, comment=comment,
                                         expected_revision=_revision(request))
    except (ValidationError, TransitionError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, "The case is submitted to the Head of Service.")
    return redirect(case)


def _moved_on(request: HttpRequest, case: ProgressionCase) -> HttpResponse | None:
    """A step posted from a page loaded before the case moved on: say so, and show the case as it is."""
    posted = _revision(request)
    if request.method != "POST" or posted is None or posted == case.revision:
        return None
    messages.error(request, f"This case changed since you loaded the page: it is now “{case.get_stage_display()}”. "
                            "Nothing was recorded; check the case as it stands now.")
    return redirect(case)


def _revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


class DecideView(CaseFormView):
    """The Head of Service's or the Operational Director's decision, by the case's stage."""

    template_name = "progression/case_decide.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        case = _case(request, kwargs["pk"])
        self.action = "od_decide" if case.stage == Stage.RECOMMENDED else "hos_decide"
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return forms.DirectorForm if self.action == "od_decide" else forms.HeadOfServiceForm

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        if self.action == "od_decide":
            services.progression_case_od_decide(actor=self.request.user, case=self.case, decision=data["decision"],
                                                comment=data["comment"], expected_revision=data["revision"])
            self.success_message = {"sign_off": "The progression is signed off; HR has been told.",
                                    "return": "The case is returned to the line manager.",
                                    "decline": "The case is declined."}[data["decision"]]
        else:
            services.progression_case_hos_decide(actor=self.request.user, case=self.case,
                                                 recommend=data["decision"] == "recommend", comment=data["comment"],
                                                 expected_revision=data["revision"])
            self.success_message = ("The case is recommended to the Operational Director."
                                    if data["decision"] == "recommend" else "The case is returned to the line manager.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["table"] = selectors.case_table(self.case)
        return context


class HrRecordView(CaseFormView):
    template_name = "progression/case_step.html"
    form_class = forms.HrRecordForm
    action = "hr_record"
    success_message = "The HR process is recorded; the line manager has been told."
    heading = "Record the HR process"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_hr_record(
            actor=self.request.user, case=self.case, hr_reference=data["hr_reference"],
            effective_date=data["effective_date"], redeployed_to=data["redeployed_to"], comment=data["comment"],
            expected_revision=data["revision"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": self.heading}


class ToldView(HrRecordView):
    form_class = forms.ToldForm
    action = "record_told"
    success_message = "Recorded. Now produce the confirmation letter."
    heading = "Record that the worker was told"

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision, "told_by": self.request.user.pk}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_record_told(actor=self.request.user, case=self.case, told_on=data["told_on"],
                                              told_by=data["told_by"], expected_revision=data["revision"])


@require_POST
def case_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    moved_on = _moved_on(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "confirm")
    try:
        services.progression_case_confirm(actor=request.user, case=case, expected_revision=_revision(request))
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The confirmation letter is ready to download; the case is done.")
    return redirect(case)


def case_letter(request: HttpRequest, pk: int) -> FileResponse:
    case = _case(request, pk)
    if not case.letter_file:
        raise Http404("No letter yet.")
    if not _may_download_letter(request.user, case):
        raise PermissionDenied("Only the practitioner, their line manager and HR can download the letter.")
    name = slugify(case.practitioner.get_full_name() or "practitioner")
    return _download(case.letter_file, f"progression-letter-{name}.pdf", "application/pdf")


# Evidence packs -----------------------------------------------------------------------------------


@require_POST
def pack_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "request_pack")
    pack = services.evidence_pack_request(actor=request.user, case=case)
    return redirect("progression:pack-detail", pk=pack.pk)


class PackDetailView(DetailView):
    template_name = "progression/pack_detail.html"
    context_object_name = "pack"

    def get_object(self, queryset: Any = None) -> EvidencePack:
        pack = access.get_for_user(self.request.user, EvidencePack.objects.select_related("case__practitioner"),
                                   pk=self.kwargs["pk"])
        return services.evidence_pack_fail_if_stale(pack)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.object.case
        context["crumbs"] = crumbs(("Progression cases", reverse("progression:case-list")),
                                    (f"Case for {case.practitioner.get_full_name()}", case.get_absolute_url()))
        return context


def pack_download(request: HttpRequest, pk: int) -> FileResponse:
    pack = access.get_for_user(request.user, EvidencePack, pk=pk)
    if pack.status != EvidencePack.Status.READY or not pack.file:
        raise Http404("The pack is not ready.")
    return _download(pack.file, f"evidence-pack-case-{pack.case_id}.pdf", "application/pdf")


# Delegations ---------------------------------------------------------------------------------------


class DelegationView(FormView):
    """A Head of Service's delegations: given (with the form to give one) and received."""

    template_name = "progression/delegations.html"
    form_class = forms.DelegationForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_delegate(request.user):
            raise PermissionDenied("Only a Head of Service can delegate their decisions.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: forms.DelegationForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.delegation_create(actor=self.request.user, delegate=data["delegate"],
                                       starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{data['delegate'].get_full_name()} can now decide the cases naming you, "
                                       f"from {data['starts_on']:%-d %B %Y} to {data['ends_on']:%-d %B %Y}.")
        return redirect("progression:delegations")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        delegations = (access.scope(self.request.user, Delegation)
                       .filter(Q(delegator_id=self.request.user.pk) | Q(delegate_id=self.request.user.pk))
                       .filter(ends_on__gte=today - datetime.timedelta(days=90))
                       .select_related("delegator", "delegate"))
        given = [d for d in delegations if d.delegator_id == self.request.user.pk]
        received = [d for d in delegations if d.delegate_id == self.request.user.pk]
        return {**super().get_context_data(**kwargs), "given": given, "received": received, "today": today,
                "crumbs": crumbs()}


@require_POST
def delegation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = access.get_for_user(request.user, Delegation, action="withdraw", pk=pk)
    try:
        services.delegation_withdraw(actor=request.user, delegation=delegation)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The delegation to {delegation.delegate.get_full_name()} is withdrawn.")
    return redirect("progression:delegations")


# Letter template -----------------------------------------------------------------------------------


class LetterTemplateView(FormView):
    template_name = "progression/letter_template.html"
    form_class = forms.LetterTemplateForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organisations = [m.organisation for m in access.memberships(request.user)
                         if m.role in (Role.HR, Role.PROGRAMME_LEAD)]
        if not organisations:
            raise PermissionDenied("Only HR or a programme lead can edit the letter template.")
        self.organisation = organisations[0]
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        from progression.letters import DEFAULT_BODY, DEFAULT_HEADING

        template = LetterTemplate.objects.filter(organisation=self.organisation).first()
        return {"heading": template.heading if template else DEFAULT_HEADING,
                "body": template.body if template else DEFAULT_BODY}

    def form_valid(self, form: forms.LetterTemplateForm) -> HttpResponse:
        try:
            services.letter_template_save(actor=self.request.user, organisation=self.organisation,
                                          heading=form.cleaned_data["heading"], body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The letter template is saved.")
        return redirect("progression:letter-template")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "organisation": self.organisation, "crumbs": crumbs()}
