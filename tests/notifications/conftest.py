"""Fixtures of the notifications tests, and the guard against unexpected mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

# The tests are written against this "today" (dates such as 10 December 2026 stay ahead).
TODAY = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture(autouse=True)
def _pinned_today(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run in-process tests on TODAY (the clock ticks on). Integration tests use the real
    clock: their worker subprocess does."""
    if "integration" in request.keywords:
        yield
        return
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """These tests make many accounts; a slow password hash would cost seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fail_on_unexpected_mail(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that sends mail must ask for ``mail_expected``; any other mail fails it."""
    yield
    if "mail_expected" in request.fixturenames:
        return
    sent = list(getattr(mail, "outbox", []) or [])
    if sent:
        pytest.fail(
            "The test sent mail it did not expect: "
            + "; ".join(f"{m.subject!r} to {m.to}" for m in sent)
        )


@pytest.fixture
def mail_expected() -> list[Any]:
    """The test means to send mail: the locmem outbox, emptied at the start."""
    mail.outbox = []
    return mail.outbox
