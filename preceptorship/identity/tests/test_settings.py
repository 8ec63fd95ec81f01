"""The OIDC_DEFAULT_* variables: a half-set default provider stops the site at start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OIDC_")}
    env.update({"DJANGO_SETTINGS_MODULE": "preceptorship.settings.development", **extra_env})
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )


COMPLETE = {
    "OIDC_DEFAULT_ISSUER": "https://login.example/tenant/v2.0",
    "OIDC_DEFAULT_CLIENT_ID": "client",
    "OIDC_DEFAULT_CLIENT_SECRET": "secret",
    "OIDC_DEFAULT_ALLOWED_DOMAINS": "nhs.example",
    "OIDC_DEFAULT_ORGANISATIONS": "example-trust",
}


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"OIDC_DEFAULT_CLIENT_SECRET": ""}, "set OIDC_DEFAULT_CLIENT_SECRET too"),
        ({"OIDC_DEFAULT_ORGANISATIONS": ""}, "set OIDC_DEFAULT_ORGANISATIONS too"),
        ({"OIDC_DEFAULT_ISSUER": "http://login.example/tenant"}, "must start with https://"),
    ],
)
def test_a_half_set_default_provider_stops_start_up(changed: dict[str, str], message: str) -> None:
    result = _check({**COMPLETE, **changed})
    assert result.returncode != 0 and message in result.stderr, result.stderr[-500:]


def test_a_complete_default_provider_starts() -> None:
    result = _check(COMPLETE)
    assert result.returncode == 0, result.stderr[-500:]
