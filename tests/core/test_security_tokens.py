"""API tokens worth trusting (issue #11, finding 8): stored hashed, expiring, renewed on
use, ended by a new password, by logging out and from "my page"."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken, AuditLog, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

# A personal endpoint: 200 with a working token, 401 with a refused one.
PERSONAL = "/api/registrations/"


def _token(user: User, name: str | None = None) -> str:
    body = {"email": user.email, "password": PASSWORD}
    if name:
        body["name"] = name
    response = APIClient().post("/api/auth/token/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _get(key: str, path: str = PERSONAL):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_database_holds_only_a_hash_of_the_key() -> None:
    user = make_user()
    key = _token(user)
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiToken.objects.values()))
    assert len(key) >= 40 and row.prefix == key[:6]
    # The old plain-text table of rest_framework.authtoken is gone.
    assert "authtoken_token" not in connection.introspection.table_names()
    assert _get(key).status_code == 200
    assert _get(key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401


def test_each_login_gives_a_fresh_token_and_both_work() -> None:
    user = make_user()
    first, second = _token(user), _token(user, name="Bibliotekets app")
    assert first != second
    assert _get(first).status_code == _get(second).status_code == 200
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"API", "Bibliotekets app"}


def test_a_token_expires_after_thirty_days_unused() -> None:
    user = make_user()
    key = _token(user)
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        response = _get(key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_use_renews_the_token_at_most_hourly(django_assert_num_queries) -> None:
    user = make_user()
    key = _token(user)
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=20)):
        assert _get(key, "/api/branches/").status_code == 200
        token = ApiToken.objects.get()
        assert token.expires_at > start + timedelta(days=49)
        renewed_at = token.last_used_at
        with django_assert_num_queries(3):  # the token with its person, the branches, closures
            _get(key, "/api/branches/")
        assert ApiToken.objects.get().last_used_at == renewed_at
    assert User.objects.get(pk=user.pk).last_activity is not None
    # Used on day 20, the token still works on day 45 (it would have expired on day 30).
    with time_machine.travel(start + timedelta(days=45)):
        assert _get(key).status_code == 200


def test_the_days_are_a_setting(settings) -> None:
    settings.MODESTED_API_TOKEN_DAYS = 2
    key = _token(make_user())
    token = ApiToken.objects.get()
    assert timedelta(days=2) - (token.expires_at - token.created_at) < timedelta(seconds=5)
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1)):
        assert _get(key).status_code == 401


def test_a_password_reset_ends_every_token(django_capture_on_commit_callbacks) -> None:
    user = make_user(email="nulstil@example.org")
    keys = [_token(user), _token(user)]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes through the outbox
        client.post("/konto/nulstil/", {"email": "nulstil@example.org"})
    link = re.search(r"https?://\S+/konto/nulstil/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(urlsplit(link).path)["Location"]
    new_password = "et-helt-nyt-kodeord-2027"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert [_get(key).status_code for key in keys] == [401, 401]
    assert not ApiToken.objects.exists()
    assert AuditLog.objects.filter(action="user.password_changed", target_id=str(user.pk))


def test_a_password_change_anywhere_ends_every_token() -> None:
    user = make_user()
    key = _token(user)
    other = _token(make_user())
    user.set_password("skiftet-af-administratoren")  # as the admin and changepassword do
    user.save()
    assert _get(key).status_code == 401
    assert _get(other).status_code == 200


def test_logout_ends_only_the_callers_token() -> None:
    user = make_user()
    phone, laptop = _token(user, name="Telefon"), _token(user, name="Bærbar")
    response = APIClient().post("/api/auth/logout/", HTTP_AUTHORIZATION=f"Token {phone}")
    assert response.status_code == 204
    assert _get(phone).status_code == 401
    assert _get(laptop).status_code == 200
    assert APIClient().post("/api/auth/logout/").status_code in {401, 403}


def test_an_inactive_persons_token_is_refused() -> None:
    user = make_user()
    key = _token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _get(key).status_code == 401


def test_my_page_lists_and_ends_the_persons_tokens(client: Client) -> None:
    user = make_user()
    key = _token(user, name="Min læseapp")
    someone_elses = _token(make_user(), name="Naboens app")
    client.force_login(user)
    client.cookies.load({"django_language": "en"})
    text = client.get("/min-side/").content.decode()
    assert 'id="api-tokens"' in text
    assert "Min læseapp" in text and f"{key[:6]}…" in text
    assert "Naboens app" not in text
    token = ApiToken.objects.get(name="Min læseapp")
    response = client.post(f"/min-side/api-noegler/{token.pk}/tilbagekald/")
    assert response.status_code == 302
    assert _get(key).status_code == 401
    text = client.get("/min-side/").content.decode()
    assert "The key Min læseapp" in text and "no longer works" in text  # the message
    assert 'id="api-tokens"' not in text  # no app holds a key any more
    # Someone else's token cannot be ended from here, and stays working.
    other = ApiToken.objects.get(name="Naboens app")
    assert client.post(f"/min-side/api-noegler/{other.pk}/tilbagekald/").status_code == 404
    assert _get(someone_elses).status_code == 200
    assert client.get(f"/min-side/api-noegler/{other.pk}/tilbagekald/").status_code == 405


def test_a_person_keeps_at_most_twenty_tokens() -> None:
    user = make_user()
    keys = [_token(user) for _ in range(22)]
    assert ApiToken.objects.filter(user=user).count() == 20
    assert _get(keys[0]).status_code == 401 and _get(keys[-1]).status_code == 200


def test_the_token_answer_is_never_cached(api) -> None:
    make_user(email="cache@example.org")
    response = api.post(
        "/api/auth/token/", {"email": "cache@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
