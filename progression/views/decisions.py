"""The sign-off chain: submitting, the Head of Service's and Operational Director's decisions, the
HR record, telling the worker, confirming and the letter.

Each step is checked before it is taken: the first POST shows what will be recorded, what will
happen and who will be told (``preceptorship.pages.CheckPage``) and changes nothing; only the check
page's confirm POST calls the service, with the revision the person saw, so a case that moved on
in between is refused with a message.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import (
    Answer,
    CheckAnswersMixin,
    CheckPage,
    act,
    answer_rows,
    check_response,
    confirmed,
    crumbs,
    told_people,
)
from preceptorship.storage import private_file_response
from progression import access as progression_access
from progression import forms, selectors, services
from progression.models import (
    ProgressionCase,
)
from progression.services import TransitionError
from progression.views.cases import CaseFormView, get_case, moved_on_response, posted_revision
from progression.views.letters import letter_preview

Role = Membership.Role
Stage = ProgressionCase.Stage


def case_crumbs(case: ProgressionCase) -> list[tuple[str, str]]:
    return crumbs(("Progression cases", reverse("progression:case-list")),
                  (f"Case for {case.practitioner.get_full_name()}", case.get_absolute_url()))


def told(case: ProgressionCase, step: str, actor: Any) -> list[tuple[str, str]]:
    return told_people(services.told_of(case, step, actor=actor))


def _fmt(day: Any) -> str:
    return f"{day.day} {day:%B} {day.year}" if day else "Not recorded"


def submit_check(case: ProgressionCase, actor: Any) -> CheckPage:
    sections = selectors.case_table(case)
    return CheckPage(
        title="Check before you submit the case", caption=f"{case.practitioner.get_full_name()}: {case.target_role}",
        confirm_label="Submit the case to the Head of Service", cancel_url=case.get_absolute_url(),
        answers=[
            Answer("Practitioner", case.practitioner.get_full_name()),
            Answer("Framework", str(case.framework)),
            Answer("Moving to", case.target_role),
            *(Answer(section.section.title, f"{section.met} of {len(section.rows)} reached or exceeded",
                     change_url=case.get_absolute_url()) for section in sections),
            Answer("Practitioner's statement", " ".join(filter(None, [
                f"{case.get_statement_display()}, {_fmt(case.statement_at)}." if case.statement else "Not given.",
                case.statement_text]))),
        ],
        happens=[f"The case goes to {case.head_of_service.get_full_name()}, the Head of Service, who recommends it "
                 "to the Operational Director or returns it to you with reasons.",
                 "While it is with them, nobody can change its marks or evidence."],
        told=told(case, "submit", actor),
    )


@require_POST
def case_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    moved_on = moved_on_response(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "submit")
    comment = request.POST.get("comment", "").replace("\x00", "")  # a NUL byte: PostgreSQL stores none
    if not confirmed(request):
        refusal = services.submission_refusal(case, request.user)
        if refusal:
            messages.error(request, refusal)
            return redirect(case)
        return check_response(request, submit_check(case, request.user), case_crumbs(case))
    try:
        services.progression_case_submit(actor=request.user, case=case, comment=comment,
                                         expected_revision=posted_revision(request))
    except (ValidationError, TransitionError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, "The case is submitted to the Head of Service.")
    return redirect(case)


class CaseStepView(CheckAnswersMixin, CaseFormView):
    """A step of the chain on a form: checked before it is taken. A check asked for on a page loaded
    before the case moved on says so instead."""

    confirm_label = ""
    happens: tuple[str, ...] = ()
    step = ""
    duty = ""  # the step's part in the separation of duties, refused before the check page

    def show_check(self, form: Any) -> HttpResponse:
        moved_on = moved_on_response(self.request, self.case)
        if moved_on:
            return moved_on
        refusal = services.separation_refusal(self.case, self.request.user, self.duty) if self.duty else ""
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        return super().show_check(form)

    def check_page(self, form: Any) -> CheckPage:
        return CheckPage(
            title=f"Check before you {self.confirm_label[0].lower()}{self.confirm_label[1:]}",
            caption=f"{self.case.practitioner.get_full_name()}: {self.case.target_role}",
            confirm_label=self.confirm_label, cancel_url=self.case.get_absolute_url(), answers=answer_rows(form),
            happens=list(self.happens), told=told(self.case, self.step, self.request.user),
        )


class DecideView(CaseStepView):
    """The Head of Service's or the Operational Director's decision, by the case's stage."""

    template_name = "progression/case_decide.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        case = get_case(request, kwargs["pk"])
        self.action = "od_decide" if case.stage == Stage.RECOMMENDED else "hos_decide"
        return super().dispatch(request, *args, **kwargs)

    @property
    def duty(self) -> str:  # type: ignore[override]
        return services.SIGN_OFF if self.action == "od_decide" else services.RECOMMENDATION

    def get_form_class(self) -> Any:
        return forms.DirectorForm if self.action == "od_decide" else forms.HeadOfServiceForm

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        competencies = list(data.get("competencies") or [])
        if self.action == "od_decide":
            services.progression_case_od_decide(actor=self.request.user, case=self.case, decision=data["decision"],
                                                comment=data["comment"], expected_revision=data["revision"],
                                                competencies=competencies)
            self.success_message = {"sign_off": "The progression is signed off; HR has been told.",
                                    "return": "The case is returned to the line manager.",
                                    "decline": "The case is declined."}[data["decision"]]
        else:
            services.progression_case_hos_decide(actor=self.request.user, case=self.case,
                                                 recommend=data["decision"] == "recommend", comment=data["comment"],
                                                 expected_revision=data["revision"], competencies=competencies)
            self.success_message = ("The case is recommended to the Operational Director."
                                    if data["decision"] == "recommend" else "The case is returned to the line manager.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["table"] = selectors.case_table(self.case)
        # The Operational Director reads the Head of Service's recommendation and reasons first.
        context["recommendation"] = (selectors.latest_recommendation(self.case) if self.action == "od_decide"
                                     else None)
        return context

    def check_page(self, form: Any) -> CheckPage:
        page = self._check_page(form)
        chosen = form.cleaned_data.get("competencies") or []
        page.answers = [answer for answer in page.answers if answer.field != "competencies"]
        if form.cleaned_data["decision"] == "return":
            page.answers.append(Answer("Competencies concerned",
                                       ", ".join(c.code for c in chosen) or "None chosen", field="competencies"))
        return page

    def _check_page(self, form: Any) -> CheckPage:
        decision = form.cleaned_data["decision"]
        case = self.case
        self.step, self.confirm_label, self.happens = {
            "recommend": ("recommend", "Recommend the case", (
                "The case goes to the Operational Director for sign-off.",)),
            "sign_off": ("sign_off", "Sign off the progression", (
                f"The progression to {case.target_role} is signed off. HR then records the HR and payroll "
                "process; the line manager tells the worker, and a letter confirms it in writing.",
                "A sign-off cannot be undone.")),
            "return": ("od_return" if self.action == "od_decide" else "hos_return", "Return the case", (
                "The case goes back to the line manager as a draft, with your reasons, to be evidenced and "
                "submitted again.",)),
            "decline": ("decline", "Decline the case", (
                "The case is declined, with your reasons. This is final: it cannot be submitted again, and a "
                "new case would have to be opened.",)),
        }[decision]
        return super().check_page(form)


class HrRecordView(CaseStepView):
    template_name = "progression/case_step.html"
    form_class = forms.HrRecordForm
    action = "hr_record"
    success_message = "The HR process is recorded; the line manager has been told."
    heading = "Record the HR process"
    step = "hr_record"
    duty = services.HR_RECORD
    confirm_label = "Record the HR process"
    happens = ("The case is marked “HR process recorded” with these details. The line manager then tells the "
               "worker, and the confirmation letter is produced.",)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def get_initial(self) -> dict[str, Any]:
        # A move the Head of Service or the Operational Director recorded stands unless HR changes it.
        return {"revision": self.case.revision, "redeployed_to": self.case.redeployed_to_id}

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
    step = "record_told"
    duty = ""
    confirm_label = "Record that the worker was told"
    happens = ("The case is marked “worker told”. The line manager or HR then produces the confirmation letter.",)

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision, "told_by": self.request.user.pk}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_record_told(actor=self.request.user, case=self.case, told_on=data["told_on"],
                                              told_by=data["told_by"], expected_revision=data["revision"])


class WithdrawView(CaseStepView):
    """The line manager withdraws a case opened by mistake, with the reason (checked first: it is final)."""

    template_name = "progression/case_step.html"
    form_class = forms.WithdrawForm
    action = "withdraw"
    success_message = "The case is withdrawn. It is kept, read-only, with its history."
    heading = "Withdraw the case"
    step = "withdraw"
    confirm_label = "Withdraw the case"
    happens = ("The case is marked “withdrawn” with your reason. This is final: nobody can change it or submit "
               "it, and it leaves every list of cases waiting. It stays readable, with its history.",
               "To progress the practitioner later, open a new case.")

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_withdraw(actor=self.request.user, case=self.case, reason=data["reason"],
                                           expected_revision=data["revision"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": self.heading}


class StatementView(CaseFormView):
    """The practitioner reads the table and adds their comments or says they agree."""

    template_name = "progression/case_statement.html"
    form_class = forms.StatementForm
    action = "statement"
    success_message = "Your statement is saved. Your line manager can now submit the case."

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_statement(actor=self.request.user, case=self.case, agrees=data["agrees"],
                                            comment=data["comment"], expected_revision=data["revision"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "table": selectors.case_table(self.case),
                "heading": "Read the table and give your statement"}


class StatementUnableView(StatementView):
    """The line manager records why the practitioner could not give their statement."""

    template_name = "progression/case_step.html"
    form_class = forms.StatementUnableForm
    action = "statement_unable"
    success_message = "Recorded. The case can be submitted without the practitioner's statement."

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_statement_unable(actor=self.request.user, case=self.case, reason=data["reason"],
                                                   expected_revision=data["revision"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs),
                "heading": "Record why the practitioner could not give their statement"}


def letter_check(case: ProgressionCase, actor: Any) -> CheckPage:
    redeployed = f"; redeployed to {case.redeployed_to.name}" if case.redeployed_to_id else ""
    told_by = case.told_by.get_full_name() if case.told_by_id else "someone not recorded"
    return CheckPage(
        title="Check before you produce the confirmation letter",
        caption=f"{case.practitioner.get_full_name()}: {case.target_role}",
        confirm_label="Produce the letter", cancel_url=case.get_absolute_url(),
        answers=[
            Answer("Practitioner", case.practitioner.get_full_name()),
            Answer("New role", case.target_role),
            Answer("HR/payroll reference", case.hr_reference or "Not recorded"),
            Answer("Takes effect", _fmt(case.effective_date) + redeployed),
            Answer("Told in person", f"{_fmt(case.told_verbally_on)} by {told_by}"),
        ],
        happens=[f"The letter is produced from {case.organisation.name}'s letter template and the case is "
                 "marked “confirmed in writing”. This cannot be undone.",
                 "The practitioner, their line manager and HR can then download the letter."],
        told=told(case, "confirm", actor),
        **letter_preview(case),
    )


@require_POST
def case_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    moved_on = moved_on_response(request, case)
    if moved_on:
        return moved_on
    access.require(request.user, case, "confirm")
    if not confirmed(request):
        return check_response(request, letter_check(case, request.user), case_crumbs(case))
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
