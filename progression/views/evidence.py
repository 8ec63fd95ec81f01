"""Evidence on a case (adding, reading, deleting, its file) and evidence packs.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import act, crumbs
from preceptorship.storage import private_file_response
from progression import evidence_links, forms, services
from progression.models import (
    Competency,
    Evidence,
    EvidencePack,
    ProgressionCase,
)
from progression.views.cases import CaseFormView, get_case

Role = Membership.Role
Stage = ProgressionCase.Stage


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


def get_evidence(request: HttpRequest, pk: int, evidence: int, action: str = "view") -> Evidence:
    """One evidence item of a case the user may see (404 otherwise), checked for ``action`` (403)."""
    case = get_case(request, pk)
    item = access.get_for_user(request.user, Evidence.objects.filter(case=case).select_related("added_by"),
                               pk=evidence)
    item.case = case
    access.require(request.user, item, action)
    return item


def evidence_crumbs(case: ProgressionCase) -> list[tuple[str, str]]:
    return crumbs(("Progression cases", reverse("progression:case-list")),
                   (f"Case for {case.practitioner.get_full_name()}", case.get_absolute_url()))


def evidence_detail(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    """One evidence item in full: its competencies, file and linked reflection or review meeting."""
    item = get_evidence(request, pk, evidence)
    evidence_links.linked_items(viewer=request.user, evidence=[item])
    return render(request, "progression/evidence_detail.html", {
        "case": item.case, "item": item,
        "competencies": item.competencies.select_related("section").order_by("section__order", "order"),
        "may_delete": access.policy_for(Evidence).allows(request.user, item, "delete"),
        "crumbs": evidence_crumbs(item.case),
    })


def evidence_delete(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    """Confirm, then delete evidence added by mistake (its author or the line manager, while a draft)."""
    item = get_evidence(request, pk, evidence, "delete")
    if request.method == "POST":
        act(request, lambda: services.evidence_delete(actor=request.user, evidence=item), f"“{item.title}” is deleted.")
        return redirect(item.case)
    return render(request, "progression/evidence_delete.html", {
        "case": item.case, "item": item, "crumbs": evidence_crumbs(item.case),
    })


def evidence_file(request: HttpRequest, pk: int, evidence: int) -> FileResponse:
    """The evidence file, only to those who may see the case, always as a download."""
    case = get_case(request, pk)
    item = Evidence.objects.filter(case=case, pk=evidence).exclude(file="").first()
    if item is None:
        raise Http404("Not found.")
    return private_file_response(item.file, item.original_filename or "evidence",
                                 item.content_type or "application/octet-stream")




# Evidence packs -----------------------------------------------------------------------------------


@require_POST
def pack_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "request_pack")
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
    return private_file_response(pack.file, f"evidence-pack-case-{pack.case_id}.pdf", "application/pdf")
