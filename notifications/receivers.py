"""The one place the domain apps' changes reach this app: ``core.signals.state_changed``."""

from __future__ import annotations

from typing import Any

from core.signals import MessageKind, state_changed
from notifications.services import outbox_add


def on_state_changed(
    sender: Any,
    *,
    kind: MessageKind,
    instance: Any,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    **_: Any,
) -> None:
    """Write the outbox rows in the sender's transaction; the dispatcher is kicked on commit."""
    outbox_add(kind=kind, instance=instance, actor=actor, data=data)


def connect() -> None:
    state_changed.connect(on_state_changed, dispatch_uid="notifications.outbox")
