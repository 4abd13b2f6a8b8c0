"""Staff pages for partners and associations: create and edit with members (audit rows);
bad input is a form error, never a 500; citizens do not reach the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from core.contracts import AuditAction
from core.models import AuditLog, Partner, PartnerKind, User
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_staff_create_a_partner_with_members(staff: User) -> None:
    anna = make_user(email="anna@example.org", name="Anna Andersen", password=None)
    response = logged_in(staff).post(
        "/personale/partnere/ny/",
        {
            "name": "Roskilde Skakklub",
            "kind": PartnerKind.ADULT_EDUCATION,
            "contact_email": "formand@skak.dk",
            "members": "ANNA@example.org\n\n anna@example.org ",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Roskilde Skakklub")
    assert partner.kind == PartnerKind.ADULT_EDUCATION
    assert list(partner.members.all()) == [anna]
    row = AuditLog.objects.get(action=AuditAction.PARTNER_CREATED)
    assert row.actor == staff and row.data["members"] == [anna.pk]
    page = logged_in(staff).get("/personale/partnere/").content.decode()
    assert "Roskilde Skakklub" in page and "Anna Andersen" in page


def test_staff_edit_a_partner_and_its_members(staff: User) -> None:
    old, new = make_user(password=None), make_user(email="ny@example.org", password=None)
    partner = make_partner(name="Strikkeklubben")
    partner.members.set([old])
    response = logged_in(staff).post(
        f"/personale/partnere/{partner.pk}/",
        {"name": "Strikkeklubben Maske", "kind": PartnerKind.OTHER, "members": "ny@example.org"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Strikkeklubben Maske" and partner.kind == PartnerKind.OTHER
    assert list(partner.members.all()) == [new]
    row = AuditLog.objects.get(action=AuditAction.PARTNER_CHANGED)
    assert row.data["name"] == ["Strikkeklubben", "Strikkeklubben Maske"]
    assert row.data["members_added"] == [new.pk] and row.data["members_removed"] == [old.pk]
    # Saving again unchanged writes no second row.
    logged_in(staff).post(
        f"/personale/partnere/{partner.pk}/",
        {"name": "Strikkeklubben Maske", "kind": PartnerKind.OTHER, "members": "ny@example.org"},
    )
    assert AuditLog.objects.filter(action=AuditAction.PARTNER_CHANGED).count() == 1


def test_unknown_member_duplicate_name_and_bad_input_are_form_errors(staff: User) -> None:
    make_partner(name="Ældresagen")
    client = logged_in(staff)
    response = client.post(
        "/personale/partnere/ny/",
        {"name": "Ny forening", "kind": PartnerKind.OTHER, "members": "ghost@example.org"},
    )
    assert response.status_code == 200
    assert "ghost@example.org" in response.content.decode()
    response = client.post("/personale/partnere/ny/", {"name": "ældresagen", "kind": "other"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    for bad in (
        {"name": "X", "kind": "nonsense"},
        {"name": "", "kind": "other"},
        {"name": "X", "kind": "other", "website": "not a url"},
        {"name": "X" * 500, "kind": "other"},
    ):
        assert client.post("/personale/partnere/ny/", bad).status_code == 200
    assert Partner.objects.count() == 1
    assert not AuditLog.objects.filter(action=AuditAction.PARTNER_CREATED).exists()


def test_partner_pages_are_for_staff(citizen: User, staff: User) -> None:
    partner = make_partner()
    client = logged_in(citizen)
    assert client.get("/personale/partnere/").status_code == 404
    assert (
        client.post(
            f"/personale/partnere/{partner.pk}/", {"name": "X", "kind": "other"}
        ).status_code
        == 404
    )
    assert logged_in(staff).get("/personale/partnere/999999/").status_code == 404
    assert Client().get("/personale/partnere/").status_code == 302


def test_staff_home_links_to_partners_and_volunteer_pages(staff: User) -> None:
    page = logged_in(staff).get("/personale/").content.decode()
    assert 'href="/personale/partnere/"' in page
    assert 'href="/personale/frivillige/profiler/"' in page
    assert 'href="/personale/frivillige/aktiviteter/"' in page


def test_partner_services_refuse_citizens(citizen: User) -> None:
    from core import services_partners
    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services_partners.partner_create(actor=citizen, data={"name": "X", "kind": "other"})
    assert not Partner.objects.exists()
