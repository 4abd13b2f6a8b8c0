"""Browser tests: headless Chromium (tests/conftest.py) against pytest-django's live server."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A Danish browser, as most of the libraries' users have: Accept-Language is da-DK.
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}
