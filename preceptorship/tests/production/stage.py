"""What the production stage (.ci/production) started, as its tests see it, and helpers to drive it.

The stage passes addresses and file names in ``PRODUCTION_*`` variables; the production settings
themselves stay in the environment file the servers were started with, so this process keeps the
test settings. Commands that must run as production runs them (the reminder sweep, queueing an
export) go through ``manage`` with that file's environment, in the release folder.
"""

from __future__ import annotations

import base64
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
from urllib.parse import urlsplit

import pytest
from django_otp.oath import hotp
from playwright.sync_api import expect
from time_machine import escape_hatch

from bench.demo.directory import PEOPLE
from preceptorship.tests.browser import check_page, goto

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


# Two-step sign-in is on, as in any production: the powerful accounts' sign-ins below set up an
# authenticator app the first time and give a code from it afterwards, as a person does.
TWO_STEP_SET_UP = "/sign-in/two-step/set-up/"
TWO_STEP_CODE = "/sign-in/two-step/"
CODE_SECONDS = 30
# The key typed at set-up, by e-mail address, as the person's app keeps it; and the last time step
# whose code each one gave (the servers accept a code once, and the one after it at most a step
# early).
_app_keys: dict[str, bytes] = {}
_last_step: dict[str, int] = {}


def app_code(email: str) -> str:
    """The code the person's app shows: the current step's, or the next one's when the current one
    was given already (the servers allow an app a step ahead of their clock); otherwise wait for the
    next step. The real clock: this process's is pinned, the servers' is not."""
    while True:
        now = escape_hatch.time.time()
        step = int(now) // CODE_SECONDS
        for candidate in (step, step + 1):
            if candidate > _last_step.get(email, -1):
                _last_step[email] = candidate
                return f"{hotp(_app_keys[email], candidate):06d}"
        time.sleep((step + 1) * CODE_SECONDS - now + 0.2)


def sign_in(page: Any, server: Server, email: str, password: str) -> None:
    """Sign in through the form as a person would, then, for an account that must use two-step
    sign-in, set up its app (the first time: the key typed from the set-up page, the recovery codes
    acknowledged) or give the app's code; land on the home page."""
    goto(page, server("/sign-in/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    step = urlsplit(page.url).path
    if step == TWO_STEP_SET_UP:
        expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
        check_page(page)
        page.get_by_text("I cannot scan the QR code").click()
        _app_keys[email] = base64.b32decode(page.locator("[data-two-step-key]").inner_text().replace(" ", ""))
        page.get_by_label("Code from your authenticator app").fill(app_code(email))
        page.get_by_role("button", name="Confirm the code").click()
        expect(page.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
        check_page(page)
        page.get_by_role("button", name="I have kept my codes, continue").click()
        report(f"two-step sign-in: {email.split('@')[0]} set up an authenticator app and was shown recovery codes")
    elif step == TWO_STEP_CODE:
        assert email in _app_keys, f"{email} was asked for a code, but set up no app in this run"
        page.get_by_label("Code", exact=True).fill(app_code(email))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url == server("/"), f"Signing in as {email} ended at {page.url}"
