"""The standards scorecard pages: the programme lead's (their organisations and programmes, with
the enrolments that fall short) and the ICS lead's (organisations' aggregates only, small numbers
hidden), their downloads, and the lead's editable copy of a standard set.

Access: a programme lead sees the enrolments of the organisations they lead; an ICS lead sees
aggregates of the organisations of their ICS and never a personal record; anyone else 403. A copy
belongs to its organisation: a lead of another organisation gets 404, a national set cannot be
changed (403)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from preceptorship import access
from preceptorship.models import Membership, Organisation
from preceptorship.pages import act, add_service_errors, crumbs
from programmes import exports
from programmes.access import lead_organisation_ids
from programmes.reporting import access as reporting_access
from programmes.reporting import measures, services, standards
from programmes.reporting.comparators import comparators
from programmes.reporting.forms import CriterionForm, StandardSetForm
from programmes.reporting.models import Criterion, StandardSet

Role = Membership.Role
FORMATS = ("csv", "xlsx")
ICS_TOTAL = "Whole system"

LEAD_COLUMNS = [
    ("organisation", "Organisation"), ("programme", "Programme"), ("criterion", "Criterion code"),
    ("title", "Criterion"), ("rule", "Rule"), ("met", "Enrolments meeting it"), ("judged", "Enrolments judged"),
    ("rate", "Rate (%)"), ("source", "Source"),
]
ICS_COLUMNS = [
    ("organisation", "Organisation"), ("criterion", "Criterion code"), ("title", "Criterion"), ("rule", "Rule"),
    ("met", "Enrolments meeting it"), ("judged", "Enrolments judged"), ("rate", "Rate (%)"), ("source", "Source"),
]


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    return fmt


def _chosen(request: HttpRequest, sets: Any) -> tuple[StandardSetForm, StandardSet | None, list[Criterion]]:
    form = StandardSetForm(request.GET or None, sets=sets)
    standard_set = form.chosen()
    criteria = list(standard_set.criteria.all()) if standard_set else []
    return form, standard_set, criteria


# The programme lead's scorecard.


def _lead_scorecard(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    access.refuse_unless(reporting_access.may_see_lead_dashboard(user), reporting_access.REFUSAL)
    today = timezone.localdate()
    organisations = lead_organisation_ids(user)
    form, standard_set, criteria = _chosen(request, standards.sets_for(organisations))
    found = standards.facts(measures.lead_enrolments(user), today)
    sections = []
    for (_, provider), provided in sorted(standards.grouped(found, lambda f: (f.provider_id, f.provider)).items(),
                                          key=lambda item: item[0][1]):
        programmes = [
            {"name": name, "results": standards.score(criteria, rows, today)}
            for (_, name), rows in sorted(standards.grouped(provided, lambda f: (f.programme_id, f.programme)).items(),
                                          key=lambda item: item[0][1])
        ]
        sections.append({"organisation": provider, "results": standards.score(criteria, provided, today),
                         "programmes": programmes})
    return {"form": form, "standard_set": standard_set, "criteria": criteria, "sections": sections, "today": today,
            "organisations": organisations}


def _lead_table(context: dict[str, Any]) -> exports.Table:
    rows = []
    for section in context["sections"]:
        levels = [("", section["results"])] + [(p["name"], p["results"]) for p in section["programmes"]]
        for programme, results in levels:
            for result in results:
                c = result.criterion
                rows.append([section["organisation"], programme or "All programmes", c.code, c.title, c.rule,
                             result.met, result.assessed, result.rate_exact, c.source])
    return exports.Table("standards", "Standards scorecard", LEAD_COLUMNS, rows)


@require_GET
def lead_scorecard(request: HttpRequest) -> HttpResponse:
    context = _lead_scorecard(request)
    organisations = context["organisations"]
    copies = {s.based_on_id for s in context["form"].fields["standard_set"].queryset if s.based_on_id}
    national = [s for s in StandardSet.objects.filter(organisation__isnull=True).order_by("name")
                if s.pk not in copies]
    return render(request, "programmes/reports/standards.html", {
        **context, "query_string": request.GET.urlencode(),
        "crumbs": crumbs(("Dashboard", reverse("programmes:dashboard"))),
        "national": national, "copyable": len(organisations) == 1,
        "comparators": comparators(organisations, context["today"]),
    })


@require_GET
def lead_scorecard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    return exports.response(_lead_table(_lead_scorecard(request)), fmt)


# The ICS lead's scorecard: aggregates only.


def _ics_scorecard(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    access.refuse_unless(reporting_access.may_see_ics_dashboard(user), reporting_access.REFUSAL)
    today = timezone.localdate()
    form, standard_set, criteria = _chosen(request, standards.sets_for([]))
    found = standards.facts(measures.ics_enrolments(user), today)
    employers = standards.grouped(found, lambda f: (f.employer_id, f.employer))
    by_organisation: dict[str, list[standards.Facts]] = {employer: rows for (_, employer), rows in employers.items()}
    rows = standards.aggregate(criteria, by_organisation, ICS_TOTAL, today)
    by_criterion: dict[int, list[standards.AggregateRow]] = {}
    for row in rows:
        by_criterion.setdefault(row.criterion.pk, []).append(row)
    organisation_ids = list(measures.ics_organisations(user).values_list("pk", flat=True))
    return {"form": form, "standard_set": standard_set, "rows": rows, "today": today,
            "by_criterion": [(c, by_criterion.get(c.pk, [])) for c in criteria if c.enabled],
            "organisation_ids": organisation_ids}


@require_GET
def ics_scorecard(request: HttpRequest) -> HttpResponse:
    context = _ics_scorecard(request)
    return render(request, "programmes/reports/ics_standards.html", {
        **context, "query_string": request.GET.urlencode(), "total_name": ICS_TOTAL,
        "crumbs": crumbs(("ICS dashboard", reverse("programmes:ics-dashboard"))),
        "comparators": comparators(context["organisation_ids"], context["today"]),
    })


@require_GET
def ics_scorecard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    context = _ics_scorecard(request)
    rows = [[row.name, row.criterion.code, row.criterion.title, row.criterion.rule, row.met, row.assessed, row.rate,
             row.criterion.source] for row in context["rows"]]
    return exports.response(exports.Table("ics-standards", "Standards scorecard (ICS)", ICS_COLUMNS, rows), fmt)


# The lead's copy of a standard set.


@require_POST
def standard_set_copy(request: HttpRequest, pk: int) -> HttpResponse:
    standard_set = access.get_for_user(request.user, StandardSet, action="copy", pk=pk)
    organisations = sorted(lead_organisation_ids(request.user))
    if len(organisations) != 1:
        raise Http404("Choose the organisation in the admin pages.")
    organisation = Organisation.objects.get(pk=organisations[0])
    copy = act(request, lambda: services.standard_set_copy(actor=request.user, standard_set=standard_set,
                                                           organisation=organisation),
               "Your organisation's copy of the standard set is ready to change.")
    target = reverse("programmes:standards")
    return redirect(f"{target}?standard_set={copy.pk}" if copy else target)


@require_http_methods(["GET", "POST"])
def criterion_change(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = access.get_for_user(request.user, Criterion.objects.select_related("standard_set"),
                                    action="change", pk=pk)
    initial = {"parameter": criterion.parameter, "enabled": criterion.enabled}
    form = CriterionForm(request.POST or None, initial=initial, unit=criterion.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_change(actor=request.user, criterion=criterion,
                                      parameter=form.cleaned_data.get("parameter"),
                                      enabled=form.cleaned_data["enabled"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{reverse('programmes:standards')}?standard_set={criterion.standard_set_id}")
    scorecard = f"{reverse('programmes:standards')}?standard_set={criterion.standard_set_id}"
    return render(request, "programmes/reports/criterion_form.html", {
        "form": form, "criterion": criterion,
        "crumbs": crumbs(("Dashboard", reverse("programmes:dashboard")), ("Standards scorecard", scorecard)),
    })
