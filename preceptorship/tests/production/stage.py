"""What the production stage (.ci/production) started, as its tests see it, and helpers to drive it.

The stage passes addresses and file names in ``PRODUCTION_*`` variables; the production settings
themselves stay in the environment file the servers were started with, so this process keeps the
test settings. Commands that must run as production runs them (the reminder sweep, queueing an
export) go through ``manage`` with that file's environment, in the release folder.
"""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bench.demo.directory import PEOPLE

T = TypeVar("T")

BASE_URL = os.environ.get("PRODUCTION_BASE_URL", "")
NOT_STARTED = "runs in the production stage only (.ci/production sets PRODUCTION_BASE_URL)"
# Work a worker does (an evidence pack, an export, the reminder e-mails) on a busy machine.
WORKER_SECONDS = 60
EMAILS = {row[0]: row[3] for row in PEOPLE}

# The module-level marks of every production test: selected with -m production, skipped elsewhere.
MARKS = [pytest.mark.production, pytest.mark.skipif(not BASE_URL, reason=NOT_STARTED)]


@dataclass(frozen=True)
class Server:
    """One gunicorn server; ``url`` is what the browser harness's helpers call ``live_server.url``."""

    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@dataclass(frozen=True)
class Stage:
    first: Server
    second: Server
    password: str
    env_file: Path
    release: Path
    maildir: Path
    worker_log: Path
    beat_log: Path
    beat_pid: int
    worker_pid: int

    @classmethod
    def from_environment(cls) -> Stage:
        env = os.environ
        return cls(
            first=Server(env["PRODUCTION_BASE_URL"]),
            second=Server(env["PRODUCTION_SECOND_URL"]),
            password=env["PRODUCTION_DEMO_PASSWORD"],
            env_file=Path(env["PRODUCTION_ENV_FILE"]),
            release=Path(env["PRODUCTION_RELEASE"]),
            maildir=Path(env["PRODUCTION_MAILDIR"]),
            worker_log=Path(env["PRODUCTION_WORKER_LOG"]),
            beat_log=Path(env["PRODUCTION_BEAT_LOG"]),
            beat_pid=int(env["PRODUCTION_BEAT_PID"]),
            worker_pid=int(env["PRODUCTION_WORKER_PID"]),
        )

    def production_environment(self) -> dict[str, str]:
        variables = {key: value for key, value in os.environ.items()
                     if not key.startswith(("PRODUCTION_", "DJANGO_", "PYTEST_")) and key != "DEBUG"}
        for line in self.env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key:
                variables[key] = value
        return variables

    def manage(self, *arguments: str, timeout: int = 120) -> str:
        """Run manage.py in the release folder with the production environment; its standard output."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", *arguments], cwd=self.release, env=self.production_environment(),
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        assert done.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def messages(self) -> dict[str, Message]:
        """Every message the local mail server has received so far, by its key in the Maildir."""
        return dict(mailbox.Maildir(self.maildir, create=False).items())

    def email(self, key: str) -> str:
        return EMAILS[key]


def report(text: str) -> None:
    """One line of the stage's summary (the stage runs pytest with -s)."""
    print(f"\n  ok       {text}", end="", flush=True)


def until(what: str, probe: Callable[[], T | None], *, seconds: float = WORKER_SECONDS, every: float = 1.0) -> T:
    """Call ``probe`` until it returns something truthy; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:.0f} s")
        time.sleep(every)


def fetch(page: Any, address: str) -> Any:
    """GET with the page's cookies (the signed-in person), as a download link would; the response."""
    response = page.request.get(address)
    assert response.status == 200, f"{address} answered {response.status}"
    return response


def fetch_pdf(page: Any, address: str) -> bytes:
    response = fetch(page, address)
    content_type = response.headers.get("content-type", "")
    body = response.body()
    assert content_type == "application/pdf", f"{address}: Content-Type {content_type!r}"
    assert body.startswith(b"%PDF"), f"{address}: not a PDF ({body[:20]!r})"
    assert "attachment" in response.headers.get("content-disposition", ""), f"{address}: not an attachment"
    return body


def href(page: Any, link: Any) -> str:
    """The absolute address a link points to."""
    return page.evaluate("element => element.href", link.element_handle())
