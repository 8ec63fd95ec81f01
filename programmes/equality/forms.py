"""The equality monitoring form (every question optional) and the figures' question chooser."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from programmes.equality.categories import NOT_ANSWERED_LABEL, QUESTIONS


class EqualityAnswersForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.field] = forms.ChoiceField(
                label=question.label, help_text=question.hint, required=False, widget=forms.RadioSelect,
                choices=[("", NOT_ANSWERED_LABEL), *question.answers],
                error_messages={"invalid_choice": f"Choose an answer to “{question.label}”, or leave it "
                                                  "not answered."},
            )
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("save", "Save my answers"))


class QuestionForm(forms.Form):
    question = forms.ChoiceField(label="Group people by", choices=[(q.field, q.title) for q in QUESTIONS],
                                 required=False)
