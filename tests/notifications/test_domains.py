"""Messages for rooms, the makerspace and volunteers, written by their own services (the
state_changed signal) and sent by the dispatcher: the right person, the reason, the .ics."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from core.models import Track
from core.signals import state_changed
from core.timeutils import local_today
from notifications import services
from notifications.messages import SUBJECTS
from notifications.models import Delivery
from rooms.models import EquipmentBooking
from rooms.services import booking_approve, booking_cancel, booking_reject, booking_request
from tests.factories import make_user
from tests.notifications.factories import at, ics_parts
from tests.rooms.factories import make_equipment, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import CertificateStatus, SessionProposal, VolunteerProfile
from volunteers.services import (
    proposal_approve,
    proposal_reject,
    proposal_request_changes,
    shift_cancel,
    shift_update,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 10)


def dispatch() -> None:
    services.dispatch_due()


def test_every_kind_has_its_template() -> None:
    from django.template.loader import get_template

    for kind in SUBJECTS:
        assert get_template(f"notifications/email/{kind}.txt")


def test_a_booking_request_its_rejection_with_reason_and_a_cancellation(
    mail_expected, staff
) -> None:
    room = make_room(branch=staff.branches.get(), requires_approval=True, name="Salen")
    booker = make_user(language="da")
    outcome = booking_request(
        actor=booker,
        room=room,
        start=at(DAY, 10),
        end=at(DAY, 12),
        purpose="Generalforsamling",
        attendees=10,
    )
    booking = outcome.first
    dispatch()
    booking_reject(actor=staff, booking=booking, reason="Salen bruges til koncert")
    dispatch()

    requested, rejected = mail_expected
    assert requested.subject == "Vi har modtaget din booking: Salen"
    assert ics_parts(requested)[0][0] == "REQUEST"
    vevent = Calendar.from_ical(ics_parts(requested)[0][1]).walk("VEVENT")[0]
    assert vevent["STATUS"] == "TENTATIVE"
    assert rejected.subject == "Booking ikke godkendt: Salen"
    assert "Salen bruges til koncert" in rejected.body
    assert ics_parts(rejected)[0][0] == "CANCEL"


def test_a_confirmed_booking_is_reminded_and_its_cancellation_mailed(mail_expected, staff) -> None:
    room = make_room(branch=staff.branches.get(), requires_approval=True)
    booker = make_user()
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        outcome = booking_request(
            actor=booker, room=room, start=start, end=at(DAY, 11), purpose="Møde", attendees=4
        )
        booking = outcome.first
        booking_approve(actor=staff, booking=booking)
        dispatch()
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        dispatch()
        booking_cancel(actor=booker, booking=booking)
        dispatch()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        dispatch()  # no 2-hour reminder for a cancelled booking
    subjects = [m.subject.split(":")[0] for m in mail_expected]
    assert subjects == [
        "Vi har modtaget din booking",
        "Booking bekræftet",
        "Påmindelse",
        "Booking aflyst",
    ]


def test_a_makerspace_slot_is_confirmed_and_reminded(mail_expected) -> None:
    printer = make_equipment(name="Laserskærer")
    person = make_user(language="en")
    start = at(DAY, 16)
    with time_machine.travel(start - timedelta(days=2), tick=False):
        slot = EquipmentBooking.objects.create(
            equipment=printer, booker=person, start=start, end=at(DAY, 17)
        )
        # As rooms.services.equipment_booking_create sends it.
        state_changed.send(
            sender=EquipmentBooking, kind="equipment_booking.confirmed", instance=slot, actor=person
        )
        dispatch()
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        dispatch()
    assert [m.subject for m in mail_expected] == [
        "Makerspace slot booked: Laserskærer",
        "Reminder: Laserskærer 10/12 16:00",
    ]
    assert all(ics_parts(m)[0][0] == "REQUEST" for m in mail_expected)


# --- Volunteers -------------------------------------------------------------------------------


def test_shift_moved_and_cancelled_and_reminded(mail_expected, staff) -> None:
    activity = make_activity(branch=staff.branches.get(), name="Lektiecafé", coordinator=staff)
    volunteer = make_volunteer()
    start = at(DAY, 15)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        shift = make_shift(activity=activity, start=start)
        make_signup(shift=shift, volunteer=volunteer)
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        dispatch()
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        shift_update(actor=staff, shift=shift, start=at(DAY, 16), end=at(DAY, 18))
        dispatch()
    with time_machine.travel(start - timedelta(hours=22), tick=False):
        shift_cancel(actor=staff, shift=shift, reason="Skolen holder lukket")
        dispatch()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        dispatch()  # no reminder for a cancelled shift

    assert [m.subject for m in mail_expected] == [
        "Påmindelse: din vagt 10/12 kl. 15.00",
        "Din vagt er ændret: Lektiecafé",
        "Påmindelse: din vagt 10/12 kl. 16.00",  # moved into its 24-hour window
        "Din vagt er aflyst: Lektiecafé",
    ]
    assert "kl. 16.00–18.00" in mail_expected[1].body
    assert "Skolen holder lukket" in mail_expected[3].body
    methods = [ics_parts(m)[0][0] for m in mail_expected]
    assert methods == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    uids = {Calendar.from_ical(ics_parts(m)[0][1]).walk("VEVENT")[0]["UID"] for m in mail_expected}
    assert len(uids) == 1


def test_proposal_decisions_are_mailed_with_the_reason(mail_expected, staff) -> None:
    volunteer = make_volunteer(language="da")
    branch = staff.branches.get()

    def proposal(title: str) -> SessionProposal:
        return SessionProposal.objects.create(
            volunteer=volunteer, title=title, branch=branch, start=at(DAY, 17), end=at(DAY, 19)
        )

    proposal_reject(actor=staff, proposal=proposal("Tarotaften"), reason="Passer ikke ind")
    proposal_request_changes(actor=staff, proposal=proposal("Strikkeklub"), note="Kortere, tak")
    approved = proposal("Brætspilscafé")
    approved.tracks.set(Track.objects.filter(slug="hygge"))
    proposal_approve(actor=staff, proposal=approved)
    dispatch()
    rejected, changes, yes = mail_expected
    approved.refresh_from_db()
    assert yes.subject == "Dit arrangement er godkendt: Brætspilscafé"
    assert f"/arrangementer/{approved.event_id}/" in yes.body
    assert rejected.subject == "Dit forslag blev ikke godkendt: Tarotaften"
    assert "Passer ikke ind" in rejected.body
    assert changes.subject == "Ønske om ændringer i dit forslag: Strikkeklub"
    assert "Kortere, tak" in changes.body
    assert ics_parts(rejected) == []


def test_an_expiring_certificate_is_mailed_once_to_volunteer_and_coordinator(
    mail_expected, staff
) -> None:
    coordinator = make_user(role="staff", branches=list(staff.branches.all()), name="Karin K")
    activity = make_activity(children_under_15=True, coordinator=coordinator, name="Lektiecafé")
    expiring = make_volunteer(
        certificate=CertificateStatus.CLEAR, checked_on=local_today() - timedelta(days=700)
    )
    VolunteerProfile.objects.get(user=expiring).activities.add(activity)
    fine = make_volunteer(certificate=CertificateStatus.CLEAR, checked_on=local_today())
    VolunteerProfile.objects.get(user=fine).activities.add(activity)

    dispatch()
    dispatch()

    assert sorted((m.to[0], m.subject) for m in mail_expected) == sorted(
        [
            (expiring.email, "Din børneattest udløber snart"),
            (coordinator.email, f"En frivilligs børneattest udløber snart: {expiring.name}"),
        ]
    )
    assert Delivery.objects.filter(kind__startswith="certificate").count() == 2
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        dispatch()
    assert len(mail_expected) == 2
