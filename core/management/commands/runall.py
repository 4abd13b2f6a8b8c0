"""Run the web app, a Celery worker and Celery beat together; Ctrl-C stops all three.

The web app is served by gunicorn with threads (one process, ``RUN_THREADS`` threads, a listen
backlog of ``RUN_BACKLOG``), not Django's development server: a library's busiest minute (40
people at once) is answered, not reset. Still no other service is needed: SQLite, the
filesystem broker and mail written to files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

# Threads of the one web process, and how many connections wait to be accepted.
RUN_THREADS = int(os.environ.get("MODESTED_RUN_THREADS", "16"))
RUN_BACKLOG = int(os.environ.get("MODESTED_RUN_BACKLOG", "2048"))


def web_command(addr: str, *, threads: int = RUN_THREADS, backlog: int = RUN_BACKLOG) -> list[str]:
    """gunicorn with the threaded worker: requests queue in the backlog instead of being
    refused, and ``threads`` of them run at once (SQLite serialises the writers)."""
    return [
        sys.executable,
        *("-m", "gunicorn", "core.wsgi"),
        *("--bind", addr),
        *("--worker-class", "gthread", "--workers", "1", "--threads", str(threads)),
        *("--backlog", str(backlog), "--timeout", "60", "--graceful-timeout", "5"),
        *("--access-logfile", "-"),
    ]


class Command(BaseCommand):
    help = "Serve http://127.0.0.1:8000 with a Celery worker and beat (the embedded default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "core"]
        commands = {
            "web": web_command(options["addr"]),
            "worker": [
                *celery,
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--pool",
                "solo",
            ],
            "beat": [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }
        # Links in e-mails and feeds point where this server really answers.
        site_url = os.environ.get("MODESTED_SITE_URL") or f"http://{options['addr']}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "MODESTED_SITE_URL": site_url}
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}

        url = f"http://{options['addr']}/"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nMødested runs on {url}  (admin: {url}admin/, API: {url}api/docs/)"
            )
        )
        self.stdout.write(f"Demo accounts, all with the password {DEMO_PASSWORD}:")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<26} {account.note}")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            # Set by core.settings' globals().update(), which the type checker cannot see.
            mail_dir = getattr(settings, "EMAIL_FILE_PATH", "")
            self.stdout.write(f"E-mail is written to files in {mail_dir}/")
        self.stdout.write("Press Ctrl-C to stop the web app, the worker and beat.\n")

        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped (exit {process.returncode}); stopping the rest."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")
