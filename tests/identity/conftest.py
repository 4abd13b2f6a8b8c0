"""The loopback login platforms the identity tests log in through, started by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.identity.platform_server import Person, RunningPlatform, run_platform

ROSKILDE = "265"
KAREN = Person(card="1111", unique_id="7f1c2a64-0d3e-4f7a-9b1e-2f6c5a1d0e11", municipality=ROSKILDE)
OLE = Person(card="2222", unique_id="c2b9e8d1-5a4f-4e3b-8c7d-1a2b3c4d5e6f", municipality="101")


@pytest.fixture
def platform(settings: Any) -> Iterator[RunningPlatform]:
    """Adgangsplatformen on loopback, answering for Karen (Roskilde) and Ole (Copenhagen);
    the settings point at it, and the library is Roskilde's."""
    with run_platform([KAREN, OLE], redirect_uris=[]) as running:
        settings.ADGANGSPLATFORMEN = running.settings()
        settings.MODESTED_MUNICIPALITY = ROSKILDE
        yield running


@pytest.fixture(autouse=True)
def _account_mail_in_process() -> Iterator[None]:
    """The sign-up e-mails go through the notifications outbox; these tests read them in
    ``mail.outbox``, so its dispatcher runs in-process, as without REDIS_URL."""
    from core.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
