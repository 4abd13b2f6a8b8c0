"""What issue #12 wrote once stays written once: page views turn refusals into form errors
and messages through ``core.pages``, API views validate and paginate through
``core.api.helpers``, the public feeds filter events through ``events.selectors``, people are
looked up by e-mail through ``core.selectors.user_get_by_email``, and the fields shared across
apps live in core."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

APPS = ["core", "rooms", "events", "volunteers", "plans", "notifications"]
ROOT = Path(settings.BASE_DIR)


def _sources(pattern: str, apps: list[str] = APPS) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for app in apps
        for path in sorted((ROOT / app).glob(pattern))
        if "migrations" not in path.parts
    }


def _offending(sources: dict[str, str], regex: str) -> list[str]:
    return [name for name, text in sources.items() if re.search(regex, text)]


CAUGHT_DOMAIN_ERROR = (
    r"\bexcept\b[ \t]*\(?[\w \t,.]*\b(DomainError|NotFound|RuleViolation|Conflict|BookingConflict"
    r"|EventFull|PermissionDenied)\b"
)


def test_page_views_leave_domain_errors_to_core_pages() -> None:
    views = _sources("views*.py")
    assert "rooms/views.py" in views and "core/views_privacy.py" in views
    assert _offending(views, CAUGHT_DOMAIN_ERROR) == []
    assert _offending(views, r"add_error\(\s*error\.field") == []


def test_api_views_validate_and_paginate_through_the_core_helpers() -> None:
    views = _sources("api/views.py") | _sources("api/privacy.py")
    assert "volunteers/api/views.py" in views
    assert _offending(views, r"is_valid\(raise_exception") == []
    assert _offending(views, r"Pagination\(\)|paginate_queryset\(") == []


def test_the_public_feeds_read_events_through_the_events_selectors() -> None:
    feeds = _sources("*.py", ["notifications"])
    assert _offending({"views": feeds["notifications/views.py"]}, r"\bEvent\.objects\b") == []
    # The branch, track, audience and room filters are events.selectors.events_filtered's.
    assert _offending(feeds, r"tracks__slug|audiences__slug|branch__slug") == []


def test_people_are_looked_up_by_email_in_one_selector() -> None:
    sources = _sources("**/*.py")
    lookups = _offending(sources, r"email__iexact|\.(filter|get)\(email=")
    # core.selectors.user_get_by_email; the login's natural key in core/models.py; the
    # sign-up service (core/services.py) and the demo loaders, which write users as well.
    allowed = {
        "core/selectors.py",
        "core/models.py",
        "core/services.py",
        "core/demo.py",
        "rooms/demo.py",
        "events/demo.py",
        "volunteers/demo.py",
    }
    assert set(lookups) <= allowed, set(lookups) - allowed


def test_fields_shared_by_the_apps_are_defined_in_core() -> None:
    sources = _sources("**/*.py")
    assert _offending(sources, r"class AwareDateTimeField\b") == ["core/api/fields.py"]
    assert _offending(sources, r"class IdMultipleChoiceField\b") == ["core/forms.py"]
