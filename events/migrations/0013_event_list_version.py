"""The events list's change counter, for its cached counts (``events.selectors_list``).

On PostgreSQL one row, ``events_list_version.version``, goes up with every committed
transaction that changed what the events list filters on: the events, their tracks and
audiences, and the tracks', audiences' and branches' slugs. A count cached with the version it
was counted at is used only while the version is the same, so it is exact whatever wrote the
change (a service, the admin, a bulk UPDATE, a data migration).

The triggers are deferred to the commit, so a writer takes the counter row's lock only for the
instant before its commit (writers of events do not queue behind each other for the whole of
their transactions), and once per transaction (a transaction-local mark). A reader inside a
transaction that has written anything does not use the cache (its changes are not counted yet).
TRUNCATE (tests flushing the database) moves the counter at once. On SQLite nothing is made:
the list counts every time.
"""

from __future__ import annotations

from django.db import migrations

from core.db import PostgresOnlyRunSQL

WATCHED = [
    "events_event",
    "events_event_tracks",
    "events_event_audiences",
    "core_track",
    "core_audience",
    "core_branch",
]

CREATE = """
CREATE TABLE events_list_version (
    id integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO events_list_version (id, version) VALUES (1, 1);

CREATE OR REPLACE FUNCTION events_list_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' OR coalesce(current_setting('modested.events_list_changed', true), '')
            IS DISTINCT FROM txid_current()::text THEN
        UPDATE events_list_version SET version = version + 1 WHERE id = 1;
        PERFORM set_config('modested.events_list_changed', txid_current()::text, true);
    END IF;
    RETURN NULL;
END;
$$;
""" + "".join(
    f"""
CREATE CONSTRAINT TRIGGER events_list_changed
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION events_list_changed();
CREATE TRIGGER events_list_truncated
    AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION events_list_changed();
"""
    for table in WATCHED
)

DROP = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS events_list_changed ON {table};
DROP TRIGGER IF EXISTS events_list_truncated ON {table};
"""
        for table in WATCHED
    )
    + """
DROP FUNCTION IF EXISTS events_list_changed();
DROP TABLE IF EXISTS events_list_version;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_event_shown_by_start_index"),
        ("core", "0006_user_municipality"),
    ]

    operations = [PostgresOnlyRunSQL(sql=CREATE, reverse_sql=DROP)]
