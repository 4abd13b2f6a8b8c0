"""The person's own data: "Download my data" and "Delete my account" (GDPR art. 15, 17, 20).

The export holds one item of every kind the apps keep about a person and nothing about the
other people around them (another registrant of the same event, another booker of the same
room, another volunteer on the same shift, the staff who decided). Deleting the account
cancels what has not happened yet through the apps' services (the waiting list moves and the
promoted person is told), keeps the past for the plan's numbers without the person, mails a
receipt, and the person can no longer log in.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from core.models import ApiToken, AuditLog, Role, User
from core.timeutils import local_tz
from events import services as event_services
from events.models import RegistrationStatus
from notifications import services as notification_services
from notifications.models import Delivery, DeliveryStatus, ReminderPreference
from plans.selectors import coverage
from rooms.models import Booking, BookingStatus, EquipmentBooking, EquipmentKind, Licence
from tests.events.factories import make_event, make_registration
from tests.factories import PASSWORD, make_partner, make_user
from tests.plans.factories import make_initiative, make_plan
from tests.rooms.factories import make_booking, make_equipment, make_room
from tests.volunteers.factories import make_shift, make_signup, make_volunteer
from volunteers.models import (
    CertificateStatus,
    HoursCorrection,
    SessionProposal,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db

EXPORT_SECTIONS = {
    "format",
    "exported_at",
    "account",
    "association_memberships",
    "api_tokens",
    "platform_logins",
    "audit_entries",
    "registrations",
    "hosted_events",
    "told_when_registration_opens",
    "room_bookings",
    "machine_bookings",
    "licences",
    "volunteer_profile",
    "shift_signups",
    "hours_corrections",
    "proposals",
    "responsible_for_initiatives",
    "reminder_preference",
    "calendar_feed",
    "messages",
}


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def scene(branch: Any) -> dict[str, Any]:
    """A volunteer who uses everything, and other people next to them everywhere."""
    staff = make_user(
        role=Role.STAFF, branches=[branch], name="Signe Staffmember", email="signe@lib.example"
    )
    person = make_volunteer(
        branches=[branch],
        certificate=CertificateStatus.CLEAR,
        name="Pia Person",
        email="pia@example.org",
        password=PASSWORD,
        language="en",
        birth_date=date(1980, 5, 17),
    )
    VolunteerProfile.objects.filter(user=person).update(
        skills="Knitting and Python", certificate_checked_by=staff
    )
    other = make_user(name="Otto Other", email="otto@example.org", birth_date=date(1999, 1, 2))
    now = timezone.now()

    make_partner(name="Strikkeforeningen").members.add(person)
    api_key = core_services.api_token_create(user=person, name="Bibliotek-app")
    event = make_event(branch=branch, title="Sprogcafé", capacity=10)
    event_services.registration_create(actor=person, event=event)  # also an audit row
    event_services.registration_create(actor=other, event=event)
    make_event(branch=branch, title="Strikkecafé", host=person)

    room = make_room(branch=branch, name="Mødelokale 1")
    start = (now + timedelta(days=10)).replace(microsecond=0)
    make_booking(
        room=room, start=start, end=start + timedelta(hours=2), booker=person, decided_by=staff
    )
    make_booking(
        room=room,
        start=start + timedelta(hours=3),
        end=start + timedelta(hours=4),
        booker=other,
        purpose="Otto's secret meeting",
    )
    printer = make_equipment(branch=branch, name="Prusa 1")
    EquipmentBooking.objects.create(
        equipment=printer, booker=person, start=start, end=start + timedelta(hours=2)
    )
    EquipmentBooking.objects.create(
        equipment=printer,
        booker=other,
        start=start + timedelta(hours=2),
        end=start + timedelta(hours=4),
    )
    Licence.objects.create(person=person, equipment_kind=EquipmentKind.PRINTER_3D, granted_by=staff)

    shift = make_shift(start=now - timedelta(days=3), needed=2)
    signup = make_signup(shift=shift, volunteer=person, attended=True, hours="2")
    make_signup(shift=shift, volunteer=other, attended=True, hours="2")
    HoursCorrection.objects.create(
        signup=signup,
        old_hours=Decimal("2"),
        new_hours=Decimal("3"),
        note="Stayed longer",
        corrected_by=staff,
    )
    ShiftSignup.objects.filter(pk=signup.pk).update(hours=Decimal("3"))
    SessionProposal.objects.create(
        volunteer=person,
        title="Python for begyndere",
        branch=branch,
        start=start,
        end=start + timedelta(hours=2),
        decided_by=staff,
    )
    initiative = make_initiative(plan=make_plan(year=2027), tracks=[], branches=[branch])
    initiative.responsible = person
    initiative.save()

    ReminderPreference.objects.create(user=person, enabled=False)
    feed_secret = notification_services.feed_token_renew(actor=person)
    for recipient, subject in [(person, "Welcome, Pia"), (other, "Welcome, Otto")]:
        Delivery.objects.create(
            kind="registration.confirmed",
            object_type="events.registration",
            object_id="1",
            recipient=recipient,
            recipient_key=str(recipient.pk),
            version="manual",
            status=DeliveryStatus.SENT,
            subject=subject,
            to_email=recipient.email,
            sent_at=now,
        )
    return {
        "person": person,
        "other": other,
        "staff": staff,
        "feed_secret": feed_secret,
        "api_key": api_key,
    }


def _download(client: Any, url: str) -> tuple[Any, dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    return response, json.loads(response.content)


def test_download_my_data_holds_everything_about_the_person_and_nothing_else(
    scene: dict[str, Any],
) -> None:
    person = scene["person"]
    response, data = _download(page_client(person), reverse("my-data-export"))
    raw = response.content.decode()

    assert set(data) == EXPORT_SECTIONS
    account = data["account"]
    assert (account["email"], account["name"], account["birth_date"]) == (
        "pia@example.org",
        "Pia Person",
        "1980-05-17",
    )
    assert account["role"] == "volunteer" and account["language"] == "en"
    assert data["association_memberships"] == [
        {"partner": "Strikkeforeningen", "kind": "voluntary_social"}
    ]
    [app] = data["api_tokens"]
    assert app["name"] == "Bibliotek-app" and set(app) == {
        "name",
        "prefix",
        "created",
        "last_used",
        "expires",
    }
    assert "registration.confirmed" in {row["action"] for row in data["audit_entries"]}
    [registration] = data["registrations"]
    assert (registration["event"], registration["status"]) == ("Sprogcafé", "confirmed")
    assert [e["event"] for e in data["hosted_events"]] == ["Strikkecafé"]
    [booking] = data["room_bookings"]
    assert (booking["room"], booking["status"]) == ("Mødelokale 1", "confirmed")
    [slot] = data["machine_bookings"]
    assert slot["machine"] == "Prusa 1"
    assert data["licences"] == [
        {
            "machine_kind": "3d_printer",
            "granted_at": data["licences"][0]["granted_at"],
            "how": "staff",
        }
    ]
    profile = data["volunteer_profile"]
    assert profile["skills"] == "Knitting and Python"
    assert profile["child_certificate_status"] == "clear"
    assert profile["child_certificate_checked_on"]
    [signup] = data["shift_signups"]
    assert (signup["attended"], signup["hours"]) == (True, "3.00")
    [correction] = data["hours_corrections"]
    assert correction["note"] == "Stayed longer"
    assert [p["title"] for p in data["proposals"]] == ["Python for begyndere"]
    assert [i["plan_year"] for i in data["responsible_for_initiatives"]] == [2027]
    assert data["reminder_preference"]["enabled"] is False
    assert set(data["calendar_feed"]) == {"created_at", "last_used_at"}
    assert "Welcome, Pia" in {m["subject"] for m in data["messages"]}

    # Nothing about anyone else: not the other registrant, booker or volunteer, not the staff.
    for foreign in ["Otto", "otto@example.org", "1999-01-02", "Signe", "signe@lib.example"]:
        assert foreign not in raw, foreign
    # Never a secret: not the API token, not the feed token or its hash, not the password.
    assert scene["api_key"] not in raw
    assert scene["feed_secret"] not in raw
    assert person.feed_token.token_hash not in raw
    assert person.password not in raw


def test_the_api_export_is_the_same_file_as_the_page_export(
    scene: dict[str, Any], client_for: Any
) -> None:
    person = scene["person"]
    with time_machine.travel(timezone.now(), tick=False):
        page, _data = _download(page_client(person), reverse("my-data-export"))
        api, _data = _download(client_for(person), reverse("api-me-export"))
    assert api.content == page.content


def test_the_export_needs_a_login(client: Client, api: Any) -> None:
    assert client.get(reverse("my-data-export")).status_code == 302
    assert api.get(reverse("api-me-export")).status_code in {401, 403}
    assert api.delete(reverse("api-me"), {"password": PASSWORD}, format="json").status_code in {
        401,
        403,
    }


def test_my_page_offers_download_and_delete(citizen: User) -> None:
    response = page_client(citizen).get(reverse("my-page"))
    assert response.status_code == 200
    assert reverse("my-data-export").encode() in response.content
    assert reverse("account-delete").encode() in response.content


# --- Deleting one's own account ------------------------------------------------------------


def _can_log_in(email: str) -> bool:
    return Client().login(username=email, password=PASSWORD)


def test_deleting_the_account_cancels_a_coming_registration_and_promotes_the_waiting(
    branch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_user(name="Pia Person", email="pia@example.org", language="en")
    waiting = make_user(name="Wilma Waiting", email="wilma@example.org", language="en")
    event = make_event(branch=branch, title="Sprogcafé", capacity=1)
    mine = make_registration(event=event, user=person)
    theirs = make_registration(
        event=event, user=waiting, status=RegistrationStatus.WAITLISTED, waitlist_position=1
    )
    client = page_client(person)
    assert _can_log_in("pia@example.org")
    assert client.get(reverse("account-delete")).status_code == 200
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    notification_services.dispatch_due()  # with a broker, the worker would do this

    assert not User.objects.filter(email="pia@example.org").exists()
    mine.refresh_from_db()
    assert (mine.status, mine.user_id) == (RegistrationStatus.CANCELLED, None)
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.CONFIRMED
    promoted = Delivery.objects.get(kind="registration.promoted", recipient=waiting)
    assert promoted.status == DeliveryStatus.SENT
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "You got a place: Sprogcafé" in by_address["wilma@example.org"].subject
    receipt = by_address["pia@example.org"]
    assert receipt.subject == "Your Mødested account has been deleted"
    assert "1 coming registration, booking or volunteer shift was cancelled" in receipt.body
    assert len([m for m in mail.outbox if m.to == ["pia@example.org"]]) == 1  # only the receipt
    # No longer logged in, and cannot log in again.
    assert client.get(reverse("my-page")).status_code == 302
    assert not _can_log_in("pia@example.org")
    # One audit row for the deletion, with counts and no personal data.
    row = AuditLog.objects.get(action="user.deleted_by_self")
    assert row.actor is None
    assert row.data["registrations_cancelled"] == 1
    assert "pia" not in json.dumps(row.data).lower()


def test_deleting_the_account_keeps_the_past_in_the_plans_numbers(
    branch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_user(email="pia@example.org")
    now = timezone.now()
    held = make_event(branch=branch, start=now - timedelta(days=10), capacity=10)
    past = make_registration(event=held, user=person, seats=2, checked_in_at=held.start)
    make_registration(event=held, seats=1)  # somebody else
    year = timezone.localtime(held.start, local_tz()).year

    def numbers() -> tuple[int, int]:
        total = coverage(year=year, now=now).total(whole_year=True)
        return total.registrations, total.attendance

    before = numbers()
    assert before == (3, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(person).post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert numbers() == before
    past.refresh_from_db()
    assert (past.user_id, past.seats, past.status) == (None, 2, RegistrationStatus.CONFIRMED)
    assert past.checked_in_at is not None


def test_a_wrong_password_deletes_nothing(citizen: User) -> None:
    response = page_client(citizen).post(reverse("account-delete"), {"password": "not-it"})
    assert response.status_code == 400
    assert b"The password is not right" in response.content
    assert User.objects.filter(pk=citizen.pk).exists()


def test_the_last_administrator_cannot_delete_himself(
    administrator: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = page_client(administrator)
    page = client.get(reverse("account-delete"))
    assert b"You are the last administrator" in page.content
    assert client.post(reverse("account-delete"), {"password": PASSWORD}).status_code == 400
    response = client_for(administrator).delete(
        reverse("api-me"), {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "last_administrator"
    assert User.objects.filter(pk=administrator.pk).exists()

    # With a second administrator, the first may go.
    make_user(role=Role.ADMINISTRATOR, email="second@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).delete(
            reverse("api-me"), {"password": PASSWORD}, format="json"
        )
    assert response.status_code == 204
    assert not User.objects.filter(pk=administrator.pk).exists()


def test_delete_me_in_the_api(
    branch: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_user(email="pia@example.org", language="en")
    registration = make_registration(event=make_event(branch=branch), user=person)
    key = core_services.api_token_create(user=person)
    client = client_for(person)
    refused = client.delete(reverse("api-me"), {"password": "wrong"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_confirmation"
    assert client.delete(reverse("api-me"), {}, format="json").status_code == 400
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(reverse("api-me"), {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=person.pk).exists()
    assert not ApiToken.objects.filter(user_id=person.pk).exists()
    registration.refresh_from_db()
    assert (registration.status, registration.user_id) == (RegistrationStatus.CANCELLED, None)
    assert [m.to for m in mail.outbox if "deleted" in m.subject] == [["pia@example.org"]]
    # The old token opens nothing any more.
    from rest_framework.test import APIClient

    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert stale.get(reverse("api-me-export")).status_code in {401, 403}


def test_deleting_cancels_coming_bookings_and_slots_even_after_the_deadline(
    branch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_user(email="pia@example.org")
    room = make_room(branch=branch, cancel_days_before=3)  # the booker's deadline has passed
    now = timezone.now()
    start = (now + timedelta(days=1)).replace(microsecond=0)
    coming = make_booking(room=room, start=start, end=start + timedelta(hours=1), booker=person)
    past = make_booking(
        room=room,
        start=now - timedelta(days=3),
        end=now - timedelta(days=3) + timedelta(hours=1),
        booker=person,
    )
    slot = EquipmentBooking.objects.create(
        equipment=make_equipment(branch=branch),
        booker=person,
        start=start,
        end=start + timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(person).post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code == 302
    coming.refresh_from_db()
    assert (coming.status, coming.booker_id) == (BookingStatus.CANCELLED, None)
    past.refresh_from_db()
    assert (past.status, past.booker_id) == (BookingStatus.CONFIRMED, None)
    slot.refresh_from_db()
    assert (slot.status, slot.booker_id) == ("cancelled", None)
    assert not Licence.objects.exists()
    assert Booking.objects.count() == 2  # the rows stay for the statistics


def test_deleting_a_volunteer_frees_coming_shifts_and_keeps_the_hours(
    branch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_volunteer(branches=[branch], email="pia@example.org", password=PASSWORD)
    now = timezone.now()
    done = make_signup(
        shift=make_shift(start=now - timedelta(days=3)), volunteer=person, attended=True, hours=2
    )
    coming = make_signup(shift=make_shift(start=now + timedelta(hours=5)), volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(person).post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code == 302
    coming.refresh_from_db()
    assert (coming.status, coming.volunteer_id) == (SignupStatus.WITHDRAWN, None)
    done.refresh_from_db()
    assert (done.status, done.hours, done.volunteer_id) == (
        SignupStatus.SIGNED_UP,
        Decimal("2.00"),
        None,
    )
    assert not VolunteerProfile.objects.exists()


def test_an_administrator_deletes_an_account_through_the_same_steps(
    branch: Any, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    person = make_user(email="pia@example.org", name="Pia Person", language="en")
    registration = make_registration(event=make_event(branch=branch), user=person)
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
    )
    client = Client()
    client.force_login(administrator)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_user_changelist"),
            {"action": "delete_accounts", "_selected_action": [person.pk]},
        )
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    registration.refresh_from_db()
    assert (registration.status, registration.user_id) == (RegistrationStatus.CANCELLED, None)
    row = AuditLog.objects.get(action="user.deleted_by_administrator")
    assert row.actor == administrator and row.target_id == str(person.pk)
    # Django's own admin log keeps what was done, but no longer names the person.
    assert not LogEntry.objects.filter(object_repr__contains="pia@example.org").exists()
    assert [m.to for m in mail.outbox if "deleted" in m.subject] == [["pia@example.org"]]


def test_staff_cannot_delete_other_peoples_accounts(staff: User, citizen: User) -> None:
    from core.exceptions import PermissionDenied
    from core.privacy import account_delete_by_administrator

    with pytest.raises(PermissionDenied):
        account_delete_by_administrator(actor=staff, user=citizen)
    assert User.objects.filter(pk=citizen.pk).exists()
