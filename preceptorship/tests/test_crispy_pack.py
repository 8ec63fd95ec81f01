"""The crispy-forms "nhsuk" template pack and the NHS.UK date input: the HTML each widget produces.

Expected fragments follow the markup of nhsuk-frontend 10.6.1 (components/*/template.njk and the
fixtures shipped with the package). No database needed.
"""

from __future__ import annotations

import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, Fieldset, Layout, Submit
from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase

from preceptorship.widgets import DateInput, DateParts, NHSDateField


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=10, help_text="As shown on your ID")
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    team = forms.ChoiceField(label="Team", choices=[("", "Choose a team"), ("ot", "Occupational therapy")])
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("phone", "Phone")],
        widget=forms.RadioSelect,
        help_text="Select one option",
    )
    days = forms.MultipleChoiceField(
        label="Which days do you work?",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree to the terms", help_text="You must agree to continue")
    evidence = forms.FileField(label="Evidence", required=False)
    start = NHSDateField(label="Start date", help_text="For example, 15 3 2025")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "Clash":
            raise forms.ValidationError("That name is taken & cannot be used")
        return cleaned


VALID = {
    "name": "Sam",
    "team": "ot",
    "contact": "email",
    "days": ["mon"],
    "agree": "on",
    "start_0": "15",
    "start_1": "3",
    "start_2": "2025",
}


def render_tag(form, **context):
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form, **context}))


def render_filter(form):
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def bound(**changes):
    data = {**VALID, **changes}
    return ExampleForm(data={key: value for key, value in data.items() if value is not None})


class TextInputTests(SimpleTestCase):
    def test_label_hint_and_input(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <label class="nhsuk-label" for="id_name">Full name</label>
              <div class="nhsuk-hint" id="id_name-hint">As shown on your ID</div>
              <input class="nhsuk-input" id="id_name" name="name" type="text" maxlength="10"
                     aria-describedby="id_name-hint">
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_error_keeps_and_escapes_what_was_typed(self):
        html = render_filter(bound(name="<b>Sam</b> & co"))
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <label class="nhsuk-label" for="id_name">Full name</label>
              <div class="nhsuk-hint" id="id_name-hint">As shown on your ID</div>
              <span class="nhsuk-error-message" id="id_name-error">
                <span class="nhsuk-u-visually-hidden">Error: </span>Ensure this value has at most 10 characters (it has 15).
              </span>
              <input class="nhsuk-input nhsuk-input--error" id="id_name" name="name" type="text" maxlength="10"
                     value="&lt;b&gt;Sam&lt;/b&gt; &amp; co" aria-describedby="id_name-hint id_name-error">
            </div>
            """,
            html,
        )
        self.assertNotIn("<b>Sam</b>", html)

    def test_widget_classes_are_kept_and_required_attribute_is_left_out(self):
        class Form(forms.Form):
            code = forms.CharField(label="Code", widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}))

        self.assertInHTML(
            '<input class="nhsuk-input nhsuk-input--width-10" id="id_code" name="code" type="text">',
            render_filter(Form()),
        )

    def test_password_is_never_sent_back(self):
        class Form(forms.Form):
            password = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=20)

        html = render_filter(Form(data={"password": "secret-typed"}))
        self.assertNotIn("secret-typed", html)
        self.assertInHTML(
            '<input class="nhsuk-input nhsuk-input--error" id="id_password" name="password" type="password"'
            ' minlength="20" aria-describedby="id_password-error">',
            html,
        )

    def test_optional_fields_say_so_and_required_ones_have_no_asterisk(self):
        html = render_filter(ExampleForm())
        self.assertInHTML('<label class="nhsuk-label" for="id_notes">Notes (optional)</label>', html)
        self.assertInHTML('<label class="nhsuk-label" for="id_name">Full name</label>', html)
        self.assertNotIn("*", html)


class TextareaTests(SimpleTestCase):
    def test_textarea(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <label class="nhsuk-label" for="id_notes">Notes (optional)</label>
              <textarea class="nhsuk-textarea" id="id_notes" name="notes" cols="40" rows="5"></textarea>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_textarea_error_keeps_text(self):
        class Form(forms.Form):
            notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 5}), max_length=5)

        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <label class="nhsuk-label" for="id_notes">Notes</label>
              <span class="nhsuk-error-message" id="id_notes-error">
                <span class="nhsuk-u-visually-hidden">Error: </span>Ensure this value has at most 5 characters (it has 10).
              </span>
              <textarea class="nhsuk-textarea nhsuk-textarea--error" id="id_notes" name="notes" cols="40" rows="5"
                        maxlength="5" aria-describedby="id_notes-error">Line &lt;one&gt;</textarea>
            </div>
            """,
            render_filter(Form(data={"notes": "Line <one>"})),
        )


class SelectTests(SimpleTestCase):
    def test_select(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <label class="nhsuk-label" for="id_team">Team</label>
              <select class="nhsuk-select" id="id_team" name="team">
                <option value="" selected>Choose a team</option>
                <option value="ot">Occupational therapy</option>
              </select>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_select_error(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <label class="nhsuk-label" for="id_team">Team</label>
              <span class="nhsuk-error-message" id="id_team-error">
                <span class="nhsuk-u-visually-hidden">Error: </span>This field is required.
              </span>
              <select class="nhsuk-select nhsuk-select--error" id="id_team" name="team" aria-describedby="id_team-error">
                <option value="" selected>Choose a team</option>
                <option value="ot">Occupational therapy</option>
              </select>
            </div>
            """,
            render_filter(bound(team="")),
        )

    def test_selected_option_is_kept(self):
        self.assertInHTML(
            '<option value="ot" selected>Occupational therapy</option>', render_filter(bound(name=""))
        )


class RadiosTests(SimpleTestCase):
    def test_radios_in_a_fieldset(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <fieldset class="nhsuk-fieldset" aria-describedby="id_contact-hint">
                <legend class="nhsuk-fieldset__legend">How should we contact you?</legend>
                <div class="nhsuk-hint" id="id_contact-hint">Select one option</div>
                <div class="nhsuk-radios" data-module="nhsuk-radios">
                  <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id="id_contact_0" name="contact" type="radio" value="email">
                    <label class="nhsuk-label nhsuk-radios__label" for="id_contact_0">Email</label>
                  </div>
                  <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id="id_contact_1" name="contact" type="radio" value="phone">
                    <label class="nhsuk-label nhsuk-radios__label" for="id_contact_1">Phone</label>
                  </div>
                </div>
              </fieldset>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_radios_error(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <fieldset class="nhsuk-fieldset" aria-describedby="id_contact-hint id_contact-error">
                <legend class="nhsuk-fieldset__legend">How should we contact you?</legend>
                <div class="nhsuk-hint" id="id_contact-hint">Select one option</div>
                <span class="nhsuk-error-message" id="id_contact-error">
                  <span class="nhsuk-u-visually-hidden">Error: </span>Select a valid choice. post is not one of the available choices.
                </span>
                <div class="nhsuk-radios" data-module="nhsuk-radios">
                  <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id="id_contact_0" name="contact" type="radio" value="email">
                    <label class="nhsuk-label nhsuk-radios__label" for="id_contact_0">Email</label>
                  </div>
                  <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id="id_contact_1" name="contact" type="radio" value="phone">
                    <label class="nhsuk-label nhsuk-radios__label" for="id_contact_1">Phone</label>
                  </div>
                </div>
              </fieldset>
            </div>
            """,
            render_filter(bound(contact="post")),
        )

    def test_choice_is_kept(self):
        self.assertInHTML(
            '<input class="nhsuk-radios__input" id="id_contact_1" name="contact" type="radio" value="phone" checked>',
            render_filter(bound(name="", contact="phone")),
        )


class CheckboxesTests(SimpleTestCase):
    def test_checkboxes_in_a_fieldset(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <fieldset class="nhsuk-fieldset">
                <legend class="nhsuk-fieldset__legend">Which days do you work?</legend>
                <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
                  <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id="id_days_0" name="days" type="checkbox" value="mon">
                    <label class="nhsuk-label nhsuk-checkboxes__label" for="id_days_0">Monday</label>
                  </div>
                  <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id="id_days_1" name="days" type="checkbox" value="tue">
                    <label class="nhsuk-label nhsuk-checkboxes__label" for="id_days_1">Tuesday</label>
                  </div>
                </div>
              </fieldset>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_checkboxes_error(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <fieldset class="nhsuk-fieldset" aria-describedby="id_days-error">
                <legend class="nhsuk-fieldset__legend">Which days do you work?</legend>
                <span class="nhsuk-error-message" id="id_days-error">
                  <span class="nhsuk-u-visually-hidden">Error: </span>This field is required.
                </span>
                <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
                  <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id="id_days_0" name="days" type="checkbox" value="mon">
                    <label class="nhsuk-label nhsuk-checkboxes__label" for="id_days_0">Monday</label>
                  </div>
                  <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id="id_days_1" name="days" type="checkbox" value="tue">
                    <label class="nhsuk-label nhsuk-checkboxes__label" for="id_days_1">Tuesday</label>
                  </div>
                </div>
              </fieldset>
            </div>
            """,
            render_filter(bound(days=None)),
        )

    def test_ticks_are_kept(self):
        html = render_filter(bound(name="", days=["mon", "tue"]))
        self.assertInHTML(
            '<input class="nhsuk-checkboxes__input" id="id_days_0" name="days" type="checkbox" value="mon" checked>', html
        )
        self.assertInHTML(
            '<input class="nhsuk-checkboxes__input" id="id_days_1" name="days" type="checkbox" value="tue" checked>', html
        )


class SingleCheckboxTests(SimpleTestCase):
    def test_single_checkbox(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group">
              <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
                <div class="nhsuk-checkboxes__item">
                  <input class="nhsuk-checkboxes__input" id="id_agree" name="agree" type="checkbox"
                         aria-describedby="id_agree-hint">
                  <label class="nhsuk-label nhsuk-checkboxes__label" for="id_agree">I agree to the terms</label>
                  <div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree-hint">You must agree to continue</div>
                </div>
              </div>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_single_checkbox_error(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <span class="nhsuk-error-message" id="id_agree-error">
                <span class="nhsuk-u-visually-hidden">Error: </span>This field is required.
              </span>
              <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
                <div class="nhsuk-checkboxes__item">
                  <input class="nhsuk-checkboxes__input" id="id_agree" name="agree" type="checkbox"
                         aria-describedby="id_agree-hint id_agree-error">
                  <label class="nhsuk-label nhsuk-checkboxes__label" for="id_agree">I agree to the terms</label>
                  <div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree-hint">You must agree to continue</div>
                </div>
              </div>
            </div>
            """,
            render_filter(bound(agree=None)),
        )

    def test_tick_is_kept(self):
        self.assertInHTML(
            '<input class="nhsuk-checkboxes__input" id="id_agree" name="agree" type="checkbox" checked'
            ' aria-describedby="id_agree-hint">',
            render_filter(bound(name="")),
        )


class FileUploadTests(SimpleTestCase):
    def test_file_upload(self):
        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-file-upload">
              <label class="nhsuk-label" for="id_evidence">Evidence (optional)</label>
              <input class="nhsuk-file-upload__input" id="id_evidence" name="evidence" type="file">
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_file_upload_error(self):
        class Form(forms.Form):
            evidence = forms.FileField(label="Evidence", help_text="A PDF or photo")

        self.assertInHTML(
            """
            <div class="nhsuk-form-group nhsuk-form-group--error nhsuk-file-upload">
              <label class="nhsuk-label" for="id_evidence">Evidence</label>
              <div class="nhsuk-hint" id="id_evidence-hint">A PDF or photo</div>
              <span class="nhsuk-error-message" id="id_evidence-error">
                <span class="nhsuk-u-visually-hidden">Error: </span>This field is required.
              </span>
              <input class="nhsuk-file-upload__input" id="id_evidence" name="evidence" type="file"
                     aria-describedby="id_evidence-hint id_evidence-error">
            </div>
            """,
            render_filter(Form(data={}, files={})),
        )

    def test_current_file_is_linked_with_a_box_to_remove_it(self):
        class StoredFile:
            url = "/media/evidence/cert.pdf"

            def __str__(self):
                return "cert.pdf"

        html = render_filter(ExampleForm(initial={"evidence": StoredFile()}))
        self.assertInHTML('<p class="nhsuk-body">Currently: <a href="/media/evidence/cert.pdf">cert.pdf</a></p>', html)
        self.assertInHTML(
            '<input class="nhsuk-checkboxes__input" id="evidence-clear_id" name="evidence-clear" type="checkbox">', html
        )
        self.assertIn('enctype="multipart/form-data"', render_tag(ExampleForm()))


DATE_BOXES = """
<div class="nhsuk-date-input" id="id_start">
  <div class="nhsuk-date-input__item">
    <div class="nhsuk-form-group{error_group}">
      <label class="nhsuk-label nhsuk-date-input__label" for="id_start_0">Day</label>
      <input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-2{error_input}" id="id_start_0"
             name="start_0" type="text" inputmode="numeric"{day}>
    </div>
  </div>
  <div class="nhsuk-date-input__item">
    <div class="nhsuk-form-group{error_group}">
      <label class="nhsuk-label nhsuk-date-input__label" for="id_start_1">Month</label>
      <input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-2{error_input}" id="id_start_1"
             name="start_1" type="text" inputmode="numeric"{month}>
    </div>
  </div>
  <div class="nhsuk-date-input__item">
    <div class="nhsuk-form-group{error_group}">
      <label class="nhsuk-label nhsuk-date-input__label" for="id_start_2">Year</label>
      <input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-4{error_input}" id="id_start_2"
             name="start_2" type="text" inputmode="numeric"{year}>
    </div>
  </div>
</div>
"""


def date_boxes(day="", month="", year="", error=False):
    def value(text):
        return f' value="{text}"' if text else ""

    return DATE_BOXES.format(
        error_group=" nhsuk-form-group--error" if error else "",
        error_input=" nhsuk-input--error" if error else "",
        day=value(day),
        month=value(month),
        year=value(year),
    )


class DateInputTests(SimpleTestCase):
    def test_date_input_in_a_fieldset(self):
        self.assertInHTML(
            f"""
            <div class="nhsuk-form-group">
              <fieldset class="nhsuk-fieldset" role="group" aria-describedby="id_start-hint">
                <legend class="nhsuk-fieldset__legend">Start date</legend>
                <div class="nhsuk-hint" id="id_start-hint">For example, 15 3 2025</div>
                {date_boxes()}
              </fieldset>
            </div>
            """,
            render_filter(ExampleForm()),
        )

    def test_initial_date_fills_the_boxes(self):
        html = render_filter(ExampleForm(initial={"start": datetime.date(2025, 3, 5)}))
        self.assertInHTML(date_boxes("5", "3", "2025"), html)

    def test_valid_date_cleans_to_a_date(self):
        form = bound()
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["start"], datetime.date(2025, 3, 15))

    def test_impossible_date_shows_error_and_keeps_exactly_what_was_typed(self):
        form = bound(start_0="31", start_1="02", start_2="2024")
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["start"], ["Enter a real date, for example 15 3 2025"])
        self.assertInHTML(
            f"""
            <div class="nhsuk-form-group nhsuk-form-group--error">
              <fieldset class="nhsuk-fieldset" role="group" aria-describedby="id_start-hint id_start-error">
                <legend class="nhsuk-fieldset__legend">Start date</legend>
                <div class="nhsuk-hint" id="id_start-hint">For example, 15 3 2025</div>
                <span class="nhsuk-error-message" id="id_start-error">
                  <span class="nhsuk-u-visually-hidden">Error: </span>Enter a real date, for example 15 3 2025
                </span>
                {date_boxes("31", "02", "2024", error=True)}
              </fieldset>
            </div>
            """,
            render_tag(form),
        )

    def test_letters_and_spaces_are_kept_and_escaped(self):
        form = bound(start_0=" 1", start_1="Mar", start_2='20"25')
        self.assertEqual(form.errors["start"], ["Enter a real date, for example 15 3 2025"])
        html = render_filter(form)
        self.assertInHTML(date_boxes(" 1", "Mar", "20&quot;25", error=True), html)
        self.assertIn('value=" 1"', html)  # the leading space too, not just the digit

    def test_two_digit_year_is_not_a_real_date(self):
        self.assertEqual(bound(start_2="25").errors["start"], ["Enter a real date, for example 15 3 2025"])

    def test_missing_part(self):
        form = bound(start_1="")
        self.assertEqual(
            form.errors["start"], ["Enter a full date, with a day, month and year, for example 15 3 2025"]
        )
        self.assertInHTML(date_boxes("15", "", "2025", error=True), render_filter(form))

    def test_all_empty_is_required(self):
        form = bound(start_0="", start_1="", start_2="")
        self.assertEqual(form.errors["start"], ["Enter the date"])
        self.assertInHTML(date_boxes(error=True), render_filter(form))

    def test_plain_date_field_with_the_widget(self):
        class Form(forms.Form):
            when = forms.DateField(widget=DateInput(), required=False)

        good = Form(data={"when_0": "01", "when_1": "12", "when_2": "2024"})
        self.assertTrue(good.is_valid())
        self.assertEqual(good.cleaned_data["when"], datetime.date(2024, 12, 1))
        self.assertInHTML('<input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-2" id="id_when_0"'
                          ' name="when_0" type="text" inputmode="numeric" value="01">', render_filter(good))

        bad = Form(data={"when_0": "30", "when_1": "2", "when_2": "2024"})
        self.assertEqual(bad.errors["when"], ["Enter a valid date."])
        self.assertIn('value="30"', render_filter(bad))

        empty = Form(data={"when_0": "", "when_1": "", "when_2": ""})
        self.assertTrue(empty.is_valid())
        self.assertIsNone(empty.cleaned_data["when"])

    def test_widget_value_and_decompress(self):
        widget = DateInput()
        value = widget.value_from_datadict({"d_0": "7", "d_1": "11", "d_2": "2025"}, {}, "d")
        self.assertEqual(value, "2025-11-07")
        self.assertEqual(value.parts, ("7", "11", "2025"))
        self.assertEqual(widget.decompress(value), ["7", "11", "2025"])
        self.assertEqual(widget.value_from_datadict({}, {}, "d"), "")
        self.assertEqual(widget.decompress(datetime.date(2025, 1, 2)), ["2", "1", "2025"])
        self.assertEqual(widget.decompress("2025-01-02"), ["2", "1", "2025"])
        self.assertEqual(widget.decompress(None), [None, None, None])
        self.assertIsInstance(widget.value_from_datadict({"d_0": "x"}, {}, "d"), DateParts)


class ErrorSummaryTests(SimpleTestCase):
    def test_summary_links_each_error_to_its_field(self):
        form = bound(name="", contact=None, days=None, start_0="31", start_1="2", start_2="2024")
        self.assertInHTML(
            """
            <div class="nhsuk-error-summary" data-module="nhsuk-error-summary">
              <div role="alert">
                <h2 class="nhsuk-error-summary__heading">There is a problem</h2>
                <div class="nhsuk-error-summary__body">
                  <ul class="nhsuk-list nhsuk-error-summary__list">
                    <li><a href="#id_name">This field is required.</a></li>
                    <li><a href="#id_contact_0">This field is required.</a></li>
                    <li><a href="#id_days_0">This field is required.</a></li>
                    <li><a href="#id_start_0">Enter a real date, for example 15 3 2025</a></li>
                  </ul>
                </div>
              </div>
            </div>
            """,
            render_tag(form),
        )

    def test_errors_for_no_one_field_are_plain_items(self):
        html = render_tag(bound(name="Clash", team=""))
        self.assertInHTML(
            """
            <ul class="nhsuk-list nhsuk-error-summary__list">
              <li>That name is taken &amp; cannot be used</li>
              <li><a href="#id_team">This field is required.</a></li>
            </ul>
            """,
            html,
        )

    def test_summary_shown_once_before_the_form_and_only_with_errors(self):
        html = render_tag(bound(name=""))
        self.assertEqual(html.count("nhsuk-error-summary__list"), 1)
        self.assertLess(html.index("nhsuk-error-summary"), html.index("<form"))
        self.assertEqual(render_filter(bound(name="")).count("nhsuk-error-summary__list"), 1)
        self.assertNotIn("nhsuk-error-summary", render_tag(ExampleForm()))
        self.assertNotIn("nhsuk-error-summary", render_tag(bound()))

    def test_include_on_its_own(self):
        html = Template('{% include "includes/error_summary.html" %}').render(Context({"form": bound(team="")}))
        self.assertInHTML('<li><a href="#id_team">This field is required.</a></li>', html)

    def test_every_aria_describedby_points_at_an_element(self):
        html = render_tag(bound(name="", contact=None, days=None, agree=None, team="", start_0="x"))
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        referenced = {ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()}
        self.assertTrue(referenced)
        self.assertLessEqual(referenced, ids)
        links = set(re.findall(r'href="#([^"]+)"', html))
        self.assertLessEqual(links, ids)


class LayoutTests(SimpleTestCase):
    def form_with_helper(self):
        form = ExampleForm()
        form.helper = FormHelper()
        form.helper.layout = Layout(Fieldset("About {{ who }}", "name"), Submit("save", "Save and continue"))
        form.helper.add_input(Button("back", "Go back"))
        form.helper.add_input(Submit("draft", "Save as draft", css_class="nhsuk-button--secondary"))
        return form

    def test_form_tag_is_novalidate(self):
        html = render_tag(ExampleForm())
        self.assertRegex(html, r'<form method="post" novalidate enctype="multipart/form-data">')

    def test_fieldset_and_buttons(self):
        html = render_tag(self.form_with_helper(), who="<you>")
        self.assertInHTML(
            """
            <fieldset class="nhsuk-fieldset">
              <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">About &lt;you&gt;</legend>
              <div class="nhsuk-form-group">
                <label class="nhsuk-label" for="id_name">Full name</label>
                <div class="nhsuk-hint" id="id_name-hint">As shown on your ID</div>
                <input class="nhsuk-input" id="id_name" name="name" type="text" maxlength="10"
                       aria-describedby="id_name-hint">
              </div>
            </fieldset>
            """,
            html,
        )
        self.assertInHTML(
            '<button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="save"'
            ' value="Save and continue" id="submit-id-save">Save and continue</button>',
            html,
        )
        self.assertInHTML(
            """
            <div class="nhsuk-button-group">
              <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="button"
                      name="back" value="Go back" id="button-id-back">Go back</button>
              <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit"
                      name="draft" value="Save as draft" id="submit-id-draft">Save as draft</button>
            </div>
            """,
            html,
        )
        self.assertNotIn("btn", html)
