"""``python -m benchmarks`` (``make bench``): the production stack measured against its floors.

It starts gunicorn (workers = 2 × cores + 1) on a throwaway PostgreSQL database next to
``DATABASE_URL``, with Redis, a Celery worker and an SMTP sink on loopback, lays out demo
data plus bulk data, and prints one table: each figure, its floor measured in the same run and
the ratio, the goal, and the guarantee checked afterwards. Exits 1 if a guarantee broke.

Options: ``--scale F`` shrinks every size (0.1 for a quick look), ``--only`` picks workloads
(registrations, list, feed, drain, plan, memory), ``--inprocess`` runs the older in-process
service benchmarks instead, ``--verbose``. Where ``wrk`` is installed, the list's rows and
the floor are measured again from outside Python (``benchmarks/outside.py``), for comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

WORKLOADS = ("registrations", "list", "feed", "drain", "plan", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--inprocess", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.inprocess:
        from benchmarks.inprocess import main as inprocess

        return inprocess([*(["--verbose"] if args.verbose else [])])
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")

    def size(n: int) -> int:
        return max(1, int(n * args.scale))

    from benchmarks.stack import running_stack

    started = time.perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    with running_stack(verbose=args.verbose) as stack:
        os.environ["DJANGO_DEBUG"] = "0"  # no query log in this process either
        os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
        import django

        django.setup()
        from benchmarks import outside, workloads, workloads_scale
        from benchmarks.harness import describe_database, print_rows

        rows = []
        places: list = []
        if "registrations" in only:
            rows += workloads.registrations(stack, people=60, events=size(10))
        if "list" in only or "feed" in only:
            list_rows, places = workloads.event_list(stack, events=size(10_000), requests=size(200))
            rows += list_rows if "list" in only else []
            if "list" in only and outside.available():
                paths = workloads.list_paths(size(10_000))
                rows += outside.read_rows(stack.base_url, paths, floor_path=workloads.FLOOR_PATH)
        if "feed" in only:
            rows += workloads.public_feed(stack, branch=places[0])
        if "drain" in only:
            rows += workloads_scale.reminder_drain(stack, reminders=size(20_000))
        if "plan" in only:
            rows += workloads_scale.plan_at_scale(stack, events=size(50_000))
        if "memory" in only:
            rows += workloads_scale.web_memory(stack, requests=size(10_000))
        title = f"Mødested on the production stack: {describe_database()}, gunicorn, Redis, Celery"
        print_rows(rows, title=title)
    print(
        f"ratio = measured / floor, both from this run (req/s: higher is better; ms: lower "
        f"is better). met = the goal; held = the guarantee (a broken one exits 1). "
        f"Took {time.perf_counter() - started:.0f} s including laying out the data."
    )
    broken = [r.workload for r in rows if not r.held]
    if broken:
        print("A guarantee did not hold in: " + "; ".join(broken), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
