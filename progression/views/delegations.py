"""A Head of Service's delegations of their decisions.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import act, add_service_errors, crumbs
from progression import forms, services
from progression.access import may_delegate
from progression.models import (
    Delegation,
    ProgressionCase,
)

Role = Membership.Role
Stage = ProgressionCase.Stage


# Delegations ---------------------------------------------------------------------------------------


class DelegationView(FormView):
    """A Head of Service's delegations: given (with the form to give one) and received."""

    template_name = "progression/delegations.html"
    form_class = forms.DelegationForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access.refuse_unless(may_delegate(request.user), "Only a Head of Service can delegate their decisions.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: forms.DelegationForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.delegation_create(actor=self.request.user, delegate=data["delegate"],
                                       starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{data['delegate'].get_full_name()} can now decide the cases naming you, "
                                       f"from {data['starts_on']:%-d %B %Y} to {data['ends_on']:%-d %B %Y}.")
        return redirect("progression:delegations")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        delegations = (access.scope(self.request.user, Delegation)
                       .filter(Q(delegator_id=self.request.user.pk) | Q(delegate_id=self.request.user.pk))
                       .filter(ends_on__gte=today - datetime.timedelta(days=90))
                       .select_related("delegator", "delegate"))
        given = [d for d in delegations if d.delegator_id == self.request.user.pk]
        received = [d for d in delegations if d.delegate_id == self.request.user.pk]
        return {**super().get_context_data(**kwargs), "given": given, "received": received, "today": today,
                "crumbs": crumbs()}


@require_POST
def delegation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = access.get_for_user(request.user, Delegation, action="withdraw", pk=pk)
    act(request, lambda: services.delegation_withdraw(actor=request.user, delegation=delegation),
        f"The delegation to {delegation.delegate.get_full_name()} is withdrawn.")
    return redirect("progression:delegations")
