from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Role, User
from core.services import accounts_delete_inactive
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_citizens_unused_for_three_years_are_deleted_others_kept() -> None:
    now = timezone.now()
    old = now - timedelta(days=3 * 365 + 1)
    gone = make_user(date_joined=old)
    active = make_user(date_joined=old, last_activity=now - timedelta(days=10))
    newish = make_user(date_joined=now - timedelta(days=400))
    staff = make_user(role=Role.STAFF, date_joined=old)
    volunteer = make_user(role=Role.VOLUNTEER, date_joined=old)
    assert accounts_delete_inactive(now=now) == 1
    remaining = set(User.objects.values_list("pk", flat=True))
    assert gone.pk not in remaining
    assert {active.pk, newish.pk, staff.pk, volunteer.pk} <= remaining
    assert accounts_delete_inactive(now=now) == 0


def test_logging_in_counts_as_activity(client: Client, api) -> None:
    old = timezone.now() - timedelta(days=3 * 365 + 5)
    by_page, by_api = make_user(date_joined=old), make_user(date_joined=old)
    client.post("/konto/log-ind/", {"username": by_page.email, "password": PASSWORD})
    response = api.post(
        "/api/auth/token/", {"email": by_api.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert accounts_delete_inactive() == 0
    assert User.objects.filter(pk__in=[by_page.pk, by_api.pk]).count() == 2
