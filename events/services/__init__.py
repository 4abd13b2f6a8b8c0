"""Writes of the events app: series, occurrences, registrations, waiting list, check-in.

Guarantees (see docs and tests/events):
- confirmed seats never exceed capacity: every write that changes seats locks
  the Event row first (``core.locking.lock_one``) and counts confirmed seats
  from the rows (no counter);
- waiting-list positions are unique per event (partial unique constraint) and
  given in arrival order; promotion walks the list in order under the same lock,
  so each freed seat is given once;
- one live registration per person and event (partial unique constraint);
- an event held in a room occupies it through ``rooms.services``.

One module per capability; callers keep ``from events import services``:

- ``_common``: the shared fields, the services' keyword arguments as types
  (``SharedFields``, ``EventChanges``, ``SeriesChanges``), permissions, small helpers;
- ``validation``: the rules an event's fields keep (``_check_data``, ``_check_times``);
- ``places``: the event's room booking, through the rooms app's services;
- ``series``: create a series from its rule, change it, expand it again, cancel it;
- ``occurrences``: change or cancel one locked occurrence (composed by events and series);
- ``events``: one event: create, change, cancel, record attendance;
- ``registrations``: register, cancel, check in;
- ``images``: an event's image, resized and stripped of its metadata on upload;
- ``questions``: sign-up questions and the answers given at registration;
- ``opening``: "tell me when registration opens" (``registration_opens_at``);
- ``door``: when check-in is open (from 00:00 on the day), undoing a check-in, walk-ins;
- ``waitlist``: seat counting, promotion, renumbering;
- ``retention``: anonymising old registrations, releasing a deleted person;
- ``associations``: an association's member proposes a public event in its room booking,
  staff approve (published with the association as partner) or reject it.
"""

from events.services._common import (
    M2M_FIELDS,
    SHARED_FIELDS,
    TIME_PLACE_FIELDS,
    EventChanges,
    EventData,
    SeriesChanges,
    SharedFields,
)
from events.services.associations import (
    association_event_approve,
    association_event_propose,
    association_event_reject,
)
from events.services.door import (
    check_in_is_open,
    check_in_opens,
    registration_check_in_undo,
    registration_walk_in,
)
from events.services.events import (
    EVENT_EDITABLE,
    event_cancel,
    event_create,
    event_partner_set,
    event_record_attendance,
    event_update,
)
from events.services.images import MAX_SIDE, image_prepared
from events.services.opening import opening_reminder_request, opening_reminder_withdraw
from events.services.places import event_hold_room
from events.services.questions import MAX_ANSWER, QuestionChange, answer_field
from events.services.registrations import (
    registration_cancel,
    registration_check_in,
    registration_create,
)
from events.services.retention import (
    RETENTION_DAYS,
    registrations_anonymise_old,
    registrations_release_person,
)
from events.services.roomfit import RoomFit
from events.services.series import (
    SERIES_EDITABLE,
    _series_create,
    series_build,
    series_cancel,
    series_create,
    series_update,
)
from events.services.waitlist import waitlist_promote

__all__ = [
    "association_event_approve",
    "association_event_propose",
    "association_event_reject",
    "EVENT_EDITABLE",
    "MAX_ANSWER",
    "MAX_SIDE",
    "M2M_FIELDS",
    "RETENTION_DAYS",
    "RoomFit",
    "SERIES_EDITABLE",
    "SHARED_FIELDS",
    "TIME_PLACE_FIELDS",
    "EventChanges",
    "EventData",
    "SeriesChanges",
    "SharedFields",
    "_series_create",
    "QuestionChange",
    "answer_field",
    "check_in_is_open",
    "check_in_opens",
    "event_cancel",
    "event_create",
    "event_partner_set",
    "event_hold_room",
    "opening_reminder_request",
    "opening_reminder_withdraw",
    "event_record_attendance",
    "event_update",
    "image_prepared",
    "registration_cancel",
    "registration_check_in",
    "registration_check_in_undo",
    "registration_create",
    "registration_walk_in",
    "registrations_anonymise_old",
    "registrations_release_person",
    "series_build",
    "series_cancel",
    "series_create",
    "series_update",
    "waitlist_promote",
]
