"""The one race harness of the concurrency tests (``tests/*/test_concurrency.py``).

``run_together(jobs)`` runs each job in its own thread, on its own database connection,
and releases them all at once with a barrier. The test then asserts on what people would
notice (how many got the seat, the slot, the place).

A concurrency test proves something only if its harness can also see the race: each one has
a negative control that switches the row locks off (``locks_off``) and, where a database
constraint backs the lock, drops it inside the test. ``widen`` holds a service at one of its
named points (``core.locking.Pause``, e.g. after the capacity count) so the race shows on the
first try instead of by luck; no test patches a private helper for this.

These tests need PostgreSQL (``pytestmark = POSTGRES_ONLY``): on SQLite every transaction is
``BEGIN IMMEDIATE``, so writers never overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from core import locking

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-lock races need PostgreSQL; SQLite serialises writers (IMMEDIATE)",
)


def run_together(jobs: Sequence[Callable[[], Any]], *, timeout: float = 30) -> list[Any]:
    """Run ``jobs`` in threads released at once; return each job's result, or the exception
    it raised, in the order of ``jobs``."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[i] = error
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def run_n(n: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(0)``, ..., ``work(n - 1)`` at once, as ``run_together``."""
    return run_together([partial(work, i) for i in range(n)])


def locks_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """The negative control's switch: services take no row locks for this test."""
    monkeypatch.setattr(locking, "LOCKS_ENABLED", False)


def widen(monkeypatch: pytest.MonkeyPatch, point: locking.Pause, seconds: float = 0.05) -> None:
    """Hold every service that passes ``point`` for ``seconds``, for this test."""
    monkeypatch.setitem(locking.PAUSES, point, seconds)
