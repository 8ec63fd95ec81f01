"""Equality monitoring pages. A person's answers are read and changed only on their own page (the
access policy scopes them to their owner); the figures go through ``access.may_see_figures``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from preceptorship import access
from preceptorship.pages import add_service_errors, crumbs
from programmes.equality import selectors, services
from programmes.equality.access import FIGURES_REFUSAL, figure_organisations, may_see_figures
from programmes.equality.categories import BY_FIELD, QUESTIONS
from programmes.equality.forms import EqualityAnswersForm, QuestionForm
from programmes.equality.models import EqualityAnswers


def mine(request: HttpRequest) -> HttpResponse:
    saved = access.scope(request.user, EqualityAnswers).first()
    initial = {q.field: getattr(saved, q.field) for q in QUESTIONS} if saved else {}
    form = EqualityAnswersForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kept = services.equality_answers_save(actor=request.user, person=request.user, answers=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your equality monitoring answers are saved." if kept else
                             "You have no equality monitoring answers saved.")
            return redirect("equality:mine")
    return render(request, "equality/mine.html", {"form": form, "saved": saved,
                                                  "crumbs": crumbs(("Your profile", reverse("profile")))})


@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    removed = services.equality_answers_remove(actor=request.user, person=request.user)
    messages.success(request, "Your equality monitoring answers are removed." if removed else
                     "You had no equality monitoring answers saved.")
    return redirect("equality:mine")


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    access.refuse_unless(may_see_figures(request.user), FIGURES_REFUSAL)
    chooser = QuestionForm(request.GET or None)
    field = chooser.cleaned_data["question"] if chooser.is_valid() and chooser.cleaned_data["question"] else \
        QUESTIONS[0].field
    question = BY_FIELD[field]
    organisations = figure_organisations(request.user)
    ids = [organisation.pk for organisation in organisations]
    tables = [selectors.retention(organisation_ids=ids, question=question),
              selectors.progression(organisation_ids=ids, question=question)]
    return render(request, "equality/figures.html", {
        "chooser": chooser, "question": question, "organisations": organisations, "tables": tables,
        "crumbs": crumbs(),
    })
