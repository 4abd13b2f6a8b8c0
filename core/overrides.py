"""Staff acting on a citizen's behalf: the same rules, and a trace where they are bent.

Staff booking a room or registering a person at the desk go through the citizen's rules
(opening hours, limits, licences, the under-18 rule). A rule broken without a reason is the
same refusal the citizen would get; with a reason, the service records the rule in an
``Override``, writes ``rule.overridden`` to the audit log and keeps the rule and reason on
the booking or registration, where other staff see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import ErrorCode, PermissionDenied, RuleViolation
from core.models import Branch, User
from core.selectors import can_manage_branch, user_get_by_email
from core.services import audit_log


@dataclass
class Override:
    """The staff member acting for ``person``, the reason they gave (may be empty) and the
    rules they bent (the codes of the refusals they overrode)."""

    by: User
    person: User
    reason: str = ""
    rules: list[str] = field(default_factory=list)

    def bend(self, error: RuleViolation) -> None:
        """Record ``error``'s rule as bent, or raise it when no reason was given."""
        if not self.reason:
            raise error
        rule = str(error.code)
        if error.code in {ErrorCode.RULE_VIOLATION, ErrorCode.INVALID} and error.field:
            rule = error.field  # a rule without a code of its own: name the field it is about
        if rule not in self.rules:
            self.rules.append(rule)

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run a citizen's rule: a ``RuleViolation`` inside is bent (or raised)."""
        try:
            yield
        except RuleViolation as error:
            self.bend(error)

    @property
    def used(self) -> bool:
        return bool(self.rules)

    @property
    def rule(self) -> str:
        return ", ".join(self.rules)

    def as_dict(self) -> dict[str, str]:
        """``{"rule", "reason", "by"}``: what the API answers with."""
        return {"rule": self.rule, "reason": self.reason, "by": self.by.email}


def override_for(
    *, actor: User, branch: Branch | int, on_behalf_of: str | User, reason: str = ""
) -> Override:
    """The ``Override`` for ``actor`` acting on behalf of the person with that e-mail.

    Only staff of ``branch`` may act on someone's behalf (403 ``on_behalf_not_allowed``);
    an unknown e-mail is a 400 on the ``on_behalf_of`` field.
    """
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied(
            _("Only staff of this branch can book or register on someone's behalf."),
            code=ErrorCode.ON_BEHALF_NOT_ALLOWED,
        )
    person = (
        on_behalf_of
        if isinstance(on_behalf_of, User)
        else user_get_by_email(email=on_behalf_of or "")
    )
    if person is None or not person.is_active:
        raise RuleViolation(
            _("There is no account with the e-mail %(email)s. Ask the person to sign up first."),
            field="on_behalf_of",
            email=str(on_behalf_of),
        )
    return Override(by=actor, person=person, reason=(reason or "").strip()[:300])


def override_log(override: Override | None, *, target: models.Model, data: dict[str, Any]) -> None:
    """The audit row of a bent rule (nothing if no rule was bent)."""
    if override is None or not override.used:
        return
    audit_log(
        actor=override.by,
        action=AuditAction.RULE_OVERRIDDEN,
        target=target,
        data={
            **data,
            "rule": override.rule,
            "reason": override.reason,
            "on_behalf_of": override.person.pk,
        },
    )
