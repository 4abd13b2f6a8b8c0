from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.signals import state_changed


@pytest.fixture
def signals() -> Iterator[list[tuple[str, Any]]]:
    """The (kind, instance) of every state_changed sent during the test."""
    seen: list[tuple[str, Any]] = []

    def receiver(sender: Any, kind: str, instance: Any, **kwargs: Any) -> None:
        seen.append((kind, instance))

    state_changed.connect(receiver, weak=False, dispatch_uid="tests.events.signals")
    yield seen
    state_changed.disconnect(dispatch_uid="tests.events.signals")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A Danish browser, as most of the libraries' users have (as in tests/e2e).
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}
