"""Row locks for the services that must never oversell or double-book.

``lock_rows`` wraps ``select_for_update``. On SQLite (the embedded default)
transactions are opened IMMEDIATE, so writers are already serialised and the
lock is a no-op there. ``LOCKS_ENABLED`` exists only so that concurrency tests
can prove their harness catches a race when the lock is off (a negative
control); production code never changes it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)

LOCKS_ENABLED = True


def lock_rows(queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Lock the rows of ``queryset`` until the end of the current transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic().")
    if not LOCKS_ENABLED:
        return queryset
    return queryset.select_for_update()


def lock_one(model: type[M], pk: object) -> M:
    """Load and lock one row; raises ``model.DoesNotExist`` if it is gone."""
    return lock_rows(model._default_manager.filter(pk=pk)).get()
