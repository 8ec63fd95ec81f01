"""The admin's side of two-step sign-in: an action on the people list that resets another
person's set-up (audited, never one's own), and no pages of django-otp's own, where a key could be
read or a device changed without the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from preceptorship.two_step import services


def unregister_device_pages(site: admin.AdminSite = admin.site) -> None:
    for model in (TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)


@admin.action(description="Reset two-step sign-in of the selected people", permissions=["change"])
def reset_two_step(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    reset = 0
    for person in queryset:
        try:
            services.two_step_reset(actor=request.user, user=person)
        except PermissionDenied as refusal:
            modeladmin.message_user(request, f"{person}: {refusal}", messages.ERROR)
        else:
            reset += 1
    if reset:
        modeladmin.message_user(
            request, f"Two-step sign-in reset for {reset} {'person' if reset == 1 else 'people'}: each sets up "
            "a new authenticator app at their next sign-in.", messages.SUCCESS)
