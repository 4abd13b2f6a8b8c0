"""The registration service: seats, waiting list, promotion, cancelling, check-in, retention."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.exceptions import Conflict, NotFound, PermissionDenied, RuleViolation
from core.models import AuditLog, Track
from core.timeutils import local_tz, make_local
from events import services
from events.models import Event, EventState, Registration, RegistrationStatus
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


def register(event: Event, seats: int = 1, user: Any = None) -> Registration:
    return services.registration_create(actor=user or make_person(), event=event, seats=seats)


def test_confirmed_while_seats_remain_then_waiting_list_in_arrival_order(signals: list) -> None:
    event = make_event(capacity=3)
    a = register(event, seats=2)
    b = register(event, seats=1)
    c = register(event, seats=1)
    d = register(event, seats=2)
    assert (a.status, b.status) == (CONFIRMED, CONFIRMED)
    assert (c.status, c.waitlist_position) == (WAITLISTED, 1)
    assert (d.status, d.waitlist_position) == (WAITLISTED, 2)
    assert [k for k, _ in signals] == [
        "registration.confirmed",
        "registration.confirmed",
        "registration.waitlisted",
        "registration.waitlisted",
    ]
    assert AuditLog.objects.filter(action="registration.waitlisted").count() == 2


def test_one_live_registration_per_person_and_again_after_cancelling() -> None:
    event = make_event()
    person = make_person()
    reg = register(event, user=person)
    with pytest.raises(Conflict):
        register(event, user=person)
    services.registration_cancel(actor=person, registration=reg)
    again = register(event, user=person)
    assert again.status == CONFIRMED


def test_seats_limits_and_closed_events_are_refused_clearly() -> None:
    event = make_event(capacity=5, max_seats_per_registration=3)
    with pytest.raises(RuleViolation) as info:
        register(event, seats=4)
    assert "3" in info.value.message
    with pytest.raises(RuleViolation):
        register(make_event(capacity=2, max_seats_per_registration=4), seats=3)
    with pytest.raises(RuleViolation):
        register(make_event(registration_required=False))
    with pytest.raises(NotFound):
        register(make_event(state=EventState.DRAFT))
    started = make_event(start=timezone.now() - timedelta(minutes=5))
    with pytest.raises(RuleViolation):
        register(started)
    assert Registration.objects.count() == 0


def test_several_cancel_at_once_promote_as_many_as_fit_in_order(signals: list) -> None:
    event = make_event(capacity=4)
    confirmed = [register(event, seats=2), register(event, seats=2)]
    w1 = register(event, seats=1)
    w2 = register(event, seats=2)
    w3 = register(event, seats=1)
    w4 = register(event, seats=3)
    w5 = register(event, seats=1)
    # Both confirmed parties cancel: 4 seats free. w1 (1) + w2 (2) + w3 (1) fit; w4 (3) does not,
    # and w5 does not pass w4 (first come, first served).
    for reg in confirmed:
        services.registration_cancel(actor=reg.user, registration=reg)
    statuses = {r.pk: (r.status, r.waitlist_position) for r in Registration.objects.all()}
    assert statuses[w1.pk] == (CONFIRMED, None)
    assert statuses[w2.pk] == (CONFIRMED, None)
    assert statuses[w3.pk] == (CONFIRMED, None)
    assert statuses[w4.pk] == (WAITLISTED, 1)
    assert statuses[w5.pk] == (WAITLISTED, 2)
    promoted = [inst.pk for kind, inst in signals if kind == "registration.promoted"]
    assert promoted == [w1.pk, w2.pk, w3.pk]  # each freed seat given once, in order


def test_newcomers_queue_behind_those_waiting() -> None:
    event = make_event(capacity=3)
    register(event, seats=2)
    big = register(event, seats=2)
    assert big.status == WAITLISTED
    late = register(event, seats=1)  # one seat is free, but someone is waiting
    assert (late.status, late.waitlist_position) == (WAITLISTED, 2)


def test_raising_the_capacity_promotes() -> None:
    branch = make_branch()
    event = make_event(branch=branch, capacity=2)
    register(event, seats=2)
    waiting = register(event, seats=2)
    staff = make_staff(branch)
    services.event_update(actor=staff, event=event, capacity=4)
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    with pytest.raises(RuleViolation):
        services.event_update(actor=staff, event=event, capacity=3)


def test_cancelling_a_waiting_registration_closes_the_gap() -> None:
    event = make_event(capacity=1)
    register(event)
    w1, w2, w3 = register(event), register(event), register(event)
    services.registration_cancel(actor=w2.user, registration=w2)
    w1.refresh_from_db()
    w3.refresh_from_db()
    assert (w1.waitlist_position, w3.waitlist_position) == (1, 2)


def test_cancel_only_until_the_start_and_only_ones_own() -> None:
    event = make_event()
    reg = register(event)
    with pytest.raises(NotFound):
        services.registration_cancel(actor=make_person(), registration=reg)
    with time_machine.travel(event.start + timedelta(minutes=1)), pytest.raises(RuleViolation):
        services.registration_cancel(actor=reg.user, registration=reg)
    reg.refresh_from_db()
    assert reg.status == CONFIRMED


def test_staff_cancelling_an_event_cancels_its_registrations(signals: list) -> None:
    branch = make_branch()
    event = make_event(branch=branch, capacity=1)
    a, b = register(event), register(event)
    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=make_staff(make_branch()), event=event)
    services.event_cancel(actor=make_staff(branch), event=event, reason="Sygdom")
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert event.sequence == 1
    assert set(Registration.objects.values_list("status", flat=True)) == {CANCELLED}
    assert ("event.cancelled", event) in [(k, i) for k, i in signals]
    with pytest.raises(RuleViolation):
        register(event)
    assert a.pk and b.pk


def test_check_in_by_staff_or_host_only_for_confirmed() -> None:
    branch = make_branch()
    host = make_person(role="volunteer")
    event = make_event(branch=branch, capacity=1, host=host)
    reg = register(event)
    waiting = register(event)
    with time_machine.travel(event.start + timedelta(minutes=5)):
        with pytest.raises(NotFound):
            services.registration_check_in(actor=make_person(), registration=reg)
        with pytest.raises(RuleViolation):
            services.registration_check_in(actor=host, registration=waiting)
        done = services.registration_check_in(actor=host, registration=reg)
        assert done.checked_in_at is not None
        again = services.registration_check_in(actor=make_staff(branch), registration=reg)
        assert again.checked_in_at == done.checked_in_at
    early = register(make_event(branch=branch))
    with pytest.raises(RuleViolation):
        services.registration_check_in(actor=make_staff(branch), registration=early)


def test_drop_in_attendance_after_the_start() -> None:
    branch = make_branch()
    event = make_event(branch=branch, registration_required=False, capacity=None)
    staff = make_staff(branch)
    with pytest.raises(RuleViolation):
        services.event_record_attendance(actor=staff, event=event, count=12)
    with time_machine.travel(event.end):
        services.event_record_attendance(actor=staff, event=event, count=12)
    event.refresh_from_db()
    assert event.attendance_count == 12


def test_old_registrations_are_anonymised_but_counts_stay() -> None:
    old = make_event(start=timezone.now() - timedelta(days=40))
    recent = make_event(start=timezone.now() - timedelta(days=10))
    make_registration(event=old, seats=2, checked_in_at=old.start)
    make_registration(event=old, seats=1)
    keep = make_registration(event=recent)
    from events.tasks import anonymise_old_registrations

    assert anonymise_old_registrations.name == "events.anonymise_old_registrations"
    assert anonymise_old_registrations() == 2
    assert not Registration.objects.filter(event=old, user__isnull=False).exists()
    from events.selectors import event_attendance

    assert event_attendance(old) == 2
    keep.refresh_from_db()
    assert keep.user is not None


# --- Series -----------------------------------------------------------------------


def test_series_creates_occurrences_skipping_holidays_and_publishing_needs_a_track() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    start = make_local(date(2027, 3, 22), time(10))
    with pytest.raises(RuleViolation) as info:
        services.series_create(
            actor=staff,
            rrule="FREQ=DAILY;COUNT=10",
            start=start,
            end=start + timedelta(hours=1),
            title="IT-hjælp",
            branch=branch,
            state=EventState.PUBLISHED,
        )
    assert info.value.field == "tracks"
    series = services.series_create(
        actor=staff,
        rrule="FREQ=DAILY;COUNT=10",
        start=start,
        end=start + timedelta(hours=1),
        title="IT-hjælp",
        branch=branch,
        state=EventState.PUBLISHED,
        tracks=[Track.objects.get(slug="digitale-forbindelser")],
        capacity=8,
    )
    days = [e.start.astimezone(local_tz()).date() for e in series.events.all()]
    # 22/3..31/3/2027 less Maundy Thursday 25/3, Good Friday, Easter Saturday, Easter, Easter Monday.
    assert days == [date(2027, 3, d) for d in (22, 23, 24, 30, 31)]
    assert all(e.capacity == 8 and e.tracks.count() == 1 for e in series.events.all())
    with pytest.raises(PermissionDenied):
        services.series_create(
            actor=make_staff(make_branch()),
            rrule="FREQ=DAILY;COUNT=2",
            start=start,
            end=start + timedelta(hours=1),
            title="x",
            branch=branch,
        )


def test_editing_a_series_updates_future_occurrences_not_edited_one_by_one(
    signals: list,
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    start = make_local(date(2027, 1, 5), time(10))
    with time_machine.travel(start - timedelta(days=30)):
        series = services.series_create(
            actor=staff,
            rrule="FREQ=WEEKLY;COUNT=4",
            start=start,
            end=start + timedelta(hours=2),
            title="Strikkecafé",
            branch=branch,
            state=EventState.PUBLISHED,
            tracks=[Track.objects.get(slug="hygge")],
            capacity=10,
        )
        first, second, third, fourth = series.events.order_by("start")
        services.event_update(actor=staff, event=third, title="Strikkecafé med kage")
    with time_machine.travel(first.end + timedelta(hours=1)):
        services.series_update(
            actor=staff, series=series, title="Strik og snak", capacity=12, start_time=time(14)
        )
    titles = {
        e.pk: (e.title, e.capacity, e.start.astimezone(local_tz()).time(), e.sequence)
        for e in series.events.all()
    }
    assert titles[first.pk][:3] == ("Strikkecafé", 10, time(10))  # past: unchanged
    assert titles[second.pk][:3] == ("Strik og snak", 12, time(14))
    assert titles[third.pk][:3] == ("Strikkecafé med kage", 10, time(10))  # edited: left alone
    assert titles[fourth.pk][:3] == ("Strik og snak", 12, time(14))
    assert titles[second.pk][3] == 1
    changed = [inst.pk for kind, inst in signals if kind == "event.changed"]
    assert changed == [second.pk, fourth.pk]


# --- Rooms and licence courses ------------------------------------------------------


def _room(branch: Any, name: str = "Mødelokale 1") -> Any:
    from rooms.models import Room

    return Room.objects.create(branch=branch, name=name, capacity=20)


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)  # its dates are open days
def test_an_event_in_a_room_occupies_moves_and_releases_it() -> None:
    from core.exceptions import BookingConflict
    from rooms.models import Booking, BookingStatus

    branch = make_branch()
    staff = make_staff(branch)
    room = _room(branch)
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    event = services.event_create(
        actor=staff,
        title="Foredrag",
        branch=branch,
        room=room,
        place_kind="room",
        start=start,
        end=start + timedelta(hours=2),
        state="published",
        tracks=[Track.objects.get(slug="hygge")],
    )
    booking = Booking.objects.get(pk=event.room_booking_id)
    assert (booking.room, booking.start, booking.status) == (room, start, BookingStatus.CONFIRMED)
    with pytest.raises(BookingConflict):
        services.event_create(
            actor=staff,
            title="Overlap",
            branch=branch,
            room=room,
            place_kind="room",
            start=start + timedelta(hours=1),
            end=start + timedelta(hours=3),
            state="published",
            tracks=[Track.objects.get(slug="hygge")],
        )
    assert Event.objects.filter(title="Overlap").count() == 0  # nothing half-written
    services.event_update(
        actor=staff, event=event, start=start + timedelta(hours=3), end=start + timedelta(hours=4)
    )
    booking.refresh_from_db()
    assert booking.start == start + timedelta(hours=3)
    services.event_cancel(actor=staff, event=event)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_series_in_a_room_with_one_clash_is_refused_whole() -> None:
    from core.exceptions import BookingConflict

    branch = make_branch()
    staff = make_staff(branch)
    room = _room(branch)
    start = make_local(date(2027, 9, 7), time(17))
    services.event_create(
        actor=staff,
        title="Koncert",
        branch=branch,
        room=room,
        place_kind="room",
        start=start + timedelta(days=14),
        end=start + timedelta(days=14, hours=3),
        state="published",
        tracks=[Track.objects.get(slug="hygge")],
    )
    with pytest.raises(BookingConflict):
        services.series_create(
            actor=staff,
            rrule="FREQ=WEEKLY;COUNT=4",
            title="Kor",
            branch=branch,
            room=room,
            place_kind="room",
            start=start,
            end=start + timedelta(hours=2),
            state="published",
            tracks=[Track.objects.get(slug="hygge")],
        )
    assert not Event.objects.filter(title="Kor").exists()


def test_checking_in_at_a_licence_course_grants_the_licence() -> None:
    from rooms.models import Licence

    branch = make_branch()
    event = make_event(branch=branch, licence_equipment_kind="laser_cutter")
    reg = register(event)
    with time_machine.travel(event.start):
        services.registration_check_in(actor=make_staff(branch), registration=reg)
    assert Licence.objects.filter(person=reg.user, equipment_kind="laser_cutter").exists()


def test_a_weekly_series_across_both_dst_changes_stays_at_ten_local() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    start = make_local(date(2027, 3, 17), time(10))  # Wednesdays; DST 28/3 and 31/10 2027
    with time_machine.travel(start - timedelta(days=7)):
        series = services.series_create(
            actor=staff,
            rrule="FREQ=WEEKLY;UNTIL=20271110",
            start=start,
            end=start + timedelta(hours=2),
            title="Læsekreds",
            branch=branch,
        )
    events = list(series.events.all())
    assert {e.start.astimezone(local_tz()).time() for e in events} == {time(10)}
    assert {e.end.astimezone(local_tz()).time() for e in events} == {time(12)}
    utc_hours = {e.start.astimezone(ZoneInfo("UTC")).hour for e in events}
    assert utc_hours == {8, 9}  # summer and winter time
    days = [e.start.astimezone(local_tz()).date() for e in events]
    assert date(2027, 3, 24) in days and date(2027, 3, 31) in days
    assert date(2027, 11, 3) in days and date(2027, 11, 10) in days


def test_a_new_rule_for_the_series_cancels_dates_taken_out_and_adds_new_ones(
    signals: list,
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    start = make_local(date(2027, 9, 7), time(17))  # Tuesdays
    with time_machine.travel(start - timedelta(days=7)):
        series = services.series_create(
            actor=staff,
            rrule="FREQ=WEEKLY;COUNT=4",
            start=start,
            end=start + timedelta(hours=2),
            title="Sprogcafé",
            branch=branch,
            state=EventState.PUBLISHED,
            tracks=[Track.objects.get(slug="indgang-til-faellesskab")],
            capacity=10,
        )
        events = list(series.events.order_by("start"))
        reg = register(events[3])
        # Every other week, six times: 7/9, 21/9, 5/10, 19/10, 2/11, 16/11.
        services.series_update(actor=staff, series=series, rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=6")
    live = series.events.exclude(state=EventState.CANCELLED).order_by("start")
    assert [e.start.astimezone(local_tz()).date() for e in live] == [
        date(2027, 9, 7),
        date(2027, 9, 21),
        date(2027, 10, 5),
        date(2027, 10, 19),
        date(2027, 11, 2),
        date(2027, 11, 16),
    ]
    assert all(e.start.astimezone(local_tz()).time() == time(17) for e in live)
    assert all(e.state == EventState.PUBLISHED and e.tracks.count() == 1 for e in live)
    reg.refresh_from_db()
    assert reg.status == CANCELLED  # 28/9 was taken out: its registration is cancelled
    assert [i.pk for k, i in signals if k == "event.cancelled"] == [events[1].pk, events[3].pk]


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)  # its dates are open days
def test_a_series_image_is_shared_by_its_dates(tmp_path: Any, settings: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    branch = make_branch()
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    series = services.series_create(
        actor=make_staff(branch),
        rrule="FREQ=DAILY;COUNT=2",
        start=start,
        end=start + timedelta(hours=1),
        title="Billedkunst",
        branch=branch,
        include_closed=True,
        image=SimpleUploadedFile("plakat.png", buffer.getvalue(), content_type="image/png"),
        image_alt="Plakat",
    )
    urls = {e.image.url for e in series.events.all()}
    assert urls == {series.image.url}
    assert (tmp_path / series.image.name).exists()
