from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest


class SignInForm(AuthenticationForm):
    """E-mail and password. Clear messages for the two ways it goes wrong."""

    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. The password is case-sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }


def sign_in_account(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is for, as the lock-out counts it (AXES_USERNAME_CALLABLE).
    Sign-in ignores the case of the address (``UserManager.get_by_natural_key``), so every spelling
    of one address counts against the one account."""
    data = credentials if credentials else getattr(request, "POST", {})
    username = data.get(settings.AXES_USERNAME_FORM_FIELD) if data else None
    if not isinstance(username, str):
        return username
    return username.strip().lower()


# The largest id a database column holds (a signed 64-bit integer); ids past it are refused by
# the field before they reach the database, which would otherwise fail on them (SQLite's driver
# cannot bind them).
LARGEST_ID = 2**63 - 1


def record_ids(values: Any) -> list[int]:
    """The ids among ``values`` (texts from a request): whole numbers a column can hold. Anything
    else (a negative, a number past any column, a superscript digit, text) is left out."""
    ids = []
    for value in values:
        text = str(value)
        if text.isascii() and text.isdigit() and int(text) <= LARGEST_ID:
            ids.append(int(text))
    return ids


class RecordsField(forms.ModelMultipleChoiceField):
    """Ticked records by id: every form's choice of several records. An id no database column can
    hold (a changed page or request) is an unknown choice, with the field's own message, not a
    server error. Give ``error_messages={"invalid_choice": ...}`` for a message naming the list."""

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        if not isinstance(meta.pk if key == "pk" else meta.get_field(key), models.IntegerField):
            return super()._check_values(value)  # chosen by slug, say: any text is just unknown
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                out_of_range = abs(int(str(pk))) > LARGEST_ID
            except ValueError:
                continue  # not a number at all: the usual check refuses it
            if out_of_range:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": pk})
        return super()._check_values(value)


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes for grouped choices (``[(group, [(value, label), ...]), ...]``): each option
    knows its group, so the NHS.UK choices template puts each group in a fieldset of its own
    with the group's name as its legend (a long list is read and ticked section by section)."""

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        groups = super().optgroups(name, value, attrs)
        for group_name, options, _index in groups:
            for option in options:
                option["group"] = group_name
        return groups


# Names, titles and references are one line: a line break or a control character typed (or
# pasted, or posted by a script) into one would break the pages, letters and CSV files they end up in.
# NUL has Django's own message ("Null characters are not allowed.").
CONTROL_CHARACTERS = re.compile(r"[\x01-\x1f\x7f]")


def refuse_control_characters(value: Any) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError("Enter this on one line, without line breaks or other control characters.",
                              code="control_characters")


def reveal(
    form: forms.BaseForm, question: str, answers: dict[str, list[str]], needed: Iterable[str] = ()
) -> None:
    """NHS.UK conditional reveals: each answer's fields are drawn under that answer of the radios or
    checkboxes ``question`` and shown only while it is chosen (all shown without JavaScript). What an
    unchosen answer's fields mean is the form's to decide in ``clean``; the ``needed`` ones it asks for
    when their answer is chosen (their labels do not say "optional")."""
    form.fields[question].reveals = {str(value): list(names) for value, names in answers.items()}
    for names in answers.values():
        for name in names:
            form.fields[name].revealed_by = question
            form.fields[name].needed_when_revealed = name in needed


class OneLineFields:
    """A form mixin: every one-line text box (a ``CharField`` drawn as a text input) refuses control
    characters (CR, LF, NUL and the rest) with a message beside the field. Fields a form adds in its
    ``__init__`` are covered too: the check is attached when the form is cleaned."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            if (isinstance(field, forms.CharField) and type(field.widget) is forms.TextInput
                    and refuse_control_characters not in field.validators):
                field.validators.append(refuse_control_characters)
        super().full_clean()


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a short list (a few dozen programmes, professions or teams) read with one plain
    query: Django reads choices through a server-side cursor (declare, fetch and close: three round
    trips to PostgreSQL), which pays off only for thousands of rows."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.listed()

    def listed(self) -> Any:
        """The choices after the empty one."""
        for obj in self.queryset:
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    """A choice of one record among a short list (``ListedChoiceIterator``)."""

    iterator = ListedChoiceIterator


SEARCH_WORDS = 5  # more words than a name has only make the query longer


def person_search(text: str, prefix: str = "") -> Q:
    """People whose first name, last name or e-mail address holds every word of ``text``
    ("ann smi" finds Ann Smith); ``prefix`` reaches them through a relation ("mentor__")."""
    where = Q()
    for word in text.split()[:SEARCH_WORDS]:
        where &= (Q(**{f"{prefix}first_name__icontains": word}) | Q(**{f"{prefix}last_name__icontains": word})
                  | Q(**{f"{prefix}email__icontains": word}))
    return where
