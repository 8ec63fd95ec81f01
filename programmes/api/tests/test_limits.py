"""The rate limit counts each token's requests in the shared cache: two web servers count the same
requests (with Redis), a new window starts afresh, and an unreachable cache lets requests through."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from preceptorship.cache import ForgivingRedisCache
from programmes.api import limits

ROOT = Path(__file__).resolve().parents[3]


def _waits_in_a_production_process(key: str, requests: int, environment: dict[str, str]) -> list[int | None]:
    env = {name: value for name, value in os.environ.items() if name not in {"DEBUG", "DATABASE_URL"}}
    env.update({"SECRET_KEY": "s" * 50, "DJANGO_SETTINGS_MODULE": "preceptorship.settings.production",
                "API_RATE_LIMIT": "4", "API_RATE_WINDOW_SECONDS": "86400", **environment})
    script = ("import django, json\ndjango.setup()\nfrom programmes.api import limits\n"
              f"print(json.dumps([limits.wait_seconds({key!r}) for _ in range({requests})]))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip())


@pytest.mark.redis
def test_two_web_servers_count_the_same_tokens_requests() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL (the cache uses the next database, or REDIS_CACHE_URL)")
    environment = {name: os.environ[name] for name in ("REDIS_URL", "REDIS_CACHE_URL") if os.environ.get(name)}
    key = f"test-{uuid.uuid4().hex[:12]}"
    first = _waits_in_a_production_process(key, 3, environment)
    second = _waits_in_a_production_process(key, 2, environment)
    assert first == [None, None, None]
    assert second[0] is None and second[1] is not None and 1 <= second[1] <= 86400


def test_a_new_window_starts_afresh(settings, time_machine) -> None:
    settings.API_RATE_LIMIT, settings.API_RATE_WINDOW_SECONDS = 2, 60
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    time_machine.move_to(start + datetime.timedelta(seconds=15))
    assert [limits.wait_seconds("t") for _ in range(3)] == [None, None, 45]
    time_machine.move_to(start + datetime.timedelta(seconds=61))
    assert limits.wait_seconds("t") is None


def test_an_unreachable_cache_lets_requests_through(settings) -> None:
    settings.API_RATE_LIMIT = 1
    unreachable = {"default": {"BACKEND": "preceptorship.cache.ForgivingRedisCache",
                               "LOCATION": "redis://127.0.0.1:1/0",
                               "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    with override_settings(CACHES=unreachable):
        assert isinstance(caches["default"], ForgivingRedisCache)
        assert [limits.wait_seconds("t") for _ in range(3)] == [None, None, None]
