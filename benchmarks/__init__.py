"""Benchmarks of Mødested's hot paths: ``python -m benchmarks`` (``make bench``).

They run on the database the settings point at (SQLite by default, PostgreSQL with
``DATABASE_URL``), in a throwaway database of their own that is created, filled and
dropped again, and print a results table. They are not tests: nothing asserts on timing.
They do check that the guarantees held while they ran (no overlapping bookings, no more
confirmed seats than an event has) and print the result in the table's last column.
"""
