"""The retention schedule from the environment: a kind's period can be changed, and a value that
is not a period stops ``manage.py`` with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(extra: dict[str, str], *args: str, command: str = "check") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL",
                                                           "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "preceptorship.settings.development", **extra})
    return subprocess.run([sys.executable, "manage.py", command, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_kind_is_given_another_period_from_the_environment() -> None:
    result = _manage({"RETENTION_NEEDS_ASSESSMENTS": "2 years"}, "-c",
                     "from programmes.privacy import schedule; print(schedule.periods()['needs_assessments'])",
                     command="shell")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2 years"


def test_a_period_that_is_not_one_stops_start_up() -> None:
    result = _manage({"RETENTION_LEAVERS": "six years"})
    assert result.returncode != 0
    assert "RETENTION['leavers']" in result.stderr and "'six years' is not a retention period" in result.stderr
