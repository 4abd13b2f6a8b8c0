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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_plan_page_on_a_phone_scrolls_the_coverage_table_in_its_own_box(page, live_server) -> None:
    from django.utils import timezone

    branches = [
        make_branch(name=f"{name} Bibliotek", slug=name.lower())
        for name in ("Roskilde", "Jyllinge", "Viby", "Gadstrup", "Gundsømagle", "Ågerup")
    ]
    staff = make_person(role=Role.STAFF, branches=branches, email="plan-phone@example.org")
    staff.set_password(PASSWORD)
    staff.save()
    make_plan(year=timezone.localdate().year)
    hygge = Track.objects.get(slug="hygge")
    make_event(branch=branches[0], start=timezone.now() - timedelta(days=3), tracks=[hygge])
    make_event(branch=branches[0], start=timezone.now() + timedelta(days=3), tracks=[hygge])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/konto/log-ind/?next=/plan/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("table.heatmap")
    # The page itself does not scroll sideways; the table scrolls inside its own box.
    width = page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= 390
    box = page.locator(".table-scroll").first
    assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    # Held and planned apart, with the legend that explains the marks.
    assert page.locator(".heat-legend").is_visible()
    assert page.locator(".heatmap .planned-mark").count() >= 1
    from tests.e2e.axe import assert_accessible

    assert_accessible(page, where="/plan/ at 390 px")
    # The report buttons do not overlap each other.
    boxes = [a.bounding_box() for a in page.locator(".plan-actions a.btn").all() if a.is_visible()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_x = a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            overlap_y = a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
            assert not (overlap_x and overlap_y)
