"""The filter forms' fields written in Python (preceptorship.forms_html) are the markup the crispy
"nhsuk" pack writes, for every filter form of the product, empty and with every filter chosen; a
form with errors, or with a widget the writer does not know, goes through crispy."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.template import Context, Template

from preceptorship import forms_html
from preceptorship.models import Membership, Organisation, Profession, Team
from preceptorship.tests.factories import TeamFactory, person
from preceptorship.widgets import NHSDateField
from programmes.filters import EnrolmentFilter, PracticeEnrolmentFilter
from programmes.models import Enrolment, Transition
from programmes.reporting.forms import DashboardFilterForm, MentorDirectoryForm, PeriodForm
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression.forms import CaseFilter
from progression.models import ProgressionCase

Role = Membership.Role


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def assert_same_markup(form: forms.Form) -> None:
    fast = forms_html.fields_html(form)
    assert fast is not None, "the form has a widget only crispy writes"
    assert normalised(fast) == normalised(as_crispy_form(form))


class EveryWidget(forms.Form):
    text = forms.CharField(label="Name <b>", help_text="Part of a name & more", required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    number = forms.IntegerField(label="Count")
    grouped = forms.ChoiceField(label="Grouped", required=False, help_text="Pick one",
                                choices=[("", "Any"), ("Group <1>", [("a", "A & a"), ("b", "B")]), ("c", "C")])
    plain = forms.ChoiceField(label="Plain", choices=[("x", "X"), ("y", '"Y"')], widget=forms.Select(
        attrs={"class": "app-wide", "data-module": "app-x"}))
    flag = forms.BooleanField(label="Only mine", required=False, help_text="Ticked: yours only")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = NHSDateField(label="From", required=False, help_text="For example 1 4 2025")


@pytest.mark.parametrize("data", [None, {}, {"text": "<ann>", "number": "3", "grouped": "b", "plain": "y",
                                             "flag": "on", "hidden": '"7"', "date_0": "1", "date_1": "4",
                                             "date_2": "2025"}])
def test_every_widget_is_written_as_the_pack_writes_it(data: dict[str, str] | None) -> None:
    form = EveryWidget(data, initial={"date": datetime.date(2025, 3, 1)} if data is None else None)
    if data == {}:  # "number" and "plain" are required: make it valid without them
        form.fields["number"].required = form.fields["plain"].required = False
    assert_same_markup(form)
    assert "&lt;ann&gt;" in forms_html.fields_html(form) or data is None or data == {}


def test_a_form_with_errors_goes_through_crispy() -> None:
    form = EveryWidget({"number": "many", "plain": "y"})
    assert forms_html.fields_html(form) is None
    html = Template("{% load nhsuk_fields %}{{ form|nhsuk_filter_fields }}").render(Context({"form": form}))
    assert "nhsuk-error-summary" in html and "nhsuk-error-message" in html


def test_a_widget_it_does_not_write_goes_through_crispy() -> None:
    class WithRadios(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = WithRadios()
    assert forms_html.fields_html(form) is None
    html = Template("{% load nhsuk_fields %}{{ form|nhsuk_filter_fields }}").render(Context({"form": form}))
    assert "nhsuk-radios__input" in html


# Every filter form of the product


@pytest.fixture
def world(organisation: Organisation, other_organisation: Organisation) -> dict[str, Any]:
    lead = person(organisation, Role.PROGRAMME_LEAD, Role.LINE_MANAGER, Role.MENTOR, Role.HEAD_OF_SERVICE)
    programme = ProgrammeFactory(organisation=organisation, name="Therapies <preceptorship>", shared_with_ics=True)
    team = TeamFactory(organisation=organisation)
    enrolment = EnrolmentFactory(programme=programme, mentor=lead, organisation=other_organisation, team=team)
    enrolment.preceptee.profession = Profession.objects.order_by("name").first()
    enrolment.preceptee.save(update_fields=["profession"])
    return {"lead": lead, "programme": programme, "team": team, "enrolment": enrolment,
            "profession": enrolment.preceptee.profession}


def _practice_filters(world: dict[str, Any], data: dict[str, str] | None, by_mentor: bool) -> forms.Form:
    rows = Enrolment.objects.all()
    return PracticeEnrolmentFilter(data, queryset=rows, rows=rows, by_mentor=by_mentor).form


@pytest.mark.django_db
@pytest.mark.parametrize("by_mentor", [True, False])
def test_the_caseload_and_team_filters(world: dict[str, Any], by_mentor: bool) -> None:
    assert_same_markup(_practice_filters(world, None, by_mentor))
    chosen = {"programme": str(world["programme"].pk), "status": "active", "review": "overdue",
              "profession": str(world["profession"].pk), "organisation": str(world["enrolment"].organisation_id),
              "transition": Transition.choices[0][0], "mentor_name": "ann <x>", "sort": "-name",
              "mentor": str(world["lead"].pk)}
    form = _practice_filters(world, chosen, by_mentor)
    assert form.is_valid(), form.errors
    assert_same_markup(form)


@pytest.mark.django_db
def test_the_programme_leads_filters(world: dict[str, Any]) -> None:
    rows = Enrolment.objects.all()
    assert_same_markup(EnrolmentFilter(None, queryset=rows, user=world["lead"]).form)
    chosen = {"programme": str(world["programme"].pk), "status": "active", "profession": str(world["profession"].pk),
              "organisation": str(world["enrolment"].organisation_id), "team_name": "ward", "mentor_name": "ann",
              "transition": Transition.choices[1][0], "overdue": "on", "sort": "review",
              "mentor": str(world["lead"].pk)}
    form = EnrolmentFilter(chosen, queryset=rows, user=world["lead"]).form
    assert form.is_valid(), form.errors
    assert_same_markup(form)


@pytest.mark.django_db
def test_the_progression_case_filters(world: dict[str, Any]) -> None:
    cases = ProgressionCase.objects.all()
    assert_same_markup(CaseFilter(None, queryset=cases, user=world["lead"]).form)
    form = CaseFilter({"stage": ProgressionCase.Stage.choices[0][0], "profession": str(world["profession"].pk),
                       "waiting": "14"}, queryset=cases, user=world["lead"]).form
    assert form.is_valid(), form.errors
    assert_same_markup(form)


@pytest.mark.django_db
def test_the_dashboards_filters(world: dict[str, Any], today: datetime.date) -> None:
    organisations = {world["programme"].organisation_id}
    team: Team = world["team"]
    for form in [
        PeriodForm(today=today),
        PeriodForm({"date_from": "", "date_to_0": "31", "date_to_1": "3", "date_to_2": "2026"}, today=today),
        DashboardFilterForm(organisation_ids=organisations, today=today),
        DashboardFilterForm({"date_from_0": "1", "date_from_1": "4", "date_from_2": "2025",
                             "programme": str(world["programme"].pk), "team": str(team.pk),
                             "profession": str(world["profession"].pk), "transition": Transition.choices[0][0]},
                            organisation_ids=organisations, today=today),
        MentorDirectoryForm(),
        MentorDirectoryForm({"profession": str(world["profession"].pk)}),
    ]:
        assert not form.is_bound or form.is_valid(), form.errors
        assert_same_markup(form)
        if hasattr(form, "as_fields_html"):
            assert normalised(form.as_fields_html()) == normalised(as_crispy_form(form))


class Selects(forms.Form):
    grouped = forms.ChoiceField(required=False, choices=[
        (None, "Any"), ("Group <1>", [("a", "A & a"), (None, "None"), ("b", "B")]), ("", [("e", "In a nameless group")]),
        ("c", "C"), ("a", "A again")])
    several = forms.MultipleChoiceField(required=False, choices=[("1", "One"), ("2", "Two"), ("3", "Three")])


@pytest.mark.parametrize("data", [None, {"grouped": "a", "several": ["1", "3"]}, {"grouped": "None"},
                                  {"grouped": "", "several": []}])
def test_select_options_are_written_as_the_widgets_optgroups_give_them(data: dict[str, Any] | None) -> None:
    form = Selects(data)
    for name in ("grouped", "several"):
        assert forms_html.select_options(form[name]) == forms_html._options_of_optgroups(form[name])
