"""Signals the domain apps send so that layers above them can react.

The domain apps never import ``notifications``; they send ``state_changed``
inside their service's transaction, and the notifications app (which listens)
kicks its dispatcher on commit.

The kinds are the members of ``MessageKind`` (``core/contracts.py``, with the model of the
``instance`` each one carries). ``state_changed`` refuses any other kind at the sender, with
a ``ValueError``, whether or not anyone listens: a mistyped kind is a bug at once, never a
message that silently goes nowhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage
from django.db import models, transaction
from django.dispatch import Signal

from core.contracts import AccountMail, MessageKind

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from core.models import User

__all__ = [
    "AccountMail",
    "MessageKind",
    "StateChangedSignal",
    "account_mail",
    "send_account_mail",
    "send_state_changed",
    "state_changed",
]

_Responses = list[tuple[Callable[..., Any], Any]]


def _checked(named: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments with ``kind`` as a ``MessageKind`` (ValueError if it is none)."""
    if "kind" not in named:
        raise TypeError("state_changed needs kind=, a MessageKind.")
    return {**named, "kind": MessageKind(named["kind"])}


class StateChangedSignal(Signal):
    """A ``Signal`` whose ``kind`` must be a ``MessageKind``; receivers get the member."""

    def send(self, sender: Any, **named: Any) -> _Responses:
        return super().send(sender, **_checked(named))

    def send_robust(self, sender: Any, **named: Any) -> _Responses:
        return super().send_robust(sender, **_checked(named))

    async def asend(self, sender: Any, **named: Any) -> _Responses:
        return await super().asend(sender, **_checked(named))

    async def asend_robust(self, sender: Any, **named: Any) -> _Responses:
        return await super().asend_robust(sender, **_checked(named))


# Sent by services after a change a person should hear about, inside the service's
# transaction and after the state has been written. Keyword arguments: ``kind`` (a
# MessageKind), ``instance``, ``actor`` (the user, or None) and ``data`` (plain values).
state_changed = StateChangedSignal()


def send_state_changed(
    *,
    sender: type[models.Model],
    kind: MessageKind,
    instance: models.Model,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Tell the layers above that ``instance`` changed: the typed way to send ``state_changed``.

    Call it inside the service's transaction, after the state has been written, e.g.
    ``send_state_changed(sender=Booking, kind=MessageKind.BOOKING_CONFIRMED, instance=booking,
    actor=actor)``.
    """
    state_changed.send(sender=sender, kind=kind, instance=instance, actor=actor, data=data or {})


# Sent by core for an e-mail it renders itself (sign-up link, password reset, deletion
# receipt). The notifications app writes it to its outbox in the sender's transaction, so it
# is sent by the dispatcher, retried while SMTP is down, and never sent twice. Keyword
# arguments: ``kind`` (an AccountMail), ``to``, ``subject``, ``body``, ``user`` (or None) and
# ``forget_address`` (the delivery log drops the address once sent).
account_mail = Signal()


def send_account_mail(
    *,
    kind: AccountMail,
    to: str,
    subject: str,
    body: str,
    user: User | None = None,
    forget_address: bool = False,
) -> None:
    """Queue an account e-mail in the current transaction (or in one of its own).

    With nobody listening (the notifications app not installed) the mail is sent directly
    once the transaction commits, and a failure is only logged.
    """
    kind = AccountMail(kind)
    with transaction.atomic():
        responses = account_mail.send(
            sender=AccountMail,
            kind=kind,
            to=to,
            subject=subject,
            body=body,
            user=user,
            forget_address=forget_address,
        )
        if responses:
            return
        message = EmailMessage(subject=subject, body=body, to=[to])

        def send() -> None:
            try:
                message.send()
            except Exception:
                logger.exception("Could not send the account e-mail %s", kind)

        transaction.on_commit(send)
