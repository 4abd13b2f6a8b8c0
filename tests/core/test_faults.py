"""Faults that cost nothing (issue 18), the web side: a lost database connection is a retry or
a 503 "try again", an unreachable Redis changes nothing a person sees, ``make run``'s server
holds 40 requests at once, and the health checks say what is alive."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from core import health, redis_health
from core.models import SignupRequest
from tests.factories import PASSWORD, make_user
from tests.notifications.throwaway import free_port

BASE_DIR = Path(django_settings.BASE_DIR)
postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="needs PostgreSQL"
)


# --- A database connection that drops -------------------------------------------------------


def _drop_my_connection() -> None:
    """What a PostgreSQL restart does to the connection the next request will use."""
    import psycopg

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    s = connection.settings_dict
    other = psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"],
        dbname=s["NAME"],
        autocommit=True,
    )
    with other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(50):
            gone = other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if gone.fetchone() is None:
                return
            time.sleep(0.05)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_connection_dropped_is_answered_after_one_retry() -> None:
    client = Client()
    assert client.get("/").status_code == 200
    _drop_my_connection()
    response = client.get("/")
    assert response.status_code == 200  # run again on a fresh connection; nobody noticed


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_write_whose_connection_dropped_is_a_503_try_again_never_a_500() -> None:
    api = APIClient()
    _drop_my_connection()
    response = api.post(
        "/api/auth/register/",
        {"email": "ny@example.org", "password": PASSWORD, "name": "Nina Ny"},
        format="json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "service_unavailable"
    assert not SignupRequest.objects.exists()  # nothing half-saved

    client = Client()
    client.get("/konto/opret/")
    _drop_my_connection()
    page = client.post(
        "/konto/opret/",
        {
            "name": "Nina Ny",
            "email": "ny@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "language": "da",
        },
    )
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Prøv igen" in page.content.decode()

    # Once the database answers again, sending the same form again works.
    again = api.post(
        "/api/auth/register/",
        {"email": "ny@example.org", "password": PASSWORD, "name": "Nina Ny"},
        format="json",
    )
    assert again.status_code == 201


# --- Redis unreachable ----------------------------------------------------------------------


@pytest.fixture
def redis_unreachable(settings: Any) -> Iterator[None]:
    """The cache points at a port where nothing listens, as when Redis is stopped."""
    from django.core.cache import cache

    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.SafeRedisCache",
            "LOCATION": dead,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    redis_health.mark_up()
    yield
    redis_health.mark_up()
    cache.close()


@pytest.mark.django_db
def test_with_redis_unreachable_sign_up_and_login_answer_as_usual(
    redis_unreachable, caplog, django_capture_on_commit_callbacks
) -> None:
    from core.contracts import AccountMail
    from notifications.models import Delivery

    person = make_user(email="kendt@example.org")
    api = APIClient()
    with caplog.at_level(logging.WARNING, logger="core.redis"):
        with django_capture_on_commit_callbacks(execute=True):
            signup = api.post(
                "/api/auth/register/",
                {"email": "ny@example.org", "password": PASSWORD, "name": "Nina Ny"},
                format="json",
            )
        login = api.post(
            "/api/auth/token/", {"email": person.email, "password": PASSWORD}, format="json"
        )
        wrong = api.post(
            "/api/auth/token/", {"email": person.email, "password": "forkert"}, format="json"
        )
        page = Client().get("/konto/log-ind/")
    assert (signup.status_code, login.status_code, wrong.status_code) == (201, 200, 400)
    assert page.status_code == 200
    # The sign-up link is in the outbox (sent at once without a broker, or by the worker).
    [link] = Delivery.objects.filter(kind=AccountMail.SIGNUP_CONFIRM)
    assert (link.data.get("to") or link.to_email) == "ny@example.org"
    assert link.subject
    # One warning, then Redis is not tried again for a while (no request waits twice).
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1
    assert redis_health.known_down()


# --- make run holds 40 requests at once -------------------------------------------------------


def test_make_runs_web_server_answers_40_requests_at_once() -> None:
    """The embedded default's web command (gunicorn, threads, a listen backlog), alone on a
    fresh SQLite file: 40 clients at once are all answered, none is reset."""
    from core.management.commands.runall import web_command

    port = free_port()
    var = tempfile.mkdtemp(prefix="modested-run-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"MODESTED_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "core.settings"})
    proc = subprocess.Popen(
        web_command(f"127.0.0.1:{port}"),
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        answers: list[int | str] = []
        barrier = threading.Barrier(40)

        def one() -> None:
            barrier.wait()
            try:
                with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310
                    answers.append(answer.status)
            except (OSError, urllib.error.URLError) as error:
                answers.append(type(error).__name__)

        threads = [threading.Thread(target=one) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert answers == [200] * 40


# --- Health checks --------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_while_the_database_does(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def test_the_worker_and_beat_checks_read_their_heartbeats(settings: Any, tmp_path: Path) -> None:
    settings.MODESTED_HEALTH_DIR = tmp_path
    with pytest.raises(CommandError, match="no heartbeat"):
        call_command("health", "worker")
    health.touch("worker")
    call_command("health", "worker")  # alive: exits 0
    stale = time.time() - 600
    (tmp_path / "beat").write_text(f"{stale}\n")
    with pytest.raises(CommandError, match="last heartbeat"):
        call_command("health", "beat")
