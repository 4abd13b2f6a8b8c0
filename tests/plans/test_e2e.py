"""In a browser: staff open the plan, read a number off the heatmap and drill into it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import Role, Track
from tests.factories import make_branch
from tests.plans.factories import make_event, make_person, make_plan

PASSWORD = "a-long-test-password-42"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_drill_from_heatmap_to_events(page, live_server) -> None:
    from django.utils import timezone

    gadstrup = make_branch(name="Gadstrup Bibliotek", slug="gadstrup")
    staff = make_person(role=Role.STAFF, branches=[gadstrup], email="plan-e2e@example.org")
    staff.set_password(PASSWORD)
    staff.save()
    make_plan(year=timezone.localdate().year)
    hygge = Track.objects.get(slug="hygge")
    for days in (10, 20):
        make_event(
            branch=gadstrup,
            start=timezone.now() - timedelta(days=days),
            tracks=[hygge],
            title=f"Strikkecafé {days}",
        )
    page.goto(f"{live_server.url}/konto/log-ind/?next=/plan/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    cell = page.get_by_label("Hygge, Gadstrup Bibliotek: 2", exact=False)
    assert cell.inner_text().strip().startswith("2")
    cell.click()
    assert page.locator("table tbody tr").count() == 2
    assert "Strikkecafé 10" in page.content()
