"""What the plans app links to a person: the initiatives they are responsible for (staff).
Registered with ``core.privacy`` in ``PlansConfig.ready``; deleting the account leaves the
initiative without a responsible person (``on_delete=SET_NULL``), so nothing to erase."""

from __future__ import annotations

from typing import Any

from core.models import User
from plans import selectors


def export(user: User) -> dict[str, Any]:
    return {
        "responsible_for_initiatives": [
            {"plan_year": i.plan.year, "title": i.title, "status": i.status}
            for i in selectors.initiatives_responsible(user=user)
        ]
    }
