"""Staff give a room a resident price tier and booking window in the staff room pages
(issue #17): residents are the people whose library login names the library's municipality."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.contracts import AuditAction
from core.models import AuditLog, Role
from rooms import selectors
from rooms.models import PriceTier
from tests.factories import make_branch, make_user
from tests.rooms.factories import make_room
from tests.rooms.test_setup_pages import logged_in, room_form

pytestmark = pytest.mark.django_db


def test_staff_set_the_resident_rules_of_a_room_and_residents_see_their_price(
    settings: Any,
) -> None:
    settings.MODESTED_MUNICIPALITY = "265"
    viby = make_branch(slug="viby")
    room = make_room(branch=viby, rent_dkk=Decimal("300"), max_days_ahead=30)
    client = logged_in(make_user(role=Role.STAFF, branches=[viby]))
    page = client.get(f"/personale/lokaler/{room.pk}/ret/").content.decode()
    assert "price tier for residents of the municipality" in page.lower()

    client.post(
        f"/personale/lokaler/{room.pk}/ret/",
        room_form(room, resident_price_tier=PriceTier.FREE, resident_max_days_ahead="120"),
    )

    room.refresh_from_db()
    assert (room.resident_price_tier, room.resident_max_days_ahead) == (PriceTier.FREE, 120)
    row = AuditLog.objects.get(action=AuditAction.ROOM_CHANGED)
    assert row.data["changes"]["resident_max_days_ahead"] == {"old": None, "new": 120}
    resident, visitor = make_user(municipality="265"), make_user(municipality="101")
    assert selectors.price_for(room=room, partner=None, booker=resident) == (
        PriceTier.FREE,
        Decimal("0"),
    )
    assert selectors.price_for(room=room, partner=None, booker=visitor)[1] == Decimal("300")
    assert selectors.days_ahead_for(room=room, booker=resident) == 120
    assert selectors.days_ahead_for(room=room, booker=visitor) == 30
    # The room page shows the resident their own price.
    shown = logged_in(resident).get(f"/lokaler/{room.pk}/").content.decode()
    assert "Booking for yourself: free of charge" in shown
