"""The real stack for ``make bench``: a throwaway PostgreSQL database, Redis, an SMTP sink on
loopback, gunicorn serving the settings' WSGI application and a Celery worker.

Everything runs on this machine and is torn down afterwards; nothing touches the configured
database (the benchmark database is ``<name>_bench`` on the same server) and the benchmark
uses its own Redis database number (15 unless ``BENCH_REDIS_DB`` says otherwise).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://modested:modested@127.0.0.1:5432/modested"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    """An SMTP server on loopback that keeps each message's Message-ID (a delivery sent twice
    arrives with the same Message-ID: see notifications/messages.py)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.last_at = 0.0
        self.port = free_port()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        # Only the header is read (up to the first empty line): the sink stands for another
        # machine's mail server, so it should take as little of this machine as it can.
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "replace")
        header = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        message_id = ""
        for line in header.splitlines():
            if line[:11].lower() == b"message-id:":
                message_id = line[11:].strip().decode("ascii", "replace")
        with self.lock:
            self.ids[message_id or f"no-id-{sum(self.ids.values())}"] += 1
            self.last_at = time.perf_counter()
        return "250 OK"

    def received(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    def duplicates(self, prefix: str = "") -> int:
        with self.lock:
            return sum(n - 1 for key, n in self.ids.items() if key.startswith(prefix) and n > 1)

    def distinct(self, prefix: str = "") -> int:
        with self.lock:
            return sum(1 for key in self.ids if key.startswith(prefix))

    def __enter__(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()


@dataclass
class Process:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Stack:
    database_url: str
    redis_url: str
    base_url: str
    env: dict[str, str]
    mail: MailSink
    logs: Path
    web: Process | None = None
    workers: list[Process] = field(default_factory=list)

    def start_worker(self, *, concurrency: int = 2) -> Process:
        log = self.logs / f"worker-{len(self.workers)}.log"
        # As deployed (docs/operations.md): the worker yields the CPU to the web processes.
        cmd = ["nice", "-n", "19", sys.executable, "-m", "celery", "-A", "core", "worker"]
        cmd += ["--loglevel", "INFO"]
        cmd += [
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "-n",
            f"bench{len(self.workers)}@%h",
        ]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        worker = Process("worker", proc, log)
        self.workers.append(worker)
        _wait_for(lambda: b" ready." in log.read_bytes(), what="the Celery worker", log=log)
        return worker

    def web_worker_pids(self) -> list[int]:
        assert self.web is not None
        out = subprocess.run(
            ["pgrep", "-P", str(self.web.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(pid) for pid in out.split()]


def _wait_for(check, *, what: str, log: Path | None = None, timeout: float = 90) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s\n{tail}")


def _with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def _with_redis_db(url: str, db: int) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{db}"))


@contextmanager
def throwaway_postgres(base_url: str) -> Iterator[str]:
    import psycopg

    parts = urlparse(base_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(
            "make bench measures the production stack: set DATABASE_URL to a PostgreSQL "
            f"database (default {DEFAULT_DATABASE_URL})"
        )
    name = f"{parts.path.lstrip('/') or 'modested'}_bench"
    admin = _with_database(base_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(base_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _warm_up(base_url: str, *, workers: int) -> None:
    """A few requests to every worker first, so no figure carries a worker's first-request
    setup (imports, URLconf, templates, translations)."""
    from benchmarks import load

    paths = ["/api/tracks/", "/api/events/", "/", "/arrangementer/", "/feeds/events.ics"]
    reqs = [load.Request("GET", p) for p in paths * workers * 4]
    load.run(base_url, reqs, concurrency=workers * 2)


@contextmanager
def running_stack(*, web_workers: int | None = None, verbose: bool = False) -> Iterator[Stack]:
    """Create the database, migrate it and load the demo, then serve it (the caller lays out
    its bulk data in-process through Django, set up against the same database)."""
    import tempfile

    import redis

    base_db = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = _with_redis_db(
        os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        int(os.environ.get("BENCH_REDIS_DB", "15")),
    )
    redis.Redis.from_url(redis_url).flushdb()
    logs = Path(tempfile.mkdtemp(prefix="modested-bench-"))
    with throwaway_postgres(base_db) as database_url, MailSink() as mail:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # TLS ends at the proxy in production
            "DJANGO_CONN_MAX_AGE": "60",
            "DJANGO_LOG_LEVEL": "ERROR",
            "MODESTED_SITE_URL": f"http://127.0.0.1:{port}",
            "MODESTED_DISPATCH_SECONDS": "3600",  # only the kicks dispatch during the bench
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("MODESTED_TESTING", None)
        quiet = {} if verbose else {"stdout": subprocess.DEVNULL}
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, **quiet)
        subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, **quiet)
        subprocess.run(
            [*manage, "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True, **quiet
        )
        os.environ.update(
            {k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "MODESTED_SITE_URL")}
        )
        stack = Stack(database_url, redis_url, f"http://127.0.0.1:{port}", env, mail, logs)
        workers = web_workers or 2 * (os.cpu_count() or 1) + 1
        log = logs / "gunicorn.log"
        cmd = [sys.executable, "-m", "gunicorn", "core.wsgi:application", "-b", f"127.0.0.1:{port}"]
        cmd += ["-w", str(workers), "--backlog", "2048", "--log-level", "warning"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        stack.web = Process("web", proc, log)
        try:
            _wait_for(
                lambda: (
                    urllib.request.urlopen(f"{stack.base_url}/healthz", timeout=2).status == 200
                ),
                what="gunicorn",
                log=log,
            )
            _warm_up(stack.base_url, workers=workers)
            yield stack
        finally:
            for p in [*stack.workers, stack.web]:
                p.stop()
            from django.db import connections

            connections.close_all()
