"""Fixtures of the notifications tests, and the guard against unexpected mail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail


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
