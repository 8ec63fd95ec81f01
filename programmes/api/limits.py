"""The rate limit of each token, counted in the shared cache (Redis in production) so that every web
server counts the same requests.

A fixed window: one counter per token per window, created with ``cache.add`` and raised with
``cache.incr``, both single atomic steps on Redis, so two servers answering the same token at once
never lose a count (a read-then-write of a history list, as django-ninja's own throttle keeps,
can). When the cache cannot be reached, requests are let through: the limit protects the service,
it is not a rule of the data.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def wait_seconds(key: str) -> int | None:
    """Count one request of ``key``; the whole seconds to wait when it is over the limit, else None."""
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW_SECONDS
    now = timezone.now().timestamp()
    slot = int(now // window)
    cache_key = f"api-rate:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the counter expired in between, or the cache is unreachable
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
