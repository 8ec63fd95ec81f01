"""What the apps' pages share: the breadcrumb trail, and the form whose valid data goes to a service.

``ServiceFormMixin`` is the one way a page calls a service with a form: the service's
``ValidationError`` goes beside the fields it names (``add_service_errors``), a ``TransitionError``
(a change the record's state no longer allows) above the form, and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
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
