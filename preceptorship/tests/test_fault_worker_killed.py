"""A real Celery worker killed in the middle of a delivery batch: after a restart every reminder is
delivered exactly once and every notification is marked sent.

The sweep runs in its own process (``manage.py send_due_reminders``) and queues the reminders to
Redis in batches. A real ``celery -A preceptorship worker`` (one process, prefetch one) on this
test's own queue and Redis database sends them with an e-mail backend that writes each message to
a file (preceptorship.tests.fault_mail), so what was sent survives the kill. In the middle of the
second batch the mail "server" stops answering; the worker's whole process group is then killed
with SIGKILL, leaving its batch unacknowledged. A second worker starts, the broker hands it the
killed worker's batch (after a visibility timeout of a few seconds, set for this test) and the
batch nobody had taken, and the test waits until every notification is sent.

Needs PostgreSQL and Redis (CI's second pass: DATABASE_URL and REDIS_URL); skipped otherwise. The
worker uses pytest-django's test database (``test_<name>``), so the test is transactional: the
worker sees only committed rows.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from preceptorship.models import Notification
from preceptorship.notifications import notification_deliver
from preceptorship.tests.factories import NotificationFactory
from preceptorship.tests.fault_mail import sent_messages
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

# Two review reminders each (preceptee and mentor; no line manager): 120, three batches of 50, 50 and 20.
ENROLMENTS = 60
HOLD_AT = 70  # the mail server stops answering before the 71st message: in the second batch
REDIS_DB = 13  # this test's own Redis database: nothing else's messages are restored or consumed
VISIBILITY_TIMEOUT = 6  # seconds before Redis gives an unacknowledged message to another worker
PYTHON = Path(sys.executable)
CELERY = PYTHON.parent / "celery"


def _skip_reason() -> str:
    if not os.environ.get("REDIS_URL"):
        return "needs a Redis broker: set REDIS_URL (CI's PostgreSQL and Redis pass sets it)"
    if connection.vendor != "postgresql":
        return "needs PostgreSQL, which a worker in another process can share: set DATABASE_URL as CI does"
    if not CELERY.exists():
        return f"the celery command is not installed beside {PYTHON}"
    return ""


def database_url() -> str:
    """The URL of pytest-django's test database, for the worker and the sweep."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


class Fault:
    """The processes this test starts, their shared environment and what the mail backend recorded."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sent = directory / "sent"
        self.sent.mkdir()
        self.queue = f"fault-worker-killed-{uuid.uuid4().hex[:12]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "preceptorship.tests.fault_worker_settings",
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url(),
            "FAULT_QUEUE": self.queue,
            "FAULT_MAIL_DIR": str(self.sent),
            "FAULT_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "SECRET_KEY": f"fault-test-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.workers: list[subprocess.Popen] = []

    def sweep(self) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            # The sweep's own process has the real clock: tell it the tests' day.
            [str(PYTHON), "manage.py", "send_due_reminders", "--today", timezone.localdate().isoformat()],
            cwd=settings.BASE_DIR, env=self.env,
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 0, f"the sweep failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start_worker(self, name: str) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        worker = subprocess.Popen(  # noqa: S603 - the celery command beside our interpreter
            [str(CELERY), "-A", "preceptorship", "worker", "-Q", self.queue, "-n", f"{name}@%h",
             "--concurrency", "1", "--prefetch-multiplier", "1", "--pool", "prefork",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill takes the pool's child too
        )
        log.close()
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        with_group = True
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            with_group = False
        worker.wait(timeout=10)
        assert with_group, f"the worker had already stopped:\n{self.log(worker)}"

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                try:
                    os.killpg(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                worker.wait(timeout=10)

    def log(self, worker: subprocess.Popen) -> str:
        index = self.workers.index(worker) + 1
        path = self.directory / f"worker{index}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def wait_for(self, condition, what: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            for worker in self.workers:
                if worker.poll() is not None and worker.returncode != -signal.SIGKILL:
                    raise AssertionError(f"a worker stopped ({worker.returncode}):\n{self.log(worker)}")
            time.sleep(0.1)
        logs = "\n".join(self.log(worker) for worker in self.workers)
        raise AssertionError(f"timed out after {seconds}s waiting for {what}\n{logs}")


@pytest.fixture
def fault(tmp_path: Path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    running = Fault(tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
        # The queue is this run's alone: leave nothing of it in Redis.
        client = redis.Redis.from_url(redis_url())
        client.delete(running.queue, *client.scan_iter(f"_kombu.binding*.{running.queue}"))
        client.close()


def statuses() -> Counter[str]:
    return Counter(Notification.objects.values_list("status", flat=True))


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_then_restarted_delivers_every_reminder_exactly_once(fault: Fault) -> None:
    today = timezone.localdate()
    programme = ProgrammeFactory()
    for _ in range(ENROLMENTS):
        EnrolmentFactory(programme=programme, next_review_due=today + datetime.timedelta(days=14), line_manager=None)

    assert '"total": 120' in fault.sweep()  # recorded and queued to Redis in three batches
    assert statuses() == {Notification.Status.PENDING: 120}

    (fault.directory / "hold-at").write_text(str(HOLD_AT))
    first = fault.start_worker("worker1")
    fault.wait_for((fault.directory / "holding").exists, f"the worker to send {HOLD_AT} messages", 30)
    fault.kill(first)
    assert len(sent_messages(fault.sent)) == HOLD_AT  # some sent, not all: killed in the middle of a batch

    (fault.directory / "hold-at").unlink()
    fault.start_worker("worker2")
    fault.wait_for(lambda: statuses() == {Notification.Status.SENT: 120}, "every notification to be sent", 40)

    sent = Counter((message["to"], message["subject"]) for message in sent_messages(fault.sent))
    expected = Counter(Notification.objects.values_list("recipient__email", "subject"))
    twice = {key: count for key, count in sent.items() if count > 1}
    assert not twice, f"sent more than once: {twice}"
    missing = expected - sent
    assert not missing, f"never sent: {missing}"
    assert sent == expected
    assert len(expected) == 120  # one key per reminder, so each reminder was sent exactly once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notification_another_worker_is_sending_is_skipped_then_sent_once_if_that_worker_dies() -> None:
    """The lock that makes a killed worker's notification pending again also keeps a second worker
    (a duplicated or redelivered message) away while the first is still sending it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks): set DATABASE_URL as CI does")
    notification = NotificationFactory()
    sending, dies = threading.Event(), threading.Event()

    def first_worker() -> None:
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification.pk)  # as delivery holds it
                sending.set()
                dies.wait(10)
                raise ConnectionAbortedError("killed")  # its transaction rolls back, as a dropped connection's does
        except ConnectionAbortedError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert sending.wait(10)
        assert notification_deliver(notification_id=notification.pk) == "not-pending"
        assert mail.outbox == []
    finally:
        dies.set()
        thread.join(10)
    assert notification_deliver(notification_id=notification.pk) == Notification.Status.SENT
    assert notification_deliver(notification_id=notification.pk) == "not-pending"
    assert [message.to for message in mail.outbox] == [[notification.recipient.email]]
