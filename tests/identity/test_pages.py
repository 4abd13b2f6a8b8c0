"""The login pages and the API around the platform logins, with Django's test client; the
flows that need the platform go through the real loopback server (``platform_server.py``),
the platform's page answered with ``requests`` as a browser would."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.utils import translation

from core.models import ApiToken, Role
from identity.models import PlatformLink
from tests.factories import PASSWORD, make_branch, make_user
from tests.identity.conftest import KAREN
from tests.identity.platform_server import RunningPlatform

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _through_platform(client: Client, start: Any, card: str) -> Any:
    """Follow our redirect to the platform, log in there as ``card``, and come back."""
    assert start.status_code == 302, start
    at_platform = requests.post(
        start["Location"], data={"card": card}, allow_redirects=False, timeout=10
    )
    back = urlsplit(at_platform.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_with_nothing_configured_only_the_email_login_is_offered(client: Client) -> None:
    page = client.get("/konto/log-ind/", HTTP_COOKIE="django_language=en")
    assert "library login" not in page.content.decode()
    assert client.get("/konto/bibliotekslogin/").status_code == 404
    assert client.get("/konto/personale-login/").status_code == 404


def test_an_email_account_links_its_library_login_from_my_page(
    client: Client, platform: RunningPlatform, settings: Any
) -> None:
    settings.SITE_URL = "http://testserver"
    karen = make_user(email="karen@example.org", municipality="")
    client.force_login(karen)
    assert "Link my library login" in client.get("/min-side/").content.decode()

    back = _through_platform(client, client.post("/min-side/bibliotekslogin/"), KAREN.card)

    assert back["Location"] == "/min-side/"
    assert PlatformLink.objects.get(user=karen).subject == KAREN.unique_id
    karen.refresh_from_db()
    assert karen.is_resident
    assert "is linked" in client.get("/min-side/").content.decode()


def test_after_a_library_login_an_app_gets_an_api_token(
    client: Client, platform: RunningPlatform, settings: Any
) -> None:
    settings.SITE_URL = "http://testserver"
    make_user(email="karen@example.org")
    start = client.get("/konto/bibliotekslogin/?next=/lokaler/")
    asked = _through_platform(client, start, KAREN.card)
    assert asked["Location"] == "/konto/bibliotekslogin/ny-konto/"
    refused = client.post(asked["Location"], {"email": "KAREN@example.org", "language": "da"})
    assert "already has an account" in refused.content.decode()
    made = client.post(asked["Location"], {"email": "karen2@example.org", "language": "da"})
    assert made["Location"] == "/lokaler/"

    csrf = Client(enforce_csrf_checks=True)
    csrf.cookies = client.cookies
    assert csrf.post("/api/auth/session-token/", {"name": "Phone"}).status_code == 403  # no CSRF
    token = client.post("/api/auth/session-token/", {"name": "Phone"}).json()["token"]
    mine = Client().get("/api/me/export/", HTTP_AUTHORIZATION=f"Token {token}")
    assert mine.status_code == 200
    assert "karen2@example.org" in mine.content.decode()
    assert ApiToken.objects.get().name == "Phone"
    assert Client().post("/api/auth/session-token/").status_code in (401, 403)


def test_staff_password_login_can_be_switched_off(client: Client, settings: Any) -> None:
    staff = make_user(role=Role.STAFF, branches=[make_branch()], email="signe@example.org")
    citizen = make_user(email="birgit@example.org")
    settings.MODESTED_STAFF_PASSWORD_LOGIN = False

    page = client.post("/konto/log-ind/", {"username": staff.email, "password": PASSWORD})
    assert page.status_code == 200  # the form again, not logged in
    token = client.post("/api/auth/token/", {"email": staff.email, "password": PASSWORD})
    assert token.status_code == 400
    ok = client.post("/konto/log-ind/", {"username": citizen.email, "password": PASSWORD})
    assert ok.status_code == 302
