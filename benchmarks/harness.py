"""The throwaway database, timing, threads released together, and the results table."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    name: str
    ops: int  # successful operations (bookings, registrations, requests)
    seconds: float  # wall time for all of them
    latencies: list[float] = field(default_factory=list)  # seconds per operation
    queries: int | None = None  # database queries per operation, where counted
    check: str = ""  # what was verified afterwards

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[int(p) - 1]


@contextmanager
def throwaway_database(*, verbose: bool) -> Iterator[str]:
    """Create a fresh database next to the configured one, migrate it, drop it afterwards.

    PostgreSQL: ``<name>_bench`` on the same server (needs CREATEDB). SQLite: a file in a
    temporary folder (a file, not memory, so that threads share it as in production).
    Nothing is written to the configured database itself.
    """
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings_dict = connection.settings_dict
    tmpdir = None
    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="modested-bench-")
        settings_dict["TEST"]["NAME"] = os.path.join(tmpdir, "bench.sqlite3")
    else:
        settings_dict["TEST"]["NAME"] = f"{settings_dict['NAME']}_bench"
    setup_test_environment(debug=False)  # e-mail to memory, DEBUG off (no query log)
    old_name = settings_dict["NAME"]
    name = connection.creation.create_test_db(
        verbosity=1 if verbose else 0, autoclobber=True, serialize=False
    )
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=1 if verbose else 0)
        teardown_test_environment()
        if tmpdir:
            for leftover in os.listdir(tmpdir):
                os.remove(os.path.join(tmpdir, leftover))
            os.rmdir(tmpdir)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def run_threads(
    jobs: Sequence[Callable[[], Any]], *, threads: int
) -> tuple[float, list[float], list[Any], list[BaseException]]:
    """Run ``jobs`` on ``threads`` threads released together by a barrier.

    Job *i* runs on thread ``i % threads``. Returns the wall time from the release to the
    last job's end, each job's latency, the values of the jobs that succeeded and the
    exceptions of those that raised.
    """
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    values: list[Any] = []
    errors: list[BaseException] = []

    def worker(mine: Sequence[Callable[[], Any]]) -> None:
        try:
            barrier.wait(timeout=60)
            for job in mine:
                started = time.perf_counter()
                try:
                    value = job()
                except Exception as error:  # noqa: BLE001 (a refusal is a result here)
                    with lock:
                        errors.append(error)
                        latencies.append(time.perf_counter() - started)
                else:
                    with lock:
                        values.append(value)
                        latencies.append(time.perf_counter() - started)
        finally:
            connection.close()  # every thread has its own connection

    pool = [
        threading.Thread(target=worker, args=(jobs[n::threads],), daemon=True)
        for n in range(threads)
    ]
    for t in pool:
        t.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - started, latencies, values, errors


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        return f"PostgreSQL {version}, database {connection.settings_dict['NAME']}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (file, WAL, IMMEDIATE transactions)"


def print_table(results: list[Result], *, title: str) -> None:
    headers = ["benchmark", "ops", "wall s", "ops/s", "p50 ms", "p95 ms", "queries", "check"]
    rows = []
    for r in results:
        p50, p95 = r.percentile(50), r.percentile(95)
        rows.append(
            [
                r.name,
                str(r.ops),
                f"{r.seconds:.2f}",
                f"{r.per_second:,.0f}",
                "" if p50 is None else f"{p50 * 1000:.1f}",
                "" if p95 is None else f"{p95 * 1000:.1f}",
                "" if r.queries is None else str(r.queries),
                r.check,
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    numeric = {1, 2, 3, 4, 5, 6}

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    print()
    print(title)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    print()
    print(line(headers))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    print()


def print_rows(rows: list[Any], *, title: str) -> None:
    """The stack benchmark's table: workload, measured, floor, ratio, goal, met, guarantee."""
    headers = ["workload", "measured", "floor", "ratio", "goal", "met", "guarantee", "held"]
    cells = [
        [
            r.workload,
            r.measured,
            r.floor,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.goal,
            "" if r.met is None else ("yes" if r.met else "NO"),
            r.guarantee,
            "yes" if r.held else "BROKEN",
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def line(values: list[str]) -> str:
        return " | ".join(v.ljust(widths[i]) for i, v in enumerate(values)).rstrip()

    print()
    print(title)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    print()
    print(line(headers))
    print("-+-".join("-" * w for w in widths))
    for c in cells:
        print(line(c))
    print()
