"""The staff start page (/personale/) shows the work waiting at the staff member's branches:
one count per list, each linking to the list behind it, at a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client

from core.models import Branch, Role, User
from core.mypage import staff_counts
from core.timeutils import make_local
from events.models import RegistrationStatus
from rooms.models import BookingStatus
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user, track
from tests.plans.factories import make_initiative, make_plan
from tests.rooms.factories import make_booking, make_room
from tests.volunteers.factories import make_activity, make_shift, make_volunteer
from volunteers.models import SessionProposal

# A Wednesday in the first quarter: "this week" is 8 to 14 February 2027.
NOW = make_local(datetime(2027, 2, 10).date(), time(12))
OTHER_TRACKS = ["fordybelse", "viden-og-vejledning", "struktur-for-livet"]
KEYS = [
    "rooms-waiting",
    "volunteers-proposals",
    "volunteers-unfilled",
    "volunteers-certificates",
    "events-week",
    "plans-gaps",
]


@dataclass
class Scene:
    viby: Branch
    jyllinge: Branch
    viby_staff: User
    admin: User


def _work_at(branch: Branch, n: int, tag: str) -> None:
    """``n`` of each kind of waiting work at ``branch``, named after ``tag``."""
    room = make_room(branch=branch, name=f"{tag}-lokale", requires_approval=True)
    child_activity = make_activity(branch=branch, children_under_15=True, name=f"{tag}-lektier")
    plain_activity = make_activity(branch=branch, name=f"{tag}-kaffe")
    for i in range(n):
        start = NOW + timedelta(days=3 + i, hours=1)
        booker = make_user(password=None, name=f"{tag}-booker-{i}")
        make_booking(
            room=room,
            start=start,
            end=start + timedelta(hours=1),
            booker=booker,
            status=BookingStatus.PENDING,
            price_tier="fee",
            price_dkk=150,
        )
        SessionProposal.objects.create(
            volunteer=make_volunteer(branches=[branch]),
            title=f"{tag}-forslag-{i}",
            branch=branch,
            start=start,
            end=start + timedelta(hours=2),
        )
        make_shift(activity=plain_activity, start=NOW + timedelta(days=2 + i), needed=2)
        certless = make_volunteer(branches=[branch], name=f"{tag}-frivillig-{i}")
        certless.volunteer_profile.activities.add(child_activity)
        event = make_event(
            branch=branch, start=NOW + timedelta(days=1, hours=i), title=f"{tag}-arrangement-{i}"
        )
        make_registration(event=event, seats=2)
        make_registration(event=event, status=RegistrationStatus.WAITLISTED, waitlist_position=1)


def _scene(size: int) -> Scene:
    viby = make_branch(name="Viby", slug="viby")
    jyllinge = make_branch(name="Jyllinge", slug="jyllinge")
    plan = make_plan(year=2027)
    _work_at(viby, size, "viby")
    _work_at(jyllinge, 1, "jyllinge")
    # Open gaps this quarter: a track the plan expects at the branch in Q1, with no event.
    for slug in OTHER_TRACKS[:size]:
        make_initiative(plan=plan, tracks=[track(slug)], branches=[viby], quarters=[1])
    make_initiative(plan=plan, tracks=[track(OTHER_TRACKS[0])], branches=[jyllinge], quarters=[1])
    # Not waiting: a decided request, an event of next week, a gap of another quarter.
    room = make_room(branch=viby, name="viby-andet")
    make_booking(room=room, start=NOW + timedelta(days=2), end=NOW + timedelta(days=2, hours=1))
    make_event(branch=viby, start=NOW + timedelta(days=8), title="viby-naeste-uge")
    make_initiative(plan=plan, tracks=[track(OTHER_TRACKS[-1])], branches=[viby], quarters=[3])
    return Scene(
        viby=viby,
        jyllinge=jyllinge,
        viby_staff=make_user(role=Role.STAFF, branches=[viby], name="Vibeke Viby"),
        admin=make_user(role=Role.ADMINISTRATOR, name="Ada Admin"),
    )


def _counts(user: User) -> dict[str, tuple[int, str]]:
    return {item.key: (item.count, item.detail) for item in staff_counts(user)}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_staff_of_viby_see_the_work_of_viby_only() -> None:
    scene = _scene(2)
    counts = _counts(scene.viby_staff)
    assert {key: value[0] for key, value in counts.items()} == dict.fromkeys(KEYS, 2)
    # Two events this week, each with two confirmed seats (the waiting list not counted).
    assert counts["events-week"][1] in {"4 registrations", "4 tilmeldinger"}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_administrators_see_every_branch() -> None:
    scene = _scene(2)
    counts = _counts(scene.admin)
    assert {key: value[0] for key, value in counts.items()} == dict.fromkeys(KEYS, 3)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_series_waiting_counts_once() -> None:
    import uuid

    scene = _scene(1)
    room = make_room(branch=scene.viby, name="viby-serie", requires_approval=True)
    series = uuid.uuid4()
    for week in range(3):
        start = NOW + timedelta(days=7 * (week + 1))
        make_booking(
            room=room,
            start=start,
            end=start + timedelta(hours=1),
            status=BookingStatus.PENDING,
            series_id=series,
        )
    assert _counts(scene.viby_staff)["rooms-waiting"][0] == 2


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_citizens_and_volunteers_do_not_get_the_page(client: Client) -> None:
    _scene(1)
    client.force_login(make_user(password=None))
    assert client.get("/personale/").status_code == 404
    client.force_login(make_volunteer(branches=[]))
    assert client.get("/personale/").status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_count_links_to_the_list_behind_it(client: Client) -> None:
    scene = _scene(1)
    client.force_login(scene.viby_staff)
    client.cookies["django_language"] = "en"
    page = client.get("/personale/").content.decode()
    links = dict(re.findall(r'data-count="([\w-]+)">\s*<a href="([^"]+)"', page))
    assert list(links) == [
        "rooms-waiting",
        "volunteers-proposals",
        "volunteers-unfilled",
        "volunteers-certificates",
        "events-week",
        "plans-gaps",
    ]
    # What each list must show of Viby's work (and never Jyllinge's, where it is scoped).
    expected = {
        "rooms-waiting": ("viby-booker-0", "jyllinge-booker-0"),
        "volunteers-proposals": ("viby-forslag-0", "jyllinge-forslag-0"),
        "volunteers-unfilled": ("viby-kaffe", "jyllinge-kaffe"),
        "volunteers-certificates": ("viby-frivillig-0", "jyllinge-frivillig-0"),
        "events-week": ("viby-arrangement-0", "jyllinge-arrangement-0"),
        "plans-gaps": ("no event held or planned on", None),
    }
    for key, url in links.items():
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, key
        body = response.content.decode()
        shown, hidden = expected[key]
        assert shown in body, key
        if hidden:
            assert hidden not in body, key
    assert "quarter=1" in links["plans-gaps"] and "branch=viby" in links["plans-gaps"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 3])
@time_machine.travel(NOW, tick=False)
def test_the_counts_cost_the_same_queries_at_any_size(
    size: int, django_assert_num_queries: object
) -> None:
    scene = _scene(size)
    for user in (scene.viby_staff, scene.admin):
        # rooms 1, proposals 1, shifts 1, certificates 1, events 1; the plan's gaps: the
        # branches 1 and the coverage's 7 (the dashboard's own numbers, with the audiences'
        # participants; on PostgreSQL its one big statement runs in a transaction of its own
        # without JIT: BEGIN, set_config, COMMIT) = 13, 16 on PostgreSQL.
        expected = 16 if connection.vendor == "postgresql" else 13
        with django_assert_num_queries(expected):  # type: ignore[operator]
            counts = _counts(user)
        assert counts["rooms-waiting"][0] == (size if user == scene.viby_staff else size + 1)
