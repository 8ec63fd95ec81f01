"""Values kept in the cache between requests, for pages that read the same records again and again.

- ``kept_while_unchanged(name, row, compute, seconds)``: what ``compute()`` reads about one record
  (a progression case, an enrolment), kept under the record's ``updated_at``. The caller reads the
  record afresh on every request and makes sure every change to what ``compute`` reads moves
  ``updated_at`` in the same transaction: then a change made by any process is seen at once.
- ``digest(value)``: a short name for everything a rendered part shows (``repr`` of plain values),
  to key Django's ``{% cache %}`` tag by: the same values render once, any change renders anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")


def kept_while_unchanged(name: str, row: Any, compute: Callable[[], T], seconds: int) -> T:
    key = f"{name}:{row.pk}:{row.updated_at.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()
