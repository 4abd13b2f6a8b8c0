"""The one place the domain apps' changes reach this app: ``core.signals.state_changed``."""

from __future__ import annotations

from typing import Any

from core.signals import AccountMail, MessageKind, account_mail, state_changed
from notifications.services import account_mail_add, outbox_add


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


def on_account_mail(
    sender: Any,
    *,
    kind: AccountMail,
    to: str,
    subject: str,
    body: str,
    user: Any = None,
    forget_address: bool = False,
    **_: Any,
) -> None:
    """Core's account e-mails go through the same outbox as every other message."""
    account_mail_add(
        kind=kind, to=to, subject=subject, body=body, user=user, forget_address=forget_address
    )


def connect() -> None:
    state_changed.connect(on_state_changed, dispatch_uid="notifications.outbox")
    account_mail.connect(on_account_mail, dispatch_uid="notifications.account_mail")
