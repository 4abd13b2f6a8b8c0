"""One error hierarchy for the whole product.

Services raise these; the DRF handler (``core.api.exceptions``) turns them into
400/403/404/409 JSON with a ``detail`` a person can act on, and page views turn
them into form errors.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the library was broken. ``message`` is translated, with named placeholders."""

    status_code = 400
    code = "invalid"
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.message_template = message if message is not None else self.default_message
        self.params = params
        self.field = field
        self.extra = extra or {}
        if code:
            self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = str(self.message_template)
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"detail": self.message, "code": self.code}
        if self.field:
            data["field"] = self.field
        data.update(self.extra)
        return data


class RuleViolation(DomainError):
    """The wish breaks a rule (opening hours, limits, licence, age...): 400."""

    code = "rule_violation"


class Conflict(DomainError):
    """Something is in the way (another booking, a full event...): 409."""

    status_code = 409
    code = "conflict"
    default_message = _("Someone else got there first. Please choose another time.")


class BookingConflict(Conflict):
    code = "booking_conflict"


class EventFull(Conflict):
    code = "event_full"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")
