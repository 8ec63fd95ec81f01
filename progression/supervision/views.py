"""Supervision notes pages. Access goes through ``preceptorship.access`` and
``progression.supervision.access`` only (404 outside the case, 403 for the case's other readers);
every change goes through ``progression.supervision.services``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from preceptorship import access
from preceptorship.pages import ServiceFormMixin, crumbs
from progression.models import ProgressionCase
from progression.supervision import services
from progression.supervision.access import CLOSED, REFUSAL, may_read_notes, may_write_notes
from progression.supervision.forms import LearningObjectiveForm, SupervisionNoteForm
from progression.supervision.models import LearningObjective, SupervisionNote


def _case_for_notes(request: HttpRequest, pk: int) -> ProgressionCase:
    case = access.get_for_user(request.user, ProgressionCase.objects.select_related("practitioner"), pk=pk)
    access.refuse_unless(may_read_notes(request.user, case), REFUSAL)
    return case


def _trail(case: ProgressionCase, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    name = case.practitioner.get_full_name() or case.practitioner.email
    return crumbs(("Progression cases", reverse("progression:case-list")), (name, case.get_absolute_url()),
                  ("Supervision notes", reverse("supervision:case-notes", args=[case.pk])), *extra)


class CaseNotesView(TemplateView):
    """The case's supervision notes, newest first, each with its learning objectives."""

    template_name = "supervision/case_notes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        case = _case_for_notes(self.request, self.kwargs["pk"])
        notes = (access.scope(self.request.user, SupervisionNote).filter(case=case)
                 .select_related("written_by").prefetch_related("objectives"))
        return {**super().get_context_data(**kwargs), "case": case, "notes": notes,
                "may_write": may_write_notes(self.request.user, case), "crumbs": _trail(case)[:-1]}


class _NoteFormView(ServiceFormMixin, FormView):
    template_name = "supervision/form.html"
    refusals = (PermissionDenied,)
    heading = ""

    def get_success_url(self) -> str:
        return self.result.get_absolute_url() if isinstance(self.result, SupervisionNote) \
            else self.result.note.get_absolute_url()


class NoteAddView(_NoteFormView):
    form_class = SupervisionNoteForm
    success_message = "The supervision note is saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = _case_for_notes(request, kwargs["pk"])
        access.refuse_unless(may_write_notes(request.user, self.case), CLOSED)
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form: SupervisionNoteForm) -> SupervisionNote:
        return services.supervision_note_record(actor=self.request.user, case=self.case, **form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.case, "heading": "Record a supervision note",
                "crumbs": _trail(self.case)}


class NoteDetailView(TemplateView):
    template_name = "supervision/note_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        note = access.get_for_user(self.request.user,
                                   SupervisionNote.objects.select_related("case__practitioner", "written_by"),
                                   pk=self.kwargs["pk"])
        user = self.request.user
        return {**super().get_context_data(**kwargs), "note": note, "case": note.case,
                "objectives": list(note.objectives.all()),
                "may_change": access.can(user, note, "change"), "may_add": access.can(user, note, "add_objective"),
                "crumbs": _trail(note.case)}


class NoteEditView(_NoteFormView):
    form_class = SupervisionNoteForm
    success_message = "The supervision note is saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.note = access.get_for_user(request.user, SupervisionNote.objects.select_related("case__practitioner"),
                                        action="change", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.note.kind, "held_on": self.note.held_on, "discussion": self.note.discussion}

    def perform(self, form: SupervisionNoteForm) -> SupervisionNote:
        return services.supervision_note_update(actor=self.request.user, note=self.note, **form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.note.case, "heading": "Change the supervision note",
                "crumbs": _trail(self.note.case, (str(self.note), self.note.get_absolute_url()))}


class ObjectiveAddView(_NoteFormView):
    form_class = LearningObjectiveForm
    success_message = "The learning objective is saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.note = access.get_for_user(request.user, SupervisionNote.objects.select_related("case__practitioner"),
                                        action="add_objective", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form: LearningObjectiveForm) -> LearningObjective:
        return services.learning_objective_add(actor=self.request.user, note=self.note, **form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.note.case, "heading": "Add a learning objective",
                "crumbs": _trail(self.note.case, (str(self.note), self.note.get_absolute_url()))}


class ObjectiveEditView(_NoteFormView):
    form_class = LearningObjectiveForm
    success_message = "The learning objective is saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        queryset = LearningObjective.objects.select_related("note__case__practitioner")
        self.objective = access.get_for_user(request.user, queryset, action="change", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        o = self.objective
        return {"text": o.text, "target_date": o.target_date, "status": o.status}

    def perform(self, form: LearningObjectiveForm) -> LearningObjective:
        return services.learning_objective_update(actor=self.request.user, objective=self.objective,
                                                  **form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        note = self.objective.note
        return {**super().get_context_data(**kwargs), "case": note.case, "heading": "Update the learning objective",
                "crumbs": _trail(note.case, (str(note), note.get_absolute_url()))}
