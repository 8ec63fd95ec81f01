"""Links to many records of one kind from a single URL reversal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse


def url_maker(name: str, *args: Any) -> Callable[[int], str]:
    """The URL ``name`` for any record's id (its last argument, after ``args``), from one reversal:
    a reversal for each row of a table cost more than the rest of the row's cells."""
    head, tail = reverse(name, args=[*args, 0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"
