import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from core.models import User
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = pytest.mark.django_db


def test_home_lists_branches_and_tracks_in_danish(client: Client) -> None:
    make_branch(name="Jyllinge Bibliotek")
    response = client.get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Jyllinge Bibliotek" in text
    assert "Digitale forbindelser" in text
    assert 'lang="da"' in text
    assert 'href="#main"' in text


def test_english_switch(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    text = client.get("/").content.decode()
    assert 'lang="en"' in text
    assert "Digital connections" in text


def test_branch_page_shows_hours_and_bookmobile_timetable(client: Client) -> None:
    from datetime import date, time

    from core.models import BookmobileStop

    bus = make_branch(slug="bogbussen", name="Bogbussen", kind="bookmobile", open_all_week=None)
    BookmobileStop.objects.create(
        branch=bus,
        name="Trekroner Øst",
        weekday=1,
        arrives=time(15, 10),
        departs=time(17, 10),
        valid_from=date(2020, 1, 1),
    )
    text = client.get("/bibliotek/bogbussen/").content.decode()
    assert "Trekroner Øst" in text and "15.10" in text
    assert "/feeds/events.ics?branch=bogbussen" in text
    assert client.get("/bibliotek/findes-ikke/").status_code == 404


def test_signup_shows_errors_beside_the_fields(client: Client) -> None:
    response = client.post(
        "/konto/opret/",
        {
            "name": "X",
            "email": "ny@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD + "x",
            "language": "da",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def _confirmation_path() -> str:
    """The path of the link in the last sign-up e-mail."""
    link = re.search(r"https?://\S+/konto/bekraeft/\S+/", mail.outbox[-1].body).group(0)
    return urlsplit(link).path


def test_signup_confirm_login_logout(client: Client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/konto/opret/",
            {
                "name": "Ny Borger",
                "email": "ny@example.org",
                "password": PASSWORD,
                "password_again": PASSWORD,
                "language": "en",
            },
        )
    assert response.status_code == 302
    assert "ny@example.org" in client.get(response["Location"]).content.decode()
    assert client.get("/min-side/").status_code == 302  # not logged in before confirming
    assert client.post(_confirmation_path()).status_code == 302
    assert User.objects.get(email="ny@example.org").language == "en"
    assert client.get("/min-side/").status_code == 200
    client.post("/konto/log-ud/")
    assert client.get("/min-side/").status_code == 302
    response = client.post("/konto/log-ind/", {"username": "ny@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_sends_a_link(client: Client, django_capture_on_commit_callbacks) -> None:
    make_user(email="glemt@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # through the outbox
        response = client.post("/konto/nulstil/", {"email": "glemt@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/konto/nulstil/" in mail.outbox[0].body


def test_admin_lists_branches_for_administrators_only(client: Client) -> None:
    from core.models import Role

    branch = make_branch(name="Viby Bibliotek i Cosmos")
    client.force_login(make_user(role=Role.ADMINISTRATOR))
    response = client.get("/admin/core/branch/?q=Viby")
    assert response.status_code == 200
    assert "Viby Bibliotek i Cosmos" in response.content.decode()
    client.force_login(make_user(role=Role.STAFF, branches=[branch]))
    response = client.get("/admin/core/branch/?q=Viby")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_start_page_shows_only_their_branches(client: Client) -> None:
    from core.models import Role

    mine = make_branch(name="Jyllinge Bibliotek")
    make_branch(name="Gadstrup Bibliotek")
    staff = make_user(role=Role.STAFF, branches=[mine])
    client.force_login(staff)
    text = client.get("/personale/").content.decode()
    assert "Jyllinge Bibliotek" in text and "Gadstrup Bibliotek" not in text
    client.force_login(make_user())
    assert client.get("/personale/").status_code == 404


def test_danish_first_whatever_the_browser_prefers(client: Client) -> None:
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert 'lang="da"' in text


def test_signup_returns_to_the_page_the_person_came_from(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    data = {
        "name": "Ny",
        "email": "tilbage@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "language": "da",
        "next": "/bibliotek/x/",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/konto/opret/", data)
    assert client.post(_confirmation_path())["Location"] == "/bibliotek/x/"
    client.post("/konto/log-ud/")
    data.update(email="ude@example.org", next="https://evil.example.com/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/konto/opret/", data)
    assert client.post(_confirmation_path())["Location"] == "/"
