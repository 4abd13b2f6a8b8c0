"""Browser tests: headless Chromium (tests/conftest.py) against pytest-django's live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A Danish browser, as most of the libraries' users have: Accept-Language is da-DK.
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


@pytest.fixture(autouse=True)
def _account_mail_in_process() -> Iterator[None]:
    """Account e-mails (the sign-up link) go through the notifications outbox, whose
    dispatcher a commit kicks: these tests read them in ``mail.outbox``, so the dispatcher
    runs in-process, as it does without REDIS_URL (tests/core/conftest.py does the same)."""
    from core.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
