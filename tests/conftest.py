"""Shared fixtures. Everything runs against the real database the settings point at
(SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from rest_framework.test import APIClient

from core.models import Role, User
from tests.factories import make_branch, make_user

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    has_browser = os.path.exists(CHROMIUM)
    integration = bool(os.environ.get("REDIS_URL")) and "postgres" in os.environ.get(
        "DATABASE_URL", ""
    )
    for item in items:
        if "e2e" in item.keywords and not has_browser:
            item.add_marker(
                pytest.mark.skip(reason="headless Chromium is not installed (.ci/run installs it)")
            )
        if "integration" in item.keywords and not integration:
            item.add_marker(
                pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL")
            )


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language (Danish): a page request made with the English
    cookie leaves English active in the test's thread, which must not leak into the next."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Tracks and audiences come from a data migration; a transactional test's flush removes
    them, so they are laid again before any test that uses the database and finds them gone."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps

    from core.models import Track

    if not Track.objects.exists():
        importlib.import_module("core.migrations.0002_tracks_and_audiences").create(apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """An API client authenticated as the given person."""

    def build(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return build


@pytest.fixture
def branch(db: None) -> Any:
    return make_branch(name="Hovedbiblioteket", slug="hoved")


@pytest.fixture
def citizen(db: None) -> User:
    return make_user(name="Birgit Borger")


@pytest.fixture
def staff(db: None, branch: Any) -> User:
    return make_user(role=Role.STAFF, branches=[branch], name="Signe Staff")


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(role=Role.ADMINISTRATOR, name="Anders Admin")


@pytest.fixture
def kicks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The dispatcher's kicks after commit, counted instead of run."""
    from notifications.services import kick

    done: list[int] = []
    monkeypatch.setattr(kick, "_kick", lambda: done.append(1))
    yield done
