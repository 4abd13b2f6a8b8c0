"""``python -m benchmarks --inprocess``: the services measured in-process, without HTTP.

Options: ``--threads N`` (default 8), ``--bookings N`` (120), ``--registrations N`` (120),
``--events N`` (1000), ``--requests N`` (50), ``--only rooms,registrations,api``,
``--verbose``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--bookings", type=int, default=120)
    parser.add_argument("--registrations", type=int, default=120)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", default="rooms,registrations,api")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()

    # Messages the services queue go to an in-memory broker: measured like production (the
    # task is published after commit) without filling a real queue with benchmark work.
    from core.celery import app

    app.conf.update(broker_url="memory://localhost/", task_always_eager=False)

    from benchmarks import booking_bench, event_bench
    from benchmarks.harness import describe_database, print_table, throwaway_database

    started = time.perf_counter()
    results = []
    with throwaway_database(verbose=args.verbose):
        title = f"Mødested benchmarks on {describe_database()}"
        if "rooms" in only:
            results += booking_bench.run(n=args.bookings, threads=args.threads)
        if "registrations" in only:
            results += event_bench.run_registrations(n=args.registrations, threads=args.threads)
        if "api" in only:
            results += event_bench.run_event_list(events=args.events, requests=args.requests)
    print_table(results, title=title)
    print(
        f"ops/s = successful operations per second of wall time; p50/p95 = latency of one "
        f"operation; queries = per request. Took {time.perf_counter() - started:.0f} s "
        f"including creating and dropping the database."
    )
    wrong = [r.name for r in results if "WRONG" in r.check or " NO" in r.check]
    if wrong:
        print("A guarantee did not hold in: " + ", ".join(wrong), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
