"""The coverage API and the committee report cost the same queries at any size (issue #16).

A year of 50,000 events and 500,000 registrations is answered by one statement that sums the
registrations once per event (``plans.selectors.coverage``); here the same pages at two small
sizes must run exactly the same queries. No timings: ``make bench`` measures those.
"""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.models import Event, Registration
from tests.plans.conftest import YEAR, build_world

DECEMBER = "2027-12-10 12:00 +01:00"


def _transaction_around_the_counting() -> int:
    """On PostgreSQL the counting statement runs in its own transaction with JIT switched
    off (BEGIN, set_config, COMMIT); SQLite needs none of it."""
    return 3 if connection.vendor == "postgresql" else 0


# Coverage: 1 tracks, 2 branches, 3 plan, 4 targets, 5 initiatives × tracks × branches ×
# partners, 6 events with their registrations, audiences and partners (one statement),
# 7 volunteer hours.
COVERAGE = 7


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("per_branch", [1, 10])
def test_coverage_api_costs_the_same_queries_at_any_size(api, db: None, per_branch: int) -> None:
    build_world(events_per_branch=per_branch)
    assert Event.objects.count() == 4 + 3 * per_branch
    api.get("/api/coverage/", {"year": YEAR})  # warm-up: caches that fill on first use
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/coverage/", {"year": YEAR})
    assert response.status_code == 200
    # Anonymous: no session query; the coverage's own queries and nothing else.
    assert len(queries) == COVERAGE + _transaction_around_the_counting()


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("per_branch", [1, 10])
def test_committee_report_costs_the_same_queries_at_any_size(db: None, per_branch: int) -> None:
    world = build_world(events_per_branch=per_branch)
    assert Registration.objects.filter(event__branch__in=world.branches).exists()
    for initiative in world.plan.initiatives.all():
        initiative.events.add(*world.events[: per_branch * 2])
    browser = Client()
    browser.force_login(world.staff)
    path = f"/plan/rapport/{YEAR}/year/"
    browser.get(path)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    assert response.status_code == 200
    # 2: session and user; the coverage's own; then 11: the initiatives of the year with
    # their tracks, branches, partners, events and series (6, prefetched), next year's plan,
    # the audiences' Danish names, and what the linked events say (3, plans.selectors.truth).
    assert len(queries) == 2 + COVERAGE + 11 + _transaction_around_the_counting(), [
        q["sql"][:90] for q in queries.captured_queries
    ]
