"""The dispatcher in-process: outbox rows from the domain services, reminders derived from
state, claiming, retries and the recipient's language."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from events.models import Registration
from events.services import event_cancel, event_update, registration_cancel
from notifications import services
from notifications.models import Delivery, DeliveryStatus, ReminderDefault
from tests.events.factories import make_event, make_registration
from tests.factories import make_user
from tests.notifications.factories import at, ics_parts, registered

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 10)  # a Thursday, two weeks after "today"


def dispatch() -> services.DispatchResult:
    return services.dispatch_due()


def test_a_confirmation_goes_out_once_with_an_invitation(mail_expected) -> None:
    event = make_event(start=at(DAY, 10), title="Strikkecafé")
    person = make_user(language="da", name="Birte Jensen")
    registered(event, person)

    dispatch()
    dispatch()

    assert len(mail_expected) == 1
    message = mail_expected[0]
    assert message.to == [person.email]
    assert message.subject == "Du er tilmeldt: Strikkecafé"
    assert "Hej Birte" in message.body
    assert "torsdag den 10. december 2026 kl. 10.00–12.00" in message.body
    html = message.alternatives[0][0]
    assert "<html" in html and "Strikkecafé" in html
    [(method, body)] = ics_parts(message)
    assert method == "REQUEST"
    cal = Calendar.from_ical(body)
    assert cal["METHOD"] == "REQUEST"
    [vevent] = cal.walk("VEVENT")
    assert vevent["SUMMARY"] == "Strikkecafé"
    assert vevent["DTSTART"].dt.hour == 10
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Copenhagen"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_english_speakers_get_english(mail_expected) -> None:
    event = make_event(start=at(DAY, 10), title="Coding Pirates")
    registered(event, make_user(language="en", name="Jane Doe"))
    dispatch()
    [message] = mail_expected
    assert message.subject == "You are registered: Coding Pirates"
    assert "Thursday 10 December 2026, 10:00–12:00" in message.body
    assert "Hello Jane" in message.body


def test_a_cancellation_carries_a_cancel_with_the_same_uid_and_a_higher_sequence(
    mail_expected,
) -> None:
    event = make_event(start=at(DAY, 10))
    person = make_user()
    reg = registered(event, person)
    dispatch()
    registration_cancel(actor=person, registration=reg, reason="Syg")
    dispatch()

    assert [m.subject.split(":")[0] for m in mail_expected] == [
        "Du er tilmeldt",
        "Tilmelding afmeldt",
    ]
    (request_method, request_body), (cancel_method, cancel_body) = (
        ics_parts(mail_expected[0])[0],
        ics_parts(mail_expected[1])[0],
    )
    first = Calendar.from_ical(request_body).walk("VEVENT")[0]
    second = Calendar.from_ical(cancel_body).walk("VEVENT")[0]
    assert (request_method, cancel_method) == ("REQUEST", "CANCEL")
    assert Calendar.from_ical(cancel_body)["METHOD"] == "CANCEL"
    assert first["UID"] == second["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second["STATUS"] == "CANCELLED"


def test_staff_cancelling_an_event_tells_everyone_with_the_reason(mail_expected, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 19))
    people = [make_user() for _ in range(3)]
    for person in people:
        registered(event, person)
    dispatch()
    mail_expected.clear()

    event_cancel(actor=staff, event=event, reason="Forfatteren er syg")
    dispatch()

    assert sorted(m.to[0] for m in mail_expected) == sorted(p.email for p in people)
    assert all("Aflyst" in m.subject for m in mail_expected)
    assert all("Forfatteren er syg" in m.body for m in mail_expected)
    assert all(ics_parts(m)[0][0] == "CANCEL" for m in mail_expected)


def test_a_moved_event_says_so_with_the_new_time(mail_expected, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10))
    registered(event, make_user())
    dispatch()
    mail_expected.clear()

    event_update(actor=staff, event=event, start=at(DAY, 14), end=at(DAY, 16))
    dispatch()

    [message] = mail_expected
    assert "kl. 14.00–16.00" in message.body
    vevent = Calendar.from_ical(ics_parts(message)[0][1]).walk("VEVENT")[0]
    assert vevent["DTSTART"].dt.hour == 14
    assert vevent["SEQUENCE"] >= 1


# --- Reminders ------------------------------------------------------------------------


def reminders_sent(outbox) -> list[str]:
    return [m.subject for m in outbox if m.subject.startswith("Påmindelse")]


def test_reminders_arrive_24_and_2_hours_before_and_only_once(mail_expected) -> None:
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=5), tick=False):
        event = make_event(start=start, title="Sprogcafé")
        registered(event, make_user())
        dispatch()
    mail_expected.clear()

    with time_machine.travel(start - timedelta(hours=24, minutes=1), tick=False):
        dispatch()
        assert reminders_sent(mail_expected) == []
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        dispatch()
        dispatch()
    with time_machine.travel(start - timedelta(hours=20), tick=False):
        dispatch()
        assert len(reminders_sent(mail_expected)) == 1
    with time_machine.travel(start - timedelta(hours=1, minutes=59), tick=False):
        dispatch()
        dispatch()
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        dispatch()

    assert reminders_sent(mail_expected) == [
        "Påmindelse: Sprogcafé 10/12 kl. 10.00",
        "Påmindelse: Sprogcafé 10/12 kl. 10.00",
    ]
    assert Delivery.objects.filter(kind="reminder.registration").count() == 2


def test_a_kicked_run_sends_what_a_write_queued_and_leaves_the_reminders_to_beat(
    mail_expected,
) -> None:
    """A write's kick runs ``send_waiting``: the write's own messages go at once, while what
    only time made due (a reminder) waits for beat's ``dispatch_due`` (every minute), so a
    burst of writes does not scan for reminders once per run."""
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        registered(make_event(start=start, title="Sprogcafé"), make_user())
        services.send_waiting()
    assert [m.subject for m in mail_expected] == ["Du er tilmeldt: Sprogcafé"]

    with time_machine.travel(start - timedelta(hours=23), tick=False):
        assert services.send_waiting().sent == 0
        assert not Delivery.objects.filter(kind="reminder.registration").exists()
        result = services.dispatch_due()
    assert (result.queued, result.sent) == (1, 1)
    assert reminders_sent(mail_expected) == ["Påmindelse: Sprogcafé 10/12 kl. 10.00"]


def test_a_cancelled_registration_is_not_reminded(mail_expected) -> None:
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = make_event(start=start)
        person = make_user()
        reg = registered(event, person)
        registration_cancel(actor=person, registration=reg)
        dispatch()
    mail_expected.clear()
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        dispatch()
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        dispatch()
    assert mail_expected == []


def test_a_reminder_queued_before_a_cancellation_is_not_sent(mail_expected) -> None:
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = make_event(start=start)
        person = make_user()
        reg = registered(event, person)
        dispatch()
    mail_expected.clear()
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        services.reminders_queue_due(now=timezone.now())  # a dispatcher found it due...
        registration_cancel(actor=person, registration=reg)  # ...then it was cancelled
        dispatch()
    reminder = Delivery.objects.get(kind="reminder.registration")
    assert reminder.status == DeliveryStatus.SKIPPED
    assert reminders_sent(mail_expected) == []


def test_a_moved_event_is_reminded_at_its_new_time(mail_expected, staff) -> None:
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = make_event(branch=staff.branches.get(), start=start, title="Foredrag")
        registered(event, make_user())
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        dispatch()  # the 24-hour reminder for 10:00
    moved = at(DAY + timedelta(days=1), 18)
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        event_update(actor=staff, event=event, start=moved, end=moved + timedelta(hours=2))
        dispatch()  # "changed time" mail
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        dispatch()  # nothing: the event is not at 10:00 any more
    with time_machine.travel(moved - timedelta(hours=24), tick=False):
        dispatch()

    assert reminders_sent(mail_expected) == [
        "Påmindelse: Foredrag 10/12 kl. 10.00",
        "Påmindelse: Foredrag 11/12 kl. 18.00",
    ]


def test_someone_who_registers_three_hours_ahead_gets_the_two_hour_reminder_only(
    mail_expected,
) -> None:
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(hours=3), tick=False):
        registered(make_event(start=start), make_user())
        dispatch()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        dispatch()
    assert len(reminders_sent(mail_expected)) == 1


def test_a_person_can_turn_reminders_off_or_choose_their_own(mail_expected) -> None:
    start = at(DAY, 10)
    quiet, own = make_user(), make_user()
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = make_event(start=start)
        registered(event, quiet)
        registered(event, own)
        services.reminder_preference_set(actor=quiet, enabled=False, lead_minutes=None)
        services.reminder_preference_set(actor=own, enabled=True, lead_minutes=[60])
        dispatch()
    mail_expected.clear()
    for hours in (24, 2, 1, 0.5):
        with time_machine.travel(start - timedelta(hours=hours), tick=False):
            dispatch()
    assert [m.to[0] for m in mail_expected] == [own.email]


def test_staff_set_the_default_lead_times_per_kind(mail_expected, administrator) -> None:
    services.reminder_default_set(
        actor=administrator, kind="registration", enabled=True, lead_minutes=[48 * 60]
    )
    start = at(DAY, 10)
    with time_machine.travel(start - timedelta(days=5), tick=False):
        registered(make_event(start=start), make_user())
        dispatch()
    mail_expected.clear()
    with time_machine.travel(start - timedelta(hours=48), tick=False):
        dispatch()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        dispatch()
    assert len(reminders_sent(mail_expected)) == 1
    assert ReminderDefault.objects.get(kind="registration").lead_minutes == [2880]


@pytest.mark.parametrize(
    "day", [date(2026, 3, 29), date(2026, 10, 25)], ids=["spring-forward", "fall-back"]
)
def test_reminders_on_the_dst_sundays_show_the_wall_time_and_fire_once(mail_expected, day) -> None:
    start = at(day, 10)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        registered(make_event(start=start, title="Søndagsjazz"), make_user())
        dispatch()
    mail_expected.clear()
    # "24 hours before" is 10:00 the day before (23 or 25 hours on these Sundays).
    day_before = at(day - timedelta(days=1), 10)
    with time_machine.travel(day_before - timedelta(minutes=1), tick=False):
        dispatch()
        assert [m.subject for m in mail_expected] == []
    with time_machine.travel(day_before, tick=False):
        dispatch()
        dispatch()
    [message] = mail_expected
    assert f"{day.day}/{day.month} kl. 10.00" in message.subject
    vevent = Calendar.from_ical(ics_parts(message)[0][1]).walk("VEVENT")[0]
    assert (vevent["DTSTART"].dt.hour, vevent["DTSTART"].params["TZID"]) == (
        10,
        "Europe/Copenhagen",
    )


# --- Failures and retries ---------------------------------------------------------------


def test_a_failing_mail_server_is_retried_with_back_off_and_logged(mail_expected, settings) -> None:
    event = make_event(start=at(DAY, 10))
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        registered(event, make_user())
        # Nothing listens on port 9 of loopback: a real connection refused.
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
        dispatch()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at == now + timedelta(seconds=30)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error

    with time_machine.travel(now + timedelta(seconds=31), tick=False):
        dispatch()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, now + timedelta(seconds=91))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(now + timedelta(seconds=60), tick=False):
        dispatch()  # not yet due
        assert mail_expected == []
    with time_machine.travel(now + timedelta(seconds=92), tick=False):
        dispatch()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(mail_expected) == 1


def test_after_ten_failures_the_delivery_is_marked_failed(settings) -> None:
    registered(make_event(start=at(DAY, 10)), make_user())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    now = timezone.now()
    for hour in range(0, 40, 3):
        with time_machine.travel(now + timedelta(hours=hour), tick=False):
            dispatch()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 10)


def test_a_worker_that_died_mid_send_leaves_its_row_to_be_taken_over(mail_expected) -> None:
    registered(make_event(start=at(DAY, 10)), make_user())
    delivery = Delivery.objects.get()
    token = services._claim(delivery.pk)  # claimed, and then the worker died
    assert token
    dispatch()
    assert mail_expected == []  # the lease still holds
    with time_machine.travel(timezone.now() + services.lease() + timedelta(seconds=1)):
        dispatch()
    assert len(mail_expected) == 1
    delivery.refresh_from_db()
    # The worker that died may have got as far as the mail server: the log says so.
    assert (delivery.status, delivery.maybe_duplicate) == (DeliveryStatus.SENT, True)


def test_a_broker_outage_never_fails_the_write(django_capture_on_commit_callbacks, caplog) -> None:
    """Redis is down when a registration commits: the write stands, the kick is logged, and
    the outbox row waits for the next beat tick."""
    from core.celery import app

    keys = [
        "task_always_eager",
        "broker_url",
        "broker_connection_retry",
        "broker_connection_max_retries",
        "task_publish_retry",
        "broker_transport_options",
    ]
    saved = {key: app.conf[key] for key in keys}
    pools = (app._pool, app.amqp._producer_pool)
    app.conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:9/0",  # nothing listens there
        broker_connection_retry=False,
        broker_connection_max_retries=0,
        task_publish_retry=False,
        broker_transport_options={"max_retries": 0, "socket_connect_timeout": 0.5},
    )
    app._pool, app.amqp._producer_pool = None, None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reg = registered(make_event(start=at(DAY, 10)), make_user())
    finally:
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool = pools
    reg.refresh_from_db()
    assert reg.status == "confirmed"
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert "Could not kick the notifications dispatcher" in caplog.text


# --- Two dispatchers at once (PostgreSQL) -----------------------------------------------


def _race(n_threads: int) -> None:
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            services.dispatch_due()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_message_once(mail_expected, monkeypatch) -> None:
    event = make_event(start=at(DAY, 10), capacity=50)
    people = [make_user() for _ in range(12)]
    for person in people:
        registered(event, person)
    mail_expected.clear()
    _race(4)
    assert sorted(m.to[0] for m in mail_expected) == sorted(p.email for p in people)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_claim_dispatchers_double_send(
    mail_expected, monkeypatch
) -> None:
    event = make_event(start=at(DAY, 10), capacity=50)
    for _ in range(12):
        registered(event, make_user())
    mail_expected.clear()
    monkeypatch.setattr(services.dispatch, "CLAIMS_ENABLED", False)
    _race(4)
    assert len(mail_expected) > 12


def test_waiting_list_then_a_place_then_staff_cancel_with_reason(mail_expected, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10), capacity=1, title="Kor")
    first, second = make_user(), make_user()
    registered(event, first)
    waiting = registered(event, second)
    dispatch()
    registration_cancel(actor=first, registration=Registration.objects.get(user=first))
    dispatch()
    registration_cancel(actor=staff, registration=waiting, reason="Dobbelt tilmeldt")
    dispatch()

    to_second = [m for m in mail_expected if m.to == [second.email]]
    assert [m.subject for m in to_second] == [
        "Du er på ventelisten: Kor",
        "Du har fået en plads: Kor",
        "Tilmelding afmeldt: Kor",
    ]
    waitlisted, promoted, cancelled = to_second
    assert "Din plads i køen: 1." in waitlisted.body
    assert ics_parts(waitlisted) == []  # not in the calendar while waiting
    assert ics_parts(promoted)[0][0] == "REQUEST"
    assert "Biblioteket har afmeldt din tilmelding" in cancelled.body
    assert "Dobbelt tilmeldt" in cancelled.body
    assert ics_parts(cancelled)[0][0] == "CANCEL"


def test_the_delivery_log_in_the_admin_and_send_again(client, administrator, settings) -> None:
    registered(make_event(start=at(DAY, 10)), make_user())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    for hour in range(0, 40, 3):
        with time_machine.travel(timezone.now() + timedelta(hours=hour), tick=False):
            dispatch()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    client.force_login(administrator)
    page = client.get("/admin/notifications/delivery/?status=failed")
    assert page.status_code == 200
    assert "registration.confirmed" in page.content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)


def test_one_kick_per_transaction_however_many_messages(
    django_capture_on_commit_callbacks, staff
) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10))
    for _ in range(3):
        make_registration(event=event)  # written directly: no signal, no kick yet
    with django_capture_on_commit_callbacks() as callbacks:
        event_cancel(actor=staff, event=event, reason="Storm")
    assert Delivery.objects.filter(kind="event.cancelled").count() == 3
    assert [cb for cb in callbacks if cb is services._kick] == [services._kick]


def test_the_demo_loader_is_idempotent() -> None:
    from notifications import demo

    ReminderDefault.objects.all().delete()
    demo.load()
    demo.load()
    assert sorted(ReminderDefault.objects.values_list("kind", flat=True)) == [
        "booking",
        "equipment_booking",
        "registration",
        "shift",
    ]


def test_no_task_keeps_its_schedule_in_the_broker() -> None:
    """Reminders come from the every-minute scan, never from an ETA or countdown held by
    Redis (which its visibility timeout would deliver twice)."""
    from pathlib import Path

    import notifications

    source = "\n".join(
        path.read_text() for path in Path(notifications.__file__).parent.rglob("*.py")
    )
    for needle in ("countdown=", "eta=", "apply_async("):
        assert needle not in source
