"""In a browser, through the real redirects, against login platforms on loopback that the
tests start: Adgangsplatformen for citizens (``platform_server.py``, Authlib's server side)
and an OpenID Connect provider for staff (``oidc-provider-mock``, also Authlib).

The pages are read in English (the language cookie), so the texts do not depend on the
Danish catalogue. Skipped where Chromium is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import oidc_provider_mock
import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.models import Role, User
from events.models import Registration
from identity.models import Platform, PlatformLink
from rooms.models import Booking, PriceTier
from tests.e2e.axe import assert_accessible
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_branch, make_user
from tests.identity.conftest import KAREN, OLE, ROSKILDE
from tests.identity.platform_server import RunningPlatform
from tests.rooms.factories import future_day, make_room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server: Any, settings: Any, page: Page) -> str:
    settings.SITE_URL = live_server.url  # the redirect URL registered with the platforms
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return live_server.url


def _library_login(page: Page, site: str, card: str) -> None:
    page.goto(site + "/konto/log-ind/")
    assert_accessible(page)  # with the library login's button
    page.get_by_role("link", name="Log in with your library login").click()
    # At the platform: the person identifies themselves (card and PIN, or MitID).
    page.get_by_role("button", name=f"Log in as {card}").click()


def _confirm_address(page: Page, site: str, email: str) -> None:
    """The address gets a link; following it makes the account and logs the person in."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.get_by_role("main")).to_contain_text(email)
    assert_accessible(page)
    message = mail.outbox[-1]
    assert message.to == [email]
    link = re.search(r"https?://\S+(/konto/bibliotekslogin/bekraeft/\S+/)", message.body)
    assert link, message.body
    page.goto(site + link.group(1))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and log in").click()


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_first_library_login_confirms_the_address_makes_the_account_the_second_finds_it(
    page: Page, site: str, platform: RunningPlatform
) -> None:
    _library_login(page, site, KAREN.card)

    # Back home, asked only for what the platform does not tell.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Mødested")
    assert_accessible(page)
    page.get_by_label("E-mail").fill("karen@example.org")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Create my account").click()
    assert not User.objects.exists()  # not before the address is confirmed
    _confirm_address(page, site, "karen@example.org")
    expect(page.get_by_role("status").first).to_contain_text("Your account has been created")

    karen = User.objects.get(email="karen@example.org")
    assert karen.municipality == ROSKILDE
    assert karen.language == "en"
    assert not karen.has_usable_password()
    link = PlatformLink.objects.get(user=karen)
    assert (link.platform, link.subject) == (Platform.LIBRARY, KAREN.unique_id)
    # PKCE and the client's secret went to the token endpoint; the verifier was checked there
    # (the server refuses a code without it).
    exchange = platform.state.token_requests[0]
    assert exchange["client_id"] == "modested-test" and exchange["client_secret"]
    assert len(exchange["code_verifier"]) >= 43

    _log_out(page)
    _library_login(page, site, KAREN.card)
    page.goto(site + "/min-side/")
    expect(page.get_by_text("karen@example.org")).to_be_visible()
    assert User.objects.count() == 1
    assert len(platform.state.token_requests) == 2


def test_a_forged_state_is_refused(page: Page, site: str, platform: RunningPlatform) -> None:
    page.goto(site + "/konto/bibliotekslogin/")  # a login started: a state in the session
    page.goto(site + "/konto/bibliotekslogin/svar/?code=stolen-code&state=forged")

    expect(page.get_by_role("status").first).to_contain_text("The login could not be confirmed")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert platform.state.token_requests == []  # the code was never exchanged
    assert not User.objects.exists()


def test_a_platform_that_is_down_says_so_and_email_login_still_works(
    page: Page, site: str, platform: RunningPlatform, settings: Any
) -> None:
    dead = "http://127.0.0.1:9"  # the discard port: nothing answers there
    settings.ADGANGSPLATFORMEN = {
        **platform.settings(),
        "authorize_url": f"{dead}/oauth/authorize",
        "token_url": f"{dead}/oauth/token",
    }
    make_user(email="jens@example.org", name="Jens")

    page.goto(site + "/konto/log-ind/")
    page.get_by_role("link", name="Log in with your library login").click()

    expect(page.get_by_role("status").first).to_contain_text("The library login is not answering")
    page.get_by_label("E-mail").fill("jens@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_resident_books_a_room_at_the_residents_price(
    page: Page, site: str, platform: RunningPlatform
) -> None:
    room = make_room(
        branch=make_branch(name="Roskilde Bibliotek"),
        name="Studierum",
        rent_dkk=Decimal("300"),
        resident_price_tier=PriceTier.FREE,
    )
    event = make_event(title="Strikkecafé", branch=room.branch)
    day = future_day(5)
    for person, email in ((KAREN, "karen@example.org"), (OLE, "ole@example.org")):
        _library_login(page, site, person.card)
        page.get_by_label("E-mail").fill(email)
        page.get_by_role("button", name="Create my account").click()
        _confirm_address(page, site, email)
        if person is KAREN:  # a new citizen registers for an event straight away
            page.goto(f"{site}/arrangementer/{event.pk}/")
            page.get_by_role("button", name="Register").click()
            expect(page.get_by_role("status").first).to_be_visible()
        page.goto(f"{site}/lokaler/{room.pk}/?dato={day.isoformat()}")
        page.get_by_label("From", exact=True).fill("10:00" if person is KAREN else "12:00")
        page.get_by_label("To", exact=True).fill("11:00" if person is KAREN else "13:00")
        page.get_by_label("What is the room for?").fill("Lektiehjælp")
        page.get_by_label("Expected number of people").fill("2")
        page.get_by_role("button", name="Book").click()
        expect(page.get_by_role("status").first).to_contain_text("confirmed")
        _log_out(page)

    assert Registration.objects.get(event=event).user.email == "karen@example.org"
    karen_booking = Booking.objects.get(booker__email="karen@example.org")
    ole_booking = Booking.objects.get(booker__email="ole@example.org")
    assert (karen_booking.price_tier, karen_booking.price_dkk) == (PriceTier.FREE, Decimal("0"))
    assert (ole_booking.price_tier, ole_booking.price_dkk) == (PriceTier.RENT, Decimal("300"))


@pytest.fixture
def staff_provider(settings: Any, site: str) -> Iterator[Any]:
    """The municipality's OpenID Connect provider on loopback; Kirsten is in Viby's group."""
    kirsten = oidc_provider_mock.User(
        sub="kirsten",
        claims={"email": "kirsten@roskilde.dk", "name": "Kirsten", "groups": ["sg-bib-viby"]},
    )
    with oidc_provider_mock.run_server_in_thread(user_claims=[kirsten]) as server:
        settings.STAFF_SSO = {
            **settings.STAFF_SSO,
            "metadata_url": f"http://localhost:{server.server_port}/.well-known/openid-configuration",
            "client_id": "modested-staff",
            "client_secret": "staff-secret",
            "groups": "sg-bib-viby=staff:viby,sg-bib-admin=administrator",
        }
        yield server


def test_staff_whose_group_names_viby_get_vibys_staff_pages_and_nothing_else(
    page: Page, site: str, staff_provider: Any, settings: Any
) -> None:
    viby = make_branch(name="Viby Bibliotek", slug="viby")
    make_branch(name="Hasle Bibliotek", slug="hasle")
    settings.MODESTED_STAFF_PASSWORD_LOGIN = False

    page.goto(site + "/konto/log-ind/")
    page.get_by_role("link", name="Staff: log in with the municipality's sign-on").click()
    page.get_by_role("button", name="kirsten").click()

    expect(page).to_have_url(site + "/personale/")
    kirsten = User.objects.get(email="kirsten@roskilde.dk")
    assert kirsten.role == Role.STAFF
    assert list(kirsten.branches.all()) == [viby]
    assert page.goto(site + "/personale/bibliotek/viby/").status == 200
    assert page.goto(site + "/personale/bibliotek/hasle/").status == 404


def test_the_library_login_is_removed_from_my_page_after_asking(
    page: Page, site: str, platform: RunningPlatform
) -> None:
    karen = make_user(email="karen@example.org", name="Karen")
    PlatformLink.objects.create(user=karen, platform=Platform.LIBRARY, subject=KAREN.unique_id)
    page.goto(site + "/konto/log-ind/")
    page.get_by_label("E-mail").fill("karen@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(site + "/min-side/")
    page.get_by_role("link", name="Remove my library login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove the library login")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, remove my library login").click()

    expect(page.get_by_role("status").first).to_contain_text("no longer linked")
    expect(page.get_by_role("button", name="Link my library login")).to_be_visible()
    assert not PlatformLink.objects.exists()
