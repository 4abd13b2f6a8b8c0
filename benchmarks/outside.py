"""The same read workloads measured from outside Python: ``wrk`` (C, its own process) against the
same gunicorn, side by side with the same trivial endpoint.

Our own load client (``benchmarks/load.py``) is Python threads on the same two cores as the
server; this check shows that its cost does not flatter a ratio. It runs when ``wrk`` is on the
PATH (Debian's package ``wrk``) and prints its own rows; it never decides the exit code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# wrk prints its summary through this script: the 95th percentile it keeps in microseconds.
_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("P95_US %d\\nREQUESTS %d\\nDURATION_US %d\\nBAD %d\\n",
    latency:percentile(95), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


@dataclass(frozen=True)
class WrkResult:
    p95_ms: float
    per_second: float
    bad: int  # socket errors and answers outside 2xx/3xx


def available() -> bool:
    return shutil.which("wrk") is not None


def wrk(base_url: str, path: str, *, connections: int, seconds: int = 8) -> WrkResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_REPORT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                script.name,
                "-H",
                "Accept: application/json",
                base_url + path,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    values = {k: int(v) for k, v in re.findall(r"^([A-Z0-9_]+) (\d+)$", out, re.MULTILINE)}
    return WrkResult(
        p95_ms=values["P95_US"] / 1000,
        per_second=values["REQUESTS"] / (values["DURATION_US"] / 1e6),
        bad=values["BAD"],
    )


def read_rows(base_url: str, paths: list[tuple[str, str]], *, floor_path: str) -> list:
    """For each (path, label): wrk's p95 at one connection next to wrk's p95 for the floor,
    and wrk's floor throughput at 60 connections (the registrations row's floor)."""
    from benchmarks.workloads import Row

    wrk(base_url, floor_path, connections=1, seconds=2)  # warm up
    floor = wrk(base_url, floor_path, connections=1)
    rows = []
    for path, label in paths:
        measured = wrk(base_url, path, connections=1)
        ratio = measured.p95_ms / floor.p95_ms if floor.p95_ms else float("inf")
        rows.append(
            Row(
                f"outside check (wrk): {label}, p95",
                f"{measured.p95_ms:,.1f} ms",
                f"{floor.p95_ms:,.1f} ms",
                ratio,
                "≤ 2.0",
                ratio <= 2.0,
                f"non-2xx/3xx or socket errors: {measured.bad}",
                measured.bad == 0,
            )
        )
    busy = wrk(base_url, floor_path, connections=60)
    rows.append(
        Row(
            f"outside check (wrk): floor {floor_path} at 60 connections",
            f"{busy.per_second:,.1f} req/s",
            guarantee=f"errors: {busy.bad}",
            held=busy.bad == 0,
        )
    )
    return rows
