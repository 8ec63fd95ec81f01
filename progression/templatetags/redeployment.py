"""Whether the viewer may record a redeployment on a case, for the case page's actions."""

from __future__ import annotations

from typing import Any

from django import template

from progression.services import redeploy_refusal

register = template.Library()


@register.simple_tag
def may_redeploy(case: Any, user: Any) -> bool:
    return not redeploy_refusal(case, user)
