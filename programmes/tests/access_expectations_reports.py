"""Access expectations for the dashboards, the mentor directory and exports (see the docstring of
preceptorship/tests/test_access_matrix.py). Dashboards: programme leads (own organisation) and ICS
leads (aggregates); the directory: both; an export job: only the person who asked for it."""

from __future__ import annotations

from django.core.files.base import ContentFile

from programmes.models import ExportJob

ANON = {"anonymous": 302}
POST_NOT_ALLOWED = {"anonymous": 302, "*": 405}


def _table(world, viewer, target):
    return {"table": "monthly", "fmt": "xlsx"}


def _ics_table(world, viewer, target):
    return {"table": "organisations", "fmt": "csv"}


def _ics_organisation(world, viewer, target):
    """Both organisations are in the ICS (aggregates only); one of another ICS is 404 (test_views_reports)."""
    return {"pk": (world.organisation if target == "own" else world.other_organisation).pk}


def _fmt(world, viewer, target):
    return {"fmt": "csv"}


def _job(world, viewer, target):
    """Own: a finished job the viewer asked for. Other: one asked for in the other organisation."""
    owner = viewer if target == "own" and viewer else world.other_users["programme_lead"]
    job = ExportJob.objects.create(requested_by=owner, table="enrolments", format="csv",
                                   status=ExportJob.Status.DONE, total_rows=1, done_rows=1)
    job.file.save("enrolments.csv", ContentFile(f"enrolment_id\n{owner.email}\n".encode()))
    return {"pk": job.pk}, owner.email


def _national_set(world, viewer, target):
    """A national standard set: the same for both targets (national sets belong to no organisation)."""
    from programmes.reporting.models import StandardSet

    return {"pk": StandardSet.objects.filter(organisation__isnull=True).order_by("pk").first().pk}


def _copied_criterion(world, viewer, target):
    """A criterion of an organisation's copy of a standard set: only that organisation's leads see it."""
    from programmes.reporting.models import Criterion, StandardSet
    from programmes.reporting.services import standard_set_copy

    organisation = world.organisation if target == "own" else world.other_organisation
    lead = (world.users if target == "own" else world.other_users)["programme_lead"]
    copy = StandardSet.objects.filter(organisation=organisation).first() or standard_set_copy(
        actor=lead, standard_set=StandardSet.objects.filter(organisation__isnull=True).order_by("pk").first(),
        organisation=organisation)
    return {"pk": Criterion.objects.filter(standard_set=copy).order_by("pk").first().pk}


EXPECTATIONS = {
    # The standards scorecard: programme leads (their organisations' enrolments), the ICS lead's
    # (aggregates only); a lead copies a national set for their organisation and changes its copy.
    "programmes:standards": {"GET": {**ANON, "programme_lead": 200, "*": 403}, "POST": POST_NOT_ALLOWED},
    "programmes:standards-export": {"GET": {**ANON, "programme_lead": 200, "*": 403}},
    "programmes:ics-standards": {"GET": {**ANON, "ics_lead": 200, "*": 403}, "POST": POST_NOT_ALLOWED},
    "programmes:ics-standards-export": {"GET": {**ANON, "ics_lead": 200, "*": 403}},
    "programmes:standard-set-copy": {
        "GET": {**ANON, "*": 405},
        "POST": {**ANON, "programme_lead": 302, "ics_lead": 403, "*": 404},
    },
    "programmes:criterion-change": {
        "GET": {**ANON, "own:programme_lead": 200, "*": 404},
        "POST": {**ANON, "own:programme_lead": 200, "*": 404},
    },
    "programmes:dashboard": {"GET": {**ANON, "programme_lead": 200, "*": 403}, "POST": POST_NOT_ALLOWED},
    "programmes:dashboard-export": {"GET": {**ANON, "programme_lead": 200, "*": 403}},
    "programmes:enrolments-export": {"GET": {**ANON, "programme_lead": 200, "*": 403}},
    "programmes:ics-dashboard": {"GET": {**ANON, "ics_lead": 200, "*": 403}, "POST": POST_NOT_ALLOWED},
    "programmes:ics-export": {"GET": {**ANON, "ics_lead": 200, "*": 403}},
    "programmes:ics-organisation": {"GET": {**ANON, "ics_lead": 200, "*": 403}, "POST": POST_NOT_ALLOWED},
    "programmes:mentor-directory": {"GET": {**ANON, "ics_lead": 200, "programme_lead": 200, "*": 403}},
    "programmes:mentor-directory-export": {"GET": {**ANON, "ics_lead": 200, "programme_lead": 200, "*": 403}},
    "programmes:export-job": {"GET": {**ANON, "own:*": 200, "other:*": 404}, "POST": POST_NOT_ALLOWED},
    "programmes:export-job-status": {"GET": {**ANON, "own:*": 200, "other:*": 404}},
    # Own: a programme lead asks for a failed file again (a finished one is left as it is); it
    # redirects back to the job's page. The owner of a job who is not a programme lead: 403.
    "programmes:export-job-retry": {
        "GET": {**ANON, "*": 405},
        "POST": {**ANON, "own:programme_lead": 302, "own:*": 403, "other:*": 404},
    },
    "programmes:export-job-download": {"GET": {**ANON, "own:*": 200, "other:*": 404}},
}

BUILDERS = {
    "programmes:dashboard-export": _table,
    "programmes:ics-export": _ics_table,
    "programmes:ics-organisation": _ics_organisation,
    "programmes:enrolments-export": _fmt,
    "programmes:mentor-directory-export": _fmt,
    "programmes:export-job": _job,
    "programmes:export-job-status": _job,
    "programmes:export-job-retry": _job,
    "programmes:export-job-download": _job,
    "programmes:standards-export": _fmt,
    "programmes:ics-standards-export": _fmt,
    "programmes:standard-set-copy": _national_set,
    "programmes:criterion-change": _copied_criterion,
}
