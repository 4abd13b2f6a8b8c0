"""Room booking throughput: ``rooms.services.booking_request``, the path a citizen's click takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks import data
from benchmarks.harness import Result, run_threads, timed
from core.exceptions import BookingConflict
from rooms import services
from rooms.models import Booking, BookingStatus, Room


def _room(branch: Any, name: str) -> Room:
    return Room.objects.create(
        branch=branch,
        name=name,
        capacity=20,
        max_days_ahead=3650,
        max_duration_minutes=240,
        slot_minutes=30,
    )


def _book(person: Any, room: Room, start: Any, end: Any) -> Callable[[], Any]:
    def job() -> Any:
        return services.booking_request(
            actor=person, room=room, start=start, end=end, purpose="Læsekreds", attendees=6
        )

    return job


def _no_overlaps(room: Room) -> bool:
    live = list(
        Booking.objects.filter(room=room, status=BookingStatus.CONFIRMED)
        .order_by("blocked_start")
        .values_list("blocked_start", "blocked_end")
    )
    return all(a_end <= b_start for (_s, a_end), (b_start, _e) in zip(live, live[1:], strict=False))


def run(*, n: int, threads: int) -> list[Result]:
    branch = data.branch_open_every_day()
    results = []

    # 1. One after another: the cost of one booking (rules, lock, insert, audit, outbox).
    room = _room(branch, "Mødelokale sekventielt")
    slots = data.hourly_slots(branch, n)
    who = data.people(n)
    jobs = [_book(who[i], room, s, e) for i, (s, e) in enumerate(slots)]
    latencies = []
    for job in jobs:
        seconds, _ = timed(job)
        latencies.append(seconds)
    count = Booking.objects.filter(room=room).count()
    results.append(
        Result(
            "room bookings, sequential",
            count,
            sum(latencies),
            latencies,
            check=f"{count}/{n} booked, no overlap: {'yes' if _no_overlaps(room) else 'NO'}",
        )
    )

    # 2. Many people at once on the same room, each a free slot: they queue on the room lock.
    room = _room(branch, "Mødelokale parallelt")
    who = data.people(n)
    jobs = [_book(who[i], room, s, e) for i, (s, e) in enumerate(slots)]
    wall, latencies, values, errors = run_threads(jobs, threads=threads)
    results.append(
        Result(
            f"room bookings, {threads} threads, same room",
            len(values),
            wall,
            latencies,
            check=f"{len(values)}/{n} booked, {len(errors)} refused, no overlap: "
            f"{'yes' if _no_overlaps(room) else 'NO'}",
        )
    )

    # 3. A race: every thread wants every slot; exactly one may win each, the rest get a 409.
    room = _room(branch, "Mødelokale kapløb")
    race_slots = slots[: max(1, n // threads)]
    who = data.people(threads)
    jobs = [
        _book(who[t], room, s, e) for (s, e) in race_slots for t in range(threads)
    ]  # job i runs on thread i % threads, so thread t asks for every slot in turn
    wall, latencies, values, errors = run_threads(jobs, threads=threads)
    conflicts = sum(isinstance(e, BookingConflict) for e in errors)
    other = len(errors) - conflicts
    won = Booking.objects.filter(room=room, status=BookingStatus.CONFIRMED).count()
    ok = won == len(race_slots) and other == 0 and _no_overlaps(room)
    results.append(
        Result(
            f"room bookings, {threads} threads race for {len(race_slots)} slots",
            len(values) + conflicts,
            wall,
            latencies,
            check=f"{won} won, {conflicts} got 409"
            + (f", {other} other errors" if other else "")
            + f": {'ok' if ok else 'WRONG'}",
        )
    )
    return results
