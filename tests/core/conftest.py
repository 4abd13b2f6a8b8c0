from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters live in the cache (Redis with REDIS_URL, kept between runs)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _account_mail_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Account e-mails go through the notifications outbox, whose dispatcher a commit kicks.
    These tests read the sent mail in ``mail.outbox``: the dispatcher runs in-process, as it
    does without REDIS_URL. (The real worker and broker are in the integration tests.)"""
    if "integration" in request.keywords:
        yield
        return
    from core.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
