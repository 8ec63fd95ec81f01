"""Frameworks: the list, a framework's page, versions, publishing, retiring, editing as text, and
import and export.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import Answer, CheckPage, Linked, act, add_service_errors, check_response, confirmed, crumbs
from progression import forms, frameworks_io, selectors, services
from progression.access import can_manage_frameworks, may_edit_letter_template
from progression.models import (
    Framework,
    ProgressionCase,
)
from progression.services import TransitionError

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
        context["can_edit_letter"] = may_edit_letter_template(self.request.user)
        context["crumbs"] = crumbs()
        return context


def get_framework(request: HttpRequest, pk: int, action: str = "view") -> Framework:
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
    framework = get_framework(request, pk, "new_version")
    draft = act(request, lambda: services.framework_new_version(actor=request.user, framework=framework),
                lambda draft: f"Version {draft.version} is a draft: edit it, then publish it.")
    return redirect(draft or framework)


def publish_check(framework: Framework) -> CheckPage:
    """What publishing a draft records (its content, which nobody can change afterwards) and retires."""
    framework = selectors.framework_with_content(Framework.objects.filter(pk=framework.pk)).get()
    sections = list(framework.sections.all())
    competencies = sum(len(section.competencies.all()) for section in sections)
    required = [section.title for section in sections if section.required_for_sign_off]
    professions = [profession.name for profession in framework.professions.all()]
    edit = framework.get_absolute_url()
    happens = [f"Version {framework.version} is published. Nobody can change it afterwards: a change needs a new "
               "version.", "New progression cases on this framework use this version."]
    happens += [f"Version {older.version}, published now, is retired: cases already open on it keep its wording."
                for older in services.publish_replaces(framework)]
    return CheckPage(
        title="Check before you publish the framework", caption=str(framework),
        confirm_label=f"Publish version {framework.version}", cancel_url=edit,
        answers=[
            Answer("Name", framework.name, change_url=reverse("progression:framework-edit", args=[framework.pk])),
            Answer("Version", str(framework.version)),
            Answer("Sections", f"{len(sections)}, with {competencies} competencies", change_url=edit),
            Answer("Required for sign-off", ", ".join(required) or "None", change_url=edit),
            Answer("Professions it applies to", ", ".join(professions) or "Any profession",
                   change_url=reverse("progression:framework-edit", args=[framework.pk])),
        ],
        happens=happens,
        nobody_told="Nobody is sent a notification: everyone signed in can read a published framework.",
    )


@require_POST
def framework_publish(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework(request, pk, "publish")
    if not confirmed(request):
        refusal = services.publish_refusal(framework)
        if refusal:
            messages.error(request, refusal)
            return redirect(framework)
        return check_response(request, publish_check(framework), framework_crumbs(framework))
    act(request, lambda: services.framework_publish(actor=request.user, framework=framework),
        "The framework is published. New cases use this version.")
    return redirect(framework)


def retire_check(request: HttpRequest, framework: Framework) -> CheckPage:
    """Retiring warns of each case still open on the version: linked for a viewer who may open the case,
    the practitioner named in the viewer's own organisations; elsewhere only the organisation and stage
    (another organisation's practitioner is not theirs to know)."""
    cases = list(selectors.open_cases_on(framework))
    visible = set(access.scope(request.user, ProgressionCase).filter(pk__in=[c.pk for c in cases])
                  .values_list("pk", flat=True))
    own = access.organisation_ids(request.user, Role.PROGRAMME_LEAD)
    warnings: list[str | Linked] = []
    for case in cases:
        if case.pk in visible or case.organisation_id in own:
            name = case.practitioner.get_full_name() or case.practitioner.email
            url = case.get_absolute_url() if case.pk in visible else ""
            warnings.append(Linked(f"{name}: {case.get_stage_display()}", url))
        else:
            warnings.append(Linked(f"A case in {case.organisation.name}: {case.get_stage_display()}"))
    count = len(cases)
    happens = [f"Version {framework.version} is retired: nobody can open a new case on it."]
    if cases:
        happens.append("The open cases on it go on with its wording to the end, and the people on them can "
                       "still read it.")
    return CheckPage(
        title="Check before you retire the framework", caption=str(framework),
        confirm_label=f"Retire version {framework.version}", cancel_url=framework.get_absolute_url(),
        answers=[Answer("Name", framework.name), Answer("Version", str(framework.version)),
                 Answer("Open cases on it", str(count) if count else "None")],
        warnings=warnings,
        warning_title=f"{count} open case{'s' if count != 1 else ''} use{'' if count != 1 else 's'} this version",
        happens=happens,
        nobody_told="Nobody is sent a notification.",
    )


@require_POST
def framework_retire(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework(request, pk, "retire")
    if not confirmed(request):
        return check_response(request, retire_check(request, framework), framework_crumbs(framework))
    act(request, lambda: services.framework_retire(actor=request.user, framework=framework),
        "The framework is retired. Cases already open on it keep its wording.")
    return redirect(framework)


class FrameworkEditView(FormView):
    template_name = "progression/framework_edit.html"
    form_class = forms.FrameworkEditForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = get_framework(request, kwargs["pk"], "change")
        if not self.framework.is_editable:
            messages.error(request, "A published framework is never edited in place: make a new version instead.")
            return redirect(self.framework)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        framework = selectors.framework_with_content(Framework.objects.filter(pk=self.framework.pk)).get()
        return {
            "name": framework.name, "source": framework.source, "from_level": framework.from_level,
            "to_level": framework.to_level, "professions": list(framework.professions.all()),
            "evidence_per_competency": framework.evidence_per_competency,
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
        if data["evidence_per_competency"] is not None:
            payload["evidence_per_competency"] = data["evidence_per_competency"]
        try:
            services.framework_update(actor=self.request.user, framework=self.framework, data=payload)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
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
        context["crumbs"] = framework_crumbs(self.framework)
        return context


def framework_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework(request, pk)
    framework = selectors.framework_with_content(Framework.objects.filter(pk=framework.pk)).get()
    as_csv = request.GET.get("format") == "csv"
    body = frameworks_io.export_csv([framework]) if as_csv else frameworks_io.export_json([framework])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if as_csv else "application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.slug}-v{framework.version}.{"csv" if as_csv else "json"}"'
    )
    return response


def import_owner(request: HttpRequest) -> Any:
    organisations = [m.organisation for m in access.memberships(request.user) if m.role == Role.PROGRAMME_LEAD]
    return organisations[0] if organisations else None


def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload, preview with row-by-row errors, then confirm: nothing is saved unless all is valid."""
    access.refuse_unless(can_manage_frameworks(request.user), "Only a programme lead can import frameworks.")
    owner = import_owner(request)
    context: dict[str, Any] = {"crumbs": crumbs(("Frameworks", reverse("progression:framework-list"))),
                               "owner": owner}
    form = forms.FrameworkImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        confirm = forms.FrameworkImportConfirmForm(request.POST)
        if confirm.is_valid():
            result = parse_import(confirm.cleaned_data["filename"], confirm.cleaned_data["text"],
                                   confirm.cleaned_data["name"])
            try:
                created = [services.framework_import(actor=request.user, data=data, owner=owner)
                           for data in result.frameworks] if result.ok else []
            except ValidationError as error:
                result.errors.extend(error.messages)
                created = []
            if created:
                if len(created) == 1:
                    messages.success(request, f"{created[0].name} is imported as a draft. Check it, then publish it.")
                else:
                    messages.success(request, f"{len(created)} frameworks are imported as drafts. Check each one, "
                                              "then publish it.")
                return redirect(created[0])
            context["result"] = result
    elif request.method == "POST":
        form = forms.FrameworkImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = parse_import(form.cleaned_data["file"].name, form.text, form.cleaned_data["name"])
            context["result"] = result
            if result.ok:
                context["confirm"] = forms.FrameworkImportConfirmForm(initial={
                    "filename": form.cleaned_data["file"].name, "text": form.text, "name": form.cleaned_data["name"],
                })
    context["form"] = form
    return render(request, "progression/framework_import.html", context)


def parse_import(filename: str, text: str, name: str) -> frameworks_io.ParseResult:
    meta = {"name": name, "slug": slugify(name)[:100]}
    return frameworks_io.parse_file(filename, text, meta=meta)


def framework_crumbs(framework: Framework) -> list[tuple[str, str]]:
    return crumbs(("Frameworks", reverse("progression:framework-list")),
                   (str(framework), framework.get_absolute_url()))
