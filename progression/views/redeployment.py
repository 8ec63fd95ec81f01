"""Recording a redeployment: the Head of Service or the Operational Director moves the practitioner to
another team after sign-off and before they are told, checked first like every step of the chain.

Access: ``preceptorship.access`` finds the case (404 outside its scope); the service's own rule
(``services.redeploy_refusal``) answers 403 to anyone in scope who may not record it now.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from preceptorship import access
from preceptorship.models import Team
from preceptorship.pages import CheckAnswersMixin, CheckPage, answer_rows, told_people
from progression import services
from progression.forms import RevisionForm
from progression.views.cases import CaseFormView, moved_on_response


class RedeployForm(RevisionForm):
    submit_label = "Continue"

    team = forms.ModelChoiceField(
        label="Team they move to", queryset=Team.objects.none(), required=False, empty_label="No redeployment",
        help_text="Teams of the organisation where their profession works. Choose “No redeployment” to take "
                  "back a move recorded before.",
    )
    reason = forms.CharField(label="Business need for the move", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter the business need for the move."})

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = services.redeployment_teams(case)
        # Every team offered is of the practitioner's organisation: its name alone says which.
        self.fields["team"].label_from_instance = lambda team: team.name


class RedeployView(CheckAnswersMixin, CaseFormView):
    template_name = "progression/case_step.html"
    form_class = RedeployForm
    success_message = "The redeployment is recorded; the line manager and HR have been told."

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self._refuse_unless_allowed()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        moved_on = moved_on_response(request, self.case)
        if moved_on:
            return moved_on
        self._refuse_unless_allowed()
        return super().post(request, *args, **kwargs)

    def _refuse_unless_allowed(self) -> None:
        refusal = services.redeploy_refusal(self.case, self.request.user)
        access.refuse_unless(not refusal, refusal)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def get_initial(self) -> dict[str, Any]:
        return {"revision": self.case.revision, "team": self.case.redeployed_to_id}

    def call_service(self, form: Any) -> None:
        data = form.cleaned_data
        services.progression_case_redeploy(actor=self.request.user, case=self.case, team=data["team"],
                                           reason=data["reason"], expected_revision=data["revision"])
        if data["team"] is None:
            self.success_message = "No redeployment is recorded now; the line manager and HR have been told."

    def check_page(self, form: Any) -> CheckPage:
        team = form.cleaned_data["team"]
        happens = ([f"{self.case.practitioner.get_full_name()} moves to {team.name} with their progression. "
                    "The line manager tells them in person, and the confirmation letter says so."]
                   if team is not None else ["No move of team is recorded; the confirmation letter says nothing "
                                             "about one."])
        return CheckPage(
            title="Check before you record the redeployment",
            caption=f"{self.case.practitioner.get_full_name()}: {self.case.target_role}",
            confirm_label="Record the redeployment", cancel_url=self.case.get_absolute_url(),
            answers=answer_rows(form), happens=happens,
            told=told_people(services.redeploy_told(self.case, self.request.user)),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": "Record a redeployment"}
