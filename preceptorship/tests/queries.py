"""Query counts that must not grow with the data: a page read at two data sizes takes the same
number of queries. A test pins an exact number only where the number itself is the point (a
set-based sweep of two queries, say); elsewhere the same count at two sizes is the promise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(read: Callable[[], Any]) -> tuple[list[str], Any]:
    """The SQL of every query ``read()`` makes, and what it returned."""
    with CaptureQueriesContext(connection) as captured:
        result = read()
    return [query["sql"] for query in captured.captured_queries], result


def assert_same_queries_at_two_sizes(read: Callable[[], Any], grow: Callable[[], Any]) -> tuple[Any, Any]:
    """``read()`` makes as many queries after ``grow()`` has added data as before; returns both
    answers. On a difference the message lists the queries of both reads."""
    small, first = queries_of(read)
    grow()
    large, second = queries_of(read)
    assert len(small) == len(large), (
        f"{len(small)} queries before the data grew, {len(large)} after:\n  "
        + "\n  ".join(small) + "\n----\n  " + "\n  ".join(large)
    )
    return first, second
