"""The API's side of ``core.throttling``: a closed door is a 429 with ``Retry-After``."""

from __future__ import annotations

from rest_framework.exceptions import Throttled

from core.throttling import wait_message


def refuse_while(wait: int | None) -> None:
    """Raise a 429 when ``wait`` (seconds, from ``core.throttling``) says the door is closed."""
    if not wait:
        return
    error = Throttled(detail=wait_message(wait))
    # DRF's handler turns ``wait`` into the Retry-After header. Passing it to the constructor
    # would also append DRF's own sentence to ours; the stubs do not declare the attribute.
    error.wait = wait  # type: ignore[attr-defined]
    raise error
