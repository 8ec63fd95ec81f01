"""Data protection pages: find a person, ask for their subject access export, follow it and
download it; erase a person on request. Access is decided by ``preceptorship.access`` (the
policies in ``programmes.privacy.access``): outside the scope is 404; writes go through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from preceptorship import access
from preceptorship.pages import add_service_errors, crumbs
from preceptorship.storage import private_file_response
from programmes.privacy import services
from programmes.privacy.access import REFUSAL, may_answer_requests
from programmes.privacy.forms import EraseForm, PersonSearchForm
from programmes.privacy.models import DataSubject, SubjectAccessExport
from programmes.privacy.services.common import REMOVED_DOMAIN
from programmes.privacy.services.exports import exports_fail_stale, file_name

LISTED = 50


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(("Data protection", reverse("privacy:index")), *extra)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access.refuse_unless(may_answer_requests(request.user), REFUSAL)
    form = PersonSearchForm(request.GET or None)
    text = form.text()
    people: list[DataSubject] = []
    if text:
        found = access.scope(request.user, DataSubject).exclude(email__endswith=f"@{REMOVED_DOMAIN}").filter(
            Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(email__icontains=text)
        ).only("first_name", "last_name", "email", "job_title").order_by("last_name", "first_name", "pk")
        people = list(found[:LISTED + 1])
    scoped = access.scope(request.user, SubjectAccessExport)
    exports_fail_stale(scoped)
    exports = list(scoped.select_related("person")[:20])
    return render(request, "privacy/index.html", {
        "form": form, "text": text, "people": people[:LISTED], "more": len(people) > LISTED, "listed": LISTED,
        "exports": exports, "crumbs": crumbs(),
    })


@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access.get_for_user(request.user, DataSubject, pk=pk)
    scoped = access.scope(request.user, SubjectAccessExport).filter(person=subject)
    exports_fail_stale(scoped)
    exports = list(scoped[:10])
    return render(request, "privacy/person.html", {"person": subject, "exports": exports, "crumbs": _crumbs()})


@require_POST
def export_request(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access.get_for_user(request.user, DataSubject, action="export", pk=pk)
    export = services.export_request(actor=request.user, person=subject)
    messages.success(request, "The export is asked for: it is prepared in the background.")
    return redirect(export)


def _export(request: HttpRequest, pk: int, action: str = "view") -> SubjectAccessExport:
    found = access.get_for_user(request.user, SubjectAccessExport.objects.select_related("person"), action=action,
                                pk=pk)
    return services.export_fail_if_stale(found)


@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _export(request, pk)
    crumb = [(str(export.person), reverse("privacy:person", args=[export.person_id]))] if export.person_id else []
    return render(request, "privacy/export.html", {"export": export, "crumbs": _crumbs(*crumb)})


# How far along the page's progress bar shows a build (it has no finer steps to report).
PERCENT = {"queued": 10, "running": 50}


@require_GET
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """For the status page's script (static/js/reports.mjs), which reloads the page once finished."""
    export = _export(request, pk)
    return JsonResponse({
        "status": export.status, "status_label": export.get_status_display(),
        "percent": PERCENT.get(export.status, 100), "finished": export.status not in SubjectAccessExport.WAITING,
    })


@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _export(request, pk, action="download")
    services.export_download(actor=request.user, export=export)
    return private_file_response(export.file, file_name(export), "application/zip")


@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access.get_for_user(request.user, DataSubject, action="erase", pk=pk)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(actor=request.user, person=subject)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Their personal data is erased. The figures' records stay, without their name.")
            return redirect("privacy:index")
    goes, stays = services.erasure_preview(person=subject)
    refusals = services.erasure_refusals(actor=request.user, person=subject)
    if request.method == "POST" and refusals:
        # The form is not shown while erasure must wait: say at the top that nothing was erased.
        messages.error(request, "Nothing was erased: " + " ".join(refusals))
    return render(request, "privacy/erase.html", {
        "person": subject, "form": form, "goes": goes, "stays": stays, "refusals": refusals,
        "crumbs": _crumbs((str(subject), reverse("privacy:person", args=[subject.pk]))),
    })
