"""Equality monitoring pages. A person's answers are read and changed only on their own page (the
access policy scopes them to their owner); the figures go through ``access.may_see_figures``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from preceptorship import access
from preceptorship.models import Organisation
from preceptorship.pages import add_service_errors, crumbs
from programmes import exports
from programmes.equality import selectors, services
from programmes.equality.access import FIGURES_REFUSAL, figure_organisations, may_see_figures
from programmes.equality.categories import BY_FIELD, QUESTIONS, Question
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


FORMATS = tuple(exports.CONTENT_TYPES)
ALL_ORGANISATIONS = "All organisations"
COLUMNS = [("measure", "Measure"), ("organisation", "Organisation"), ("question", "Question"), ("group", "Group"),
           ("achieved", "Completed or signed off"), ("not_achieved", "Left, withdrawn or not signed off"),
           ("total", "Total")]


def _chosen(request: HttpRequest) -> tuple[Question, list[Organisation], Organisation | None]:
    """The question asked, the organisations the user's figures count, and the one chosen (None: all
    of them). Only programme leads and ICS leads (403); an organisation not theirs is not found."""
    access.refuse_unless(may_see_figures(request.user), FIGURES_REFUSAL)
    chooser = QuestionForm(request.GET or None)
    field = chooser.cleaned_data["question"] if chooser.is_valid() and chooser.cleaned_data["question"] else \
        QUESTIONS[0].field
    organisations = figure_organisations(request.user)
    chosen = None
    if request.GET.get("organisation"):
        chosen = next((o for o in organisations if str(o.pk) == request.GET["organisation"]), None)
        if chosen is None:
            raise Http404("No such organisation among those your figures count.")
    return BY_FIELD[field], organisations, chosen


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    question, organisations, chosen = _chosen(request)
    ids = [organisation.pk for organisation in organisations]
    found = [selectors.retention_by_organisation(organisation_ids=ids, question=question),
             selectors.progression_by_organisation(organisation_ids=ids, question=question)]
    tables = [measure.by_organisation[chosen.pk] if chosen else measure.whole for measure in found]
    return render(request, "equality/figures.html", {
        "question": question, "questions": QUESTIONS, "organisations": organisations, "chosen": chosen,
        "counted": [chosen] if chosen else organisations, "tables": tables,
        "crumbs": crumbs(),
    })


@require_GET
def figures_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every table the page can show for the question asked: each organisation's, and all of them
    together when there are several; hidden as on the page (empty cells with a flag column)."""
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    question, organisations, _ = _chosen(request)
    ids = [organisation.pk for organisation in organisations]
    places = [(organisation.name, organisation.pk) for organisation in organisations]
    if len(organisations) > 1:
        places.insert(0, (ALL_ORGANISATIONS, None))
    rows = []
    for measure, found in (("retention", selectors.retention_by_organisation(organisation_ids=ids, question=question)),
                           ("progression", selectors.progression_by_organisation(organisation_ids=ids,
                                                                                 question=question))):
        for name, pk in places:
            table = found.whole if pk is None else found.by_organisation[pk]
            rows += [[measure, name, question.field, row.group, row.first, row.second, row.total]
                     for row in [*table.rows, table.totals]]
    return exports.response(exports.Table("equality_figures", "Equality figures", COLUMNS, rows), fmt)
