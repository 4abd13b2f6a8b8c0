"""Naming the SQL statements a request ran, for tests that list them one by one."""

from __future__ import annotations

import re


def statement_labels(queries: list[dict[str, str]]) -> list[str]:
    """The labels of the statements a request sent, leaving out the ``PREPARE`` each
    connection sends once, the first time it runs a prepared statement."""
    labels = [statement_label(q["sql"]) for q in queries]
    return [label for label in labels if not label.startswith("PREPARE ")]


def statement_label(sql: str) -> str:
    """``SELECT events_event FOR UPDATE`` for a statement: its verb and its main table.

    Several statements sent in one string (one round trip) are labelled each, joined by
    `` + ``: ``SELECT events_event FOR UPDATE + SELECT events_registration``. A prepared
    statement (``core.db.prepared``) is ``PREPARE <name>`` once per connection, then
    ``EXECUTE <name>``.
    """
    parts = re.split(r";\s+(?=(?:SELECT|INSERT|UPDATE|DELETE|EXECUTE|COMMIT)\b)", sql)
    return " + ".join(_one(part) for part in parts)


def _one(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper()
    if verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
        return verb
    if verb in {"PREPARE", "EXECUTE"}:
        name = re.split(r"[\s(]", sql.split(None, 1)[1], maxsplit=1)[0]
        return f"{verb} {name}"
    if "set_config(" in sql:
        return "SELECT set_config"
    top = sql
    while (inner := re.sub(r"\([^()]*\)", "", top)) != top:  # leave subqueries out
        top = inner
    pattern = (
        r'INSERT (?:OR IGNORE )?INTO "?(\w+)' if verb == "INSERT" else r'(?:FROM|UPDATE) "?(\w+)'
    )
    match = re.search(pattern, top)
    label = f"{verb} {match.group(1) if match else '?'}"
    return f"{label} FOR UPDATE" if sql.rstrip().endswith("FOR UPDATE") else label
