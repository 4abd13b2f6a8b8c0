"""The login pages and the API around the platform logins, with Django's test client; the
flows that need the platform go through the real loopback server (``platform_server.py``),
the platform's page answered with ``requests`` as a browser would."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.core import mail
from django.test import Client
from django.utils import translation

from core.models import ApiToken, Role, User
from events.models import Registration
from identity.models import Platform, PlatformLink
from notifications.tasks import dispatch_due
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_branch, make_user
from tests.identity.conftest import KAREN, OLE
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
    karen = make_user(email="karen@example.org", municipality="", language="en")
    client.force_login(karen)
    assert "Link my library login" in client.get("/min-side/").content.decode()

    back = _through_platform(client, client.post("/min-side/bibliotekslogin/"), KAREN.card)

    assert back["Location"] == "/min-side/"
    assert PlatformLink.objects.get(user=karen).subject == KAREN.unique_id
    karen.refresh_from_db()
    assert karen.is_resident
    assert "is linked" in client.get("/min-side/").content.decode()


def _first_login(client: Client, card: str, next_url: str = "") -> str:
    """A library login of someone with no account: the page that asks for the address."""
    client.cookies["django_language"] = "en"
    start = client.get("/konto/bibliotekslogin/" + (f"?next={next_url}" if next_url else ""))
    asked = _through_platform(client, start, card)
    assert asked["Location"] == "/konto/bibliotekslogin/ny-konto/"
    return asked["Location"]


def _link_path(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+(/konto/bibliotekslogin/bekraeft/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _logged_in(client: Client) -> bool:
    return client.get("/min-side/").status_code == 200


def test_the_link_confirms_the_address_makes_the_account_and_logs_in(
    client: Client,
    platform: RunningPlatform,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "http://testserver"
    form = _first_login(client, KAREN.card, next_url="/lokaler/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(form, {"email": "Karen@Example.org", "name": "Karen", "language": "en"})
    assert sent["Location"] == "/konto/bibliotekslogin/ny-konto/sendt/"
    page = client.get(sent["Location"]).content.decode()
    assert "We have sent an e-mail to karen@example.org" in page
    assert not User.objects.exists() and not _logged_in(client)

    (message,) = mail.outbox
    assert message.to == ["karen@example.org"]
    path = _link_path(message)
    # Opening the link (as a mail scanner does) changes nothing; the button does.
    shown = client.get(path)
    assert shown.status_code == 200 and "karen@example.org" in shown.content.decode()
    assert "no-cache" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    assert not User.objects.exists()
    done = client.post(path)
    assert done["Location"] == "/lokaler/"
    karen = User.objects.get(email="karen@example.org")
    assert (karen.municipality, karen.language, karen.name) == (KAREN.municipality, "en", "Karen")
    assert PlatformLink.objects.get(user=karen).subject == KAREN.unique_id
    assert _logged_in(client)
    assert Client().post(path).status_code == 400  # the link works once


def test_an_unconfirmed_address_gets_nothing_but_its_link(
    client: Client,
    platform: RunningPlatform,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "http://testserver"
    event = make_event(title="Strikkecafé")
    form = _first_login(client, KAREN.card)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form, {"email": "karen@example.org", "language": "da"})
    # Without the link there is no account: nothing can be registered or booked for the
    # address, and nothing is due for it.
    register = client.post(f"/arrangementer/{event.pk}/", {"seats": 1})
    assert register["Location"].startswith("/konto/log-ind/")
    assert not Registration.objects.exists() and not _logged_in(client)
    dispatch_due()
    # A second library login before confirming asks again; it sends nothing by itself.
    assert _first_login(Client(), KAREN.card) == form
    dispatch_due()
    assert [m.to for m in mail.outbox] == [["karen@example.org"]]
    assert "/konto/bibliotekslogin/bekraeft/" in mail.outbox[0].body
    assert not User.objects.exists()


def test_a_taken_address_gets_the_notice_and_the_page_says_nothing_of_it(
    platform: RunningPlatform, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "http://testserver"
    make_user(email="findes@example.org", name="Frida Findes", language="en")
    pages = []
    for person, email in ((KAREN, "findes@example.org"), (OLE, "ny@example.org")):
        client = Client()
        form = _first_login(client, person.card)
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(form, {"email": email, "language": "en"})
        assert answer.status_code == 302
        sent = client.get(answer["Location"])
        pages.append((answer["Location"], sent.status_code, _without_csrf(sent.content.decode())))
        assert not _logged_in(client)
    (taken_url, taken_status, taken_text), (new_url, new_status, new_text) = pages
    assert (taken_url, taken_status) == (new_url, new_status)
    assert "We have sent an e-mail to findes@example.org" in taken_text
    assert "Frida" not in taken_text and "already" not in taken_text
    assert taken_text.replace("findes@", "ny@") == new_text

    notice, link = mail.outbox
    assert notice.to == ["findes@example.org"] and link.to == ["ny@example.org"]
    assert "already have an account" in notice.body and "My page" in notice.body
    assert "/konto/bibliotekslogin/bekraeft/" not in notice.body
    assert not PlatformLink.objects.filter(subject=KAREN.unique_id).exists()


def test_the_link_followed_in_another_browser_confirms_but_does_not_log_in(
    client: Client,
    platform: RunningPlatform,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "http://testserver"
    form = _first_login(client, KAREN.card)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form, {"email": "karen@example.org", "language": "en"})
    elsewhere = _english(Client())
    answer = elsewhere.post(_link_path(mail.outbox[0]))
    assert answer["Location"] == "/konto/log-ind/"
    assert not _logged_in(elsewhere)
    assert "Log in with your library login" in elsewhere.get("/konto/log-ind/").content.decode()
    # The library login now finds the account.
    back = _through_platform(elsewhere, elsewhere.get("/konto/bibliotekslogin/"), KAREN.card)
    assert back["Location"] == "/"
    assert _logged_in(elsewhere)
    assert User.objects.get().email == "karen@example.org"


def test_after_a_library_login_an_app_gets_an_api_token(
    client: Client,
    platform: RunningPlatform,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "http://testserver"
    form = _first_login(client, KAREN.card, next_url="/lokaler/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form, {"email": "karen2@example.org", "language": "da"})
    assert client.post(_link_path(mail.outbox[0]))["Location"] == "/lokaler/"

    csrf = Client(enforce_csrf_checks=True)
    csrf.cookies = client.cookies
    assert csrf.post("/api/auth/session-token/", {"name": "Phone"}).status_code == 403  # no CSRF
    token = client.post("/api/auth/session-token/", {"name": "Phone"}).json()["token"]
    mine = Client().get("/api/me/export/", HTTP_AUTHORIZATION=f"Token {token}")
    assert mine.status_code == 200
    assert "karen2@example.org" in mine.content.decode()
    assert ApiToken.objects.get().name == "Phone"
    assert Client().post("/api/auth/session-token/").status_code in (401, 403)


def test_the_library_login_is_unlinked_from_my_page_after_asking(
    client: Client, platform: RunningPlatform
) -> None:
    karen = make_user(email="karen@example.org")
    PlatformLink.objects.create(user=karen, platform=Platform.LIBRARY, subject=KAREN.unique_id)
    _english(client).force_login(karen)
    assert "Remove my library login" in client.get("/min-side/").content.decode()
    asking = client.get("/min-side/bibliotekslogin/fjern/")
    assert "Yes, remove my library login" in asking.content.decode()
    assert PlatformLink.objects.exists()  # asking changes nothing

    done = client.post("/min-side/bibliotekslogin/fjern/")
    assert done["Location"] == "/min-side/"
    assert not PlatformLink.objects.exists()
    page = client.get("/min-side/").content.decode()
    assert "no longer linked" in page and "Link my library login" in page
    assert client.post("/konto/log-ind/", {"username": karen.email, "password": PASSWORD})


def test_the_only_way_in_is_not_unlinked(client: Client, platform: RunningPlatform) -> None:
    karen = make_user(email="karen@example.org")
    karen.set_unusable_password()
    karen.save()
    PlatformLink.objects.create(user=karen, platform=Platform.LIBRARY, subject=KAREN.unique_id)
    _english(client).force_login(karen)
    asking = client.get("/min-side/bibliotekslogin/fjern/").content.decode()
    assert "the only way to log in" in asking and "Yes, remove" not in asking
    refused = client.post("/min-side/bibliotekslogin/fjern/")
    assert refused.status_code == 400
    assert "the only way to log in" in refused.content.decode()
    assert PlatformLink.objects.filter(user=karen).exists()
    assert (
        Client().get("/min-side/bibliotekslogin/fjern/")["Location"].startswith("/konto/log-ind/")
    )


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
