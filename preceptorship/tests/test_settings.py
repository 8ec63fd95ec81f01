import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from preceptorship.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_refuses_a_bad_value(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='maybe' is not a yes/no value"):
        env_bool("SOME_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("A_NUMBER", "12")
    monkeypatch.setenv("HOSTS", "a.example, b.example ,")
    assert env_int("A_NUMBER", 1) == 12
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("A_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("A_NUMBER", 1)


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "preceptorship.settings.production"}
DEVELOPMENT = {"DJANGO_SETTINGS_MODULE": "preceptorship.settings.development"}


def _manage(extra_env: dict[str, str], *args: str, command: str = "check") -> subprocess.CompletedProcess:
    """``manage.py <command>`` in a new process with none of this run's settings, DEBUG or key."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL",
                                                           "DJANGO_SETTINGS_MODULE"}}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_missing_secret_key_stops_production_start_up():
    result = _manage(PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_manage_py_runs_the_development_settings_without_any_environment():
    """A fresh clone: no key, no DEBUG, no DJANGO_SETTINGS_MODULE, and manage.py still starts."""
    result = _manage({}, "--check", "--dry-run", command="makemigrations")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
    debug = _manage({}, "-c", "from django.conf import settings; print(settings.DEBUG)", command="shell")
    assert debug.stdout.strip().splitlines()[-1] == "True", debug.stderr


def test_the_migration_check_runs_with_the_development_settings():
    """CI's migration check (.ci/run) signs nothing: the development settings need no key."""
    result = _manage(DEVELOPMENT, "--check", "--dry-run", command="makemigrations")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        {**PRODUCTION, "SECRET_KEY": "a" * 20 + "-production-like-secret-" + "b" * 30,
         "ALLOWED_HOSTS": "preceptorship.example", "REDIS_URL": "redis://127.0.0.1:6379/11"},
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_settings():
    """Development's debug pages and public key are caught if ever run where production should be."""
    result = _manage({**DEVELOPMENT, "REDIS_URL": "redis://127.0.0.1:6379/11"}, "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr
