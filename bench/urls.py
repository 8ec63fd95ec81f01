"""The benchmark's URL configuration: every URL of the project, plus the baseline view that
shows what the stack itself costs (middleware, session, user, base template, one query)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from preceptorship.models import Organisation


def baseline(request: HttpRequest) -> HttpResponse:
    organisation = Organisation.objects.order_by("pk").first()  # the one query of its own
    return render(request, "base.html", {"organisation": organisation})


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("", include("preceptorship.urls")),
]
