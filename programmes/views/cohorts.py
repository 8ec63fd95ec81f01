"""Enrolling a cohort with a mentor and a line manager for each person: the people come from the
enrol page's ticks or from a spreadsheet, the mentors proposed by profession and spare capacity.

Access is decided by ``preceptorship.access`` (the programme's "enrol" action): outsiders get 404,
people who may read but not act get 403. ``services.cohorts`` enrols the cohort, all or nobody.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from preceptorship import access
from preceptorship.forms import record_ids
from preceptorship.imports.reading import MAX_BYTES, ImportFileError
from preceptorship.spreadsheets import csv_writer
from programmes.forms.lead import CohortForm
from programmes.models import Programme
from programmes.services import cohorts
from programmes.views.common import programmes_crumbs
from programmes.views.enrolments import ServiceEnrolMixin


class CohortEnrolView(ServiceEnrolMixin, FormView):
    form_class = CohortForm
    template_name = "programmes/lead/enrol_cohort.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = access.get_for_user(
            request.user, Programme.objects.select_related("organisation"), action="enrol", pk=kwargs["pk"]
        )
        self.warnings = []
        self.uploading = False
        self.file_problems: list[tuple[int, str, str]] = []  # (person's id or 0, field, message)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("template") == "csv":
            return _template_csv()
        if self.programme.status != Programme.Status.OPEN:
            messages.error(request, "This programme is closed to new enrolments.")
            return redirect(self.programme)
        self.rows = self._rows(request.GET.getlist("person"), leave_out_enrolled=True)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "upload" in request.POST:
            return self._upload()
        self.rows = self._rows(request.POST.getlist("people"))
        return super().post(request, *args, **kwargs)

    def _rows(self, values: list[str], leave_out_enrolled: bool = False) -> list[cohorts.CohortRow]:
        """The rows of the people chosen. Those on the programme or who completed it are left out
        of a new page; a posted cohort keeps them, for the service to name."""
        people = cohorts.candidates(self.programme, record_ids(values)[:cohorts.MAX_COHORT])
        if leave_out_enrolled:
            done = cohorts.already_on(self.programme, people)
            people = [person for person in people if person.pk not in done]
        return cohorts.cohort_rows(self.programme, people)

    def _upload(self) -> HttpResponse:
        """Fill the rows from the spreadsheet and show them to check: nothing is enrolled yet, and
        the start date and transition typed stay."""
        self.uploading = True
        upload = self.request.FILES.get("spreadsheet")
        data = self.request.POST.copy()
        data.pop("confirm_over_capacity", None)  # new rows: capacity is asked about again
        general: list[str] = []
        file_rows: list[cohorts.FileRow] = []
        if upload is None:
            general.append("Choose a spreadsheet to upload")
        else:
            try:
                file_rows = cohorts.read_cohort_file(upload.name or "", upload.read(MAX_BYTES + 1))
            except ImportFileError as error:
                general.append(str(error))
        named = cohorts.people_named([text for row in file_rows for text in (row.person, row.mentor,
                                                                               row.line_manager)])
        wanted = [named[row.person.lower()].pk for row in file_rows if row.person.lower() in named]
        allowed = {user.pk: user for user in cohorts.candidates(self.programme, wanted)}
        done = cohorts.already_on(self.programme, list(allowed.values()))
        chosen: dict[int, cohorts.FileRow] = {}
        for row in file_rows:
            person = named.get(row.person.lower())
            if not row.person:
                general.append(f"Row {row.number}: enter the person's employee number or e-mail address.")
            elif person is None or person.pk not in allowed:
                general.append(f"Row {row.number}: nobody who can join this programme has the employee number or "
                               f"e-mail address “{row.person}”.")
            elif person.pk in done:
                general.append(f"Row {row.number}: {person} is already on this programme or has completed it.")
            elif person.pk in chosen:
                general.append(f"Row {row.number}: {person} is also on row {chosen[person.pk].number}.")
            else:
                chosen[person.pk] = row
        self.rows = cohorts.cohort_rows(self.programme, [allowed[pk] for pk in chosen])
        data.setlist("people", [str(pk) for pk in chosen])
        for row in self.rows:
            pk, line = row.preceptee.pk, chosen[row.preceptee.pk]
            for field, text, allowed_ids, what in (
                ("mentor", line.mentor, {o.user.pk for o in row.mentors}, "a mentor"),
                ("line_manager", line.line_manager, {u.pk for u in row.line_managers}, "a line manager"),
            ):
                found = named.get(text.lower()) if text else None
                if not text:
                    proposed = row.proposed_mentor.user.pk if field == "mentor" and row.proposed_mentor else ""
                    data[f"{field}_{pk}"] = str(proposed)
                elif found is None or found.pk not in allowed_ids:
                    data[f"{field}_{pk}"] = ""
                    self.file_problems.append((pk, field, f"Row {line.number}: “{text}” is not {what} who may be "
                                                          f"chosen for {row.preceptee}."))
                else:
                    data[f"{field}_{pk}"] = str(found.pk)
        self.file_problems.extend((0, "", message) for message in general)
        form = self.form_class(data, programme=self.programme, rows=self.rows, uploading=True)
        for pk, field, message in self.file_problems:
            if pk:
                form.add_row_error(pk, field, [message])
            else:
                form.add_error("spreadsheet", message)
        return self.render_to_response(self.get_context_data(form=form))

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"programme": self.programme, "rows": self.rows}

    def form_valid(self, form: CohortForm) -> HttpResponse:
        data = form.cleaned_data
        enrol = lambda: cohorts.enrolment_cohort_places_create(  # noqa: E731 - read as the step
            actor=self.request.user, programme=self.programme, places=form.places(),
            start_date=data["start_date"], transition=data["transition"],
            confirm_over_capacity=data["confirm_over_capacity"],
        )
        try:
            enrolments = self.try_enrol(form, enrol)
        except cohorts.CohortRefused as refused:
            places = form.places()
            for number, problems in refused.rows.items():
                for field, found in problems.items():
                    form.add_row_error(places[number].preceptee.pk, field, found)
            enrolments = None
        if enrolments is None:
            return self.form_invalid(form)
        messages.success(self.request, f"Enrolled a cohort of {len(enrolments)} on {self.programme}.")
        return redirect(f"{reverse('programmes:enrolment-list')}?programme={self.programme.pk}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [*programmes_crumbs(), (str(self.programme), self.programme.get_absolute_url()),
                  ("Enrol people", reverse("programmes:programme-enrol", args=[self.programme.pk]))]
        return super().get_context_data(**kwargs) | {
            "programme": self.programme, "warnings": self.warnings, "crumbs": crumbs, "rows": self.rows,
            "columns": cohorts.COHORT_TEMPLATE,
        }


def _template_csv() -> HttpResponse:
    stream = io.StringIO()
    csv_writer(stream).writerow(cohorts.COHORT_TEMPLATE)
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cohort-template.csv"'
    return response
