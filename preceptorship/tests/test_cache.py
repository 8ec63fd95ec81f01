"""The cache: Redis shared by every process when REDIS_URL is set, local memory otherwise, and a
Redis outage is a cache miss, never an error page.

The suite itself keeps each test process's own local-memory cache (preceptorship/settings/test.py), so
parallel workers never meet each other's values; the test marked ``redis`` proves the production
configuration with two processes sharing one Redis.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from preceptorship.cache import ForgivingRedisCache
from preceptorship.models import Membership
from preceptorship.settings.base import _cache_url
from preceptorship.tests.factories import person

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "preceptorship.cache.ForgivingRedisCache",
        "LOCATION": CLOSED_PORT,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}


def _in_production_settings(code: str, **environment: str) -> str:
    """Run ``code`` in a new process with the production settings and ``environment``."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "REDIS_URL", "REDIS_CACHE_URL", "DATABASE_URL"}}
    env.update({"SECRET_KEY": "s" * 50, "DJANGO_SETTINGS_MODULE": "preceptorship.settings.production", **environment})
    script = "import django, json\ndjango.setup()\nfrom django.conf import settings\n" + code
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_each_process_has_its_own_memory() -> None:
    caches = json.loads(_in_production_settings("print(json.dumps(settings.CACHES))"))
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_the_cache_is_redis_in_a_database_other_than_the_brokers() -> None:
    caches = json.loads(_in_production_settings("print(json.dumps(settings.CACHES))",
                                                REDIS_URL="redis://cache.internal:6379/0"))
    assert caches["default"]["BACKEND"] == "preceptorship.cache.ForgivingRedisCache"
    assert issubclass(ForgivingRedisCache, RedisCache)
    assert caches["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    assert caches["default"]["KEY_PREFIX"] == "preceptorship"


def test_the_cache_database_follows_the_broker_or_is_named() -> None:
    assert _cache_url("redis://:secret@redis:6379/3") == "redis://:secret@redis:6379/4"
    assert _cache_url("rediss://redis:6380") == "rediss://redis:6380/1"
    assert _cache_url("redis://redis:6379/15") == "redis://redis:6379/14"  # the last of Redis's 16
    with pytest.raises(ImproperlyConfigured, match="REDIS_CACHE_URL"):
        _cache_url("unix:///run/redis.sock?db=0")
    named = _in_production_settings('print(settings.CACHES["default"]["LOCATION"])',
                                    REDIS_URL="redis://broker:6379/0", REDIS_CACHE_URL="redis://cache:6379/5")
    assert named == "redis://cache:6379/5"


@override_settings(CACHES=UNREACHABLE_CACHE)
def test_an_unreachable_redis_is_a_cache_miss() -> None:
    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)
    assert cache.get_or_set("computed", lambda: 42) == 42
    assert cache.add("new", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")


def test_a_redis_that_does_not_answer_costs_one_timeout_then_is_skipped() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        backend = ForgivingRedisCache(f"redis://127.0.0.1:{port}/0", {
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        })
        started = time.monotonic()
        assert backend.get("anything", "default") == "default"
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(100):
            assert backend.get("anything") is None
            backend.set("anything", 1)
        rest = time.monotonic() - started
    assert 0.15 < first < 2
    assert rest < 0.2  # skipped for RETRY_SECONDS, not 200 more timeouts


@pytest.mark.django_db
def test_pages_work_while_the_cache_is_unreachable(client: Any, organisation: Any) -> None:
    lead = person(organisation, Membership.Role.PROGRAMME_LEAD)
    client.force_login(lead)
    with override_settings(CACHES=UNREACHABLE_CACHE):
        for name in ("home", "programmes:dashboard", "programmes:enrolment-list"):
            assert client.get(reverse(name)).status_code == HTTPStatus.OK, name


@pytest.mark.redis
def test_two_processes_share_the_redis_cache() -> None:
    """What one web server keeps, another meets: two processes with the production settings."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL (the cache uses the next database, or REDIS_CACHE_URL)")
    environment = {"REDIS_URL": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_CACHE_URL"):
        environment["REDIS_CACHE_URL"] = os.environ["REDIS_CACHE_URL"]
    key = f"test-shared:{uuid.uuid4().hex}"
    _in_production_settings(
        "from django.core.cache import cache\n"
        f"cache.set({key!r}, {{'kept by': 'the first process'}}, 60)\n",
        **environment,
    )
    found = _in_production_settings(
        "from django.core.cache import cache\n"
        f"print(json.dumps(cache.get({key!r})))\n"
        f"cache.delete({key!r})\n",  # only this key: never clear() a database others may use
        **environment,
    )
    assert json.loads(found) == {"kept by": "the first process"}
