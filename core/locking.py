"""Row locks for the services that must never oversell or double-book.

* ``lock_one(model, pk)`` loads and locks one row; ``lock_many(model, pks)`` several rows of one
  model; ``lock_rows(queryset)`` the rows a filter finds. Several rows are always locked in
  primary-key order (``ORDER BY pk ... FOR UPDATE``: PostgreSQL locks them in the order it
  returns them), so two writers that want overlapping sets queue instead of deadlocking.
* On PostgreSQL every connection starts with ``lock_timeout`` = ``MODESTED_LOCK_TIMEOUT_MS``
  (5 seconds by default; ``core/settings.py`` passes it as a connection option, so a write
  pays no round trip for it). A writer that waits longer gets a 409 ``Conflict`` ("Someone
  else is changing this right now") instead of a request that hangs, as pretix's
  ``lock_objects`` does. Where the setting differs from the connection's (tests shorten it),
  each lock sets ``SET LOCAL lock_timeout`` first.
* On SQLite (the embedded default) transactions are opened IMMEDIATE, so writers are already
  serialised and ``FOR UPDATE`` is left out by Django.

Across models the order is the one in docs/architecture.md (e.g. a room before its bookings,
an event before its room, a volunteer's profile before a shift before a sign-up).

Two switches exist only for the concurrency tests (``tests/race.py``); production code never
changes them:

* ``LOCKS_ENABLED = False`` takes no locks, so a negative control can show the race a lock
  prevents;
* ``pause(point)``: services call it at the named points where a race window opens (after a
  capacity count, after an overlap check). It does nothing unless a test puts a delay for
  that point in ``PAUSES``, which widens the window without patching private helpers
  (pretix's ``debugflags``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from core.db import prepared, sends_statements_together
from core.exceptions import Conflict, ErrorCode

M = TypeVar("M", bound=models.Model)

LOCKS_ENABLED = True

# PostgreSQL's SQLSTATE for "lock_not_available" (psycopg's ``errors.LockNotAvailable``).
LOCK_NOT_AVAILABLE = "55P03"
BUSY_MESSAGE = _("Someone else is changing this right now. Please try again.")


class Pause(StrEnum):
    """The points where a service lets a concurrency test hold it (see ``pause``)."""

    BOOKING_AFTER_OVERLAP_CHECK = "booking.after_overlap_check"
    REGISTRATION_AFTER_SEAT_COUNT = "registration.after_seat_count"
    PROMOTION_AFTER_SEAT_COUNT = "promotion.after_seat_count"
    SIGNUP_AFTER_CAPACITY_COUNT = "signup.after_capacity_count"
    SIGNUP_AFTER_OVERLAP_CHECK = "signup.after_overlap_check"


# Seconds to sleep at each point; empty outside the concurrency tests.
PAUSES: dict[Pause, float] = {}


def pause(point: Pause) -> None:
    """Sleep for the delay a concurrency test set for ``point``; nothing otherwise."""
    delay = PAUSES.get(point)
    if delay:
        time.sleep(delay)


def _is_lock_timeout(error: OperationalError) -> bool:
    cause = error.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) == (
        LOCK_NOT_AVAILABLE
    )


def _set_lock_timeout(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    wanted = int(settings.MODESTED_LOCK_TIMEOUT_MS)
    if wanted == getattr(settings, "MODESTED_CONNECTION_LOCK_TIMEOUT_MS", None):
        return  # the connection started with it
    with connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL: it ends with the transaction.
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)",
            [f"{wanted}ms"],
        )


def lock_rows(queryset: models.QuerySet[M]) -> list[M]:
    """Load and lock the rows of ``queryset`` in primary-key order, until the end of the
    current transaction. Raises ``Conflict`` (409) if another writer holds them longer than
    the lock timeout."""
    connection = transaction.get_connection(queryset.db)
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic().")
    queryset = queryset.order_by("pk")
    if not LOCKS_ENABLED:
        return list(queryset)
    _set_lock_timeout(connection)
    try:
        return list(queryset.select_for_update())
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        # The failed statement aborted the transaction on PostgreSQL: no query may follow.
        transaction.set_rollback(True, using=queryset.db)
        raise Conflict(BUSY_MESSAGE, code=ErrorCode.BUSY) from error


def lock_many(model: type[M], pks: Iterable[int]) -> list[M]:
    """Load and lock the rows of ``model`` with these primary keys, in key order (rows that
    are gone are left out)."""
    keys = sorted(set(pks))
    if not keys:
        return []
    return lock_rows(model._default_manager.filter(pk__in=keys))


# The lock statement of ``lock_one_then`` per model, compiled once per process (Django
# builds the same SQL for every key; compiling it took longer than running it).
_lock_statements: dict[
    tuple[str, type[models.Model], bool], tuple[str, list[str], SQLCompiler, dict[int, Any]]
] = {}


def _lock_statement(
    model: type[M], using: str
) -> tuple[str, list[str], SQLCompiler, dict[int, Any]]:
    """The SQL, its columns' names, its compiler and the columns' converters."""
    key = (using, model, LOCKS_ENABLED)
    if key not in _lock_statements:
        queryset = model._default_manager.using(using).filter(pk=0)
        if LOCKS_ENABLED:
            queryset = queryset.select_for_update()
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # in the caller's transaction (FOR UPDATE needs one)
        if list(params) != [0]:
            raise RuntimeError(f"Unexpected lock statement for {model.__name__}: {sql}")
        columns = [column.target.attname for column, _sql, _alias in compiler.select]
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        _lock_statements[key] = (sql, columns, compiler, converters)
    return _lock_statements[key]


def lock_one_then(
    model: type[M], pk: int, sql: str, params: Sequence[object]
) -> tuple[M, tuple[Any, ...]]:
    """``lock_one``, and right after the lock is granted one more statement (``sql`` with
    ``params``; its first row is returned), in the same round trip where the database takes
    several statements in one string (``core.db.sends_statements_together``).

    The second statement starts after the lock is held, so it sees every row committed
    before: the place for counting what the lock guards. (One statement cannot lock and
    count: it would count with the snapshot it took before it waited for the lock.)
    """
    using = model._default_manager.db
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("lock_one_then() must run inside transaction.atomic().")
    lock_sql, columns, compiler, converters = _lock_statement(model, using)
    verb = "lock" if LOCKS_ENABLED else "read"
    lock_sql, _pk = prepared(f"modested_{verb}_{model._meta.db_table}", lock_sql, [pk], using)
    if LOCKS_ENABLED:
        _set_lock_timeout(connection)
    try:
        with connection.cursor() as cursor:
            if sends_statements_together(using):
                cursor.execute(f"{lock_sql}; {sql}", [pk, *params])
                rows = cursor.fetchall()
                cursor.nextset()
            else:
                cursor.execute(lock_sql, [pk])
                rows = cursor.fetchall()
                cursor.execute(sql, params)
            after = cursor.fetchone()
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        # The failed statement aborted the transaction on PostgreSQL: no query may follow.
        transaction.set_rollback(True, using=using)
        raise Conflict(BUSY_MESSAGE, code=ErrorCode.BUSY) from error
    if not rows:
        raise model.DoesNotExist(f"{model.__name__} {pk} does not exist.")  # type: ignore[attr-defined]
    values = next(iter(compiler.apply_converters(rows, converters))) if converters else rows[0]
    return model.from_db(using, columns, values), tuple(after)


def lock_one(model: type[M], pk: int) -> M:
    """Load and lock one row; raises ``model.DoesNotExist`` if it is gone."""
    rows = lock_rows(model._default_manager.filter(pk=pk))
    if not rows:
        # The stubs' plugin declares DoesNotExist on concrete models only, not on type[M].
        raise model.DoesNotExist(f"{model.__name__} {pk} does not exist.")  # type: ignore[attr-defined]
    return rows[0]
