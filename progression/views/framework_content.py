"""Structured editing of a draft framework's sections and competencies.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import FormView, View

from preceptorship.models import Membership
from preceptorship.pages import ServiceFormMixin, act
from progression import forms, services
from progression.models import (
    Competency,
    Framework,
    ProgressionCase,
    Section,
)
from progression.services import TransitionError
from progression.views.frameworks import framework_crumbs, get_framework

Role = Membership.Role
Stage = ProgressionCase.Stage


# Structured editing of a draft's sections and competencies ------------------------------------------


def get_draft(request: HttpRequest, pk: int) -> Framework:
    """A draft the user may change (404 outside their frameworks, 403 if not theirs to change)."""
    return get_framework(request, pk, "change")


def not_a_draft(request: HttpRequest, framework: Framework) -> HttpResponse | None:
    if framework.is_editable:
        return None
    messages.error(request, "A published framework is never edited in place: make a new version instead.")
    return redirect(framework)




def content_url(framework: Framework, anchor: str) -> str:
    return f"{framework.get_absolute_url()}#{anchor}"


class DraftContentFormView(ServiceFormMixin, FormView):
    """Add or change a section or a competency of a draft framework."""

    template_name = "progression/framework_content_form.html"
    heading = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = get_draft(request, kwargs["pk"])
        refused = not_a_draft(request, self.framework)
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
        return content_url(self.framework, self.result)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "framework": self.framework, "heading": self.heading,
                "crumbs": framework_crumbs(self.framework)}


class SectionFormView(DraftContentFormView):
    form_class = forms.SectionForm
    section: Section | None = None

    def load(self, **kwargs: Any) -> None:
        if "section" in kwargs:
            self.section = get_or_404(Section.objects.filter(framework=self.framework), kwargs["section"])
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
            self.competency = get_or_404(
                Competency.objects.filter(section__framework=self.framework).select_related("section"),
                kwargs["competency"])
            self.section = self.competency.section
            self.heading = f"Change the competency {self.competency.code}"
        else:
            self.section = get_or_404(Section.objects.filter(framework=self.framework), kwargs["section"])
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


def get_or_404(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found.")
    return found


class DraftContentDeleteView(View):
    """Confirm (with a warning), then remove a section or a competency of a draft framework."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.framework = get_draft(request, kwargs["pk"])
        refused = not_a_draft(request, self.framework)
        if refused:
            return refused
        self.item = get_or_404(self.queryset(), kwargs[self.url_kwarg])
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
            "framework": self.framework, "crumbs": framework_crumbs(self.framework), **self.page()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        removed = act(request, self.remove, lambda removed: removed[0])
        return redirect(content_url(self.framework, removed[1]) if removed else self.framework)


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
            "button": "Remove the section", "cancel": content_url(self.framework, f"section-{self.item.pk}"),
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
            "button": "Remove the competency", "cancel": content_url(self.framework, f"competency-{self.item.pk}"),
        }


@require_POST
def framework_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a section, or a competency within its section, one place up or down."""
    framework = get_draft(request, pk)
    refused = not_a_draft(request, framework)
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
    return redirect(content_url(framework, f"{kind}-{item}"))
