"""How fast Preceptorship is at ICS scale: key pages, the reminder sweep, PDFs and the staff import.

    DATABASE_URL=postgres://... python bench/run.py [--scale 1|10] [--json FILE] [--compare FILE]

Against the database in DATABASE_URL (migrated on the way in; scale data generated when the
database has none), it measures every key page through the whole Django stack (middleware,
session, user, templates) with the test client signed in as the person who uses the page, side by
side with a baseline view that renders the base template with one query; then the reminder sweep
over 100,000 active enrolments, the PDFs and the bulk staff import. A page or a function that does
not exist yet is reported as "not available". See docs/performance.md.

A page's figures are for the cold path: the application cache is emptied before every timed
request, so nothing one request keeps makes the next faster; the warm median beside them shows
what the cache adds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from bench import scale  # noqa: E402
from preceptorship.models import IntegratedCareSystem, Membership, Notification, User  # noqa: E402
from preceptorship.two_step import rules as two_step_rules  # noqa: E402
from programmes.models import Enrolment  # noqa: E402
from progression.models import Evidence, ProgressionCase  # noqa: E402

Role = Membership.Role
Stage = ProgressionCase.Stage
SWEEP_ENROLMENTS = 100_000
PACK_EVIDENCE = 100
IMPORT_ROWS = 5_000
WARM_REQUESTS = 10
TARGETS = {
    "page_ratio": 3.0,  # a page's cold median against the baseline's, at scale 1
    "page_ratio_scale_10": 4.0,
    "dashboard_ratio_scale_10": 2.0,
    "page_p95_ms": 150.0,
    "sweep_seconds": 10.0,
    "pack_seconds": 3.0,
    "certificate_seconds": 0.5,
    "letter_seconds": 0.5,
    "import_seconds": 30.0,
    "sweep_peak_mb": 500.0,
}


@dataclass
class Timing:
    name: str
    url: str = ""
    viewer: str = ""
    available: bool = True
    status: int | None = None
    note: str = ""
    dashboard: bool = False
    # Cold: the application cache emptied before each request, as on the first request after a
    # change to the data or a restart.
    requests: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    ratio: float | None = None
    # Warm: the same requests one after another with the cache kept, for a page that keeps something
    # (the dashboards' figures). The same as the cold median for a page that keeps nothing.
    warm_median_ms: float | None = None
    warm_queries: int | None = None
    # The baseline timed alongside: one baseline request before each of the page's timed requests.
    paired_baseline_ms: float | None = None
    samples_ms: list[float] = field(default_factory=list, repr=False)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def try_reverse(names: list[str], *args: Any) -> tuple[str, str] | None:
    for name in names:
        try:
            return name, reverse(name, args=args or None)
        except NoReverseMatch:
            continue
    return None


# Who looks at what: chosen from the data, the same way at every scale.


def ics_users(role: str) -> Any:
    return User.objects.filter(memberships__role=role, memberships__organisation__ics__slug=scale.ICS_SLUG)


def busiest_mentor() -> User:
    return (ics_users(Role.MENTOR).annotate(current=Count("mentored_enrolments", filter=Q(
        mentored_enrolments__status__in=Enrolment.CURRENT))).order_by("-current", "pk").first())


def timeline_enrolment() -> Enrolment:
    """An active enrolment well into its programme, with reviews, goals and reflections."""
    return (Enrolment.objects.filter(organisation__ics__slug=scale.ICS_SLUG, status=Enrolment.Status.ACTIVE)
            .order_by("-reviews_held", "start_date", "pk").select_related("preceptee").first())


def lead_of_first_organisation() -> User:
    return ics_users(Role.PROGRAMME_LEAD).filter(memberships__organisation__slug="scale-org-1").first()


def case_for_table() -> ProgressionCase:
    return (ProgressionCase.objects.filter(organisation__ics__slug=scale.ICS_SLUG, stage=Stage.DRAFT,
                                           line_manager__isnull=False)
            .annotate(n=Count("assessments")).filter(n=25).order_by("pk").select_related("line_manager").first())


def busiest_head_of_service() -> User:
    return (ics_users(Role.HEAD_OF_SERVICE).annotate(waiting=Count(
        "memberships__organisation__progression_cases",
        filter=Q(memberships__organisation__progression_cases__stage=Stage.SUBMITTED), distinct=True))
        .order_by("-waiting", "pk").first())


@dataclass
class PageSpec:
    name: str
    url_names: list[str]
    subject: Callable[[], tuple[User, tuple]]  # (viewer, URL arguments)
    dashboard: bool = False


PAGES = [
    PageSpec("Mentor caseload", ["programmes:caseload"], lambda: (busiest_mentor(), ())),
    PageSpec("Preceptee's timeline", ["programmes:enrolment-timeline", "programmes:enrolment-detail"],
             lambda: (lambda e: (e.preceptee, (e.pk,)))(timeline_enrolment())),
    PageSpec("Programme lead: enrolment list", ["programmes:enrolment-list"],
             lambda: (lead_of_first_organisation(), ())),
    PageSpec("Programme lead: dashboard", ["programmes:dashboard", "programmes:lead-dashboard",
                                           "programmes:reports-dashboard", "programmes:organisation-dashboard"],
             lambda: (lead_of_first_organisation(), ()), dashboard=True),
    PageSpec("Progression case table (25 competencies)", ["progression:case-detail"],
             lambda: (lambda c: (c.line_manager, (c.pk,)))(case_for_table())),
    PageSpec("Waiting for me (Head of Service)", ["progression:case-waiting", "progression:waiting"],
             lambda: (busiest_head_of_service(), ())),
    PageSpec("ICS dashboard", ["programmes:ics-dashboard", "programmes:ics", "reports:ics-dashboard"],
             lambda: (ics_users(Role.ICS_LEAD).first(), ()), dashboard=True),
]


def timed_request(client: Client, url: str) -> float:
    """Milliseconds for one request on the cold path: nothing left in the application cache."""
    cache.clear()
    started = time.perf_counter()
    client.get(url)
    return (time.perf_counter() - started) * 1000


def measure(client: Client, url: str, requests: int, name: str,
            paired: Callable[[], float] | None = None) -> Timing:
    result = Timing(name=name, url=url)
    for _ in range(3):  # warm the template cache and the connection, not the application cache
        response = client.get(url)
    result.status = response.status_code
    if response.status_code != 200:
        result.note = f"answered {response.status_code}"
        return result
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    result.queries = len(queries.captured_queries)
    alongside = []
    for _ in range(requests):
        if paired:
            alongside.append(paired())
        result.samples_ms.append(timed_request(client, url))
    if alongside:
        result.paired_baseline_ms = round(statistics.median(alongside), 2)
    result.requests = requests
    result.median_ms = round(statistics.median(result.samples_ms), 2)
    result.p95_ms = round(percentile(result.samples_ms, 0.95), 2)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    result.warm_queries = len(queries.captured_queries)
    warm = []
    for _ in range(WARM_REQUESTS):
        started = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - started) * 1000)
    result.warm_median_ms = round(statistics.median(warm), 2)
    return result


def signed_in(user: User) -> Client:
    """A client signed in as ``user``; for a role that must confirm a two-step code, with a session
    confirmed by their authenticator app, as after the code page (each request reads the device)."""
    client = Client()
    client.force_login(user)
    if two_step_rules.needs_two_step(user):
        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def bench_pages(requests: int, only: list[str] | None = None) -> tuple[Timing, list[Timing]]:
    any_user = busiest_mentor()
    first = measure(signed_in(any_user), reverse("bench-baseline"), requests, "Baseline (base.html, one query)")
    floor, floor_url = signed_in(any_user), reverse("bench-baseline")

    def paired() -> float:
        return timed_request(floor, floor_url)
    pages = []
    for spec in PAGES:
        if only and not any(part.lower() in spec.name.lower() for part in only):
            continue
        found = try_reverse(spec.url_names, 1)
        if found is None and not try_reverse(spec.url_names):
            pages.append(Timing(name=spec.name, available=False, note="not available"))
            continue
        try:
            viewer, args = spec.subject()
            name, url = try_reverse(spec.url_names, *args) or (None, None)
            if url is None:
                pages.append(Timing(name=spec.name, available=False, note="not available (URL arguments differ)"))
                continue
            timing = measure(signed_in(viewer), url, requests, spec.name, paired=paired)
            timing.viewer = f"{viewer.email} ({name})"
            timing.dashboard = spec.dashboard
        except Exception as error:  # noqa: BLE001 - one broken page must not stop the others
            timing = Timing(name=spec.name, available=True, note=f"error: {error.__class__.__name__}: {error}"[:300])
            traceback.print_exc(limit=3)
        pages.append(timing)
        print(f"  {spec.name}: {timing.median_ms} ms median, {timing.queries} queries {timing.note}", flush=True)
    last = measure(signed_in(any_user), reverse("bench-baseline"), requests, "Baseline (base.html, one query)")
    baseline = Timing(name=first.name, url=first.url, status=last.status, queries=last.queries,
                      samples_ms=first.samples_ms + last.samples_ms, requests=first.requests + last.requests)
    baseline.median_ms = round(statistics.median(baseline.samples_ms), 2)
    baseline.p95_ms = round(percentile(baseline.samples_ms, 0.95), 2)
    for page in pages:
        if page.median_ms is not None:
            # Against the baseline requests made alongside the page's, so that the machine's load
            # at the time weighs on both alike (it is shared and its load varies during a run).
            page.ratio = round(page.median_ms / (page.paired_baseline_ms or baseline.median_ms), 2)
    return baseline, pages


# The reminder sweep


def reset_peak_memory() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # not Linux, or not allowed: the peak is then the process's since it started


def peak_memory_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def bench_sweep() -> dict[str, Any]:
    from preceptorship import notifications
    from preceptorship.reminders import sources, sweep

    started = time.perf_counter()
    added = scale.top_up_active_enrolments(SWEEP_ENROLMENTS)
    setup = time.perf_counter() - started
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count()
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result: dict[str, Any] = {"active_enrolments": active, "setup_seconds": round(setup, 1),
                              "enrolments_added": added}
    # Where the time goes: each source on its own (finding what is due), then the sweep, with the
    # queueing of the deliveries timed apart.
    today = timezone.localdate()
    result["sources"] = {}
    for name, source in sorted(sources().items()):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            found = sum(1 for _ in source(today))
            seconds = time.perf_counter() - started
        result["sources"][name] = {"seconds": round(seconds, 2), "reminders": found,
                                   "queries": len(queries.captured_queries)}
    original = notifications._send_tasks
    queueing = {"seconds": 0.0, "tasks": 0}

    def timed_send_tasks(notification_ids: list[int]) -> None:
        started = time.perf_counter()
        original(notification_ids)
        queueing["seconds"] += time.perf_counter() - started
        queueing["tasks"] += len(notification_ids)

    def timed_sweep(day: datetime.date) -> dict[str, Any]:
        queueing.update(seconds=0.0, tasks=0)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = sweep(today=day)
            seconds = time.perf_counter() - started
        return {"seconds": round(seconds, 2), "queries": len(queries.captured_queries), "new": counts.get("total", 0),
                "new_by_kind": counts, "queueing_seconds": round(queueing["seconds"], 2),
                "tasks_queued": queueing["tasks"]}

    notifications._send_tasks = timed_send_tasks
    try:
        # The first sweep ever (here: yesterday's) catches up every reminder whose window is open.
        # Its peak memory is this process's peak resident size over that sweep (Linux: the peak is
        # reset first), which includes Django and what the earlier measurements left in memory.
        reset_peak_memory()
        result["first_ever"] = timed_sweep(today - datetime.timedelta(days=1))
        result["first_ever"]["peak_rss_mb"] = peak_memory_mb()
        # A day's first sweep afterwards (the hourly beat's run each morning): only what became due today.
        daily = timed_sweep(today)
        result.update(daily)
        again = timed_sweep(today)
        result.update(second_seconds=again["seconds"], second_queries=again["queries"], second_new=again["new"])
    finally:
        notifications._send_tasks = original
        # Leave the database as it was, so the next run measures a first sweep again.
        Notification.objects.filter(pk__gt=before).delete()
    return result


# PDFs


def timed(function: Callable[[], Any], repeat: int = 3) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        output = function()
        runs.append(time.perf_counter() - started)
    size = len(output) if isinstance(output, bytes | bytearray) else None
    return {"seconds": round(statistics.median(runs), 3), "first_seconds": round(runs[0], 3), "runs": repeat,
            "bytes": size}


class Rollback(Exception):  # noqa: N818
    pass


def bench_pdfs() -> dict[str, Any]:
    results: dict[str, Any] = {}
    # The certificate is rendered by its page, so it is measured through the stack.
    completed = (Enrolment.objects.filter(organisation__ics__slug=scale.ICS_SLUG, status=Enrolment.Status.COMPLETED)
                 .select_related("preceptee").order_by("pk").first())
    found = try_reverse(["programmes:certificate"], completed.pk)
    if found:
        client = signed_in(completed.preceptee)

        def certificate() -> bytes:
            response = client.get(found[1])
            if response.status_code != 200:
                raise RuntimeError(f"the certificate page answered {response.status_code}")
            return response.content

        results["certificate"] = guarded(lambda: timed(certificate))
    else:
        results["certificate"] = {"note": "not available"}
    try:
        from progression.letters import render_letter_pdf, render_pack_pdf
    except ImportError:
        results["letter"] = results["evidence_pack"] = {"note": "not available"}
        return results
    told = (ProgressionCase.objects.filter(organisation__ics__slug=scale.ICS_SLUG, stage=Stage.WORKER_TOLD)
            .order_by("pk").first())
    results["letter"] = guarded(lambda: timed(lambda: render_letter_pdf(told)))
    case = case_for_table()
    try:
        with transaction.atomic():
            extra = PACK_EVIDENCE - case.evidence.count()
            competencies = list(case.assessments.values_list("competency_id", flat=True))
            rows = Evidence.objects.bulk_create([
                Evidence(case=case, title=f"Practice example {i + 1}", example_date=timezone.localdate()
                         - datetime.timedelta(days=i), description=scale.SENTENCES[i % len(scale.SENTENCES)] * 3,
                         added_by_id=case.line_manager_id)
                for i in range(extra)
            ])
            through = Evidence.competencies.through
            through.objects.bulk_create([
                through(evidence_id=row.pk, competency_id=competencies[i % len(competencies)])
                for i, row in enumerate(rows)
            ])
            results["evidence_pack"] = guarded(lambda: timed(lambda: render_pack_pdf(case)))
            results["evidence_pack"].update(competencies=len(competencies), evidence=case.evidence.count())
            raise Rollback
    except Rollback:
        pass
    return results


def guarded(function: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return function()
    except Exception as error:  # noqa: BLE001
        traceback.print_exc(limit=3)
        return {"note": f"error: {error.__class__.__name__}: {error}"[:300]}


# Bulk staff import


def staff_file(lead: User) -> bytes:
    """A 5,000-row HR export for the lead's organisation: 4,000 new people, 1,000 known ones changing job."""
    import csv
    import io

    organisation = Membership.objects.filter(user=lead, role=Role.PROGRAMME_LEAD).select_related(
        "organisation").first().organisation
    teams = list(organisation.teams.values_list("name", flat=True)) + ["Intermediate Care", "Hospital Discharge"]
    known = list(User.objects.filter(memberships__organisation=organisation, memberships__role=Role.PRACTITIONER)
                 .order_by("pk").values_list("email", "first_name", "last_name")[:1000])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["E-mail", "First name", "Last name", "Organisation", "Team", "Profession", "Job title", "Band",
                     "Registration number", "Registration date", "Start date", "Roles"])
    for i in range(IMPORT_ROWS):
        if i < len(known):
            email, first, last = known[i]
        else:
            email, first, last = f"import.{i}@{organisation.slug}.{scale.EMAIL_DOMAIN}", "Alex", f"Import{i}"
        writer.writerow([email, first, last, organisation.name, teams[i % len(teams)], "Physiotherapy",
                         "Physiotherapist (imported)", "Band 5", f"PH{200000 + i}", "2024-07-01", "01/09/2024",
                         "Mentor" if i % 10 == 0 else "Practitioner"])
    return out.getvalue().encode()


def bench_import() -> dict[str, Any]:
    try:
        from preceptorship import imports
        upload, check, start, apply = (imports.staff_import_upload, imports.staff_import_check,
                                       imports.staff_import_start, imports.staff_import_apply)
    except (ImportError, AttributeError):
        return {"note": "not available (preceptorship/imports.py has no staff import services yet)"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = lead_of_first_organisation()
    content = staff_file(lead)
    result: dict[str, Any] = {"rows": IMPORT_ROWS}
    try:
        # Everything in one transaction rolled back at the end: the scale data stays as it was.
        with transaction.atomic():
            started = time.perf_counter()
            staff_import = upload(actor=lead, upload=SimpleUploadedFile("staff.csv", content, "text/csv"))
            uploaded = time.perf_counter()
            staff_import = check(staff_import_id=staff_import.pk)  # the background task's work
            checked = time.perf_counter()
            if staff_import.status != "ready":
                raise RuntimeError(f"the file was not accepted: {str(staff_import.preview)[:200]}")
            start(actor=lead, staff_import=staff_import)
            staff_import = apply(staff_import_id=staff_import.pk)  # the background task's work
            done = time.perf_counter()
            result.update(seconds=round(done - started, 2), upload_seconds=round(uploaded - started, 2),
                          check_seconds=round(checked - uploaded, 2), apply_seconds=round(done - checked, 2),
                          status=staff_import.status, preview={k: v for k, v in staff_import.preview.items()
                                                               if isinstance(v, int)})
            invite = getattr(imports, "send_invitations", None)
            if invite is not None and result["preview"].get("invited") == 0:
                # Invitations go out afterwards in a background task of their own: timed apart.
                new_people = list(User.objects.filter(email__startswith="import.", email__endswith=scale.EMAIL_DOMAIN)
                                  .values_list("pk", flat=True))
                started = time.perf_counter()
                sent = invite(staff_import_id=staff_import.pk, user_ids=new_people)
                result.update(invitations_seconds=round(time.perf_counter() - started, 2), invitations=sent)
            staff_import.file.delete(save=False)
            raise Rollback
    except Rollback:
        pass
    return result


# The run


def scale_of_database() -> int | None:
    if not IntegratedCareSystem.objects.filter(slug=scale.ICS_SLUG).exists():
        return None
    enrolments = Enrolment.objects.filter(organisation__ics__slug=scale.ICS_SLUG).count()
    return max(1, round(enrolments / 5000))


def machine() -> dict[str, Any]:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = f"{connection.vendor} (figures that count are from PostgreSQL)"
    return {"cpus": os.cpu_count(), "memory": memory, "database": database, "python": platform.python_version(),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
            "django": django.get_version(), "platform": platform.platform()}


def page_ratio_target(page: dict[str, Any], scale: int) -> float:
    """How many times the baseline a page's cold median may take at this scale."""
    if scale == 1:
        return TARGETS["page_ratio"]
    return TARGETS["dashboard_ratio_scale_10" if page.get("dashboard") else "page_ratio_scale_10"]


def verdicts(report: dict[str, Any], other: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    p95 = TARGETS["page_p95_ms"]
    for page in report["pages"]:
        limit = page_ratio_target(page, report["scale"])
        if page["median_ms"] is None:
            rows.append({"target": f"{page['name']}: cold median ≤ {limit:g} × baseline, p95 < {p95:g} ms",
                         "holds": None, "figure": page["note"] or "not measured"})
            continue
        rows.append({"target": f"{page['name']}: cold median ≤ {limit:g} × baseline", "figure": f"{page['ratio']} ×",
                     "holds": page["ratio"] <= limit})
        rows.append({"target": f"{page['name']}: cold p95 < {p95:g} ms", "figure": f"{page['p95_ms']} ms",
                     "holds": page["p95_ms"] < p95})
    if other:
        theirs = {p["name"]: p["queries"] for p in other.get("pages", [])}
        for page in report["pages"]:
            if page["queries"] is not None and theirs.get(page["name"]) is not None:
                rows.append({"target": f"{page['name']}: same queries at scale {report['scale']} and "
                                       f"{other['scale']}", "figure": f"{page['queries']} / {theirs[page['name']]}",
                             "holds": page["queries"] == theirs[page["name"]]})
    sweep = report["sweep"]
    if "seconds" in sweep:
        rows.append({"target": f"Sweep over {sweep['active_enrolments']:,} active enrolments < 10 s (a day's run)",
                     "figure": f"{sweep['seconds']} s", "holds": sweep["seconds"] < TARGETS["sweep_seconds"]})
        first = sweep["first_ever"]
        rows.append({"target": "Sweep < 10 s, first run ever (catching up)", "figure": f"{first['seconds']} s",
                     "holds": first["seconds"] < TARGETS["sweep_seconds"]})
        rows.append({"target": "Second sweep: 0 new reminders", "figure": str(sweep["second_new"]),
                     "holds": sweep["second_new"] == 0})
        peak = first.get("peak_rss_mb")
        rows.append({"target": f"Sweep's peak memory < {TARGETS['sweep_peak_mb']:g} MB (first run ever)",
                     "figure": f"{peak} MB" if peak is not None else "not measured",
                     "holds": peak < TARGETS["sweep_peak_mb"] if peak is not None else None})
    for key, label, limit in (("evidence_pack", "Evidence pack < 3 s", "pack_seconds"),
                              ("certificate", "Certificate < 0.5 s", "certificate_seconds"),
                              ("letter", "Letter < 0.5 s", "letter_seconds")):
        figure = report["pdf"].get(key, {})
        rows.append({"target": label, "figure": f"{figure['seconds']} s" if "seconds" in figure
                     else figure.get("note", "not measured"),
                     "holds": figure["seconds"] < TARGETS[limit] if "seconds" in figure else None})
    staff = report["import"]
    rows.append({"target": f"{IMPORT_ROWS:,}-row staff import < 30 s",
                 "figure": f"{staff['seconds']} s" if "seconds" in staff else staff.get("note"),
                 "holds": staff["seconds"] < TARGETS["import_seconds"] if "seconds" in staff else None})
    return rows


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"\nScale {report['scale']} on {m['cpus']} CPUs, {m['memory']}, {m['database']}; {report['finished_at']}")
    header = (f"{'page (cold)':<44} {'median ms':>10} {'p95 ms':>8} {'base ms':>8} {'× base':>7} {'queries':>8} "
              f"{'warm ms':>11} {'queries':>8}  note")
    print(header)
    print("-" * len(header))
    for row in [report["baseline"], *report["pages"]]:
        def cell(value: Any, width: int) -> str:
            return f"{'-' if value is None else value:>{width}}"

        print(f"{row['name']:<44} {cell(row['median_ms'], 10)} {cell(row['p95_ms'], 8)} "
              f"{cell(row.get('paired_baseline_ms'), 8)} {cell(row['ratio'], 7)} "
              f"{cell(row['queries'], 8)} {cell(row.get('warm_median_ms'), 11)} "
              f"{cell(row.get('warm_queries'), 8)}  {row['note']}")
    sweep = report["sweep"]
    if "seconds" in sweep:
        first = sweep["first_ever"]
        print(f"\nReminder sweep over {sweep['active_enrolments']:,} active enrolments, a day's first run: "
              f"{sweep['seconds']} s, {sweep['queries']} queries, {sweep['new']:,} new (queueing "
              f"{sweep['queueing_seconds']} s); second run {sweep['second_seconds']} s, {sweep['second_queries']} "
              f"queries, {sweep['second_new']} new")
        print(f"  first sweep ever (catching up every open reminder): {first['seconds']} s, {first['queries']} "
              f"queries, {first['new']:,} new, of which queueing {first['tasks_queued']:,} deliveries "
              f"{first['queueing_seconds']} s")
        print("  finding, by source: " + ", ".join(
            f"{name} {figure['seconds']} s ({figure['reminders']:,}, {figure['queries']} queries)"
            for name, figure in sweep["sources"].items()))
    else:
        print(f"\nReminder sweep: {sweep.get('note')}")
    for key, figure in report["pdf"].items():
        print(f"PDF {key}: " + (f"{figure['seconds']} s (first {figure['first_seconds']} s)" if "seconds" in figure
                                else figure.get("note", "")))
    staff = report["import"]
    print(f"Staff import of {IMPORT_ROWS:,} rows: " + (
        f"{staff['seconds']} s (upload {staff['upload_seconds']} s, check {staff['check_seconds']} s, "
        f"save {staff['apply_seconds']} s; {staff['preview']}); invitations afterwards "
        f"{staff.get('invitations_seconds', '-')} s" if "seconds" in staff
        else staff.get("note", "")))
    print("\nTargets")
    for row in report["targets"]:
        mark = {True: "holds", False: "MISSED", None: "n/a"}[row["holds"]]
        print(f"  {mark:<7} {row['target']}: {row['figure']}")


def markdown(report: dict[str, Any]) -> str:
    """The figures as Markdown tables, for docs/performance.md."""
    m = report["machine"]
    lines = [f"Scale {report['scale']}, {report['finished_at'][:16].replace('T', ' ')} UTC: {m['cpus']} CPUs, "
             f"{m['memory']}, {m['database']}, Python {m['python']}, Django {m['django']}; load average "
             f"{m['load_average_at_start'][0]} at the start, {m['load_average_at_end'][0]} at the end "
             "(other work shared the machine).", "",
             "| page | cold median ms | cold p95 ms | baseline alongside, ms | × baseline | queries | warm median ms "
             "| warm queries | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in [report["baseline"], *report["pages"]]:
        cells = ["-" if row.get(key) is None else str(row[key])
                 for key in ("median_ms", "p95_ms", "paired_baseline_ms", "ratio", "queries", "warm_median_ms",
                             "warm_queries")]
        lines.append(f"| {row['name']} | " + " | ".join(cells) + f" | {row['note']} |")
    sweep = report["sweep"]
    if "seconds" in sweep:
        first = sweep["first_ever"]
        lines += ["", f"Reminder sweep over {sweep['active_enrolments']:,} active enrolments:", "",
                  "| run | seconds | queries | new reminders | of which queueing the deliveries |",
                  "|---|---:|---:|---:|---|",
                  f"| first run ever (catching up) | {first['seconds']} | {first['queries']} | {first['new']:,} | "
                  f"{first['queueing_seconds']} s |",
                  f"| a day's first run | {sweep['seconds']} | {sweep['queries']} | {sweep['new']:,} | "
                  f"{sweep['queueing_seconds']} s |",
                  f"| the same day again | {sweep['second_seconds']} | {sweep['second_queries']} | "
                  f"{sweep['second_new']} | |", "",
                  "Finding what is due, by source: " + "; ".join(
                      f"{name} {figure['seconds']} s ({figure['reminders']:,} reminders, {figure['queries']} queries)"
                      for name, figure in sweep["sources"].items()) + "."]
    pdf = report["pdf"]
    if pdf:
        lines += ["", "| PDF | seconds (median of 3) | first run |", "|---|---:|---:|"]
        for key, figure in pdf.items():
            lines.append(f"| {key.replace('_', ' ')} | {figure.get('seconds', figure.get('note'))} | "
                         f"{figure.get('first_seconds', '')} |")
    staff = report["import"]
    if "seconds" in staff:
        lines += ["", f"Staff import of {staff['rows']:,} rows: {staff['seconds']} s (upload {staff['upload_seconds']} "
                  f"s, check {staff['check_seconds']} s, save {staff['apply_seconds']} s); the invitation e-mails, "
                  f"sent afterwards by a task of their own: {staff.get('invitations_seconds', '-')} s."]
    if report.get("load"):
        lines += ["", "| concurrent users | requests | errors | p50 ms | p95 ms | requests/s | baseline requests/s | "
                      "gunicorn workers' resident MB |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
        for level in report["load"]:
            lines.append(f"| {level['users']} | {level['requests']:,} | {level['errors']} | {level['p50_ms']} | "
                         f"{level['p95_ms']} | {level['rps']} | {level['baseline_rps']} | "
                         f"{', '.join(str(mb) for mb in level['worker_rss_mb'] or [])} |")
    lines += ["", "| target | figure | holds |", "|---|---|---|"]
    for row in report["targets"]:
        holds = {True: "yes", False: "**no**"}.get(row["holds"], "n/a")
        lines.append(f"| {row['target']} | {row['figure']} | {holds} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, choices=[1, 10], default=1,
                        help="1: 20 organisations and 5,000 preceptees; 10: 50,000 preceptees (default 1).")
    parser.add_argument("--json", help="Also write the figures to this file.")
    parser.add_argument("--markdown", help="Also write the tables as Markdown to this file.")
    parser.add_argument("--compare", help="A JSON file from a run at the other scale: compare query counts.")
    parser.add_argument("--requests", type=int, default=60, help="Timed requests per page (at least 50).")
    parser.add_argument("--page", action="append",
                        help="Measure only the key pages whose name holds this text (repeatable), e.g. 'timeline'.")
    parser.add_argument("--only", choices=["pages", "sweep", "pdf", "import", "load"], action="append",
                        help="Measure only these parts (repeatable). The load test runs by default at scale 1.")
    parser.add_argument("--load-seconds", type=int, default=120, help="Seconds of traffic per load level.")
    parser.add_argument("--load-levels", default="50,200", help="Concurrent users per load level, comma-separated.")
    parser.add_argument("--today", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="Generate and measure as of this date (London), with the clock moved there: the same "
                             "run on any day gives the same reminders and pages.")
    options = parser.parse_args(argv)
    if options.requests < 50:
        parser.error("--requests must be at least 50")
    if options.today:
        import time_machine

        now = timezone.localtime()
        with time_machine.travel(datetime.datetime.combine(options.today, now.time(), tzinfo=now.tzinfo), tick=True):
            return run(options)
    return run(options)


def run(options: argparse.Namespace) -> int:
    """Generate the scale data if the database has none, then measure what ``options`` asks for."""
    parts = set(options.only or ["pages", "sweep", "pdf", "import", *(["load"] if options.scale == 1 else [])])
    call_command("migrate", verbosity=0, interactive=False)
    found = scale_of_database()
    if found is None:
        print(f"Generating scale {options.scale} data (20 organisations, {5000 * options.scale:,} preceptees)...",
              flush=True)
        started = time.perf_counter()
        scale.build(organisations=20, preceptees=5000 * options.scale)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    elif found != options.scale:
        print(f"This database holds scale {found} data; use a database for scale {options.scale} "
              "(another DATABASE_URL).", file=sys.stderr)
        return 2
    report: dict[str, Any] = {"scale": options.scale, "machine": machine(),
                              "started_at": timezone.now().isoformat(timespec="seconds")}
    print(f"Scale {options.scale}: measuring pages ({options.requests} requests each)...", flush=True)
    if "pages" in parts:
        baseline, pages = bench_pages(options.requests, options.page)
    else:
        baseline, pages = Timing(name="Baseline (base.html, one query)", note="not measured"), []
    report["baseline"] = {k: v for k, v in asdict(baseline).items() if k != "samples_ms"}
    report["pages"] = [{k: v for k, v in asdict(p).items() if k != "samples_ms"} for p in pages]
    print("Reminder sweep...", flush=True)
    report["sweep"] = guarded(bench_sweep) if "sweep" in parts else {"note": "not measured"}
    print("PDFs...", flush=True)
    report["pdf"] = guarded(bench_pdfs) if "pdf" in parts else {}
    print("Staff import...", flush=True)
    report["import"] = guarded(bench_import) if "import" in parts else {"note": "not measured"}
    load_targets: list[dict[str, Any]] = []
    if "load" in parts:
        # Last: it starts its own servers on this database and writes to it (reviews, reflections).
        print("Load test...", flush=True)
        from bench.load import run_load

        levels = [int(users) for users in options.load_levels.split(",") if users.strip()]
        load = run_load(os.environ["DATABASE_URL"], levels=levels, seconds=options.load_seconds, scale=options.scale)
        report["load"], load_targets = load["load"], load["targets"]
    report["finished_at"] = timezone.now().isoformat(timespec="seconds")
    report["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    other = None
    if options.compare and Path(options.compare).exists():
        other = json.loads(Path(options.compare).read_text())
        report["compared_with_scale"] = other.get("scale")
    report["targets"] = verdicts(report, other) + load_targets
    print_report(report)
    if options.json:
        Path(options.json).parent.mkdir(parents=True, exist_ok=True)
        Path(options.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"\nWrote {options.json}")
    if options.markdown:
        Path(options.markdown).write_text(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
