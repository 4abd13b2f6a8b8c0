"""The identity services and selectors: accounts from the library login, linking, the staff
groups, and what the municipality number changes (room prices and windows, plan counts)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from core.exceptions import Conflict, RuleViolation
from core.models import AuditLog, Role, User
from identity import selectors, services
from identity.models import LibrarySignup, Platform, PlatformLink
from identity.selectors import LibraryIdentity
from identity.tasks import purge_library_signups
from plans import selectors as plan_selectors
from rooms import services as room_services
from rooms.models import PriceTier
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_room

pytestmark = pytest.mark.django_db

KAREN = LibraryIdentity(subject="7f1c2a64-guid", municipality="265")


@pytest.fixture(autouse=True)
def _roskilde(settings: Any) -> Any:
    settings.MODESTED_MUNICIPALITY = "265"
    with translation.override("en"):
        yield


def test_user_info_is_read_under_attributes_or_flat_and_needs_a_unique_id() -> None:
    nested = {"attributes": {"uniqueId": "abc", "municipality": "265", "cpr": "0101011234"}}
    assert selectors.library_identity_from(nested) == LibraryIdentity("abc", "265")
    assert selectors.library_identity_from({"uniqueId": "abc"}) == LibraryIdentity("abc", "")
    assert selectors.library_identity_from({"attributes": {"municipality": "265"}}) is None
    # Anything that is not a municipality number is not kept.
    odd = {"uniqueId": "abc", "municipality": "<script>"}
    assert selectors.library_identity_from(odd) == LibraryIdentity("abc", "")


def _token(message: mail.EmailMessage) -> str:
    found = re.search(r"/konto/bibliotekslogin/bekraeft/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def test_the_first_login_makes_the_account_only_through_the_link_later_logins_find_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert services.library_login(identity=KAREN) is None
    with django_capture_on_commit_callbacks(execute=True):
        sent_to = services.library_signup_start(
            identity=KAREN, email=" Karen@Example.org ", language="en", next_url="/lokaler/"
        )
    assert sent_to == "karen@example.org"
    # Nothing is on an account yet: the address waits for its link.
    assert not User.objects.exists() and not PlatformLink.objects.exists()
    (link,) = mail.outbox
    assert link.to == ["karen@example.org"]
    assert link.subject == "Confirm your e-mail address for Mødested"  # in the language chosen

    confirmed = services.library_signup_confirm(token=_token(link))
    karen = confirmed.user
    assert (karen.email, karen.municipality, karen.role, karen.language) == (
        "karen@example.org",
        "265",
        "citizen",
        "en",
    )
    assert not karen.has_usable_password()
    assert (confirmed.identity, confirmed.next_url) == (KAREN, "/lokaler/")
    assert PlatformLink.objects.get(user=karen).subject == KAREN.subject
    assert AuditLog.objects.filter(action="user.platform_registered").count() == 1
    assert not LibrarySignup.objects.exists()
    with pytest.raises(RuleViolation) as used:  # the link works once
        services.library_signup_confirm(token=_token(link))
    assert used.value.code == "signup_link_invalid"

    moved = LibraryIdentity(subject=KAREN.subject, municipality="101")
    again = services.library_login(identity=moved)
    assert again == karen
    karen.refresh_from_db()
    assert karen.municipality == "101"
    assert not karen.is_resident


def test_a_new_address_replaces_the_earlier_link_and_links_expire(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.library_signup_start(identity=KAREN, email="karen@exmaple.org")  # mistyped
        services.library_signup_start(identity=KAREN, email="karen@example.org")
    mistyped, right = mail.outbox
    assert mistyped.to == ["karen@exmaple.org"] and right.to == ["karen@example.org"]
    with pytest.raises(RuleViolation):
        services.library_signup_confirm(token=_token(mistyped))
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        with pytest.raises(RuleViolation):
            services.library_signup_confirm(token=_token(right))
        assert purge_library_signups() == 1  # the daily task
    assert settings.CELERY_BEAT_SCHEDULE["purge-library-signups"]["task"] == (
        "identity.purge_library_signups"
    )
    assert not User.objects.exists()


def test_an_address_that_has_an_account_gets_a_notice_and_is_not_taken_over(
    django_capture_on_commit_callbacks: Any,
) -> None:
    owner = make_user(email="karen@example.org", name="Karen Ejer", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        sent_to = services.library_signup_start(identity=KAREN, email="KAREN@example.org")
    assert sent_to == "karen@example.org"  # the same answer as for a new address
    (notice,) = mail.outbox
    assert notice.to == ["karen@example.org"]
    assert "already have an account" in notice.body and "My page" in notice.body
    assert (
        "/konto/log-ind/" in notice.body and "/konto/bibliotekslogin/bekraeft/" not in notice.body
    )
    assert not LibrarySignup.objects.exists() and not PlatformLink.objects.exists()
    assert AuditLog.objects.filter(action="user.signup_repeated").count() == 1

    services.library_link_add(actor=owner, identity=KAREN)
    assert services.library_login(identity=KAREN) == owner
    # The same library login cannot be linked to a second account...
    with pytest.raises(Conflict):
        services.library_link_add(actor=make_user(), identity=KAREN)
    # ...nor start another one.
    with pytest.raises(Conflict):
        services.library_signup_start(identity=KAREN, email="ny@example.org")


def test_an_address_taken_while_its_link_waits_is_not_taken_over(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.library_signup_start(identity=KAREN, email="karen@example.org")
    make_user(email="karen@example.org")
    with pytest.raises(RuleViolation) as refused:
        services.library_signup_confirm(token=_token(mail.outbox[0]))
    assert refused.value.code == "email_taken"
    assert not PlatformLink.objects.exists()
    assert User.objects.get().has_usable_password()  # the owner's account, untouched


def test_the_library_login_is_unlinked_only_where_there_is_another_way_in(
    settings: Any,
) -> None:
    with_password = make_user(email="jens@example.org")
    services.library_link_add(actor=with_password, identity=KAREN)
    services.library_link_remove(actor=with_password)
    assert not PlatformLink.objects.exists()
    assert AuditLog.objects.filter(action="user.platform_unlinked").count() == 1
    with pytest.raises(RuleViolation):  # nothing left to remove
        services.library_link_remove(actor=with_password)

    only_library = make_user(email="karen@example.org")
    only_library.set_unusable_password()
    only_library.save()
    services.library_link_add(actor=only_library, identity=KAREN)
    with pytest.raises(RuleViolation) as refused:
        services.library_link_remove(actor=only_library)
    assert refused.value.code == "only_way_to_log_in"
    assert PlatformLink.objects.filter(user=only_library).exists()

    # A staff member who also signs on with the municipality's provider has another way in.
    PlatformLink.objects.create(user=only_library, platform=Platform.STAFF_SSO, subject="k1")
    settings.STAFF_SSO = {**settings.STAFF_SSO, "metadata_url": "http://sso", "client_id": "m"}
    services.library_link_remove(actor=only_library)
    assert list(PlatformLink.objects.values_list("platform", flat=True)) == [Platform.STAFF_SSO]


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
