"""``POST /api/events/<id>/registrations/`` is the hot path when a popular event opens: every
writer of the event waits for its row lock, so the statements of one registration are counted
here, one by one, and a statement more fails the test (issue #16).

The tests run in real transactions (``transaction=True``), so BEGIN and COMMIT are the ones
a request sends. The dispatcher's kick after the commit is counted apart (it is one kick per
transaction, and it talks to Redis or a worker, not to the database).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import services as core_services
from core.models import ApiToken, AuditLog, User
from events.api.serializers import RegistrationCreatedSerializer
from events.models import EventState, Registration, RegistrationStatus, SignupQuestion
from notifications.models import Delivery
from tests.events.factories import make_event, make_person, make_registration
from tests.factories import make_user
from tests.statements import statement_labels

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"

# One registration, from the token to the commit, in four round trips. Under the event's
# lock (PostgreSQL): the lock and one statement counting the seats, the queue and the
# person's own registration (and whether the event asks questions) go in one string; the
# INSERT, its audit row, its message (the outbox) and the COMMIT that releases the lock in
# another (Django's COMMIT then finds nothing to do and sends nothing). The
# token's lookup, the lock and the count are statements each connection prepared once
# (``core.db.prepared``: PostgreSQL plans them once, not on every request).
LOCK_AND_TALLY = "EXECUTE modested_lock_events_event + EXECUTE modested_registration_tally"
INSERTS = "INSERT events_registration + INSERT core_auditlog + INSERT notifications_delivery"
INSERTS_AND_COMMIT = f"{INSERTS} + COMMIT"
EXPECTED = [
    # the token, with its person (fresh: no renewal write)
    "EXECUTE modested_api_token" if POSTGRES else "SELECT core_apitoken",
    "BEGIN",
    *(
        [LOCK_AND_TALLY, INSERTS_AND_COMMIT]
        if POSTGRES
        else [  # SQLite: one statement at a time; the IMMEDIATE transaction is the lock
            "SELECT events_event",
            "SELECT events_registration",
            "INSERT events_registration",
            "INSERT core_auditlog",
            "INSERT notifications_delivery",
        ]
    ),
    "COMMIT",
]


def _register(key: str, event_pk: int, body: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages read here are English
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/events/{event_pk}/registrations/",
            body or {"seats": 1},
            format="json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
    return response, statement_labels(queries.captured_queries)


def _key(user: User | None = None) -> str:
    return core_services.api_token_create(user=user or make_person(), name="test")


def test_a_confirmed_registration_is_these_statements(kicks: list[int]) -> None:
    event = make_event(capacity=3)
    make_registration(event=event)
    response, statements = _register(_key(), event.pk)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    assert statements == EXPECTED, statements
    assert kicks == [1]  # one kick after the commit
    reg = Registration.objects.get(pk=response.json()["id"])
    assert AuditLog.objects.filter(action="registration.confirmed", target_id=str(reg.pk)).exists()
    assert Delivery.objects.filter(kind="registration.confirmed", object_id=str(reg.pk)).exists()


def test_the_waiting_list_costs_no_statement_more(kicks: list[int]) -> None:
    event = make_event(capacity=1)
    make_registration(event=event)
    make_registration(event=event, status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    response, statements = _register(_key(), event.pk)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 2
    assert statements == EXPECTED
    assert kicks == [1]


def test_questions_are_read_only_when_the_event_asks_them(kicks: list[int]) -> None:
    event = make_event(capacity=5)
    question = SignupQuestion.objects.create(series=event.series, label="Barnets alder", position=0)
    body = {"seats": 1, "answers": [{"question": question.pk, "answer": "7"}]}
    response, statements = _register(_key(), event.pk, body)
    assert response.status_code == 201, response.content
    asked = [
        "SELECT events_signupquestion",  # asked: the questions, to check the answers
        "INSERT events_registrationanswer",  # its answers (the registration's INSERT follows)
    ]
    inserts = EXPECTED.index(INSERTS_AND_COMMIT if POSTGRES else "INSERT events_registration")
    expected = [*EXPECTED[:inserts], *asked, *EXPECTED[inserts:]]
    assert statements == expected


def test_registering_twice_is_a_409_with_nothing_written(kicks: list[int]) -> None:
    event = make_event(capacity=5)
    person = make_person()
    key = _key(person)
    assert _register(key, event.pk)[0].status_code == 201
    response, _statements = _register(key, event.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"
    assert Registration.objects.filter(event=event, user=person).count() == 1
    assert kicks == [1]


def test_the_body_is_the_serializers(kicks: list[int]) -> None:
    event = make_event(capacity=1)
    first = _register(_key(), event.pk)[0]
    second = _register(_key(), event.pk, {"seats": 1})[0]
    for response in (first, second):
        reg = Registration.objects.get(pk=response.json()["id"])
        assert response.json() == dict(RegistrationCreatedSerializer(reg).data)
    assert first.json()["waitlist_position"] is None
    assert second.json()["waitlist_position"] == 1


def test_the_404s_are_the_event_pages(kicks: list[int]) -> None:
    """The view no longer reads the event before the service locks it; an event the person
    may not see is still the same 404, before a 400 or a 403."""
    draft = make_event(state=EventState.DRAFT)
    key = _key()
    for pk, body in (
        (draft.pk, {"seats": 1}),
        (draft.pk, {"seats": 0}),  # a 400 for a visible event
        (draft.pk, {"seats": 1, "on_behalf_of": "x@example.org"}),  # a 403 for a visible one
        (999_999, {"seats": 1}),
        (999_999, {"seats": "many"}),
    ):
        response = _register(key, pk, body)[0]
        assert response.status_code == 404, (pk, body, response.content)
        assert response.json()["detail"] == "Event not found."
    unreadable = APIClient()
    unreadable.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = unreadable.post(
        f"/api/events/{draft.pk}/registrations/",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 404
    visible = make_event()
    assert _register(key, visible.pk, {"seats": 0})[0].status_code == 400
    assert not Registration.objects.exists()


def test_a_new_token_counts_as_used_and_its_first_uses_write_nothing(
    kicks: list[int],
) -> None:
    user = make_user()
    key = _key(user)
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at == token.created_at
    assert User.objects.get(pk=user.pk).last_activity == token.created_at
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get("/api/registrations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
