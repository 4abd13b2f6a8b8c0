"""Logging in, signing up and resetting a password: throttles that hold at every door, and
a sign-up that does not tell whether an address has an account (issue #11, findings 4 and 9).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Role, SignupRequest, User
from core.throttling import client_ip, parse_rate
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ENGLISH = {"django_language": "en"}


def _english(client: Client) -> Client:
    client.cookies.load(ENGLISH)
    return client


def _api_login(api: APIClient, email: str, password: str, **extra: str):
    return api.post(
        "/api/auth/token/", {"email": email, "password": password}, format="json", **extra
    )


def _page_login(client: Client, email: str, password: str, *, door: str = "page"):
    path = "/admin/login/" if door == "admin" else "/konto/log-ind/"
    return client.post(path, {"username": email, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- The client address -----------------------------------------------------------------


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "10.0.0.5"
    settings.MODESTED_TRUSTED_PROXIES = 1  # nginx appends the address it saw
    assert client_ip(request) == "203.0.113.9"
    settings.MODESTED_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_twenty_failed_api_logins_with_rotating_forwarded_for_are_throttled(api) -> None:
    answers = [
        _api_login(
            api, f"guess{n}@example.org", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        )
        for n in range(25)
    ]
    assert [a.status_code for a in answers[:20]] == [400] * 20
    assert [a.status_code for a in answers[20:]] == [429] * 5
    assert int(answers[-1]["Retry-After"]) > 0


def test_behind_a_trusted_proxy_each_client_has_its_own_count(api, settings) -> None:
    settings.MODESTED_TRUSTED_PROXIES = 1
    settings.MODESTED_LOGIN_FAILURE_RATE = "3/15m"
    for n in range(3):
        _api_login(api, f"x{n}@example.org", "wrong-password", HTTP_X_FORWARDED_FOR="192.0.2.1")
    blocked = _api_login(api, "y@example.org", "wrong-password", HTTP_X_FORWARDED_FOR="192.0.2.1")
    other = _api_login(api, "y@example.org", "wrong-password", HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert (blocked.status_code, other.status_code) == (429, 400)


def test_one_account_is_throttled_from_any_address(api) -> None:
    make_user(email="mal@example.org")
    for n in range(5):
        response = _api_login(api, "mal@example.org", "wrong-password", REMOTE_ADDR=f"10.1.0.{n}")
        assert response.status_code == 400
    # Even the right password, from yet another address, waits until the window has passed.
    assert _api_login(api, "mal@example.org", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429


# --- The page and admin logins ------------------------------------------------------------


def test_page_login_brute_force_is_refused_even_with_the_right_password(client: Client) -> None:
    make_user(email="side@example.org")
    _english(client)
    for _ in range(25):
        _page_login(client, "side@example.org", "wrong-password")
    response = _page_login(client, "side@example.org", PASSWORD)
    assert response.status_code == 200
    assert not _logged_in(client)
    text = response.content.decode()
    assert "Too many attempts" in text and "minutes and try again" in text


def test_admin_login_brute_force_is_refused_even_with_the_right_password(
    client: Client,
) -> None:
    make_user(email="it@example.org", role=Role.ADMINISTRATOR)
    _english(client)
    for _ in range(25):
        _page_login(client, "it@example.org", "wrong-password", door="admin")
    response = _page_login(client, "it@example.org", PASSWORD, door="admin")
    assert response.status_code == 200
    assert not _logged_in(client)
    assert "Too many attempts" in response.content.decode()


@pytest.mark.parametrize(
    ("failed_at", "tried_at"),
    [("api", "page"), ("page", "api"), ("admin", "page"), ("page", "admin"), ("api", "admin")],
)
def test_failures_at_one_door_count_at_the_others(failed_at: str, tried_at: str) -> None:
    make_user(email="door@example.org", role=Role.ADMINISTRATOR)
    for _ in range(5):
        if failed_at == "api":
            _api_login(APIClient(), "door@example.org", "wrong-password")
        else:
            _page_login(Client(), "door@example.org", "wrong-password", door=failed_at)
    if tried_at == "api":
        assert _api_login(APIClient(), "door@example.org", PASSWORD).status_code == 429
    else:
        client = Client()
        assert _page_login(client, "door@example.org", PASSWORD, door=tried_at).status_code == 200
        assert not _logged_in(client)


def test_the_door_opens_again_when_the_window_has_passed(api, client: Client) -> None:
    make_user(email="igen@example.org")
    for _ in range(5):
        _page_login(client, "igen@example.org", "wrong-password")
    assert _api_login(api, "igen@example.org", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _api_login(api, "igen@example.org", PASSWORD).status_code == 200
        assert _page_login(client, "igen@example.org", PASSWORD).status_code == 302


def test_successful_logins_do_not_count(api, client: Client) -> None:
    make_user(email="ofte@example.org")
    for _ in range(8):
        assert _api_login(api, "ofte@example.org", PASSWORD).status_code == 200
        assert _page_login(Client(), "ofte@example.org", PASSWORD).status_code == 302


# --- Password reset ---------------------------------------------------------------------


def test_password_reset_is_refused_while_the_account_is_throttled(client: Client) -> None:
    make_user(email="glemt@example.org")
    for _ in range(5):
        _page_login(Client(), "glemt@example.org", "wrong-password")
    response = _english(client).post("/konto/nulstil/", {"email": "glemt@example.org"})
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_requests_have_their_own_rate(
    client: Client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.MODESTED_PASSWORD_RESET_RATE = "2/h"
    make_user(email="igen-igen@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox's kick runs the mail
        answers = [
            client.post("/konto/nulstil/", {"email": "igen-igen@example.org"}).status_code
            for _ in range(4)
        ]
    assert answers == [302, 302, 200, 200]
    assert len(mail.outbox) == 2


# --- Rates are settings from the environment ------------------------------------------------


def test_rate_settings_are_read_from_the_environment() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.settings",
        "MODESTED_TRUSTED_PROXIES": "1",
        "MODESTED_LOGIN_FAILURE_RATE": "100/15m",
        "MODESTED_LOGIN_ACCOUNT_FAILURE_RATE": "7/h",
        "MODESTED_SIGNUP_RATE": "500/h",
        "MODESTED_PASSWORD_RESET_RATE": "3/d",
        "MODESTED_API_TOKEN_DAYS": "7",
    }
    names = [
        "MODESTED_TRUSTED_PROXIES",
        "MODESTED_LOGIN_FAILURE_RATE",
        "MODESTED_LOGIN_ACCOUNT_FAILURE_RATE",
        "MODESTED_SIGNUP_RATE",
        "MODESTED_PASSWORD_RESET_RATE",
        "MODESTED_API_TOKEN_DAYS",
    ]
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, n) for n in {names!r}] "
        "+ [s.REST_FRAMEWORK['NUM_PROXIES']]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(output.strip().splitlines()[-1]) == [
        1,
        "100/15m",
        "7/h",
        "500/h",
        "3/d",
        7,
        1,
    ]


def test_the_default_rates_parse() -> None:
    assert parse_rate(django_settings.MODESTED_LOGIN_FAILURE_RATE).seconds == 15 * 60
    assert parse_rate(django_settings.MODESTED_LOGIN_ACCOUNT_FAILURE_RATE).limit == 5
    assert parse_rate("20/hour").seconds == 3600
    with pytest.raises(ValueError, match="rate"):
        parse_rate("lots")


def test_a_lower_rate_takes_effect(api, settings) -> None:
    settings.MODESTED_LOGIN_ACCOUNT_FAILURE_RATE = "2/m"
    make_user(email="lav@example.org")
    answers = [_api_login(api, "lav@example.org", "wrong-password").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


# --- Signing up ---------------------------------------------------------------------------


def _sign_up_api(api: APIClient, email: str, password: str = PASSWORD, **extra: str):
    return api.post(
        "/api/auth/register/",
        {"email": email, "password": password, "name": "Nina Ny"},
        format="json",
        **extra,
    )


def _sign_up_page(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {
        "name": "Nina Ny",
        "email": email,
        "password": password,
        "password_again": password,
        "language": "en",
    }
    if next_url:
        data["next"] = next_url
    return client.post("/konto/opret/", data)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _confirmation_path(message: mail.EmailMessage) -> str:
    link = re.search(r"https?://\S+/konto/bekraeft/\S+/", message.body)
    assert link, message.body
    return urlsplit(link.group(0)).path


def test_api_sign_up_answers_the_same_for_a_taken_and_a_new_address(
    api, django_capture_on_commit_callbacks
) -> None:
    make_user(email="findes@example.org", name="Frida Findes")
    with django_capture_on_commit_callbacks(execute=True):
        taken = _sign_up_api(api, "findes@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        new = _sign_up_api(api, "ny@example.org")
    assert taken.status_code == new.status_code == 201
    assert json.loads(taken.content.decode().replace("findes@", "ny@")) == new.json()
    assert "id" not in new.json() and new.json()["detail"]
    to_taken, to_new = mail.outbox
    # The owner of the taken address is told, with links to log in and to reset the password.
    assert to_taken.to == ["findes@example.org"]
    assert "/konto/log-ind/" in to_taken.body and "/konto/nulstil/" in to_taken.body
    assert "/konto/bekraeft/" not in to_taken.body
    # The new address gets the link that finishes the sign-up.
    assert to_new.to == ["ny@example.org"]
    _confirmation_path(to_new)
    assert User.objects.filter(email__in=["findes@example.org", "ny@example.org"]).count() == 1


def test_page_sign_up_answers_the_same_for_a_taken_and_a_new_address(
    django_capture_on_commit_callbacks,
) -> None:
    make_user(email="findes@example.org")
    pages = []
    for email in ["findes@example.org", "ny@example.org"]:
        client = _english(Client())
        with django_capture_on_commit_callbacks(execute=True):
            response = _sign_up_page(client, email)
        assert response.status_code == 302
        sent = client.get(response["Location"])
        pages.append((response["Location"], sent.status_code, sent.content.decode()))
        assert not _logged_in(client)
    (taken_url, taken_status, taken_text), (new_url, new_status, new_text) = pages
    assert (taken_url, taken_status) == (new_url, new_status)
    assert "We have sent an e-mail to findes@example.org" in taken_text
    assert _without_csrf(taken_text).replace("findes@", "ny@") == _without_csrf(new_text)
    assert [m.to for m in mail.outbox] == [["findes@example.org"], ["ny@example.org"]]


def test_the_link_makes_the_account_logs_in_and_returns_to_the_page(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up_page(client, "ny@example.org", next_url="/arrangementer/7/")
    path = _confirmation_path(mail.outbox[0])
    # Not an account yet: the password does not log in.
    assert _api_login(APIClient(), "ny@example.org", PASSWORD).status_code == 400
    # Opening the link (as a mail scanner does) changes nothing; the button does.
    page = client.get(path)
    assert page.status_code == 200 and "ny@example.org" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert not User.objects.filter(email="ny@example.org").exists()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/arrangementer/7/"
    assert _logged_in(client)
    user = User.objects.get(email="ny@example.org")
    assert user.is_active and user.role == Role.CITIZEN and user.check_password(PASSWORD)
    assert not SignupRequest.objects.exists()
    # The link works once.
    assert Client().post(path).status_code == 400


def test_the_link_expires_after_three_days(client: Client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up_page(client, "sen@example.org")
    path = _confirmation_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert client.post(path).status_code == 400
    assert not User.objects.filter(email="sen@example.org").exists()


def test_someone_elses_sign_up_for_an_address_cannot_take_it_over(
    django_capture_on_commit_callbacks,
) -> None:
    # An attacker signs up with the victim's address first; the victim then signs up too.
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up_api(APIClient(), "offer@example.org", password="angriberens-kodeord")
        _sign_up_api(APIClient(), "offer@example.org", password=PASSWORD)
    attacker_link, victim_link = (_confirmation_path(m) for m in mail.outbox)
    assert Client().post(victim_link).status_code == 302
    user = User.objects.get(email="offer@example.org")
    assert user.check_password(PASSWORD) and not user.check_password("angriberens-kodeord")
    assert Client().post(attacker_link).status_code == 400


def test_a_password_of_eleven_characters_is_refused(api, client: Client) -> None:
    response = _sign_up_api(api, "kort@example.org", password="bibliotek-1")
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    page = _sign_up_page(_english(client), "kort@example.org", password="bibliotek-1")
    assert page.status_code == 200
    assert "at least 12 characters" in page.content.decode()
    assert _sign_up_api(api, "lang@example.org", password="bibliotek-12").status_code == 201


def test_sign_up_throttle_keys_on_the_client_address(api, settings) -> None:
    settings.MODESTED_SIGNUP_RATE = "3/h"
    answers = [
        _sign_up_api(api, f"n{n}@example.org", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert answers == [201, 201, 201, 429]
    # The page shares the count.
    response = _sign_up_page(_english(Client()), "side@example.org")
    assert response.status_code == 200 and "Too many attempts" in response.content.decode()


def test_a_password_like_the_persons_name_is_refused(api) -> None:
    response = api.post(
        "/api/auth/register/",
        {
            "email": "kk@example.org",
            "password": "Kirsten Kierkegaard",
            "name": "Kirsten Kierkegaard",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
