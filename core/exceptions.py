"""One error hierarchy for the whole product.

Services raise these; the DRF handler (``core.api.exceptions``) turns them into
400/403/404/409 JSON with a ``detail`` a person can act on, and page views turn
them into form errors.
"""

# ruff: noqa: S105 (member values such as "api_token.created" are names, not passwords)

from __future__ import annotations

from enum import StrEnum, unique
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@unique
class ErrorCode(StrEnum):
    """Every ``code`` the API answers with (``{"detail": ..., "code": ...}``), in one catalogue.

    A client may branch on these, so a value never changes once it is out; add a member here
    before raising with it. ``DomainError`` refuses a code that is not a member (``ValueError``),
    and ``tests/core/test_contracts.py`` reads every ``code="..."`` in the apps' source.
    """

    # The general kinds (the classes below) and what any service may say
    INVALID = "invalid"
    RULE_VIOLATION = "rule_violation"
    CONFLICT = "conflict"
    BOOKING_CONFLICT = "booking_conflict"
    EVENT_FULL = "event_full"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    BUSY = "busy"  # a lock was not free in time (core.locking)
    REQUIRED = "required"
    GONE = "gone"
    # Input refused before any service runs (core.middleware, core.api.exceptions)
    TOO_LARGE = "too_large"
    UNREADABLE_INPUT = "unreadable_input"
    # The database dropped the connection (a restart): nothing was saved, try again.
    SERVICE_UNAVAILABLE = "service_unavailable"
    # Dates, times and recurrence
    INVALID_DATE = "invalid_date"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    END_BEFORE_START = "end_before_start"
    INVALID_RRULE = "invalid_rrule"
    # Accounts
    NOT_LOGGED_IN = "not_logged_in"
    INVALID_CREDENTIALS = "invalid_credentials"
    WEAK_PASSWORD = "weak_password"
    SIGNUP_LINK_INVALID = "signup_link_invalid"
    EMAIL_TAKEN = "email_taken"
    PLATFORM_ALREADY_LINKED = "platform_already_linked"
    ONLY_WAY_TO_LOG_IN = "only_way_to_log_in"
    NO_STAFF_GROUP = "no_staff_group"
    WRONG_CONFIRMATION = "wrong_confirmation"
    LAST_ADMINISTRATOR = "last_administrator"
    # Rooms and the makerspace
    LIMIT_PER_DAY = "limit_per_day"
    LIMIT_PER_WEEK = "limit_per_week"
    LIMIT_FUTURE = "limit_future"
    OUTSIDE_HOURS = "outside_hours"
    SERIES_CONFLICT = "series_conflict"
    ALREADY_DECIDED = "already_decided"
    CANCEL_DEADLINE_PASSED = "cancel_deadline_passed"
    LICENCE_REQUIRED = "licence_required"
    AGE_UNKNOWN = "age_unknown"
    TOO_YOUNG = "too_young"
    BOOKING_PAUSED = "booking_paused"  # repeated no-shows paused the right to book
    NOT_CHECKABLE = "not_checkable"  # no booking to check in to now
    ON_BEHALF_NOT_ALLOWED = "on_behalf_not_allowed"  # only staff of the branch book for others
    # Events and registrations
    BAD_HOST = "bad_host"
    TRACK_REQUIRED = "track_required"
    EVENT_CANCELLED = "event_cancelled"
    DROP_IN = "drop_in"
    EVENT_STARTED = "event_started"
    ALREADY_REGISTERED = "already_registered"
    IMAGE_ALT_REQUIRED = "image_alt_required"
    IMAGE_INVALID = "image_invalid"
    ANSWER_REQUIRED = "answer_required"
    REGISTRATION_CONFLICT = "registration_conflict"
    NOT_CONFIRMED = "not_confirmed"
    CHECK_IN_CLOSED = "check_in_closed"
    BRANCH_CLOSED = "branch_closed"  # the event falls on a day its branch is closed
    CLOSED_REASON_REQUIRED = "closed_reason_required"  # held although closed, without a reason
    ROOM_TOO_SMALL = "room_too_small"  # a move to a room with fewer places than confirmed seats
    REGISTRATION_NOT_OPEN = "registration_not_open"  # before the event's registration opens
    # Volunteers, shifts and session proposals
    NOT_A_VOLUNTEER = "not_a_volunteer"
    ALREADY_VOLUNTEER = "already_volunteer"
    VOLUNTEER_NOT_FOUND = "volunteer_not_found"
    VOLUNTEER_PAUSED = "volunteer_paused"
    INVALID_STATUS = "invalid_status"
    CERTIFICATE_MISSING = "certificate_missing"
    CERTIFICATE_EXPIRED = "certificate_expired"
    SHIFT_NOT_FOUND = "shift_not_found"
    SHIFT_OVERLAP = "shift_overlap"
    SHIFT_CANCELLED = "shift_cancelled"
    SHIFT_STARTED = "shift_started"
    SHIFT_FULL = "shift_full"
    CANCELLED = "cancelled"
    ALREADY_SIGNED_UP = "already_signed_up"
    SIGNUP_NOT_FOUND = "signup_not_found"
    NOT_SIGNED_UP = "not_signed_up"
    WITHDRAW_DEADLINE_PASSED = "withdraw_deadline_passed"
    WITHDRAWN = "withdrawn"
    TOO_EARLY = "too_early"
    NOT_ATTENDED = "not_attended"
    PROPOSAL_NOT_FOUND = "proposal_not_found"
    DECIDED = "decided"
    NOT_PENDING = "not_pending"
    NO_HOST = "no_host"
    PROPOSAL_IN_THE_PAST = "proposal_in_the_past"
    NOT_A_MEMBER = "not_a_member"  # association event proposals: not a member of it
    # The action plan
    BAD_YEAR = "bad_year"
    BAD_QUARTER = "bad_quarter"
    PLAN_EXISTS = "plan_exists"
    UNKNOWN_BRANCH = "unknown_branch"


class DomainError(Exception):
    """A rule of the library was broken. ``message`` is translated, with named placeholders.

    ``code`` is an ``ErrorCode``; a subclass's default code and a ``code=`` given when raising
    are both checked (``ValueError`` for a string that is not a member).
    """

    status_code = 400
    code: ErrorCode = ErrorCode.INVALID
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: ErrorCode | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.message_template = message if message is not None else self.default_message
        self.params = params
        self.field = field
        self.extra = extra or {}
        if code is not None:
            self.code = ErrorCode(code)
        super().__init__(self.message)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = ErrorCode(cls.code)  # a mistyped default code fails when the class is made

    @property
    def message(self) -> str:
        text = str(self.message_template)
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"detail": self.message, "code": self.code.value}
        if self.field:
            data["field"] = self.field
        data.update(self.extra)
        return data


class RuleViolation(DomainError):
    """The wish breaks a rule (opening hours, limits, licence, age...): 400."""

    code = ErrorCode.RULE_VIOLATION


class Conflict(DomainError):
    """Something is in the way (another booking, a full event...): 409."""

    status_code = 409
    code = ErrorCode.CONFLICT
    default_message = _("Someone else got there first. Please choose another time.")


class BookingConflict(Conflict):
    code = ErrorCode.BOOKING_CONFLICT


class EventFull(Conflict):
    code = ErrorCode.EVENT_FULL


class PermissionDenied(DomainError):
    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = _("Not found.")
