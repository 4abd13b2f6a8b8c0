"""Selectors other apps read: held events with attendance, the host gate, visibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.exceptions import NotFound
from events import selectors
from events.models import EventState
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


def test_events_held_count_check_ins_and_drop_in_attendance(
    django_assert_num_queries: Any,
) -> None:
    branch = make_branch()
    now = timezone.now()
    course = make_event(branch=branch, start=now - timedelta(days=3))
    make_registration(event=course, seats=2, checked_in_at=course.start)
    make_registration(event=course, seats=1)  # registered, did not come
    cafe = make_event(
        branch=branch, start=now - timedelta(days=2), registration_required=False, capacity=None
    )
    cafe.attendance_count = 17
    cafe.save()
    make_event(branch=branch, start=now - timedelta(days=1), state=EventState.CANCELLED)
    make_event(branch=branch, start=now + timedelta(days=1))  # not held yet
    # 1 the events with checked-in seats; 2 their tracks
    with django_assert_num_queries(2):
        held = list(selectors.events_held(start=now - timedelta(days=7), end=now))
    assert [e.pk for e in held] == [course.pk, cafe.pk]
    assert [selectors.event_attendance(e) for e in held] == [2, 17]
    assert (
        selectors.events_held(start=now - timedelta(days=7), end=now, branch_ids=[0]).count() == 0
    )


def test_host_gate_and_draft_visibility() -> None:
    branch = make_branch()
    host = make_person(role="volunteer")
    event = make_event(branch=branch, host=host, state=EventState.DRAFT)
    assert selectors.event_get_for_host(actor=host, pk=event.pk) == event
    assert selectors.event_get_for_host(actor=make_staff(branch), pk=event.pk) == event
    with pytest.raises(NotFound):
        selectors.event_get_for_host(actor=make_person(role="volunteer"), pk=event.pk)
    with pytest.raises(NotFound):
        selectors.event_get(actor=make_person(), pk=event.pk)  # drafts are not public
    assert selectors.event_get(actor=make_staff(branch), pk=event.pk) == event
    reg = make_registration(event=event)
    assert selectors.registration_get_for(actor=host, pk=reg.pk) == reg
    with pytest.raises(NotFound):
        selectors.registration_get_for(actor=make_person(), pk=reg.pk)
