"""The Redis cache: many entries written in one round trip, each with its own expiry; one
client kept per connection pool."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from core.cache import SafeRedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")


@pytest.fixture
def redis_cache():
    cache = SafeRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "set-many-test"})
    yield cache
    cache.delete_many([f"k{i}" for i in range(3)])


def test_set_many_stores_every_entry_with_its_expiry(redis_cache):
    assert redis_cache.set_many({f"k{i}": f"v{i}".encode() for i in range(3)}, timeout=120) == []

    assert redis_cache.get_many(["k0", "k1", "k2"]) == {"k0": b"v0", "k1": b"v1", "k2": b"v2"}
    client = redis_cache._cache.get_client(None)
    ttl = client.ttl(redis_cache.make_and_validate_key("k1"))
    assert 100 < ttl <= 120


def test_set_many_without_timeout_keeps_the_entries(redis_cache):
    redis_cache.set_many({"k0": 1}, timeout=None)

    client = redis_cache._cache.get_client(None)
    assert client.ttl(redis_cache.make_and_validate_key("k0")) == -1
    assert redis_cache.get("k0") == 1


def test_set_many_with_timeout_zero_removes_the_entries(redis_cache):
    redis_cache.set("k0", 1)

    redis_cache.set_many({"k0": 2}, timeout=0)

    assert redis_cache.get("k0") is None


def test_one_redis_client_is_kept_and_keeps_working(redis_cache):
    """Django builds a new ``redis.Redis`` on every cache call; ours keeps one per pool."""
    client = redis_cache._cache.get_client(None)
    assert redis_cache._cache.get_client(None, write=True) is client  # one server, one pool

    redis_cache.set("k0", 1)
    assert redis_cache.add("k0", 2) is False
    assert redis_cache.get("k0") == 1
