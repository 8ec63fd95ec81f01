from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import redis
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from preceptorship import access, services
from preceptorship.forms import OneLineFields
from preceptorship.home import panels_for
from preceptorship.models import Notification, User
from preceptorship.notifications import notification_mark_read, notifications_mark_all_read


def home(request: HttpRequest) -> HttpResponse:
    panels = [
        {"title": panel.title, "template": panel.template, **panel.context(request)}
        for panel in panels_for(request.user)
    ]
    return render(
        request,
        "preceptorship/home.html",
        {"panels": panels, "roles": sorted(access.memberships(request.user), key=lambda m: m.role)},
    )


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
        return f"error: {error.__class__.__name__}"
    return "ok"


def _redis_check(url: str) -> str:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"
    return "ok"


def _redis_checks() -> dict[str, str]:
    """The broker, and the cache when it lives on another Redis server than the broker."""
    checks: dict[str, str] = {}
    if settings.REDIS_URL:
        checks["redis"] = _redis_check(settings.REDIS_URL)
    cache_url = settings.REDIS_CACHE_URL
    if cache_url and urlsplit(cache_url).netloc != urlsplit(settings.REDIS_URL).netloc:
        checks["cache"] = _redis_check(cache_url)
    return checks


def _failing(checks: dict[str, str]) -> list[str]:
    return [name for name, value in checks.items() if value != "ok"]


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Every dependency: 503 naming whichever part fails (for people and monitoring)."""
    checks = {"database": _database_check(), **_redis_checks()}
    failing = _failing(checks)
    return JsonResponse(
        {"status": "error" if failing else "ok", "checks": checks, "failing": failing},
        status=HTTPStatus.SERVICE_UNAVAILABLE if failing else HTTPStatus.OK,
    )


@login_not_required
@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers requests. Touches nothing else, so a database or Redis outage never
    makes a process manager restart healthy web servers."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """May this web server take traffic? 503 only when the database is unreachable, since no page
    works without it. Redis down is reported as "degraded" with 200: pages still work (the cache is
    skipped, e-mails wait in the database for the next sweep), and every web server shares the
    same Redis, so failing on it would take them all out of the load balancer at once."""
    checks = {"database": _database_check(), **_redis_checks()}
    failing = _failing(checks)
    if "database" in failing:
        status, code = "error", HTTPStatus.SERVICE_UNAVAILABLE
    elif failing:
        status, code = "degraded", HTTPStatus.OK
    else:
        status, code = "ok", HTTPStatus.OK
    return JsonResponse({"status": status, "checks": checks, "failing": failing}, status=code)


def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = access.scope(request.user, Notification).order_by("-created_at", "-id")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "preceptorship/notifications.html", {"page_obj": page})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.get_for_user(request.user, Notification, pk=pk, action="read")
    notification_mark_read(user=request.user, notification=notification)
    target = notification.url or reverse("notifications")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications")
    return redirect(target)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications")


class ProfileForm(OneLineFields, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "band", "email_reminders"]
        labels = {"first_name": "First name", "last_name": "Last name", "band": "Band or range",
                  "email_reminders": "E-mail me reminders that are not essential"}
        help_texts = {
            "band": "For example Band 5, Range 6 or Level 1.",
            "email_reminders": (
                "Reviews coming up or overdue, review records to read and feedback on your reflections. "
                "Escalations, completion sign-off requests, progression case steps and cancelled meetings "
                "already in your calendar are always e-mailed. "
                "Every reminder also appears under Notifications."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Colleagues find people by name on caseloads, reviews and letters: a name cannot be blank.
        for name, label in (("first_name", "first name"), ("last_name", "last name")):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"Enter your {label}"


def profile(request: HttpRequest) -> HttpResponse:
    user = access.get_for_user(request.user, User, pk=request.user.pk, action="change")
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(actor=request.user, user=user, data=form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    return render(request, "preceptorship/profile.html", {"form": form, "profile_user": user})
