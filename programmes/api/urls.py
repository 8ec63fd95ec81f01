"""/api/: the integration API's operations, its OpenAPI description and documentation, and JSON
answers for anything else under /api/. None needs a signed-in session (a token, or nothing for the
description and documentation), and none takes a CSRF token: a bearer token is not sent by a browser
on its own."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from programmes.api.endpoints import api


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": "Not found: see /api/docs/ for what this API offers.", "errors": []}, status=404)


def _json_refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The operation's view, answering a method it does not take in JSON too (django-ninja says it
    in plain text)."""

    @functools.wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": f"This address takes {allowed or 'other methods'}.", "errors": []},
                                    status=405)
            response["Allow"] = allowed
        return response

    return login_not_required(csrf_exempt(answer))


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        else:
            pattern.callback = _json_refusals(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    # Before django-ninja's own "api-root" (kept for its reverse()), which answers Django's HTML 404.
    path("", not_found, name="api-index"),
    path("", include((_public(_patterns), _app_name), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found"),
]
