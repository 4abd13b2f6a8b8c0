import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters live in the cache (Redis with REDIS_URL, kept between runs)."""
    cache.clear()
