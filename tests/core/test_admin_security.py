"""The Django admin is for administrators only, and the audit log is append-only.

Regression tests for issue #11, findings 1-3: staff took over accounts and made themselves
administrator through the admin, edited other branches' rooms and deleted citizens'
bookings there without the services (no message, no audit row), and deleted audit rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory

from core import services as core_services
from core.admin_mixins import AuditedAdminMixin
from core.contracts import AuditAction
from core.exceptions import PermissionDenied
from core.models import AuditLog, Branch, OpeningHours, Role, User
from notifications.models import Delivery
from rooms import services as room_services
from rooms.models import Booking, BookingStatus, Room
from tests.factories import PASSWORD, make_branch, make_user
from tests.rooms.factories import at, future_day, make_room

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refused(response: Any) -> bool:
    """What the admin answers a non-administrator: its login page."""
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def post_data(obj: Any, **changes: Any) -> dict[str, Any]:
    """The change form's fields as a browser posts them (unticked boxes are left out)."""
    data = {**model_to_dict(obj), **changes}
    return {
        k: ("on" if v is True else v) for k, v in data.items() if v is not None and v is not False
    }


def audit_row(admin_user: User) -> AuditLog:
    return AuditLog.objects.create(
        actor=admin_user, action="booking.cancelled", target_type="x", target_id="1"
    )


# --- Staff get no admin at all ------------------------------------------------------------


def test_staff_get_no_admin_page_at_all(staff: User, administrator: User, branch: Branch) -> None:
    client = logged_in(staff)
    room = make_room(branch=branch)  # a room of the staff member's own branch
    for url in [
        "/admin/",
        "/admin/core/branch/",
        f"/admin/rooms/room/{room.pk}/change/",
        f"/admin/core/user/{administrator.pk}/change/",
        f"/admin/core/user/{administrator.pk}/password/",
        f"/admin/core/auditlog/{audit_row(administrator).pk}/delete/",
        "/admin/password_change/",
    ]:
        assert refused(client.get(url)), url
    # nor delete a citizen's booking of their own branch behind the services' back
    day = future_day(5)
    booking = room_services.booking_request(
        actor=make_user(),
        room=room,
        start=at(day, 10),
        end=at(day, 11),
        purpose="Møde",
        attendees=2,
    ).first
    assert refused(client.post(f"/admin/rooms/booking/{booking.pk}/delete/", {"post": "yes"}))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_staff_cannot_set_an_administrators_password(staff: User, administrator: User) -> None:
    response = logged_in(staff).post(
        f"/admin/core/user/{administrator.pk}/password/",
        {
            "password1": "taken-over-2026!",
            "password2": "taken-over-2026!",
            "usable_password": "true",
        },
    )
    assert refused(response)
    administrator.refresh_from_db()
    assert administrator.check_password(PASSWORD)
    assert not administrator.check_password("taken-over-2026!")


def test_staff_cannot_log_in_to_the_admin(staff: User) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert refused(client.get("/admin/"))


def test_a_staff_member_cannot_make_themselves_administrator(staff: User, branch: Branch) -> None:
    other = make_branch(name="Roskilde")
    data = post_data(staff, role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    data["branches"] = [branch.pk, other.pk]
    client = logged_in(staff)
    assert refused(client.post(f"/admin/core/user/{staff.pk}/change/", data))
    assert refused(
        client.post(
            "/admin/core/user/",
            {
                "action": "set_role",
                "_selected_action": [staff.pk],
                "apply": "yes",
                "role": "administrator",
            },
        )
    )
    staff.refresh_from_db()
    assert (staff.role, staff.is_superuser, staff.is_staff) == (Role.STAFF, False, False)
    assert list(staff.branches.all()) == [branch]
    # nor through the service itself
    with pytest.raises(PermissionDenied):
        core_services.user_set_role(actor=staff, user=staff, role=Role.ADMINISTRATOR)
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


def test_staff_keep_their_start_page_without_admin_links(
    staff: User, administrator: User, branch: Branch
) -> None:
    text = logged_in(staff).get("/personale/").content.decode()
    assert "/admin/" not in text
    administrator.branches.set([branch])
    assert "/admin/" in logged_in(administrator).get("/personale/").content.decode()


def test_only_administrators_get_is_staff(branch: Branch) -> None:
    person = make_user()
    core_services.user_set_role(actor=None, user=person, role=Role.STAFF, branches=[branch])
    assert (person.is_staff, person.is_superuser) == (False, False)
    core_services.user_set_role(actor=None, user=person, role=Role.ADMINISTRATOR)
    assert (person.is_staff, person.is_superuser) == (True, True)
    assert make_user(role=Role.STAFF).is_staff is False


# --- Administrators: roles and passwords through the services, with audit rows ------------


def test_the_user_form_does_not_change_role_branches_or_superuser(
    administrator: User, branch: Branch
) -> None:
    person = make_user(name="Carl Citizen")
    data = post_data(
        person, name="Carl C. Citizen", language="en", role=Role.ADMINISTRATOR, is_superuser=True
    )
    data["branches"] = [branch.pk]
    response = logged_in(administrator).post(f"/admin/core/user/{person.pk}/change/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "Carl C. Citizen"
    assert (person.role, person.is_superuser, person.is_staff) == (Role.CITIZEN, False, False)
    assert not person.branches.exists()
    entry = AuditLog.objects.get(action="admin.changed", target_id=str(person.pk))
    assert entry.actor == administrator
    # the field is named, its personal values are not kept in the append-only log
    assert entry.data == {
        "old": {"language": "da"},
        "new": {"language": "en"},
        "personal_fields": ["name"],
    }


def test_an_administrator_gives_a_role_through_the_service(
    administrator: User, branch: Branch
) -> None:
    person = make_user()
    client = logged_in(administrator)
    form = client.post(
        "/admin/core/user/", {"action": "set_role", "_selected_action": [person.pk], "index": "0"}
    )
    assert form.status_code == 200 and 'name="role"' in form.content.decode()
    response = client.post(
        "/admin/core/user/",
        {
            "action": "set_role",
            "_selected_action": [person.pk],
            "apply": "yes",
            "role": Role.STAFF,
            "branches": [branch.pk],
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, list(person.branches.all()), person.is_staff) == (
        Role.STAFF,
        [branch],
        False,
    )
    entry = AuditLog.objects.get(action="user.role_changed", target_id=str(person.pk))
    assert entry.actor == administrator
    assert entry.data["new"] == {"role": "staff", "branches": [branch.slug]}


def test_an_administrator_setting_a_password_leaves_an_audit_row(administrator: User) -> None:
    person = make_user()
    new = "a-new-long-password-2026"
    response = logged_in(administrator).post(
        f"/admin/core/user/{person.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true", "set_password": "1"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)
    entry = AuditLog.objects.get(action="user.password_set_by_administrator")
    assert (entry.actor, entry.target_id) == (administrator, str(person.pk))
    assert new not in str(entry.data) and person.password not in str(entry.data)


# --- Changes people notice go through the services ---------------------------------------


def test_an_admin_action_cancels_a_booking_through_the_service(
    administrator: User, branch: Branch
) -> None:
    room = make_room(branch=branch)
    booker = make_user(name="Bodil Booker")
    day = future_day(5)
    booking = room_services.booking_request(
        actor=booker,
        room=room,
        start=at(day, 10),
        end=at(day, 11),
        purpose="Strikkeklub",
        attendees=2,
    ).first
    client = logged_in(administrator)
    selected = {"action": "cancel_bookings", "_selected_action": [booking.pk]}
    # first the page that asks for the reason the booker will read
    page = client.post("/admin/rooms/booking/", {**selected, "index": "0"})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    response = client.post(
        "/admin/rooms/booking/", {**selected, "apply": "yes", "reason": "Vandskade i lokalet"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Vandskade i lokalet"
    entry = AuditLog.objects.get(action="booking.cancelled", target_id=str(booking.pk))
    assert entry.actor == administrator
    assert Delivery.objects.filter(
        kind="booking.cancelled", recipient=booker, object_id=str(booking.pk)
    ).exists()


def test_an_administrator_cannot_change_a_bookings_state_or_delete_it(
    administrator: User, branch: Branch
) -> None:
    room = make_room(branch=branch)
    booker = make_user()
    day = future_day(5)
    booking = room_services.booking_request(
        actor=booker, room=room, start=at(day, 10), end=at(day, 11), purpose="Møde", attendees=2
    ).first
    client = logged_in(administrator)
    response = client.post(
        f"/admin/rooms/booking/{booking.pk}/change/",
        post_data(booking, status=BookingStatus.CANCELLED, purpose="Andet møde"),
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.purpose) == (BookingStatus.CONFIRMED, "Andet møde")
    assert client.get(f"/admin/rooms/booking/{booking.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/rooms/booking/{booking.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(
        "/admin/rooms/booking/",
        {"action": "delete_selected", "_selected_action": [booking.pk], "post": "yes"},
    )
    assert Booking.objects.filter(pk=booking.pk).exists()


@pytest.mark.parametrize(
    "label",
    [
        "rooms.booking",
        "rooms.equipmentbooking",
        "events.event",
        "events.eventseries",
        "events.registration",
        "volunteers.shift",
        "volunteers.shiftsignup",
        "volunteers.sessionproposal",
        "volunteers.volunteerprofile",
        "core.user",
        "core.auditlog",
    ],
)
def test_what_people_would_miss_cannot_be_deleted_in_the_admin(
    label: str, administrator: User
) -> None:
    from django.apps import apps

    request = RequestFactory().get("/admin/")
    request.user = administrator
    model_admin = admin.site._registry[apps.get_model(label)]
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_every_admin_of_ours_writes_audit_rows() -> None:
    ours = {"core", "rooms", "events", "volunteers", "notifications", "plans"}
    registry = admin.site._registry
    plain = [
        model._meta.label
        for model, model_admin in registry.items()
        if model._meta.app_label in ours and not isinstance(model_admin, AuditedAdminMixin)
    ]
    assert plain == []
    assert not any(model._meta.label == "auth.Group" for model in registry)  # roles, not groups


def test_editing_a_room_in_the_admin_writes_an_audit_row_with_old_and_new_values(
    administrator: User, branch: Branch
) -> None:
    room = make_room(branch=branch, name="Mødelokale 1", capacity=12)
    response = logged_in(administrator).post(
        f"/admin/rooms/room/{room.pk}/change/", post_data(room, name="Store sal", capacity=40)
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Store sal", 40)
    entry = AuditLog.objects.get(target_type="rooms.room", target_id=str(room.pk))
    assert (entry.action, entry.actor) == ("admin.changed", administrator)
    assert entry.data == {
        "old": {"name": "Mødelokale 1", "capacity": 12},
        "new": {"name": "Store sal", "capacity": 40},
    }


def test_adding_and_deleting_reference_data_in_the_admin_is_audited(administrator: User) -> None:
    client = logged_in(administrator)
    branch = make_branch(name="Gadstrup")
    hours = OpeningHours.objects.filter(branch=branch).first()
    assert (
        client.post(f"/admin/core/openinghours/{hours.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    deleted = AuditLog.objects.get(action="admin.deleted", target_type="core.openinghours")
    assert deleted.target_id == str(hours.pk) and deleted.data["old"]["branch"] == branch.pk
    response = client.post(
        "/admin/rooms/room/add/",
        {
            **post_data(Room(branch=branch, name="Lille sal", capacity=8)),
            "fee_dkk": "0",
            "rent_dkk": "0",
        },
    )
    assert response.status_code == 302
    room = Room.objects.get(name="Lille sal")
    added = AuditLog.objects.get(action="admin.added", target_id=str(room.pk))
    assert added.data["new"]["name"] == "Lille sal" and added.actor == administrator


# --- The audit log is append-only ---------------------------------------------------------


def test_an_administrator_cannot_change_or_delete_an_audit_row(administrator: User) -> None:
    entry = audit_row(administrator)
    client = logged_in(administrator)
    assert client.get("/admin/core/auditlog/").status_code == 200  # reading is fine
    assert client.get(f"/admin/core/auditlog/{entry.pk}/change/").status_code == 200
    assert client.get(f"/admin/core/auditlog/{entry.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/core/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    response = client.post(
        f"/admin/core/auditlog/{entry.pk}/change/",
        {"action": "nothing.happened", "target_type": "x", "target_id": "1", "data": "{}"},
    )
    assert response.status_code == 403
    client.post(
        "/admin/core/auditlog/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert client.get("/admin/core/auditlog/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.action == "booking.cancelled"


@on_postgresql
def test_postgresql_refuses_update_and_delete_of_audit_rows(administrator: User) -> None:
    entry = audit_row(administrator)
    for sql in [
        "UPDATE core_auditlog SET action = 'nothing.happened' WHERE id = %s",
        "UPDATE core_auditlog SET actor_id = NULL, data = '{\"x\": 1}' WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert (entry.action, entry.actor) == ("booking.cancelled", administrator)


@on_postgresql
def test_postgresql_lets_a_deleted_person_be_unlinked_from_audit_rows() -> None:
    person = make_user()
    entry = core_services.audit_log(
        actor=person, action=AuditAction.REGISTRATION_CONFIRMED, target=person, data={"a": 1}
    )
    person.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert (entry.action, entry.data) == ("registration.confirmed", {"a": 1})


@on_postgresql
def test_postgresql_lets_the_retention_job_remove_personal_links(administrator: User) -> None:
    kept, gone = audit_row(administrator), audit_row(administrator)
    with transaction.atomic(), core_services.audit_retention():
        AuditLog.objects.filter(pk=kept.pk).update(data={"count": 1})
        AuditLog.objects.filter(pk=gone.pk).delete()
    kept.refresh_from_db()
    assert kept.data == {"count": 1}
    assert not AuditLog.objects.filter(pk=gone.pk).exists()
    # the mark ends with the block
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=kept.pk).update(data={})


def test_retention_and_account_deletion_still_work() -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = make_user()
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=4 * 365))
    core_services.audit_log(actor=old, action="user.registered", target=old)
    assert core_services.accounts_delete_inactive() == 1
    entry = AuditLog.objects.get(action="user.registered", target_id=str(old.pk))
    assert entry.actor is None
    assert AuditLog.objects.filter(action="user.deleted_inactive").exists()


def test_every_admin_page_still_works_for_administrators() -> None:
    """On the demo data: each list, each first object's change page, each add page offered,
    and each action's question page render for an administrator."""
    from django.contrib.admin import helpers

    from core.demo import load_all

    load_all()
    administrator = User.objects.get(email="admin@example.dk")
    client = logged_in(administrator)
    request = RequestFactory().get("/admin/")
    request.user = administrator
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert client.get(base).status_code == 200, base
        if model_admin.has_add_permission(request):
            assert client.get(f"{base}add/").status_code == 200, base
        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        assert client.get(f"{base}{obj.pk}/change/").status_code == 200, base
        for name in model_admin.get_actions(request):
            response = client.post(
                base, {"action": name, helpers.ACTION_CHECKBOX_NAME: [obj.pk], "index": "0"}
            )
            assert response.status_code in {200, 302}, (base, name)
        checked += 1
    assert checked >= 20
