"""``check --deploy`` says when long jobs would run inside web requests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core import checks

from preceptorship.checks import LONG_JOBS_IN_REQUESTS, long_jobs_need_a_worker

ROOT = Path(__file__).resolve().parents[2]


def test_no_broker_with_debug_off_is_a_warning(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    [warning] = long_jobs_need_a_worker()
    assert warning.id == LONG_JOBS_IN_REQUESTS and warning.level == checks.WARNING
    assert "inside web requests" in warning.msg


def test_a_broker_or_development_mode_is_clean(settings):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://127.0.0.1:6379/11"
    assert long_jobs_need_a_worker() == []
    settings.DEBUG = True
    settings.REDIS_URL = ""
    assert long_jobs_need_a_worker() == []


def test_check_deploy_fails_at_warning_level_without_redis_url():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    env.update({"SECRET_KEY": "a" * 20 + "-production-like-secret-" + "b" * 30, "ALLOWED_HOSTS": "preceptorship.example",
                "DJANGO_SETTINGS_MODULE": "preceptorship.settings.production"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert LONG_JOBS_IN_REQUESTS in result.stderr
    plain = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert plain.returncode == 0 and LONG_JOBS_IN_REQUESTS not in plain.stdout + plain.stderr
