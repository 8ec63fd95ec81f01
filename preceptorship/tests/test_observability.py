"""Logs and error reports: one JSON line per request and per task run, with ids and never a name
or an e-mail address; the request id from X-Request-ID when sane, returned in the response; Sentry
configured from SENTRY_DSN with personal data scrubbed."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from preceptorship.env import env_choice
from preceptorship.models import Membership
from preceptorship.observability import (
    JsonFormatter,
    RequestIdFilter,
    current_request_id,
    scrub_event,
    task_finished,
    task_published,
    task_started,
)
from preceptorship.tasks import sweep_reminders
from preceptorship.tests.factories import person

ROOT = Path(__file__).resolve().parents[2]
NAME, EMAIL = "Okafor", "maya.okafor@example.org"
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the request and task loggers write, as LOG_FORMAT=json configures them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("preceptorship.requests", "preceptorship.tasks", "django.request")]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    yield stream
    for logger, (level, propagate) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def maya(organisation: Any) -> Any:
    return person(organisation, Membership.Role.MENTOR, email=EMAIL, first_name="Maya", last_name=NAME)


@pytest.mark.django_db
def test_one_json_line_per_request_with_ids_and_no_personal_data(client: Any, maya: Any,
                                                                  json_lines: io.StringIO) -> None:
    client.force_login(maya)
    response = client.get(reverse("profile"), {"search": EMAIL})
    assert response.status_code == HTTPStatus.OK and NAME in response.content.decode()

    [line] = _lines(json_lines)
    assert line["request_id"] == response["X-Request-ID"] and HEX_ID.match(line["request_id"])
    assert line["user_id"] == maya.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/profile/", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    raw = json_lines.getvalue()
    assert "@" not in raw and NAME not in raw and "Maya" not in raw and "search" not in raw


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(client: Any, json_lines: io.StringIO) -> None:
    kept = client.get(reverse("livez"), headers={"X-Request-ID": "lb-7f3a9c2e-0b1d"})
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0b1d"
    replaced = client.get(reverse("livez"), headers={"X-Request-ID": f"<script>{EMAIL}</script>"})
    assert HEX_ID.match(replaced["X-Request-ID"])
    first, second = _lines(json_lines)
    assert first["request_id"] == "lb-7f3a9c2e-0b1d" and "user_id" not in first  # a public page: no look-up
    assert second["request_id"] == replaced["X-Request-ID"]
    assert "@" not in json_lines.getvalue()


@pytest.mark.django_db
def test_every_line_made_during_a_request_carries_its_id(client: Any, maya: Any, json_lines: io.StringIO) -> None:
    client.force_login(maya)
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    lines = {line["logger"]: line for line in _lines(json_lines)}
    not_found, request_line = lines["django.request"], lines["preceptorship.requests"]
    assert not_found["logger"] == "django.request" and not_found["level"] == "WARNING"
    assert not_found["request_id"] == request_line["request_id"] == response["X-Request-ID"]
    assert request_line["status"] == 404


@pytest.mark.django_db
def test_one_json_line_per_task_run(json_lines: io.StringIO) -> None:
    result = sweep_reminders.delay()  # eager here: the same signals as on a worker
    [line] = [line for line in _lines(json_lines) if line["logger"] == "preceptorship.tasks"]
    assert line["task"] == "preceptorship.tasks.sweep_reminders"
    assert line["task_id"] == result.id and line["state"] == "SUCCESS"
    assert isinstance(line["duration_ms"], float)


def test_a_task_queued_by_a_request_logs_with_that_requests_id(json_lines: io.StringIO) -> None:
    # The web side: the request's id goes into the task message's headers.
    token = current_request_id.set("req-0a1b2c3d")
    try:
        headers: dict[str, Any] = {"id": "t-1", "task": "preceptorship.tasks.sweep_reminders"}
        task_published(headers=headers)
    finally:
        current_request_id.reset(token)
    assert headers["request_id"] == "req-0a1b2c3d"

    # The worker side: the task's request carries the headers; its lines carry the id, and the
    # next task on the same worker starts without it.
    task = SimpleNamespace(name="preceptorship.tasks.sweep_reminders",
                           request=SimpleNamespace(is_eager=False, request_id=headers["request_id"]))
    task_started(task_id="t-1", task=task)
    logging.getLogger("preceptorship.tasks").warning("inside the task")
    task_finished(task_id="t-1", task=task, state="SUCCESS")
    inside, done = _lines(json_lines)
    assert inside["request_id"] == done["request_id"] == "req-0a1b2c3d"
    assert done["task_id"] == "t-1" and done["state"] == "SUCCESS"
    assert current_request_id.get() is None

    # A header that is not a plain token is not trusted.
    task.request.request_id = f"<{EMAIL}>"
    task_started(task_id="t-2", task=task)
    task_finished(task_id="t-2", task=task, state="SUCCESS")
    assert "request_id" not in _lines(json_lines)[-1] and "@" not in json_lines.getvalue()


def test_log_format_refuses_an_unknown_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT='xml' is not one of: text, json"):
        env_choice("LOG_FORMAT", ("text", "json"), "text")


def _production(code: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "REDIS_URL", "DATABASE_URL", "SENTRY_DSN", "LOG_LEVEL"}}
    env.update({"SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "testserver",
                "DJANGO_SETTINGS_MODULE": "preceptorship.settings.production", **environment})
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result


def test_log_format_json_configures_the_console_for_one_line_per_request() -> None:
    result = _production(
        "from django.test import Client\n"
        "response = Client().get('/livez', headers={'X-Request-ID': 'probe-0001-abcd'})\n"
        "print(response.status_code)\n",
        LOG_FORMAT="json",
    )
    assert result.stdout.strip() == "200"
    [line] = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    assert line["logger"] == "preceptorship.requests" and line["path"] == "/livez" and line["status"] == 200
    assert line["request_id"] == "probe-0001-abcd" and "user_id" not in line


def test_sentry_is_configured_from_sentry_dsn_without_personal_data() -> None:
    result = _production(
        "import sentry_sdk\n"
        "options = sentry_sdk.get_client().options\n"
        "print(json.dumps({'dsn': options['dsn'], 'pii': options['send_default_pii'],\n"
        "                  'locals': options['include_local_variables'],\n"
        "                  'body': options['max_request_body_size'],\n"
        "                  'before_send': options['before_send'].__qualname__,\n"
        "                  'environment': options['environment']}))\n",
        SENTRY_DSN="https://public@sentry.invalid/1", SENTRY_ENVIRONMENT="staging",
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "dsn": "https://public@sentry.invalid/1", "pii": False, "locals": False, "body": "never",
        "before_send": "scrub_event", "environment": "staging",
    }


def test_scrub_event_keeps_the_user_id_and_drops_names_emails_and_bodies() -> None:
    event = {
        "user": {"id": 42, "email": EMAIL, "username": EMAIL, "name": "Maya Okafor", "ip_address": "10.0.0.1"},
        "request": {
            "url": "https://preceptorship.example/profile/", "method": "POST",
            "data": {"first_name": "Maya", "last_name": NAME, "email": EMAIL},
            "query_string": "search=Okafor", "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "Authorization": "Basic x", "User-Agent": "Firefox"},
        },
        "exception": {"values": [{
            "type": "ValueError", "value": f"No account for {EMAIL}",
            "stacktrace": {"frames": [{"function": "profile", "vars": {"name": "Maya Okafor"}}]},
        }]},
        "breadcrumbs": {"values": [{"message": f"sent to {EMAIL}"}]},
        "extra": {"person": "Maya Okafor"},
    }
    scrubbed = scrub_event(event, {})
    text = json.dumps(scrubbed)
    assert scrubbed["user"] == {"id": 42}
    assert "Maya" not in text and NAME not in text and "@" not in text and "sessionid" not in text
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}
    assert scrubbed["exception"]["values"][0]["value"] == "No account for [e-mail]"
