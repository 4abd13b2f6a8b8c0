"""The admin lists and edits plans, initiatives and targets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Role
from plans.models import Plan
from tests.plans.conftest import World
from tests.plans.factories import make_person, make_target


@pytest.mark.parametrize("model", ["plan", "initiative", "tracktarget"])
def test_admin_pages(world: World, model: str) -> None:
    make_target(plan=world.plan, track=world.tracks[0], branch=world.branches[0], min_events=2)
    client = Client()
    client.force_login(make_person(role=Role.ADMINISTRATOR))
    listing = client.get(f"/admin/plans/{model}/", {"q": "a"})
    assert listing.status_code == 200
    obj = {"plan": world.plan.pk, "initiative": world.plan.initiatives.first().pk}.get(model)
    if obj:
        assert client.get(f"/admin/plans/{model}/{obj}/change/").status_code == 200


def test_admin_changes_of_a_plan_and_its_targets_leave_audit_rows(world: World) -> None:
    from core.models import AuditLog

    plan = world.plan
    target = make_target(plan=plan, track=world.tracks[0], branch=None, min_initiatives=2)
    administrator = make_person(role=Role.ADMINISTRATOR)
    created = timezone.localtime(plan.created_at).replace(microsecond=0)
    Plan.objects.filter(pk=plan.pk).update(created_at=created)
    client = Client()
    client.force_login(administrator)
    response = client.post(
        f"/admin/plans/plan/{plan.pk}/change/",
        {
            "year": plan.year,
            "period": plan.period,
            "title": "Handleplan med nyt navn",
            "notes": plan.notes,
            "created_at_0": f"{created:%Y-%m-%d}",
            "created_at_1": f"{created:%H:%M:%S}",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "1",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-id": target.pk,
            "targets-0-plan": plan.pk,
            "targets-0-track": world.tracks[0].pk,
            "targets-0-min_initiatives": "5",
        },
    )
    assert response.status_code == 302
    changed = AuditLog.objects.get(action="admin.changed", target_type="plans.plan")
    assert changed.actor == administrator
    assert changed.data["new"] == {"title": "Handleplan med nyt navn"}
    inline = AuditLog.objects.get(action="admin.changed", target_type="plans.tracktarget")
    assert inline.target_id == str(target.pk)
    assert inline.data == {"old": {"min_initiatives": 2}, "new": {"min_initiatives": 5}}
