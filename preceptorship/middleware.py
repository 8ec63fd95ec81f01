"""A database that refuses a read or a write mid-request: a clear page, not a server error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


class DatabaseUnavailableMiddleware:
    """Answers 503 with the NHS.UK "problem with the service" page when a view raises DatabaseError.

    Services write inside ``transaction.atomic``, so when the database refuses part of a change the
    whole change is rolled back: the page says nothing from this request was saved. The page is
    drawn without the request's context processors (they would ask the same database again).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError):
            return None
        logger.error("Database error on %s %s", request.method, request.path, exc_info=exception)
        page = render_to_string("503.html", {"was_saving": request.method not in ("GET", "HEAD", "OPTIONS")})
        response = HttpResponse(page, status=HTTPStatus.SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
