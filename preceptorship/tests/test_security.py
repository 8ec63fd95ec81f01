"""Security headers on every kind of answer, no inline script or style in any template, and bandit
finding nothing of medium severity or above (`check --deploy` is in test_settings.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person

Role = Membership.Role
BASE = Path(settings.BASE_DIR)


def _policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _answers(organisation: Any) -> list[tuple[str, Any]]:
    anonymous = Client()
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(person(organisation, Role.MENTOR))
    return [
        ("sign-in page", anonymous.get(reverse("login"))),
        ("refused sign-in", anonymous.post(reverse("login"), {"username": "x@example.org", "password": "wrong"})),
        ("home", signed_in.get(reverse("home"))),
        ("profile form", signed_in.get(reverse("profile"))),
        ("page not found", signed_in.get("/no-such-page/")),
        ("health check", anonymous.get(reverse("healthz"))),
    ]


@pytest.mark.django_db
def test_every_kind_of_answer_carries_the_security_headers(organisation: Any, settings: Any) -> None:
    settings.REDIS_URL = ""
    for what, response in _answers(organisation):
        policy = _policy(response)
        for directive in ("script-src", "style-src"):
            allowed = policy.get(directive) or policy["default-src"]
            assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed, f"{what}: {directive} {allowed}"
            assert "*" not in allowed and "data:" not in allowed, f"{what}: {directive} {allowed}"
        assert policy["object-src"] == ["'none'"], what
        assert policy["frame-ancestors"] == ["'none'"], what
        assert policy["base-uri"] == ["'self'"], what
        assert response.headers["X-Content-Type-Options"] == "nosniff", what
        assert response.headers["Referrer-Policy"] == "same-origin", what
        assert response.headers["X-Frame-Options"] == "DENY", what


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_not_readable_by_script(organisation: Any) -> None:
    user = person(organisation, Role.MENTOR, email="cookie@example.org")
    user.set_password("a-long-enough-password")
    user.save()
    response = Client().post(reverse("login"), {"username": user.email, "password": "a-long-enough-password"})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"].lower() == "lax"


def _template_files() -> list[Path]:
    folders = [Path(folder) for config in settings.TEMPLATES for folder in config["DIRS"]]
    folders += [BASE / app / "templates" for app in ("preceptorship", "programmes", "progression")]
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.html"))


# PDFs are drawn by WeasyPrint from our own templates (no browser, no policy); e-mails are read
# in mail clients, not served by us.
NOT_SERVED = ("pdf/", "email/")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']|javascript:", re.IGNORECASE)


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    files = _template_files()
    assert len(files) > 20, files
    problems = []
    for path in files:
        relative = path.relative_to(BASE).as_posix()
        if any(f"/{part}" in relative for part in NOT_SERVED):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: {match.group(0).strip()}")
    assert not problems, "The Content Security Policy would refuse these:\n  " + "\n  ".join(problems)


def test_the_inline_check_finds_what_it_looks_for() -> None:
    template = engines["django"].from_string('<p style="color: red" onclick="go()">x</p><script>go()</script>')
    text = template.render({})
    assert INLINE_SCRIPT.search(text) and INLINE_STYLE.search(text)
    assert not INLINE_SCRIPT.search('<script type="module" src="/static/js/app.mjs"></script>')


BANDIT = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")


@pytest.mark.skipif(BANDIT is None, reason="bandit is not installed (pip install -r requirements-dev.txt)")
def test_bandit_finds_nothing_of_medium_severity_or_above() -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own tree
        [BANDIT, "-q", "-r", "preceptorship", "programmes", "progression",
         "--severity-level", "medium", "--confidence-level", "medium", "-f", "txt"],
        cwd=BASE, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
