"""Query counts pinned on the main writes, as Zulip pins its ``do_*`` actions.

A write that starts asking the database once per row, or loses a ``select_related``, fails
here first; the failure prints every statement (pytest-django). Each count is the sum of the
commented statements, savepoints included (``django_assert_num_queries`` counts them):

* The test runs inside a transaction, so the service's durable ``atomic`` is a SAVEPOINT and a
  RELEASE here (BEGIN and COMMIT in production, which are not counted).
* The inner SAVEPOINT / RELEASE pair around an INSERT is real in production too: it lets an
  ``IntegrityError`` from a database constraint become the same 409 as the service's check.
* The counts are the same on PostgreSQL and SQLite: a PostgreSQL connection starts with its
  ``lock_timeout`` (no ``SET LOCAL`` before each lock), and on SQLite the same SELECT runs
  without ``FOR UPDATE`` (its writers are serialised by ``BEGIN IMMEDIATE``).
* The outbox row of a message (``notifications``' ``state_changed`` receiver) is written in
  the same transaction, so it is counted; the e-mail itself goes after the commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import connection

from events import services as event_services
from events.models import RegistrationStatus
from rooms import services as room_services
from rooms.models import BookingStatus
from tests.events.factories import make_event, make_person, make_registration
from tests.factories import make_user, track
from tests.rooms.factories import at, make_room
from tests.volunteers.factories import make_activity, make_shift, make_volunteer
from volunteers import services as volunteer_services
from volunteers.models import ProposalStatus

pytestmark = pytest.mark.django_db

NOW = "2026-11-25 12:00 +01:00"
DAY = date(2026, 12, 8)  # a Tuesday, no holiday; the test branch is open 08-22 every day


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_booking_request_of_one_free_slot(django_assert_num_queries, branch) -> None:
    room = make_room(branch=branch)
    person = make_user()
    # 1  SAVEPOINT (the durable transaction)
    # 2  the Room row, locked
    # 3  its Branch (room.branch, for closures and hours)
    # 4  closures on that day (_hours_problem)
    # 5  closures on that day again (core.selectors.opening_intervals asks too)
    # 6  the branch's opening hours
    # 7  tentative holds of the room that have expired (released first; none here)
    # 8  live bookings of the room that could overlap
    # 9  is the person's right to book paused (repeated no-shows)?
    # 10 SAVEPOINT / 11 INSERT the booking / 12 RELEASE (exclusion constraint -> 409)
    # 13 the audit row "booking.confirmed"
    # 14 the outbox row for the "booking.confirmed" mail
    # 15 RELEASE SAVEPOINT
    with django_assert_num_queries(15):
        outcome = room_services.booking_request(
            actor=person,
            room=room,
            start=at(DAY, 10),
            end=at(DAY, 12),
            purpose="Møde",
            attendees=2,
        )
    assert outcome.first.status == BookingStatus.CONFIRMED


def test_registration_create_for_a_free_seat(django_assert_num_queries, branch) -> None:
    event = make_event(branch=branch, start=at(DAY, 10), capacity=10)
    make_registration(event=event)
    person = make_person()
    # A first registration on this connection prepares the lock and the count (PostgreSQL
    # plans them once per connection, core.db.prepared): that one is not what is counted.
    event_services.registration_create(actor=make_person(), event=make_event(branch=branch))
    # 1  SAVEPOINT (the durable transaction)
    # 2  the Event row, locked, and one count under the lock: the confirmed seats, the
    #    queue, whether the person is already registered and whether the event asks
    #    questions (none here: none read); on PostgreSQL the two go in one string
    # 3  INSERT the registration (its id from the count: nothing read back), the audit row
    #    "registration.confirmed" and the outbox row for its mail, in one string on
    #    PostgreSQL (no savepoint: a unique-constraint error rolls the whole transaction
    #    back and becomes the same 409)
    # 4  RELEASE SAVEPOINT
    # On SQLite each statement goes on its own: 7.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
        registration = event_services.registration_create(actor=person, event=event, seats=2)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_shift_signup_for_a_free_place(django_assert_num_queries, branch) -> None:
    shift = make_shift(activity=make_activity(branch=branch), start=at(DAY, 15), needed=3)
    person = make_volunteer(branches=[branch])
    # 1  SAVEPOINT (the durable transaction)
    # 2  the volunteer's profile (_profile_of)
    # 3  the same profile row, locked first
    # 4  the Shift row, locked second
    # 5  the shift again, with its activity and branch (select_related)
    # 6  already signed up for this shift? (EXISTS)
    # 7  the live sign-ups of the shift (COUNT, under the lock)
    # 8  the volunteer's overlapping sign-up, if any
    # 9  SAVEPOINT / 10 INSERT the sign-up / 11 RELEASE (exclusion constraint -> 409)
    # 12 the audit row "shift.signed_up" (no mail for one's own sign-up)
    # 13 RELEASE SAVEPOINT
    with django_assert_num_queries(13):
        signup = volunteer_services.shift_signup(actor=person, shift=shift)
    assert signup.shift_id == shift.pk


def test_proposal_approve_of_a_single_session_in_a_room(
    django_assert_num_queries, branch, staff
) -> None:
    room = make_room(branch=branch, name="Netværkstedet", capacity=10)
    host = make_volunteer(branches=[branch])
    proposal = volunteer_services.proposal_submit(
        actor=host,
        title="IT-hjælp for seniorer",
        branch=branch,
        start=at(DAY, 10),
        end=at(DAY, 12),
        room=room,
        tracks=[track("digitale-forbindelser")],
        capacity=8,
    )
    # 1  SAVEPOINT (the durable transaction)
    # 2  the proposal row, locked
    # 3  the proposal again, with volunteer, branch and room (select_related)
    # 4  may the actor manage the branch? (EXISTS)
    # 5  the proposal's tracks / 6 its audiences
    # --- events.services.series_build (a savepoint: it is composable)
    # 7  SAVEPOINT
    # 8  may the actor manage the branch? (EXISTS, asked again by the events service)
    # 9  closures on the session's day (is the branch open? events.services.validation)
    # 10 INSERT the series
    # 11 its tracks (SELECT) / 12 INSERT its track
    # 13 its audiences (SELECT; none to add) / 14 its partners (SELECT; none to add)
    # 15 INSERT the event
    # 16 its tracks (SELECT) / 17 INSERT its track
    # 18 its audiences (SELECT) / 19 its partners (SELECT)
    # --- rooms.services.room_occupy (composable: a savepoint)
    # 20 SAVEPOINT
    # 21 the Room row, locked
    # 22 tentative holds of the room that have expired (released first; none here)
    # 23 live bookings of the room that could overlap
    # 24 SAVEPOINT / 25 INSERT the booking / 26 RELEASE (exclusion constraint -> 409)
    # 27 the audit row "booking.occupied"
    # 28 RELEASE SAVEPOINT
    # 29 UPDATE the event's room booking
    # 30 the audit row "event_series.created"
    # 31 RELEASE SAVEPOINT
    # --- back in volunteers
    # 32 the series' one event (series.events.get())
    # 33 UPDATE the proposal (approved, with its event and series)
    # 34 the audit row "proposal.approved"
    # 35 the outbox row for the "proposal.approved" mail to the volunteer
    # 36 RELEASE SAVEPOINT
    with django_assert_num_queries(36):
        approved = volunteer_services.proposal_approve(actor=staff, proposal=proposal)
    assert approved.status == ProposalStatus.APPROVED
