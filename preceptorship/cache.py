"""The shared cache: Django's RedisCache, with Redis being unreachable (or failing) treated as a cache miss.

Everything kept in the cache can be computed again from the database (rendered parts of pages,
what a page read of a record), so a Redis outage makes pages slower, never broken: a read
finds nothing, a write is dropped. After a failure the cache is not asked again for
``RETRY_SECONDS``, so a Redis host that does not answer costs one timeout per web server thread
every few seconds, not one per cache call. Values keyed by a record's ``updated_at`` stay right
through an outage.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Refused, timed out, something else answering on the port, Redis loading or read-only during a
# failover: all mean the cache cannot be used now. (A key Redis does not hold is not an error.)
UNREACHABLE = (RedisError, OSError)

F = TypeVar("F", bound=Callable[..., Any])


def _miss_when_unreachable(fallback: Callable[..., Any]) -> Callable[[F], F]:
    """Run the RedisCache method unless Redis failed a moment ago; on failure answer ``fallback``."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: ForgivingRedisCache, *args: Any, **kwargs: Any) -> Any:
            if time.monotonic() < self._unreachable_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._unreachable_until = time.monotonic() + RETRY_SECONDS
                logger.warning("Cache unreachable (%s): serving without it for %s seconds",
                               error.__class__.__name__, RETRY_SECONDS)
                return fallback(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _empty(*args: Any, **kwargs: Any) -> dict:
    return {}


def _none_stored(data: dict, *args: Any, **kwargs: Any) -> list:
    return list(data)


def _not_found(key: Any, *args: Any, **kwargs: Any) -> int:
    # What Django's cache backends raise for a key they do not hold: callers already handle it.
    raise ValueError(f"Key {key!r} not found (the cache is unreachable).")


class ForgivingRedisCache(RedisCache):
    _unreachable_until = 0.0

    get = _miss_when_unreachable(_default)(RedisCache.get)
    get_many = _miss_when_unreachable(_empty)(RedisCache.get_many)
    has_key = _miss_when_unreachable(_false)(RedisCache.has_key)
    add = _miss_when_unreachable(_false)(RedisCache.add)
    set = _miss_when_unreachable(_nothing)(RedisCache.set)
    set_many = _miss_when_unreachable(_none_stored)(RedisCache.set_many)
    touch = _miss_when_unreachable(_false)(RedisCache.touch)
    delete = _miss_when_unreachable(_false)(RedisCache.delete)
    delete_many = _miss_when_unreachable(_nothing)(RedisCache.delete_many)
    incr = _miss_when_unreachable(_not_found)(RedisCache.incr)
