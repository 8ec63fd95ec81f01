"""Health for load balancers: /livez (the process answers) and /readyz (the database; Redis only
degrades), beside /healthz, which names every failing part with 503.

The last tests start a process with the production settings (DEBUG off, HTTPS redirect on) and a
database or Redis that nothing answers on, as a web server would see them in an outage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_livez_answers_without_touching_the_database(client: Any) -> None:
    # No django_db mark: pytest-django fails any database access in this test.
    response = client.get(reverse("livez"))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_with_the_database(client: Any, settings: Any) -> None:
    settings.REDIS_URL = ""
    response = client.get(reverse("readyz"))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}, "failing": []}


@pytest.mark.django_db
def test_readyz_stays_ready_but_degraded_while_redis_is_unreachable(client: Any, settings: Any) -> None:
    settings.REDIS_URL = CLOSED_REDIS
    response = client.get(reverse("readyz"))
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["status"] == "degraded" and body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("error: ")
    # /healthz, for monitoring, still names the outage with 503.
    assert client.get(reverse("healthz")).status_code == HTTPStatus.SERVICE_UNAVAILABLE


@pytest.mark.django_db
def test_readyz_checks_a_cache_on_another_redis_server(client: Any, settings: Any) -> None:
    settings.REDIS_URL = ""
    settings.REDIS_CACHE_URL = "redis://127.0.0.1:1/1"
    body = client.get(reverse("readyz")).json()
    assert body["status"] == "degraded" and body["failing"] == ["cache"]


@pytest.mark.django_db
def test_readyz_takes_the_server_out_when_the_database_fails(client: Any, settings: Any) -> None:
    settings.REDIS_URL = ""
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("readyz"))
        live = client.get(reverse("livez"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["status"] == "error" and response.json()["failing"] == ["database"]
    assert live.status_code == HTTPStatus.OK


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["livez", "readyz"])
def test_health_is_public_and_refuses_post(client: Any, settings: Any, name: str) -> None:
    settings.REDIS_URL = ""
    assert client.get(reverse(name)).status_code == HTTPStatus.OK
    assert client.post(reverse(name)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def _production_answers(database_url: str, redis_url: str) -> dict[str, Any]:
    """GET each health URL over plain HTTP in a new process with the production settings."""
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "REDIS_CACHE_URL"}}
    env.update({"SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": database_url,
                "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "preceptorship.settings.production"})
    script = (
        "import django, json\ndjango.setup()\nfrom django.test import Client\n"
        "answers = {}\n"
        "for name in ('livez', 'readyz', 'healthz'):\n"
        "    response = Client().get('/' + name)\n"
        "    answers[name] = [response.status_code, response.json() if response.status_code != 301 else None]\n"
        "print(json.dumps(answers))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_in_production_an_unreachable_database_fails_readyz_only(tmp_path: Path) -> None:
    answers = _production_answers("postgres://nobody@127.0.0.1:1/nothing", "")
    assert answers["livez"] == [200, {"status": "ok"}]  # and not redirected to HTTPS
    assert answers["readyz"][0] == 503 and answers["readyz"][1]["failing"] == ["database"]
    assert answers["healthz"][0] == 503


def test_in_production_an_unreachable_redis_leaves_the_server_ready(tmp_path: Path) -> None:
    answers = _production_answers(f"sqlite:///{tmp_path / 'db.sqlite3'}", CLOSED_REDIS)
    assert answers["livez"] == [200, {"status": "ok"}]
    assert answers["readyz"][0] == 200
    assert answers["readyz"][1]["status"] == "degraded" and answers["readyz"][1]["failing"] == ["redis"]
    assert answers["healthz"][0] == 503 and answers["healthz"][1]["failing"] == ["redis"]
