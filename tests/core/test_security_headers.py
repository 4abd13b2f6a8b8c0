"""Hardening (issue #11, finding 9): a Content-Security-Policy with no inline script, Swagger UI
from our own static files, ``Cache-Control: no-store`` for signed-in people, and every
``next`` kept on this site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from core.models import Role, User
from events.models import RegistrationStatus
from rooms.models import BookingStatus
from tests.events.factories import make_event, make_registration
from tests.factories import PASSWORD, make_branch, make_user
from tests.rooms.factories import at, future_day, make_booking, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import SignupStatus

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
APPS = ["core", "rooms", "events", "volunteers", "notifications", "plans"]


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Content-Security-Policy ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/arrangementer/",
        "/lokaler/",
        "/makerspace/",
        "/konto/log-ind/",
        "/konto/opret/",
        "/api/docs/",
        "/admin/login/",
        "/findes-ikke/",  # our own 404 page too
    ],
)
def test_every_page_has_a_csp_without_inline_script(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["Content-Type"].startswith("text/html")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_signed_in_pages_have_the_csp_too() -> None:
    branch = make_branch()
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    citizen = make_user(password=None)
    for client, path in [
        (_signed_in(citizen), "/min-side/"),
        (_signed_in(staff), "/personale/"),
        (_signed_in(staff), "/personale/arrangementer/ny/"),
        (_signed_in(staff), "/plan/"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path


def test_json_answers_carry_no_csp_and_the_browsable_api_gets_inline_styles_only(
    client: Client,
) -> None:
    assert "Content-Security-Policy" not in client.get("/api/tracks/")
    # DRF's browsable API (its templates carry style="..." that are not ours): styles only.
    browsable = client.get("/api/tracks/", HTTP_ACCEPT="text/html")
    policy = _directives(browsable["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


@override_settings(MODESTED_CSP="default-src 'none'")
def test_the_policy_is_a_setting(client: Client) -> None:
    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"


@override_settings(MODESTED_CSP="off")
def test_the_policy_can_be_switched_off(client: Client) -> None:
    assert "Content-Security-Policy" not in client.get("/")


@override_settings(MODESTED_CSP_REPORT_ONLY=True)
def test_the_policy_can_be_tried_report_only(client: Client) -> None:
    response = client.get("/")
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


# --- No inline code in any template --------------------------------------------------------

TEMPLATES = sorted(
    path for app in APPS for path in (ROOT / app / "templates").rglob("*.html") if path.is_file()
)
# A <script> is an external file (src=) or data (type="application/json"), never code.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type\s*=\s*[\"']application/json)[^>]*>", re.I
)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*?\sstyle\s*=", re.I | re.S)
EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\s(?:src|href)\s*=\s*[\"']"
    r"(?:https?:)?//",
    re.I | re.S,
)
# Inline styles allowed only where no browser loads the page under our policy:
STYLE_EXCEPTIONS = {
    # e-mail: mail programs ignore style sheets, so the messages carry their own styles.
    *(path for path in TEMPLATES if "email" in path.parts),
    # the report's stand-alone document (PDF and plan_report's HTML file); the page links it.
    ROOT / "plans/templates/plans/report.html",
}


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_template_scan_sees_every_app() -> None:
    assert {path.relative_to(ROOT).parts[0] for path in TEMPLATES} == set(APPS)
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("path", TEMPLATES, ids=_relative)
def test_no_template_holds_inline_script_handlers_or_third_party_resources(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.findall(text), "move the script to a file under the app's static/"
    assert not INLINE_HANDLER.findall(text), "use addEventListener in a static script"
    assert not JAVASCRIPT_URL.findall(text)
    assert not EXTERNAL_RESOURCE.findall(text), "serve it from our own static files"
    if path not in STYLE_EXCEPTIONS:
        assert not INLINE_STYLE.findall(text), "move the style to the app's stylesheet"


def test_the_report_page_links_its_styles_and_its_pdf_keeps_them(client: Client) -> None:
    from plans import report as reports

    staff = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    page = _signed_in(staff).get("/plan/rapport/2026/year/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html and "/static/plans/report.css" in html
    standalone = reports.render_html(reports.build_report(year=2026, period="year"))
    assert "<style>" in standalone and "font-variant-numeric" in standalone


# --- Swagger UI from our own files -----------------------------------------------------------


def test_api_docs_reference_no_external_host(client: Client) -> None:
    response = client.get("/api/docs/")
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert urls, html
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "<style" not in html
    assert not INLINE_SCRIPT.findall(html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in urls
    # The start script is a file of its own, pointing at our schema, with no validator badge
    # (which would fetch an image from validator.swagger.io).
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert 'url: "/api/schema/"' in body and '"validatorUrl": null' in body
    assert (
        client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css").status_code
        == 200
    )


# --- Cache-Control: no-store for signed-in people ------------------------------------------


def test_my_page_and_staff_pages_are_not_stored(client: Client) -> None:
    branch = make_branch()
    citizen = make_user(password=None)
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    for person, path in [(citizen, "/min-side/"), (staff, "/personale/"), (citizen, "/")]:
        response = _signed_in(person).get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path
        assert "Cookie" in response["Vary"]


def test_an_anonymous_public_page_is_not_marked_no_store(client: Client) -> None:
    for path in ["/", "/arrangementer/", "/api/tracks/"]:
        response = client.get(path)
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_authenticated_api_answers_are_not_stored(client: Client) -> None:
    make_user(email="token@example.org")
    token = client.post(
        "/api/auth/token/",
        {"email": "token@example.org", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    with_token = Client(HTTP_AUTHORIZATION=f"Token {token}")
    for path in ["/api/registrations/", "/api/tracks/"]:
        response = with_token.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path
        assert "Authorization" in response["Vary"]
    # A wrong token's 401 is for that caller alone, too.
    assert (
        "no-store" in Client(HTTP_AUTHORIZATION="Token wrong").get("/api/tracks/")["Cache-Control"]
    )
    # Signed in by session (the browsable API, Swagger's "try it out").
    session = _signed_in(make_user(password=None)).get("/api/registrations/")
    assert session.status_code == 200 and "no-store" in session["Cache-Control"]


def test_public_feeds_keep_their_caching_for_signed_in_people_too() -> None:
    event = make_event()
    signed_in = _signed_in(make_user(password=None))
    for path in ["/feeds/events.ics", f"/feeds/events/{event.pk}.ics"]:
        response = signed_in.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=300", path


def test_the_personal_feed_stays_private_with_its_etag(client: Client) -> None:
    me = _signed_in(make_user(password=None))
    me.post("/min-side/kalender/forny/")
    created = me.get("/min-side/kalender/nyt-link/").content.decode()
    path = re.search(r"/feeds/personal/[^\"<]+\.ics", created).group(0)
    for caller in (Client(), me):  # the calendar app, and the person's own browser
        first = caller.get(path)
        assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
        again = caller.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


# --- next stays on this site -----------------------------------------------------------------

OFF_SITE = ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]


def _assert_on_site(location: str) -> None:
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location


@pytest.mark.parametrize("target", OFF_SITE)
def test_cancelling_a_registration_never_redirects_off_site(target: str) -> None:
    me = make_user(password=None)
    reg = make_registration(event=make_event(), user=me)
    response = _signed_in(me).post(
        f"/arrangementer/tilmeldinger/{reg.pk}/afmeld/", {"next": target}
    )
    assert response.status_code == 302
    _assert_on_site(response["Location"])
    assert response["Location"] == "/min-side/"
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED


@pytest.mark.parametrize("target", OFF_SITE)
def test_withdrawing_from_a_shift_never_redirects_off_site(target: str) -> None:
    branch = make_branch()
    me = make_volunteer(branches=[branch])
    signup = make_signup(shift=make_shift(activity=make_activity(branch=branch)), volunteer=me)
    response = _signed_in(me).post(f"/frivillig/tilmeldinger/{signup.pk}/afmeld/", {"next": target})
    assert response.status_code == 302
    _assert_on_site(response["Location"])
    assert response["Location"] == "/frivillig/"
    signup.refresh_from_db()
    assert signup.status == SignupStatus.WITHDRAWN


@pytest.mark.parametrize("target", OFF_SITE)
def test_cancelling_a_room_booking_never_redirects_off_site(target: str) -> None:
    me = make_user(password=None)
    room = make_room()
    day = future_day(10)
    booking = make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=me)
    response = _signed_in(me).post(f"/lokaler/booking/{booking.pk}/aflys/", {"next": target})
    assert response.status_code == 302
    _assert_on_site(response["Location"])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_next_on_this_site_is_still_followed() -> None:
    me = make_user(password=None)
    reg = make_registration(event=make_event(), user=me)
    response = _signed_in(me).post(
        f"/arrangementer/tilmeldinger/{reg.pk}/afmeld/", {"next": f"/arrangementer/{reg.event_id}/"}
    )
    assert response["Location"] == f"/arrangementer/{reg.event_id}/"


def test_no_view_reads_next_without_the_core_helper() -> None:
    """A new view that follows ``next`` by hand fails here: use ``core.safe_redirect.safe_next``."""
    reads = re.compile(r"""(?:POST|GET|data|query_params)(?:\.get\(|\[)\s*["']next["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    allowed = {"core/safe_redirect.py"}
    # core/views.py's sign-up and language switch check next themselves (url_has_allowed_...).
    allowed_prefixes = ("core/views.py:",)
    assert [
        o
        for o in offenders
        if o.split(":")[0] not in allowed and not o.startswith(allowed_prefixes)
    ] == []
