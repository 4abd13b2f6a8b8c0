"""The audit log is append-only, and the admin is for administrators only.

On PostgreSQL a trigger refuses UPDATE and DELETE on core_auditlog, with two exceptions:

(a) an UPDATE that only sets ``actor_id`` to NULL: Django's ``on_delete=SET_NULL`` when a
    person's account is deleted (the row stays, the person is unlinked);
(b) a transaction marked ``SET LOCAL modested.audit_retention = 'on'``
    (``core.services.audit_retention()``): the retention job removing personal links.

On SQLite (the embedded default) there is no trigger; the application never writes audit
rows other than by inserting them (no admin permission, no API).

Library staff lose ``is_staff`` (the admin site is for administrators only).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from core.db import PostgresOnlyRunSQL

CREATE = """
CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('modested.audit_retention', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER core_auditlog_append_only
    BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_append_only();
"""


def staff_leave_the_admin(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("core", "User")  # noqa: N806
    User.objects.exclude(role="administrator").filter(is_superuser=False, is_staff=True).update(
        is_staff=False
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_tokens")]

    operations = [
        PostgresOnlyRunSQL(sql=CREATE, reverse_sql=DROP),
        migrations.RunPython(staff_leave_the_admin, migrations.RunPython.noop),
    ]
