"""Django's Redis cache that degrades instead of failing (``CACHES`` with ``REDIS_URL``).

The cache holds only the throttling counters and the dispatcher's "a kick is waiting" mark,
nothing that cannot be lost. When Redis does not answer (short connect and read timeouts, set
in ``core/settings.py``), a read is a miss, a write is dropped, ``add`` says "not added" and
``incr`` raises ``ValueError`` (as for a missing key), with a warning in the log; while Redis
is known to be down (``core.redis_health``) it is not tried at all. The throttles therefore
fail open: see ``core/throttling.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from core import redis_health

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    _DOWN: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    _DOWN = (OSError,)


class _Missing(Exception):
    pass


def _safe(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: SafeRedisCache, *args: Any, **kwargs: Any) -> Any:
        if redis_health.known_down():
            return fallback(*args, **kwargs)
        try:
            return getattr(super(SafeRedisCache, self), name)(*args, **kwargs)
        except _DOWN as error:
            redis_health.mark_down(f"cache.{name}", error)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _empty(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {}


def _no_keys(*args: Any, **kwargs: Any) -> list[str]:
    return []


def _missing(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found (Redis is unreachable)")


class _RedisClient(RedisCacheClient):
    """Django's client with two differences on paths that run often:

    * one ``redis.Redis`` per connection pool, kept: Django builds a new one (with its ~170
      response callbacks) on every call, which cost the registration's kick of the
      dispatcher more than the command it sends;
    * ``set_many`` as one round trip of ``SET key value EX timeout`` without MULTI/EXEC:
      Django's sends an MSET then an EXPIRE per key inside a transaction, which costs a
      feed's first build of 5,000 VEVENTs a noticeable share of its time. The entries are
      independent, so nothing needs them written atomically.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:  # a redis.Redis is safe to share: it takes a connection per command
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def set_many(self, data: dict[Any, Any], timeout: Any) -> None:  # type: ignore[override]
        client = self.get_client(None, write=True)
        if timeout == 0:  # Django's meaning: expire at once
            client.delete(*data)
            return
        pipeline = client.pipeline(transaction=False)
        for key, value in data.items():
            pipeline.set(key, self._serializer.dumps(value), ex=timeout)  # type: ignore[attr-defined]
        pipeline.execute()


class SafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisClient

    get = _safe("get", _default)
    get_many = _safe("get_many", _empty)
    set = _safe("set", _false)
    set_many = _safe("set_many", _no_keys)
    add = _safe("add", _false)
    touch = _safe("touch", _false)
    incr = _safe("incr", _missing)
    decr = _safe("decr", _missing)
    delete = _safe("delete", _false)
    delete_many = _safe("delete_many", _nothing)
    has_key = _safe("has_key", _false)
    clear = _safe("clear", _false)
