"""The sign-off chain: submitting, the Head of Service's and Operational Director's decisions, the
HR record, telling the worker, confirming and the letter.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import act
from preceptorship.storage import private_file_response
from progression import access as progression_access
from progression import forms, selectors, services
from progression.models import (
    ProgressionCase,
)
from progression.services import TransitionError
from progression.views.cases import CaseFormView, get_case, moved_on_response, posted_revision

Role = Membership.Role
Stage = ProgressionCase.Stage


@require_POST
def case_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    moved_on = moved_on_response(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "submit")
    comment = request.POST.get("comment", "").replace("\x00", "")  # a NUL byte: PostgreSQL stores none
    try:
        services.progression_case_submit(actor=request.user, case=case, comment=comment,
                                         expected_revision=posted_revision(request))
    except (ValidationError, TransitionError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, "The case is submitted to the Head of Service.")
    return redirect(case)


class DecideView(CaseFormView):
    """The Head of Service's or the Operational Director's decision, by the case's stage."""

    template_name = "progression/case_decide.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        case = get_case(request, kwargs["pk"])
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
    case = get_case(request, pk)
    moved_on = moved_on_response(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "confirm")
    act(request, lambda: services.progression_case_confirm(actor=request.user, case=case,
                                                           expected_revision=posted_revision(request)),
        "The confirmation letter is ready to download; the case is done.")
    return redirect(case)


def case_letter(request: HttpRequest, pk: int) -> FileResponse:
    case = get_case(request, pk)
    if not case.letter_file:
        raise Http404("No letter yet.")
    access.refuse_unless(progression_access.may_download_letter(request.user, case),
                   "Only the practitioner, their line manager and HR can download the letter.")
    name = slugify(case.practitioner.get_full_name() or "practitioner")
    return private_file_response(case.letter_file, f"progression-letter-{name}.pdf", "application/pdf")
