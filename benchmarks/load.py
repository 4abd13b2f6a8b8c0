"""An HTTP load from a second process's point of view: keep-alive connections on threads,
released together, each request's latency and status kept.

The same client measures the workload and its floor (``GET /api/tracks/``) at the same
concurrency, so what the client itself costs is in both and cancels out of the ratio.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Load:
    wall: float
    latencies: list[float]
    statuses: list[int]
    bodies: list[bytes]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000

    def server_errors(self) -> int:
        return sum(1 for s in self.statuses if s >= 500 or s == 0)

    def add(self, other: Load) -> None:
        """Take in another round's requests (their wall times add up)."""
        self.wall += other.wall
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.bodies += other.bodies


def percentile(values: Sequence[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run(base_url: str, requests: Sequence[Request], *, concurrency: int) -> Load:
    """Send ``requests`` over ``concurrency`` keep-alive connections; request *i* goes on
    connection ``i % concurrency``, in order."""
    host = urlparse(base_url)
    barrier = threading.Barrier(concurrency + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: list[int] = []
    bodies: list[bytes] = []

    def worker(mine: Sequence[Request]) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        barrier.wait(timeout=120)
        for request in mine:
            payload = None if request.body is None else json.dumps(request.body).encode()
            headers = {"Accept": "application/json", **request.headers}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                conn.request(request.method, request.path, body=payload, headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
                status, body = 0, b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
                bodies.append(body)
        conn.close()

    threads = [
        threading.Thread(target=worker, args=(requests[n::concurrency],), daemon=True)
        for n in range(concurrency)
    ]
    for t in threads:
        t.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    for t in threads:
        t.join()
    return Load(time.perf_counter() - started, latencies, statuses, bodies)


def get(
    base_url: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes, float]:
    host = urlparse(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, dict(response.getheaders()), body, elapsed
