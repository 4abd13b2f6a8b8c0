import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from core.models import Closure, Role, User
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttles() -> None:
    cache.clear()


def test_register_sends_a_link_that_makes_the_citizen_account(
    api, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/auth/register/",
            {"email": "Ny@Example.org", "password": PASSWORD, "name": "Nina Ny"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "ny@example.org"
    assert "id" not in response.json()
    # No account until the address is confirmed through the link in the e-mail.
    assert not User.objects.filter(email="ny@example.org").exists()
    (message,) = mail.outbox
    assert message.to == ["ny@example.org"]
    link = re.search(r"https?://\S+/konto/bekraeft/\S+/", message.body).group(0)
    client.post(urlsplit(link).path)
    user = User.objects.get(email="ny@example.org")
    assert user.role == Role.CITIZEN and user.is_active
    assert user.check_password(PASSWORD)


def test_register_with_a_taken_email_answers_as_for_a_new_one(
    api, django_capture_on_commit_callbacks
) -> None:
    make_user(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/auth/register/",
            {"email": "TAKEN@example.org", "password": PASSWORD, "name": "X"},
            format="json",
        )
    assert response.status_code == 201
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    (message,) = mail.outbox
    assert message.to == ["taken@example.org"] and "/konto/nulstil/" in message.body


@pytest.mark.parametrize("password", ["12345678", "password", "kort", "bibliotek-1"])
def test_register_refuses_a_weak_password(api, password: str) -> None:
    response = api.post(
        "/api/auth/register/",
        {"email": "a@example.org", "password": password, "name": "A"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not User.objects.filter(email="a@example.org").exists()


def test_register_with_missing_fields_is_a_400_naming_the_field(api) -> None:
    response = api.post("/api/auth/register/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "email" in body["errors"] and "password" in body["errors"]


def test_token_then_authenticated_call(api) -> None:
    make_user(email="b@example.org")
    response = api.post(
        "/api/auth/token/", {"email": "b@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/branches/").status_code == 200


def test_wrong_credentials_are_400_then_throttled(api) -> None:
    make_user(email="c@example.org")
    for _ in range(5):
        response = api.post(
            "/api/auth/token/", {"email": "c@example.org", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["detail"]
    response = api.post(
        "/api/auth/token/", {"email": "c@example.org", "password": "wrong"}, format="json"
    )
    assert response.status_code == 429
    # Even the right password waits until the window has passed.
    response = api.post(
        "/api/auth/token/", {"email": "c@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_successful_logins_are_not_throttled(api) -> None:
    make_user(email="d@example.org")
    for _ in range(8):
        response = api.post(
            "/api/auth/token/", {"email": "d@example.org", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200


def test_branches_list_hours_and_upcoming_closures(api, django_assert_num_queries) -> None:
    branch = make_branch(slug="gadstrup")
    today = date.today()
    Closure.objects.create(
        branch=branch,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=5),
        reason="Maling",
    )
    Closure.objects.create(
        branch=branch,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=20),
        reason="Gammel",
    )
    Closure.objects.create(
        branch=None,
        starts_on=today + timedelta(days=9),
        ends_on=today + timedelta(days=9),
        reason="Personaledag",
    )
    make_branch()
    # 1 closures of all branches, 1 branches, 1 opening hours, 1 own closures, 1 stops:
    # the same for 2 or 20 branches.
    with django_assert_num_queries(5):
        response = api.get("/api/branches/")
    assert response.status_code == 200
    gadstrup = next(b for b in response.json() if b["slug"] == "gadstrup")
    assert [c["reason"] for c in gadstrup["closures"]] == ["Maling", "Personaledag"]
    assert len(gadstrup["opening_hours"]) == 7
    for _ in range(18):
        make_branch()
    with django_assert_num_queries(5):
        assert len(api.get("/api/branches/").json()) == 20


def test_holidays_api_lists_the_closed_days_of_a_year(api) -> None:
    days = {row["date"]: row for row in api.get("/api/holidays/?year=2027").json()}
    assert days["2027-03-26"]["public_holiday"] is True  # Good Friday
    assert days["2027-03-27"]["public_holiday"] is False  # Easter Saturday: closed, not a holiday
    assert "2027-04-23" not in days  # no Store bededag after 2023
    response = api.get("/api/holidays/?year=next")
    assert response.status_code == 400
    assert "year" in response.json()["detail"]


def test_tracks_and_audiences_come_from_the_data_migration(api) -> None:
    tracks = api.get("/api/tracks/").json()
    assert [t["slug"] for t in tracks] == [
        "fordybelse",
        "hygge",
        "viden-og-vejledning",
        "struktur-for-livet",
        "en-lokal-aktoer",
        "indgang-til-faellesskab",
        "digitale-forbindelser",
    ]
    assert tracks[2]["name_da"] == "Viden & vejledning"
    audiences = [a["slug"] for a in api.get("/api/audiences/").json()]
    assert audiences == ["alle", "boern", "unge", "voksne", "aeldre", "familier"]


def test_schema_and_docs_are_served(api) -> None:
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_createsuperuser_noinput_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput")
    user = User.objects.get(email="root@example.org")
    assert user.is_superuser and user.role == Role.ADMINISTRATOR
    assert user.check_password(PASSWORD)


def test_load_demo_is_idempotent() -> None:
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Closure.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Closure.objects.count()) == counts
    assert User.objects.get(email="personale@example.dk").branches.count() == 2


@pytest.mark.parametrize("body", ["null", "[1]", '"text"', "{not json"])
def test_token_with_a_body_that_is_not_an_object_is_a_400(api, body: str) -> None:
    response = api.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_the_api_schema_generates_without_warnings(tmp_path) -> None:
    # drf-spectacular's warnings also fail `check --deploy --fail-level WARNING` in production.
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")
