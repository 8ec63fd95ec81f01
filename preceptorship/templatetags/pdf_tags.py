"""The letterhead of a PDF: the NHS logo only for an NHS organisation (``preceptorship.pdf``)."""

from __future__ import annotations

from typing import Any

from django import template

from preceptorship import pdf

register = template.Library()


@register.filter
def nhs_branded(organisation: Any) -> bool:
    return pdf.nhs_branded(organisation)
