"""Load test: the roles' mixed traffic against a production-configured server, with Locust.

    DATABASE_URL=postgres://... python bench/load.py [--levels 50,200] [--seconds 120] [--json FILE]

Starts gunicorn (2 × cores + 1 workers, production settings, static files collected to a temporary
folder), one Celery worker and beat on PostgreSQL and Redis, generates the scale data if the database
has none, gives a pool of accounts of every role a known password (and those that two-step sign-in
asks a code of an authenticator app with a known key, as production asks), then for each level of
concurrent users runs Locust twice for the same time: the mixed traffic of bench/locustfile.py, and
the baseline page alone (bench/urls.py) for the throughput the stack itself allows. Every process
it starts is stopped at the end, whatever happens. See docs/performance.md, "Load test".

bench/run.py can call ``run_load`` for its own report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETTINGS = "bench.load_settings"
ACCOUNTS_PER_ROLE = 20
TARGETS = {"p95_ms": 300.0, "p95_users": 50, "throughput_ratio": 0.3, "worker_rss_mb": 250.0}
MIXED = ["Mentor", "Preceptee", "LineManager", "HeadOfService", "ProgrammeLead", "IcsLead"]


# The processes: each in a session of its own, so that stopping it stops its children (gunicorn's
# and Celery's workers) and a Ctrl+C in the terminal reaches only this script, which stops them.


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen, IO[bytes]]] = []
        self.services: set[str] = set()

    def start(self, name: str, argv: Sequence[str], env: dict[str, str], service: bool = False) -> subprocess.Popen:
        """Start ``argv``; a service (a server) must keep running until stopped."""
        log = open(self.logs / f"{name}.log", "ab")  # closed in stop_all
        # The commands are this checkout's own programs (.venv/bin), never input from elsewhere.
        process = subprocess.Popen(  # noqa: S603
            list(argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.started.append((name, process, log))
        if service:
            self.services.add(name)
        return process

    def check(self) -> None:
        for name, process, _ in self.started:
            if name in self.services and process.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit {process.returncode}):\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, process: subprocess.Popen, grace: float = 15.0) -> None:
        """SIGTERM to the process's own group (it and its children), then SIGKILL if it lingers."""
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:  # children that outlived their parent are still in its group
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()

    def stop_all(self) -> None:
        for _, process, log in reversed(self.started):
            self.stop(process)
            log.close()
        self.started.clear()


@contextmanager
def interrupts_stop() -> Iterator[None]:
    """SIGTERM ends the run as Ctrl+C does, through the ``finally`` that stops every process."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: the caller handles signals
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache_url(broker_url: str) -> str:
    """The next Redis database after the broker's, as the settings derive it."""
    base, _, number = broker_url.rstrip("/").rpartition("/")
    n = int(number) if number.isdigit() else 0
    return f"{base}/{n + 1 if n < 15 else n - 1}"


def empty_redis(*urls: str) -> None:
    """Empty the load test's own Redis databases (broker and cache), never any other."""
    import redis

    for url in urls:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def server_env(*, database_url: str, redis_url: str, cache_url: str, port: int, work: Path) -> dict[str, str]:
    """The production environment, as .ci/production gives it: DEBUG unset, a real key, the hosts."""
    keep = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if key in os.environ}
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SECRET_KEY": "load-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CACHE_URL": cache_url,
        # Plain HTTP on localhost: no redirect to HTTPS (bench/load_settings.py: cookies).
        "SECURE_SSL_REDIRECT": "0",
        # Two-step sign-in, as production has it by default: the powerful roles give a code.
        "TWO_STEP_REQUIRED": "1",
        # The worker sends the e-mails the traffic causes; they go nowhere.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PRIVATE_MEDIA_ROOT": str(work / "files"),
        "LOAD_STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }


def wait_until(what: str, ready: Callable[[], bool], processes: Processes, limit: float = 120.0) -> None:
    started = time.monotonic()
    while not ready():
        processes.check()
        if time.monotonic() - started > limit:
            raise RuntimeError(f"{what} was not ready within {limit:.0f} s")
        time.sleep(0.5)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - always http://127.0.0.1
            return response.status == 200 and json.loads(response.read()).get("status") == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# Locust


def locust(*, host: str, users: int, seconds: int, ramp: int, classes: list[str], result: Path,
           env: dict[str, str], processes: Processes, name: str) -> dict[str, Any]:
    """One headless Locust run: ``users`` people start over ``ramp`` seconds and sign in, then are
    measured for ``seconds`` from the moment the last has signed in (bench/locustfile.py)."""
    rate = max(1.0, users / ramp)
    # Locust's own limit only guards against a run that never gets everybody signed in.
    limit = ramp + seconds + max(120, users)
    argv = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", host,
            "-u", str(users), "-r", f"{rate:g}", "-t", f"{limit}s", "--only-summary", "--stop-timeout", "5",
            "--loglevel", "WARNING", *classes]
    process = processes.start(name, argv, {**env, "LOAD_SECONDS": str(seconds), "LOAD_RESULT": str(result)})
    while process.poll() is None:
        processes.check()
        time.sleep(0.5)
    if not result.exists():
        raise RuntimeError(f"Locust wrote no figures (exit {process.returncode}):\n{processes.tail(name)}")
    figures = json.loads(result.read_text())
    if figures["measured_seconds"] is None:
        raise RuntimeError(f"only {figures['signed_in']} of {users} simulated people had signed in when Locust "
                           f"stopped after {limit} s:\n{processes.tail(name)}")
    return figures


# The accounts, prepared in a process of its own with the servers' settings (this module imports no
# Django, so bench/run.py, already set up with the benchmark's settings, can call run_load).


def prepare(accounts: Path, password: str, scale_factor: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import Count, Q

    from preceptorship.models import IntegratedCareSystem, Membership, User
    from programmes.models import Enrolment
    from progression.models import ProgressionCase

    try:
        from bench import scale
    except ImportError:  # where the generator lived before
        from programmes import scale

    Role = Membership.Role  # noqa: N806
    call_command("migrate", verbosity=0, interactive=False)
    if not IntegratedCareSystem.objects.filter(slug=scale.ICS_SLUG).exists():
        print(f"Generating scale {scale_factor} data (20 organisations, {5000 * scale_factor:,} preceptees)...",
              flush=True)
        scale.build(organisations=20, preceptees=5000 * scale_factor, password=password)
    # The dashboards' figures, which beat rebuilds every few minutes in production, built before the
    # traffic: otherwise the first dashboard request of the run would build them.
    from programmes.reporting import tasks

    print("Building the dashboards' figures...", flush=True)
    tasks.rebuild_dashboard_figures()
    in_ics = Q(memberships__organisation__ics__slug=scale.ICS_SLUG)

    def people(role: str) -> Any:
        return User.objects.filter(in_ics, memberships__role=role, is_active=True).distinct()

    active = Enrolment.objects.filter(organisation__ics__slug=scale.ICS_SLUG, status=Enrolment.Status.ACTIVE)
    chosen: dict[str, list[dict[str, Any]]] = {"mentor": [], "preceptee": [], "line_manager": [],
                                                 "head_of_service": [], "programme_lead": [], "ics_lead": []}
    mentors = (people(Role.MENTOR).annotate(current=Count("mentored_enrolments", filter=Q(
        mentored_enrolments__status=Enrolment.Status.ACTIVE), distinct=True)).filter(current__gt=0)
        .order_by("-current", "pk")[:ACCOUNTS_PER_ROLE])
    for mentor in mentors:
        chosen["mentor"].append({"email": mentor.email, "enrolments": list(
            active.filter(mentor=mentor).order_by("pk").values_list("pk", flat=True)[:30])})
    seen: set[int] = set()
    for enrolment in active.filter(preceptee__is_active=True).order_by("-reviews_held", "pk").select_related(
            "preceptee")[:ACCOUNTS_PER_ROLE * 3]:
        if enrolment.preceptee_id not in seen and len(seen) < ACCOUNTS_PER_ROLE:
            seen.add(enrolment.preceptee_id)
            chosen["preceptee"].append({"email": enrolment.preceptee.email, "enrolment": enrolment.pk})
    cases = ProgressionCase.objects.filter(organisation__ics__slug=scale.ICS_SLUG, line_manager__is_active=True)
    managers = (cases.values("line_manager").annotate(n=Count("pk")).order_by("-n", "line_manager")
                .values_list("line_manager", flat=True)[:ACCOUNTS_PER_ROLE])
    for manager in User.objects.filter(pk__in=list(managers)).order_by("pk"):
        chosen["line_manager"].append({"email": manager.email, "cases": list(
            cases.filter(line_manager=manager).order_by("pk").values_list("pk", flat=True)[:20])})
    heads = (people(Role.HEAD_OF_SERVICE).annotate(waiting=Count(
        "memberships__organisation__progression_cases",
        filter=Q(memberships__organisation__progression_cases__stage=ProgressionCase.Stage.SUBMITTED), distinct=True))
        .order_by("-waiting", "pk")[:ACCOUNTS_PER_ROLE])
    chosen["head_of_service"] = [{"email": head.email} for head in heads]
    chosen["programme_lead"] = [{"email": lead.email} for lead in people(Role.PROGRAMME_LEAD).order_by("pk")
                                [:ACCOUNTS_PER_ROLE]]
    chosen["ics_lead"] = [{"email": lead.email} for lead in people(Role.ICS_LEAD).order_by("pk")[:ACCOUNTS_PER_ROLE]]
    missing = [role for role, rows in chosen.items() if not rows]
    if missing:
        raise SystemExit(f"The scale data has no accounts for {', '.join(missing)}.")
    emails = [row["email"] for rows in chosen.values() for row in rows]
    # One hash for every account (hashing is deliberately slow); signing in checks it as usual.
    User.objects.filter(email__in=emails).update(password=make_password(password))
    keys = give_authenticator_apps(emails)
    for rows in chosen.values():
        for row in rows:
            if row["email"] in keys:
                row["two_step_key"] = keys[row["email"]]
    accounts.write_text(json.dumps(chosen, indent=1))
    print("Accounts: " + ", ".join(f"{len(rows)} {role}" for role, rows in chosen.items()), flush=True)


def give_authenticator_apps(emails: Sequence[str]) -> dict[str, str]:
    """Each of these accounts that two-step sign-in asks a code of (the powerful roles') gets a
    confirmed authenticator app with a new key, in place of any it had, so that the simulated
    person can give the code the app shows, as a person does after their password; the keys (in
    hexadecimal) by e-mail address."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from preceptorship.models import User
    from preceptorship.two_step import rules

    keys = {}
    with transaction.atomic():
        for user in User.objects.filter(email__in=emails).order_by("pk"):
            if rules.needs_two_step(user):
                TOTPDevice.objects.filter(user=user).delete()
                keys[user.email] = TOTPDevice.objects.create(user=user, name="Load test", confirmed=True).key
    return keys


# The run


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()]}


def verdicts(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for level in levels:
        users = level["users"]
        rows.append({"target": f"{users} users: no errors", "figure": f"{level['errors']} of {level['requests']:,}",
                     "holds": level["errors"] == 0 and level["requests"] > 0})
        if users <= TARGETS["p95_users"]:
            rows.append({"target": f"{users} users: p95 < {TARGETS['p95_ms']:g} ms", "figure": f"{level['p95_ms']} ms",
                         "holds": level["p95_ms"] is not None and level["p95_ms"] < TARGETS["p95_ms"]})
        ratio = level.get("throughput_ratio")
        rows.append({"target": f"{users} users: throughput ≥ {TARGETS['throughput_ratio']} × baseline",
                     "figure": f"{ratio} × ({level['rps']} / {level['baseline_rps']} requests/s)",
                     "holds": ratio is not None and ratio >= TARGETS["throughput_ratio"]})
    if levels:
        last = max(levels, key=lambda level: level["users"])
        worst = max(last["worker_rss_mb"] or [0])
        rows.append({"target": f"each gunicorn worker < {TARGETS['worker_rss_mb']:g} MB resident after "
                               f"{last['users']} users",
                     "figure": f"{worst} MB (largest of {len(last['worker_rss_mb'])})",
                     "holds": bool(last["worker_rss_mb"]) and worst < TARGETS["worker_rss_mb"]})
    return rows


def run_load(database_url: str, levels: Sequence[int] = (50, 200), seconds: int = 120, *,
             redis_url: str = "redis://127.0.0.1:6379/8", redis_cache: str | None = None,
             think: tuple[float, float] = (1.0, 3.0), ramp: int = 10, workers: int | None = None, scale: int = 1,
             mix: Sequence[str] = MIXED,
             json_path: str | Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Start the servers on ``database_url``, run each level of concurrent users for ``seconds``
    (mixed traffic, then the baseline page), stop every process, and return the figures:
    ``{"load": [{users, requests, errors, p50_ms, p95_ms, rps, baseline_rps, worker_rss_mb, ...}],
    "targets": [...], ...}``, also written to ``json_path`` when given."""
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    cache_url = redis_cache or redis_cache_url(redis_url)
    work = Path(tempfile.mkdtemp(prefix="preceptorship-load-"))
    (work / "files").mkdir()
    processes = Processes(work)
    port = free_port()
    env = server_env(database_url=database_url, redis_url=redis_url, cache_url=cache_url, port=port, work=work)
    password = "load-" + secrets.token_urlsafe(16)
    accounts = work / "accounts.json"
    report: dict[str, Any] = {"machine": machine(), "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "server": {"gunicorn_workers": workers, "celery_worker_concurrency": 2, "celery_beat": 1,
                                         "settings": SETTINGS, "think_seconds": list(think), "seconds": seconds,
                                         "mix": list(mix),
                                         "ramp_seconds": ramp, "redis": [redis_url, cache_url]},
                              "load": []}
    finished = False
    try:
        with interrupts_stop():
            empty_redis(redis_url, cache_url)
            log("Preparing the database and accounts; collecting static files...")
            collect = processes.start("collectstatic", [str(BIN / "python"), "manage.py", "collectstatic",
                                                        "--no-input"], env)
            prepared = subprocess.run(  # noqa: S603
                [str(BIN / "python"), str(ROOT / "bench" / "load.py"), "prepare", "--accounts", str(accounts),
                 "--password", password, "--scale", str(scale)], cwd=ROOT, env=env, capture_output=True, text=True)
            if prepared.returncode != 0:
                raise RuntimeError(f"preparing the database failed:\n{prepared.stdout}{prepared.stderr[-3000:]}")
            log(prepared.stdout.strip())
            if collect.wait() != 0:
                raise RuntimeError(f"collectstatic failed:\n{processes.tail('collectstatic')}")
            gunicorn = processes.start("gunicorn", [
                str(BIN / "gunicorn"), "preceptorship.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--timeout", "120", "--graceful-timeout", "5"], env, service=True)
            processes.start("worker", [str(BIN / "celery"), "-A", "preceptorship", "worker", "--loglevel=INFO",
                                       "--concurrency=2", "--hostname", f"load-{os.getpid()}@%h"], env,
                            service=True)
            # Beat, as deployed: its periodic tasks (the dashboards' figures) are part of the load.
            processes.start("beat", [str(BIN / "celery"), "-A", "preceptorship", "beat", "--loglevel=INFO",
                                     "--schedule", str(work / "celerybeat-schedule")], env, service=True)
            host = f"http://127.0.0.1:{port}"
            wait_until("gunicorn", lambda: answers(f"{host}/readyz"), processes)
            wait_until("the Celery worker", lambda: "ready." in processes.tail("worker", 200), processes)
            wait_until("Celery beat", lambda: "beat: Starting" in processes.tail("beat", 200), processes)
            log(f"gunicorn ({workers} workers) at {host}, a Celery worker and beat are up")
            client_env = {key: env[key] for key in ("PATH", "HOME", "LANG") if key in env}
            # PYTHONPATH: the locustfile imports bench.load_client.
            client_env.update(PYTHONPATH=str(ROOT), LOAD_ACCOUNTS=str(accounts), LOAD_PASSWORD=password,
                              LOAD_THINK=f"{think[0]:g},{think[1]:g}")
            for users in levels:
                log(f"{users} users: mixed traffic for {seconds} s once everybody has signed in...")
                mixed = locust(host=host, users=users, seconds=seconds, ramp=ramp, classes=list(mix),
                               result=work / f"mixed-{users}.json", env=client_env, processes=processes,
                               name=f"locust-mixed-{users}")
                rss = [rss_mb(pid) for pid in children(gunicorn.pid)]
                log(f"{users} users: baseline page for {seconds} s...")
                base = locust(host=host, users=users, seconds=seconds, ramp=ramp, classes=["Baseline"],
                              result=work / f"baseline-{users}.json", env=client_env, processes=processes,
                              name=f"locust-baseline-{users}")
                level = {"users": users, "requests": mixed["requests"], "errors": mixed["errors"],
                         "p50_ms": mixed["p50_ms"], "p95_ms": mixed["p95_ms"], "rps": mixed["rps"],
                         "baseline_rps": base["rps"], "worker_rss_mb": sorted(x for x in rss if x is not None),
                         "throughput_ratio": round(mixed["rps"] / base["rps"], 2) if base["rps"] else None,
                         "baseline": {k: v for k, v in base.items() if k != "by_request"},
                         "by_request": mixed["by_request"], "failures": mixed.get("failures", [])}
                report["load"].append(level)
                log(f"  {users} users: {level['requests']:,} requests, {level['errors']} errors, p50 "
                    f"{level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['rps']} requests/s (baseline "
                    f"{level['baseline_rps']}), workers {level['worker_rss_mb']} MB")
            log_text = "".join((work / f"{name}.log").read_text(errors="replace")
                               for name in ("gunicorn", "worker", "beat"))
            report["server"]["tracebacks_logged"] = log_text.count("Traceback")
            finished = True
    finally:
        processes.stop_all()
        if finished:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"The servers' and Locust's logs are kept in {work}")
        try:
            empty_redis(redis_url, cache_url)
        except Exception as error:  # noqa: BLE001 - the run's own outcome matters more
            log(f"(could not empty Redis: {error})")
    report["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    report["targets"] = verdicts(report["load"])
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
    return report


def print_report(report: dict[str, Any]) -> None:
    print(json.dumps({"load": [{key: level[key] for key in ("users", "requests", "errors", "p50_ms", "p95_ms", "rps",
                                                            "baseline_rps", "worker_rss_mb")}
                               for level in report["load"]]}, indent=2))
    print("\nTargets")
    for row in report["targets"]:
        print(f"  {'holds' if row['holds'] else 'MISSED':<7} {row['target']}: {row['figure']}")
    for level in report["load"]:
        for failure in level["failures"][:5]:
            print(f"  {level['users']} users, failed: {failure['request']} ×{failure['occurrences']}: "
                  f"{failure['error']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    setup = commands.add_parser("prepare", help="(used by the run) migrate, generate, choose the accounts")
    setup.add_argument("--accounts", type=Path, required=True)
    setup.add_argument("--password", required=True)
    setup.add_argument("--scale", type=int, default=1)
    parser.add_argument("--levels", default="50,200", help="Concurrent users, comma-separated (default 50,200).")
    parser.add_argument("--seconds", type=int, default=120, help="Measured seconds per run (default 120).")
    parser.add_argument("--think", default="1,3", help="Pause between clicks: min,max seconds (default 1,3).")
    parser.add_argument("--ramp", type=int, default=10, help="Seconds over which the users sign in (default 10).")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 × cores + 1).")
    parser.add_argument("--scale", type=int, choices=[1, 10], default=1, help="Scale to generate if none (default 1).")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/8"),
                        help="The broker's Redis database (default redis://127.0.0.1:6379/8; the cache uses the next).")
    parser.add_argument("--json", help="Also write the figures to this file.")
    parser.add_argument("--mix", default=",".join(MIXED),
                        help="The simulated roles of the mixed traffic, comma-separated (default: all of them).")
    options = parser.parse_args(argv)
    if options.command == "prepare":
        prepare(options.accounts, options.password, options.scale)
        return 0
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL database of the load test's own")
    low, _, high = options.think.partition(",")
    try:
        report = run_load(database_url, [int(n) for n in options.levels.split(",")], options.seconds,
                          redis_url=options.redis_url, think=(float(low), float(high or low)), ramp=options.ramp,
                          workers=options.workers, scale=options.scale, json_path=options.json,
                          mix=options.mix.split(","))
    except KeyboardInterrupt:
        print("Interrupted; every process the run started has been stopped.", file=sys.stderr)
        return 130
    print_report(report)
    if options.json:
        print(f"\nWrote {options.json}")
    return 0 if all(row["holds"] for row in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
