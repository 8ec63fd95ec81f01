"""The organisation's letter template, and the confirmation letter previewed before it is produced.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.generic import FormView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import add_service_errors, crumbs
from preceptorship.pdf import nhs_branded
from progression import access as progression_access
from progression import forms, services
from progression.letters import letter_context, render_letter_pdf
from progression.models import (
    LetterTemplate,
    ProgressionCase,
)
from progression.views.cases import get_case

Role = Membership.Role
Stage = ProgressionCase.Stage


# Letter template -----------------------------------------------------------------------------------


class LetterTemplateView(FormView):
    template_name = "progression/letter_template.html"
    form_class = forms.LetterTemplateForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organisations = progression_access.letter_template_organisations(request.user)
        access.refuse_unless(bool(organisations), "Only HR or a programme lead can edit the letter template.")
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
        return {**super().get_context_data(**kwargs), "organisation": self.organisation, "crumbs": crumbs(),
                "nhs_branded": nhs_branded(self.organisation)}


# The letter, previewed ----------------------------------------------------------------------------


def letter_preview(case: ProgressionCase) -> dict[str, Any]:
    """The check page's preview of the letter (``CheckPage`` fields): its words as the PDF will carry
    them, and a link to the PDF itself, both from ``letter_context``."""
    return {"preview_title": "The letter", "preview_template": "pdf/includes/letter_body.html",
            "preview": letter_context(case), "preview_url": reverse("progression:case-letter-preview", args=[case.pk]),
            "preview_label": "Open the letter as it will be sent (PDF)"}


@require_GET
def case_letter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter exactly as producing it would make it, shown in the browser; nothing is saved or sent.
    Only whoever may produce it, while it may be produced."""
    case = get_case(request, pk, "confirm")
    response = HttpResponse(render_letter_pdf(case), content_type="application/pdf")
    name = slugify(case.practitioner.get_full_name() or "practitioner")
    response["Content-Disposition"] = f'inline; filename="progression-letter-preview-{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
