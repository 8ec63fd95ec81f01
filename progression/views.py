"""Pages for frameworks and progression cases (the pages themselves follow)."""

from django.http import Http404, HttpRequest, HttpResponse


def not_yet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404("This page is not available yet.")


framework_list = framework_detail = case_list = case_detail = not_yet
