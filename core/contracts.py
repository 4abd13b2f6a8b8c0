"""The words the apps say to each other, written down once as types.

* ``MessageKind``: what a service tells the world through ``core.signals.state_changed``
  (the notifications app turns each into messages).
* ``AccountMail``: the account e-mails core renders and hands to the outbox
  (``core.signals.send_account_mail``).
* ``AuditAction``: what an audit row says happened (``core.services.audit_log``).
* The error codes of the API are ``core.exceptions.ErrorCode``.

As Zulip's ``AuditLogEventType``: a value that is not a member cannot be sent or written.
Each enum turns its string back into a member (``MessageKind("booking.confirmed")``) and
raises ``ValueError`` for anything else, so a mistyped kind or action fails at once, where it
is written, instead of sending nothing. ``tests/core/test_contracts.py`` also reads the source
of every app for string literals at the call sites, so a typo fails the tests before that code
runs. Add a member here first, then use it; never change a value (it is stored in the outbox,
in the audit log and in people's mail filters).
"""

# ruff: noqa: S105 (member values such as "api_token.created" are names, not passwords)

from __future__ import annotations

from enum import StrEnum, unique


@unique
class MessageKind(StrEnum):
    """A change a person should hear about; ``instance`` is the object named in the comment."""

    REGISTRATION_CONFIRMED = "registration.confirmed"  # events.Registration
    REGISTRATION_WAITLISTED = "registration.waitlisted"  # events.Registration
    REGISTRATION_PROMOTED = "registration.promoted"  # events.Registration
    REGISTRATION_CANCELLED = "registration.cancelled"  # events.Registration
    EVENT_CHANGED = "event.changed"  # events.Event (time or place)
    EVENT_CANCELLED = "event.cancelled"  # events.Event
    BOOKING_REQUESTED = "booking.requested"  # rooms.Booking
    BOOKING_CONFIRMED = "booking.confirmed"  # rooms.Booking
    BOOKING_REJECTED = "booking.rejected"  # rooms.Booking
    BOOKING_CANCELLED = "booking.cancelled"  # rooms.Booking
    EQUIPMENT_BOOKING_CONFIRMED = "equipment_booking.confirmed"  # rooms.EquipmentBooking
    EQUIPMENT_BOOKING_CANCELLED = "equipment_booking.cancelled"  # rooms.EquipmentBooking
    BOOKING_PAUSED = "booking.paused"  # rooms.BookingPause
    SHIFT_CHANGED = "shift.changed"  # volunteers.Shift
    SHIFT_CANCELLED = "shift.cancelled"  # volunteers.Shift
    PROPOSAL_APPROVED = "proposal.approved"  # volunteers.SessionProposal
    PROPOSAL_REJECTED = "proposal.rejected"  # volunteers.SessionProposal
    PROPOSAL_CHANGES_REQUESTED = "proposal.changes_requested"  # volunteers.SessionProposal
    CERTIFICATE_EXPIRING = "certificate.expiring"  # volunteers.VolunteerProfile
    ASSOCIATION_EVENT_APPROVED = "association_event.approved"  # events.AssociationEventProposal
    ASSOCIATION_EVENT_REJECTED = "association_event.rejected"  # events.AssociationEventProposal


@unique
class AccountMail(StrEnum):
    """An e-mail core writes itself (rendered at once) and hands to the outbox through
    ``core.signals.send_account_mail``: it survives an SMTP or worker outage like any other."""

    SIGNUP_CONFIRM = "account.signup_confirm"  # the link that makes the account
    SIGNUP_TAKEN = "account.signup_taken"  # someone signed up with an address that has one
    PASSWORD_RESET = "account.password_reset"  # the reset link
    DELETED = "account.deleted"  # the receipt of a deleted account


@unique
class AuditAction(StrEnum):
    """What an audit row records; grouped by the thing it happened to."""

    # People and their access (core)
    USER_REGISTERED = "user.registered"
    USER_SIGNUP_REPEATED = "user.signup_repeated"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_PASSWORD_SET_BY_ADMINISTRATOR = "user.password_set_by_administrator"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_PLATFORM_REGISTERED = "user.platform_registered"
    USER_PLATFORM_LINKED = "user.platform_linked"
    USER_PLATFORM_UNLINKED = "user.platform_unlinked"
    USER_DELETED_BY_SELF = "user.deleted_by_self"
    USER_DELETED_BY_ADMINISTRATOR = "user.deleted_by_administrator"
    USER_DELETED_INACTIVE = "user.deleted_inactive"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    # Branch settings (core.services_branch)
    OPENING_HOURS_CHANGED = "opening_hours.changed"
    CLOSURE_ADDED = "closure.added"
    CLOSURE_REMOVED = "closure.removed"
    CLOSURE_APPLIED = "closure.applied"  # what a closure touched was cancelled or moved
    BOOKMOBILE_STOP_ADDED = "bookmobile_stop.added"
    BOOKMOBILE_STOP_CHANGED = "bookmobile_stop.changed"
    BOOKMOBILE_STOP_REMOVED = "bookmobile_stop.removed"
    # Partners and associations (core.services_partners)
    PARTNER_CREATED = "partner.created"
    PARTNER_CHANGED = "partner.changed"
    # A change made in the Django admin (core.admin_mixins)
    ADMIN_ADDED = "admin.added"
    ADMIN_CHANGED = "admin.changed"
    ADMIN_DELETED = "admin.deleted"
    # Rooms and the makerspace
    BOOKING_REQUESTED = "booking.requested"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_REJECTED = "booking.rejected"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_OCCUPIED = "booking.occupied"
    BOOKING_MOVED = "booking.moved"
    BOOKING_RELEASED = "booking.released"
    BOOKING_HELD = "booking.held"  # a tentative hold on a room, with its expiry
    BOOKING_HOLD_EXPIRED = "booking.hold_expired"
    BOOKING_NO_SHOW = "booking.no_show"
    BOOKING_CHECKED_IN = "booking.checked_in"
    BOOKING_PAUSED = "booking.paused"
    BOOKING_PAUSE_LIFTED = "booking.pause_lifted"
    RULE_OVERRIDDEN = "rule.overridden"  # staff bent a citizen's rule on their behalf
    LICENCE_GRANTED = "licence.granted"
    LICENCE_REVOKED = "licence.revoked"
    ROOM_CREATED = "room.created"
    ROOM_CHANGED = "room.changed"
    EQUIPMENT_CREATED = "equipment.created"
    EQUIPMENT_CHANGED = "equipment.changed"
    EQUIPMENT_BOOKING_CONFIRMED = "equipment_booking.confirmed"
    EQUIPMENT_BOOKING_CANCELLED = "equipment_booking.cancelled"
    EQUIPMENT_BOOKING_CHECKED_IN = "equipment_booking.checked_in"
    # Events and registrations
    EVENT_SERIES_CREATED = "event_series.created"
    EVENT_SERIES_CHANGED = "event_series.changed"
    EVENT_CHANGED = "event.changed"
    EVENT_CANCELLED = "event.cancelled"
    EVENT_ATTENDANCE_RECORDED = "event.attendance_recorded"
    REGISTRATION_CONFIRMED = "registration.confirmed"
    REGISTRATION_WAITLISTED = "registration.waitlisted"
    REGISTRATION_PROMOTED = "registration.promoted"
    REGISTRATION_CANCELLED = "registration.cancelled"
    REGISTRATION_MOVED_TO_WAITLIST = "registration.moved_to_waitlist"  # the new room was smaller
    REGISTRATION_OPENING_REMINDER = "registration.opening_reminder"  # "tell me when it opens"
    REGISTRATION_CHECKED_IN = "registration.checked_in"
    REGISTRATION_CHECK_IN_UNDONE = "registration.check_in_undone"
    REGISTRATION_WALK_IN = "registration.walk_in"
    REGISTRATIONS_ANONYMISED = "registrations.anonymised"
    # Volunteers, shifts and session proposals
    VOLUNTEER_ENROLLED = "volunteer.enrolled"
    VOLUNTEER_UPDATED = "volunteer.updated"
    VOLUNTEER_STATUS_CHANGED = "volunteer.status_changed"
    VOLUNTEER_CERTIFICATE_RECORDED = "volunteer.certificate_recorded"
    VOLUNTEER_PROFILE_ENDED = "volunteer.profile_ended"
    VOLUNTEER_PROFILES_REMOVED_IDLE = "volunteer_profiles.removed_idle"
    ACTIVITY_CREATED = "activity.created"
    ACTIVITY_CHANGED = "activity.changed"
    SHIFT_CREATED = "shift.created"
    SHIFT_SERIES_CREATED = "shift_series.created"
    SHIFT_CHANGED = "shift.changed"
    SHIFT_CANCELLED = "shift.cancelled"
    SHIFT_SIGNED_UP = "shift.signed_up"
    SHIFT_WITHDRAWN = "shift.withdrawn"
    SHIFT_ATTENDANCE_REPORTED = "shift.attendance_reported"
    SHIFT_ATTENDANCE_RECORDED = "shift.attendance_recorded"
    SHIFT_HOURS_CORRECTED = "shift.hours_corrected"
    SHIFT_SIGNUPS_ANONYMISED = "shift_signups.anonymised"
    PROPOSAL_SUBMITTED = "proposal.submitted"
    PROPOSAL_UPDATED = "proposal.updated"
    PROPOSAL_WITHDRAWN = "proposal.withdrawn"
    PROPOSAL_APPROVED = "proposal.approved"
    PROPOSAL_REJECTED = "proposal.rejected"
    PROPOSAL_CHANGES_REQUESTED = "proposal.changes_requested"
    ASSOCIATION_EVENT_PROPOSED = "association_event.proposed"
    ASSOCIATION_EVENT_APPROVED = "association_event.approved"
    ASSOCIATION_EVENT_REJECTED = "association_event.rejected"
    # The action plan
    PLAN_CREATED = "plan.created"
    PLAN_TARGET_SET = "plan.target_set"
    PLAN_STATUS_WRITTEN = "plan.status_written"
    INITIATIVE_CREATED = "initiative.created"
    INITIATIVE_CHANGED = "initiative.changed"
    # Notifications
    DELIVERY_RETRIED = "delivery.retried"
    REMINDERS_PREFERENCE_SET = "reminders.preference_set"
    REMINDERS_DEFAULT_SET = "reminders.default_set"
    FEED_TOKEN_CREATED = "feed_token.created"
    FEED_TOKEN_RENEWED = "feed_token.renewed"
    FEED_TOKEN_REVOKED = "feed_token.revoked"
