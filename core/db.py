"""Database helpers shared by the apps that hold no-overlap guarantees."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import IntegrityError, OperationalError, connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Model


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
