"""Django's ``{# #}`` comments end on the line they start: one that runs on is shown to users."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

OPENING = re.compile(r"\{#")


def test_no_template_comment_runs_over_a_line():
    templates = Path(settings.BASE_DIR) / "templates"
    unfinished = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html")) + sorted(templates.rglob("*.txt"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for found in OPENING.finditer(line)
        if "#}" not in line[found.end():]
    ]
    assert unfinished == [], f"use {{% comment %}} for comments over several lines: {unfinished}"

