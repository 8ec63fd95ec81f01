"""What the apps' pages share: the breadcrumb trail, and the form whose valid data goes to a service.

``ServiceFormMixin`` is the one way a page calls a service with a form: the service's
``ValidationError`` goes beside the fields it names (``add_service_errors``), a ``TransitionError``
(a change the record's state no longer allows) above the form, and nothing typed is lost.

``CheckAnswersMixin`` puts the NHS.UK "check your answers" page before a step that cannot be undone:
the form's POST shows the answers, what will happen and who will be told, and changes nothing; the
check page's confirm POST carries the answers back (hidden fields, validated again) to the service.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from preceptorship.errors import TransitionError

T = TypeVar("T")


def crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    """The breadcrumb trail: Home, then ``extra`` as (label, URL) pairs."""
    return [("Home", reverse("home")), *extra]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages beside the form's fields they name, and the others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, found in error.message_dict.items():
        form.add_error(field if field in form.fields else None, found)


def act(request: HttpRequest, step: Callable[[], T], done: str | Callable[[T], str] = "") -> T | None:
    """A one-button step (a POST with no form to show again) through its service: ``step()``'s
    refusal (a ``TransitionError``, or a ``ValidationError``'s messages) is said at the top of the
    next page and None returned; otherwise ``done`` (or ``done(result)``) is said and the result
    returned."""
    try:
        result = step()
    except TransitionError as error:
        messages.error(request, str(error))
        return None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    message = done(result) if callable(done) else done
    if message:
        messages.success(request, message)
    return result


class ServiceFormMixin:
    """For a ``FormView``: ``perform(form)`` calls one service with the valid data (its result is
    ``self.result``); then ``success_message`` is shown and the browser goes to the success URL.
    The service's refusals go back onto the form."""

    success_message = ""
    # Refusals shown above the form with their sentence; a view may add PermissionDenied when the
    # service checks a right the page cannot know in advance.
    refusals: tuple[type[Exception], ...] = (TransitionError,)

    def perform(self, form: Any) -> Any:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.result = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)  # type: ignore[attr-defined]
        except self.refusals as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)  # type: ignore[attr-defined]
        if self.success_message:
            messages.success(self.request, self.success_message)  # type: ignore[attr-defined]
        return redirect(self.get_success_url())  # type: ignore[attr-defined]


# "Check your answers" before a step that cannot be undone -----------------------------------------


@dataclass(frozen=True)
class Answer:
    """One row of a check page: what will be recorded, and where to change it (the form field a
    "Change" button returns to, or a page to change it on)."""

    label: str
    value: str
    field: str = ""
    change_url: str = ""


@dataclass
class Linked:
    """A warning on a check page that names something the viewer may open (``url``), or only names it."""

    text: str
    url: str = ""


@dataclass
class CheckPage:
    """What a check page says before a step is taken: the answers, what will happen, who will be told
    (name and role, as the service's notifications will tell them) and the button that takes the step."""

    title: str
    confirm_label: str
    cancel_url: str
    caption: str = ""
    answers: list[Answer] = dataclasses.field(default_factory=list)
    happens: list[str] = dataclasses.field(default_factory=list)
    told: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    nobody_told: str = "Nobody is sent a notification."
    warnings: list[str | Linked] = dataclasses.field(default_factory=list)
    warning_title: str = ""
    # A document the step produces, shown as it will read (``preview_template`` rendered with
    # ``document=preview``), and where to open the real file (``preview_url``) before confirming.
    preview_title: str = ""
    preview_template: str = ""
    preview: Any = None
    preview_url: str = ""
    preview_label: str = ""


# Posted names that are the page's own buttons and token, not answers to carry to the confirm POST.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "confirm", "change", "save"})


def carried(request: HttpRequest) -> list[tuple[str, str]]:
    """The answers posted from the form, to post again (as hidden fields) with the confirmation."""
    return [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED for value in values]


def confirmed(request: HttpRequest) -> bool:
    """True for the POST of a check page's confirm button; the form's own POST only shows the check page."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def told_people(people: Iterable[tuple[Any, str]]) -> list[tuple[str, str]]:
    """(person, role) pairs as the check page names them; a person told twice is named once."""
    named: dict[Any, tuple[str, str]] = {}
    for person, role in people:
        if person is not None and person.pk not in named:
            named[person.pk] = (person.get_full_name() or person.email, role)
    return list(named.values())


def answer_value(form: forms.Form, name: str) -> str:
    """The valid answer to one field as words: a choice's label, a date in full, a person's name."""
    field = form.fields[name]
    value = form.cleaned_data.get(name)
    if isinstance(field, forms.ModelChoiceField):
        return field.label_from_instance(value) if value is not None else str(getattr(field, "empty_label", "") or "")
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in field.choices}
        return str(labels.get(str(form[name].data), value or ""))
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B} {value.year}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in (None, ""):
        return "Not given"
    return str(value)


def answer_rows(form: forms.Form, *, skip: Iterable[str] = ()) -> list[Answer]:
    """A check page's rows for a valid form: each visible field's label and answer, with its "Change"."""
    skipped = set(skip)
    return [Answer(str(bound.label), answer_value(form, bound.name), field=bound.name)
            for bound in form.visible_fields() if bound.name not in skipped]


def check_response(request: HttpRequest, check: CheckPage, crumbs: list[tuple[str, str]]) -> HttpResponse:
    """The check page: the answers carried in hidden fields, re-validated when the step is confirmed."""
    return render(request, "check_answers.html", {"check": check, "carried": carried(request), "crumbs": crumbs})


class CheckAnswersMixin:
    """For a ``FormView`` whose step cannot be undone: the form's valid POST shows a check page
    (``check_page(form)``) and changes nothing; "Change" shows the form again with the answers kept;
    only the check page's confirm POST, re-validated, reaches ``form_valid`` and so the service."""

    def check_page(self, form: Any) -> CheckPage:
        raise NotImplementedError

    def show_check(self, form: Any) -> HttpResponse:
        context = self.get_context_data(form=form)  # type: ignore[attr-defined]
        return check_response(self.request, self.check_page(form), context.get("crumbs", []))  # type: ignore[attr-defined]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()  # type: ignore[attr-defined]
        if "change" in request.POST:
            return self.render_to_response(self.get_context_data(form=form))  # type: ignore[attr-defined]
        if not form.is_valid():
            return self.form_invalid(form)  # type: ignore[attr-defined]
        if not confirmed(request):
            return self.show_check(form)
        return self.form_valid(form)  # type: ignore[attr-defined]
