"""``manage.py check --deploy`` warns when a server would let powerful accounts sign in with a
password alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

TWO_STEP_OFF = "preceptorship.W002"


@checks.register(checks.Tags.security, deploy=True)
def two_step_sign_in_is_on(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.TWO_STEP_REQUIRED:
        return []
    return [
        checks.Warning(
            "TWO_STEP_REQUIRED is off: administrators, HR, programme and ICS leads, Operational Directors and "
            "data protection officers sign in with a password alone.",
            hint="Unset TWO_STEP_REQUIRED (it is on by default in production), as docs/deploy.md says.",
            id=TWO_STEP_OFF,
        )
    ]
