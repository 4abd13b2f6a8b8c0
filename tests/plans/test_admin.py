"""The admin lists and edits plans, initiatives and targets."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Role
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
