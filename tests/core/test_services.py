from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Role, User
from core.services import accounts_delete_inactive
from tests.factories import make_user

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


def test_using_the_site_counts_as_activity_once_a_day(client: Client) -> None:
    user = make_user()
    client.force_login(user)
    client.get("/")
    user.refresh_from_db()
    first = user.last_activity
    assert first is not None
    client.get("/")
    user.refresh_from_db()
    assert user.last_activity == first
