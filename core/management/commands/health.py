"""``python manage.py health web|worker|beat``: exit 0 when the process is alive, 1 when not."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.health import heartbeat


class Command(BaseCommand):
    help = "Is the web app, the Celery worker or beat alive? Exit 0 if so, 1 if not."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("process", choices=["web", "worker", "beat"])
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/healthz",
            help="web only: the health endpoint to ask",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        process = options["process"]
        if process == "web":
            url = options["url"]
            if not url.startswith(("http://", "https://")):
                raise CommandError("--url must be an http(s) address")
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
                    body = json.loads(answer.read().decode())
            except Exception as error:
                raise CommandError(f"web: {url} did not answer 200: {error}") from error
            self.stdout.write(f"web: {json.dumps(body)}")
            return
        health = heartbeat(process)
        if not health.alive:
            raise CommandError(f"{process}: {health.detail}")
        self.stdout.write(f"{process}: alive, {health.detail}")
