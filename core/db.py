"""Database helpers: the no-overlap constraints, telling a lost race from a fault, and the
few tools of the hot write paths (statements sent together, INSERTs that read nothing back,
hand-written lookups that still give model instances)."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connections,
    migrations,
    models,
)
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


class TsTzRange(models.Func):
    """``tstzrange(start, end, '[)')``: a half-open time range on PostgreSQL."""

    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside the constraint


class PgOnlyExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL and is skipped elsewhere.

    On SQLite the overlap check lives in the services (under IMMEDIATE
    transactions); on PostgreSQL this is the backstop that holds even for code
    that skips the service.
    """

    def _is_pg(self, schema_editor: BaseDatabaseSchemaEditor | None) -> bool:
        return schema_editor is not None and schema_editor.connection.vendor == "postgresql"

    # Django skips a constraint whose SQL is None; the stubs say ``str`` only, hence the ignores.
    def constraint_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str | None:
        return super().constraint_sql(model, schema_editor) if self._is_pg(schema_editor) else None

    def create_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str | None:
        return super().create_sql(model, schema_editor) if self._is_pg(schema_editor) else None

    def remove_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str | None:
        return super().remove_sql(model, schema_editor) if self._is_pg(schema_editor) else None

    def validate(
        self,
        model: type[Model],
        instance: Model,
        exclude: Iterable[str] | None = None,
        using: str = "default",
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class PostgresOnlyRunSQL(migrations.RunSQL):
    """A migration's RunSQL that runs only on PostgreSQL and does nothing elsewhere (the
    triggers that back a guarantee on PostgreSQL; on SQLite the services hold it)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


# SQLSTATEs a losing writer may see on PostgreSQL: exclusion / unique violation and deadlock.
CONFLICT_SQLSTATES = {"23P01", "23505", "40P01", "40001"}


def is_conflict_error(error: BaseException, constraint_names: set[str] | None = None) -> bool:
    """True if ``error`` means "someone else holds it": an overlap, a duplicate or a deadlock."""
    if not isinstance(error, IntegrityError | OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in CONFLICT_SQLSTATES:
        if constraint_names is None or sqlstate == "40P01":
            return True
        diag = getattr(cause, "diag", None)
        return getattr(diag, "constraint_name", None) in constraint_names
    text = str(error)
    if constraint_names:
        return any(name in text for name in constraint_names)
    return "UNIQUE constraint failed" in text or "database is locked" in text


# --- Fewer round trips on a hot write path -------------------------------------------

# The INSERTs ``insert_quietly`` holds back inside ``batched_inserts``: per thread (as
# Django's connections are) and per connection alias.
_held = threading.local()


_Batch = list[tuple[str, Sequence[Any]]]


def _batches() -> dict[str, _Batch]:
    if not hasattr(_held, "batches"):
        _held.batches = {}
    batches: dict[str, _Batch] = _held.batches
    return batches


def sends_statements_together(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True where several statements can go in one string, one round trip: PostgreSQL with
    client-side parameter binding (Django's default for psycopg 3), not SQLite."""
    connection = connections[using]
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")


@contextmanager
def batched_inserts(using: str = DEFAULT_DB_ALIAS, *, commit: bool = False) -> Iterator[None]:
    """Hold back the INSERTs ``insert_quietly`` makes inside the block, and send them in one
    round trip when it ends (still inside the caller's transaction, which must be open).

    For a write whose rows every other writer of the same object waits for (registering for
    an event, under the event's lock): its row, the audit row and the message's row go
    together instead of one round trip each. Nothing in the block may read them back; their
    foreign keys are checked at the commit anyway (Django makes them deferrable). An error
    (a unique constraint) is raised when the block ends, as the same ``IntegrityError``.

    ``commit=True``: the INSERTs are the transaction's last statements, and the COMMIT goes
    in the same string, so the locks the transaction holds are released one round trip
    sooner (every writer waiting for them waits that much less). Only where the block runs
    in the outermost ``atomic`` with no savepoint and nothing marked for rollback (inside a
    test's transaction, or a caller's outer block, the COMMIT stays Django's). The caller
    must not touch the database between the block and the end of its ``atomic``: Django's
    own COMMIT there finds no transaction open and sends nothing (psycopg), and the
    ``on_commit`` callbacks run as usual. A COMMIT that fails (a deferred constraint) is
    raised as the ``IntegrityError`` it is, with nothing written.
    """
    batches = _batches()
    if using in batches:  # nested: the outer block sends them
        yield
        return
    if not connections[using].in_atomic_block:
        raise RuntimeError("batched_inserts() must run inside transaction.atomic().")
    batch: _Batch = []
    batches[using] = batch
    try:
        yield
    finally:
        del batches[using]
    if not batch:
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if sends_statements_together(using):
            statements = [sql for sql, _params in batch]
            if commit and _outermost(connection):
                statements.append("COMMIT")
            cursor.execute(
                "; ".join(statements), [value for _sql, params in batch for value in params]
            )
        else:
            for sql, params in batch:
                cursor.execute(sql, params)


def _outermost(connection: Any) -> bool:
    """The transaction is the outermost ``atomic`` block's own: no savepoint, no outer block
    (a test's transaction is one), nothing marked for rollback."""
    return (
        len(connection.atomic_blocks) == 1
        and not connection.savepoint_ids
        and not connection.needs_rollback
    )


# One row's INSERT statement, compiled once per model, kind of key, conflict rule and
# database: compiling it was most of the cost of a hot write's small INSERTs.
_one_row_sql: dict[tuple[type[Model], bool, bool, str], str] = {}


def insert_quietly(
    objs: Sequence[Model], *, ignore_conflicts: bool = False, using: str = DEFAULT_DB_ALIAS
) -> None:
    """INSERT ``objs`` (one model; primary keys set, or left to the database) in one statement
    that reads nothing back (no ``RETURNING``): objects without a primary key keep ``pk``
    None. Inside ``batched_inserts`` the statement waits for the block's end.
    ``ignore_conflicts`` skips rows a unique constraint already holds, as ``bulk_create``'s."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    with_pk = objs[0].pk is not None
    fields = [f for f in meta.local_concrete_fields if with_pk or f is not meta.auto_field]
    connection = connections[using]
    # The values as Django's compiler prepares them (``pre_save`` fills auto_now_add and
    # friends, as save() does); an expression or a field with its own placeholder needs the
    # compiler itself.
    rows = [[field.pre_save(obj, add=True) for field in fields] for obj in objs]
    plain = not any(
        hasattr(field, "get_placeholder") or hasattr(value, "resolve_expression")
        for row in rows
        for field, value in zip(fields, row, strict=True)
    )
    key = (model, with_pk, ignore_conflicts, using)
    if plain and len(objs) == 1 and key in _one_row_sql:
        params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, rows[0], strict=True)]
        statements: list[tuple[str, Sequence[Any]]] = [(_one_row_sql[key], params)]
    else:
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
        query.insert_values(fields, list(objs))
        statements = query.get_compiler(using=using).as_sql()
        if plain and len(objs) == 1 and len(statements) == 1:
            _one_row_sql[key] = statements[0][0]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    batch = _batches().get(using)
    if batch is not None:
        batch.extend(statements)
        return
    with connection.cursor() as cursor:
        for sql, values in statements:
            cursor.execute(sql, values)


# The statements each PostgreSQL connection has prepared (by its psycopg connection: a new
# one after a reconnect starts with none).
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def prepared(
    name: str, sql: str, params: Sequence[Any], using: str = DEFAULT_DB_ALIAS
) -> tuple[str, Sequence[Any]]:
    """``sql`` (``%s`` placeholders) as ``EXECUTE name(...)`` of a statement PostgreSQL
    parses and plans once per connection, for the hot paths' statements whose planning
    took longer than running them (the API token's lookup, a registration's lock and
    count). The first use on each connection sends the ``PREPARE`` (a prepared statement
    outlives a rolled-back transaction, so it is sent once). Where statements are not sent
    together (SQLite, server-side binding), or with ``MODESTED_PREPARED_STATEMENTS`` off
    (PgBouncer in transaction mode), it is ``sql`` itself.

    The statement must name its columns (no ``*``): PostgreSQL re-plans a prepared
    statement when a migration changes its tables, and a named column list keeps its
    result's shape.
    """
    if not sends_statements_together(using) or not settings.MODESTED_PREPARED_STATEMENTS:
        return sql, params
    connection = connections[using]
    connection.ensure_connection()
    done = _prepared.setdefault(connection.connection, set())
    if name not in done:  # checked once, when prepared: not on every request
        star = re.search(r"SELECT\s+(?:\w+\.)?\*", sql, re.IGNORECASE)
        if "%%" in sql or star or sql.count("%s") != len(params):
            raise ValueError(f"Cannot prepare {name} with {len(params)} values: {sql!r}")
        numbered = iter(range(1, len(params) + 1))
        text = re.sub(r"%s", lambda _match: f"${next(numbered)}", sql)
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {text}")
        done.add(name)
    placeholders = ", ".join(["%s"] * len(params))
    return f"EXECUTE {name}({placeholders})", params


def next_id_sql(model: type[Model], using: str = DEFAULT_DB_ALIAS) -> str:
    """An SQL expression that takes the next primary key of ``model``'s table, to put in a
    statement the write runs anyway (so ``insert_quietly`` can insert with the key set).

    PostgreSQL: ``nextval`` of the column's sequence (an id taken and not used is a gap, as a
    rolled-back INSERT leaves). SQLite: one more than the table's AUTOINCREMENT counter, which
    is only safe because SQLite's write transactions are serial (``IMMEDIATE``): call it
    inside the transaction that inserts.
    """
    table = model._meta.db_table
    column = model._meta.pk.column
    if connections[using].vendor == "postgresql":
        return f"nextval(pg_get_serial_sequence('{table}', '{column}'))"
    counter = f"SELECT seq FROM sqlite_sequence WHERE name = '{table}'"  # noqa: S608 - a name
    return f"(SELECT COALESCE(({counter}), 0) + 1)"


M = TypeVar("M", bound=Model)


class ModelColumns(Generic[M]):
    """A model's columns for a hand-written SELECT on a hot path, and its rows turned back
    into instances with the fields' converters, as a queryset would (without building and
    compiling the query each time: for a small lookup that took longer than running it)."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}
        self._sql: dict[str, str] = {}

    def sql(self, using: str = DEFAULT_DB_ALIAS) -> str:
        """The columns, for the SELECT list (``alias."column", ...``)."""
        if using not in self._sql:
            quote = connections[using].ops.quote_name
            self._sql[using] = ", ".join(
                f"{quote(self.alias)}.{quote(str(f.column))}" for f in self.fields
            )
        return self._sql[using]

    def instance(self, values: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> M:
        """The instance a row's ``len(self.fields)`` values describe."""
        connection = connections[using]
        if using not in self._converters:
            found = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    found.append((i, converters, column))
            self._converters[using] = found
        row = list(values)
        for i, converters, column in self._converters[using]:
            for convert in converters:
                row[i] = convert(row[i], column, connection)
        return self.model.from_db(using, self.attnames, row)
