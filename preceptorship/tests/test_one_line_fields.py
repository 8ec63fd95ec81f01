"""Names and other one-line fields refuse control characters (CR, LF, NUL) beside the field,
keeping what was typed; text areas keep their line breaks."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django import forms
from django.urls import reverse

from preceptorship.forms import OneLineFields
from preceptorship.tests.factories import UserFactory

MESSAGE = "Enter this on one line, without line breaks or other control characters."


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Maya\r\nBcc: someone", "Maya\nOkafor", "Maya\x00", "Maya\x1b[2J"])
def test_the_profile_refuses_a_name_with_a_control_character_and_keeps_the_rest(client, name):
    user = UserFactory(first_name="Ann", last_name="Example")
    client.force_login(user)
    response = client.post(reverse("profile"), {"first_name": name, "last_name": "Okafor", "job_title": "OT"})
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert form.errors["first_name"] in ([MESSAGE], ["Null characters are not allowed."])
    assert b'value="Okafor"' in response.content
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ann", "Example")


class Sample(OneLineFields, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(required=False)


def test_every_one_line_box_is_checked_even_one_added_later_and_text_areas_keep_line_breaks():
    form = Sample({"title": "Home visit", "notes": "First line.\r\nSecond line.", "added_later": "a\rb"})
    assert not form.is_valid()
    assert form.errors == {"added_later": [MESSAGE]}
    form = Sample({"title": "Home visit", "notes": "First line.\r\nSecond line.", "added_later": "fine"})
    assert form.is_valid() and form.cleaned_data["notes"] == "First line.\r\nSecond line."
