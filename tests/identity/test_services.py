"""The identity services and selectors: accounts from the library login, linking, the staff
groups, and what the municipality number changes (room prices and windows, plan counts)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from core.exceptions import Conflict, RuleViolation
from core.models import AuditLog, Role
from identity import selectors, services
from identity.models import Platform, PlatformLink
from identity.selectors import LibraryIdentity
from plans import selectors as plan_selectors
from rooms import services as room_services
from rooms.models import PriceTier
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_room

pytestmark = pytest.mark.django_db

KAREN = LibraryIdentity(subject="7f1c2a64-guid", municipality="265")


@pytest.fixture(autouse=True)
def _roskilde(settings: Any) -> None:
    settings.MODESTED_MUNICIPALITY = "265"


def test_user_info_is_read_under_attributes_or_flat_and_needs_a_unique_id() -> None:
    nested = {"attributes": {"uniqueId": "abc", "municipality": "265", "cpr": "0101011234"}}
    assert selectors.library_identity_from(nested) == LibraryIdentity("abc", "265")
    assert selectors.library_identity_from({"uniqueId": "abc"}) == LibraryIdentity("abc", "")
    assert selectors.library_identity_from({"attributes": {"municipality": "265"}}) is None
    # Anything that is not a municipality number is not kept.
    odd = {"uniqueId": "abc", "municipality": "<script>"}
    assert selectors.library_identity_from(odd) == LibraryIdentity("abc", "")


def test_the_first_login_makes_the_account_later_logins_find_it_and_renew_the_municipality() -> (
    None
):
    assert services.library_login(identity=KAREN) is None
    karen = services.library_account_create(
        identity=KAREN, email=" Karen@Example.org ", language="en"
    )
    assert (karen.email, karen.municipality, karen.role) == ("karen@example.org", "265", "citizen")
    assert AuditLog.objects.filter(action="user.platform_registered").count() == 1

    moved = LibraryIdentity(subject=KAREN.subject, municipality="101")
    again = services.library_login(identity=moved)
    assert again == karen
    karen.refresh_from_db()
    assert karen.municipality == "101"
    assert not karen.is_resident


def test_an_address_that_has_an_account_is_not_taken_over_but_can_be_linked() -> None:
    owner = make_user(email="karen@example.org")
    with pytest.raises(RuleViolation) as refused:
        services.library_account_create(identity=KAREN, email="karen@example.org")
    assert refused.value.code == "email_taken"
    assert not PlatformLink.objects.exists()

    services.library_link_add(actor=owner, identity=KAREN)
    assert services.library_login(identity=KAREN) == owner
    # The same library login cannot be linked to a second account.
    with pytest.raises(Conflict):
        services.library_link_add(actor=make_user(), identity=KAREN)


def test_staff_groups_give_role_and_branches_renewed_at_each_login(settings: Any) -> None:
    viby = make_branch(slug="viby")
    hasle = make_branch(slug="hasle")
    settings.STAFF_SSO = {
        **settings.STAFF_SSO,
        "groups": "sg-viby=staff:viby, sg-hasle=staff:hasle, sg-it=administrator, x=nonsense",
    }
    kirsten = services.staff_sso_login(
        subject="k1", email="Kirsten@roskilde.dk", name="Kirsten", groups=["sg-viby", "other"]
    )
    assert kirsten is not None
    assert (kirsten.email, kirsten.role) == ("kirsten@roskilde.dk", Role.STAFF)
    assert list(kirsten.branches.all()) == [viby]

    moved = services.staff_sso_login(subject="k1", email="", name="", groups=["sg-hasle"])
    assert moved == kirsten
    assert list(kirsten.branches.all()) == [hasle]

    # Out of every mapped group: refused, and the staff role goes.
    assert services.staff_sso_login(subject="k1", email="", name="", groups=["x"]) is None
    kirsten.refresh_from_db()
    assert (kirsten.role, list(kirsten.branches.all())) == (Role.CITIZEN, [])
    assert PlatformLink.objects.get(user=kirsten).platform == Platform.STAFF_SSO


def test_residents_get_the_resident_tier_and_a_longer_window() -> None:
    room = make_room(
        rent_dkk=Decimal("300"),
        max_days_ahead=10,
        resident_price_tier=PriceTier.FREE,
        resident_max_days_ahead=60,
    )
    resident = make_user(municipality="265")
    visitor = make_user(municipality="101")
    day = future_day(30)

    booked = room_services.booking_request(
        actor=resident, room=room, start=at(day, 10), end=at(day, 11), purpose="x", attendees=2
    ).bookings[0]
    assert (booked.price_tier, booked.price_dkk) == (PriceTier.FREE, Decimal("0"))

    with pytest.raises(RuleViolation) as refused:
        room_services.booking_request(
            actor=visitor, room=room, start=at(day, 12), end=at(day, 13), purpose="x", attendees=2
        )
    assert refused.value.params["days"] == 10
    near = future_day(3)
    other = room_services.booking_request(
        actor=visitor, room=room, start=at(near, 12), end=at(near, 13), purpose="x", attendees=2
    ).bookings[0]
    assert (other.price_tier, other.price_dkk) == (PriceTier.RENT, Decimal("300"))


def test_the_plan_counts_participants_from_the_municipality_and_from_elsewhere() -> None:
    event = make_event(start=timezone.now() + timedelta(days=3))
    make_registration(event=event, user=make_user(municipality="265"), seats=2)
    make_registration(event=event, user=make_user(municipality="101"))
    make_registration(event=event, user=make_user())  # an e-mail account: not known
    year = timezone.localtime(event.start).year

    counted = plan_selectors.participants_by_residence(year=year)

    assert (counted.resident, counted.elsewhere, counted.unknown) == (2, 1, 1)
    assert plan_selectors.participants_by_residence(year=year, branch_ids=[]).resident == 0
