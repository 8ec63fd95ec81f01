"""Completion: the mentor's and line manager's confirmations, the outcome, the evaluation and the
certificate.

A confirmation and the outcome are checked before they are recorded (``pages.CheckAnswersMixin``):
the form's POST shows what will be recorded, what is still outstanding and who will be told.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from preceptorship.models import Membership
from preceptorship.pages import CheckAnswersMixin, CheckPage, answer_rows, told_people
from preceptorship.pdf import render_pdf
from programmes import selectors, services
from programmes.forms.lead import (
    ConfirmCompletionForm,
    EvaluationForm,
    OutcomeForm,
)
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
)
from programmes.views.common import get_enrolment
from programmes.views.enrolments import EnrolmentActionView, goal_totals

Role = Membership.Role


class ConfirmCompletionView(CheckAnswersMixin, EnrolmentActionView):
    form_class = ConfirmCompletionForm
    action = "confirm_completion"
    title = "Confirm completion"
    submit_label = "Continue"
    success_message = "Your answer has been recorded. The programme lead records the outcome."

    @property
    def intro(self) -> str:  # type: ignore[override]
        return (
            f"{self.enrolment.preceptee}'s preceptorship is due to complete on "
            f"{self.enrolment.completion_due:%-d %B %Y}. The mentor and the line manager each confirm."
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.completion_open(self.enrolment):
            messages.info(request, "Completion can be confirmed from a month before the completion date "
                                   f"({self.enrolment.completion_due:%-d %B %Y}).")
            return redirect(self.enrolment)
        return super().get(request, *args, **kwargs)

    def outstanding(self) -> list[str]:
        if not hasattr(self, "_outstanding"):
            self._outstanding = services.completion_outstanding(self.enrolment, timezone.localdate())
        return self._outstanding

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"outstanding": self.outstanding()}

    def get_initial(self) -> dict[str, Any]:
        """Their earlier answer, to change (it is replaced, not added to)."""
        earlier = self.enrolment.confirmations.filter(by_id=self.request.user.pk).first()
        if earlier is None:
            return {}
        return {"confirmed": "yes" if earlier.confirmed else "no", "reason": earlier.reason,
                "proposed_extension_months": earlier.proposed_extension_months, "early_reason": earlier.early_reason}

    def check_page(self, form: ConfirmCompletionForm) -> CheckPage:
        yes = form.cleaned_data["confirmed"]
        told = told_people(services.completion_confirm_told(self.enrolment, actor=self.request.user, confirmed=yes))
        own = (CompletionConfirmation.Role.MENTOR if self.enrolment.mentor_id == self.request.user.pk
               else CompletionConfirmation.Role.LINE_MANAGER).label
        others = [label.lower() for label, answer in confirmation_rows(self.enrolment)
                  if label != own and not (answer and answer.confirmed)]
        if yes:
            happens = ["Your confirmation that the preceptorship is complete is recorded."]
            happens.append("The programme lead then records the outcome, and the preceptorship is complete."
                           if told else f"Once the {' and the '.join(others) or 'other person'} confirms too, "
                           "the programme lead records the outcome.")
        else:
            happens = ["Your answer that the preceptee has not completed yet is recorded with your reasons. The "
                       "programme lead decides whether to extend the preceptorship."]
        happens.append("You can change your answer until the outcome is recorded.")
        skip = ("reason", "proposed_extension_months") if yes else ("early_reason",)
        return CheckPage(
            title="Check before you confirm completion" if yes else "Check your answer",
            caption=f"{self.enrolment.preceptee}, {self.enrolment.programme.name}",
            confirm_label="Confirm completion" if yes else "Send my answer",
            cancel_url=self.enrolment.get_absolute_url(), answers=answer_rows(form, skip=skip), happens=happens,
            told=told, nobody_told="Nobody is told yet: the programme leads are told once every confirmation "
                                   "is in.",
            warnings=self.outstanding() if yes else [], warning_title="Not everything is done yet",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """What the answer rests on, as the enrolment page shows it, and the other person's answer."""
        enrolment, today = self.enrolment, timezone.localdate()
        goals = goal_totals(enrolment.goals.all())
        time = selectors.protected_time_summary(enrolment, today)
        summary = [
            ("Reviews held", f"{enrolment.reviews_held} of {len(services.enrolment_schedule(enrolment).reviews)}"),
            ("Goals", f"{goals['achieved']} achieved of {goals['set']} set" if goals["set"] else "None set"),
            ("Protected time", f"{time.received.normalize():f} of {time.expected.normalize():f} hours so far"),
        ]
        return super().get_context_data(**kwargs) | {
            "summary_rows": summary, "confirmation_rows": confirmation_rows(enrolment),
            "outstanding": self.outstanding(),
        }

    def perform(self, form: ConfirmCompletionForm) -> None:
        data = form.cleaned_data
        services.completion_confirm(
            actor=self.request.user, enrolment=self.enrolment, confirmed=data["confirmed"],
            reason=data.get("reason") or "", proposed_extension_months=data.get("proposed_extension_months"),
            early_reason=data.get("early_reason") or "",
        )


class OutcomeView(CheckAnswersMixin, EnrolmentActionView):
    form_class = OutcomeForm
    action = "record_outcome"
    title = "Record the outcome"
    intro = "Once recorded the preceptorship is complete and the preceptee can download their certificate."
    submit_label = "Continue"
    success_message = "The preceptorship is complete. The preceptee has been told and can download their certificate."

    def get_initial(self) -> dict[str, Any]:
        # The outcome is the lead's own words, never a suggestion accepted unread.
        return {"completed_on": min(timezone.localdate(), self.enrolment.completion_due)}

    def perform(self, form: OutcomeForm) -> None:
        services.completion_record_outcome(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)

    def check_page(self, form: OutcomeForm) -> CheckPage:
        early = [f"{answer.get_role_display()} ({answer.by or 'someone who has left'}): {answer.early_reason}"
                 for answer in self.enrolment.confirmations.select_related("by") if answer.early_reason]
        return CheckPage(
            title="Check before you record the outcome", caption=f"{self.enrolment.preceptee}, "
                                                               f"{self.enrolment.programme.name}",
            confirm_label="Record the outcome and complete", cancel_url=self.enrolment.get_absolute_url(),
            answers=answer_rows(form),
            happens=["The preceptorship is marked complete with this outcome. This cannot be undone.",
                     "The preceptee can then download their certificate, and invitations to any reviews not yet "
                     "held are cancelled."],
            told=told_people(services.completion_outcome_told(self.enrolment)),
            warnings=early, warning_title="Completion was confirmed before everything was done",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"confirmation_rows": confirmation_rows(self.enrolment)}


def confirmation_rows(enrolment: Enrolment) -> list[tuple[str, CompletionConfirmation | None]]:
    """Each answer completion waits for (mentor, and line manager if there is one), or None."""
    confirmations = {c.role: c for c in enrolment.confirmations.select_related("by")}
    return [(CompletionConfirmation.Role(role).label, confirmations.get(role))
            for role in services.required_confirmations(enrolment)]


class EvaluationView(EnrolmentActionView):
    form_class = EvaluationForm
    action = "evaluate"
    title = "Tell us about your preceptorship"
    intro = ("Your answers help improve the programme. Programme leads only see totals, and only once at least "
             "5 people have answered, so nobody can tell what you said.")
    submit_label = "Send my answers"
    success_message = "Thank you. Your answers have been sent."

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if Evaluation.objects.filter(enrolment=self.enrolment).exists():
            messages.info(request, "You have already evaluated this programme. Thank you.")
            return redirect(self.enrolment)
        return super().get(request, *args, **kwargs)

    def perform(self, form: EvaluationForm) -> None:
        services.evaluation_submit(actor=self.request.user, enrolment=self.enrolment, **form.cleaned_data)


@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_enrolment(request, pk, action="certificate")
    pdf = render_pdf("pdf/certificate.html", {"enrolment": enrolment, "programme": enrolment.programme})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"preceptorship certificate {enrolment.preceptee.last_name or enrolment.pk}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
