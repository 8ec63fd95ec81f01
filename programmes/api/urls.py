"""/api/: the integration API's operations, its OpenAPI description and documentation, and a JSON
404 for anything else under /api/. None needs a signed-in session (a token, or nothing for the
description and documentation), and none takes a CSRF token: a bearer token is not sent by a browser
on its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from programmes.api.endpoints import api


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": "Not found: see /api/docs/ for what this API offers.", "errors": []}, status=404)


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        else:
            login_not_required(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("", include((_public(_patterns), _app_name), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found"),
]
