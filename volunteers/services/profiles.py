"""Volunteer profiles: enrolling, changing, pausing, the child certificate, and ending a
profile (which retention and account deletion reuse)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, PermissionDenied, RuleViolation
from core.models import Branch, Role, User
from core.services import audit_log, user_set_role
from core.timeutils import local_today
from volunteers.models import (
    CertificateStatus,
    ProfileStatus,
    ProposalStatus,
    SessionProposal,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)
from volunteers.services._common import (
    _PROFILE_NOT_FOUND,
    _require_branch_staff,
    add_years,
    can_manage_volunteer,
)

PROFILE_FIELDS = {"skills", "languages", "availability_notes", "agreement_signed_on"}


@transaction.atomic(durable=True)
def volunteer_enrol(
    *,
    actor: User,
    user: User,
    branches: Iterable[Branch],
    agreement_signed_on: date | None = None,
    skills: str = "",
    languages: str = "",
    availability_notes: str = "",
) -> VolunteerProfile:
    """Give an existing account the volunteer role, at ``branches`` (the actor's own)."""
    branches = list(branches)
    if not branches:
        raise RuleViolation(
            _("Choose at least one branch the volunteer will help at."), field="branches"
        )
    for branch in branches:
        _require_branch_staff(actor, branch)
    if VolunteerProfile.objects.filter(user=user).exists():
        raise Conflict(
            _("%(name)s is already a volunteer."), code=ErrorCode.ALREADY_VOLUNTEER, name=user.name
        )
    if agreement_signed_on and agreement_signed_on > local_today():
        raise RuleViolation(
            _("The agreement cannot be signed in the future."), field="agreement_signed_on"
        )
    if user.role == Role.CITIZEN:
        user_set_role(actor=actor, user=user, role=Role.VOLUNTEER)
    profile = VolunteerProfile.objects.create(
        user=user,
        agreement_signed_on=agreement_signed_on,
        skills=skills,
        languages=languages,
        availability_notes=availability_notes,
    )
    profile.branches.set(branches)
    audit_log(
        actor=actor,
        action=AuditAction.VOLUNTEER_ENROLLED,
        target=profile,
        data={"user": user.pk, "branches": sorted(b.slug for b in branches)},
    )
    return profile


# --- Changing a profile --------------------------------------------------------------------


@transaction.atomic(durable=True)
def volunteer_update(
    *, actor: User, profile: VolunteerProfile, data: dict[str, Any]
) -> VolunteerProfile:
    """Change a profile's details; the volunteer may change their own skills, languages and
    availability, staff also the agreement date and branches."""
    own = actor.pk == profile.user_id
    staff = can_manage_volunteer(user=actor, profile=profile)
    if not own and not staff:
        raise _PROFILE_NOT_FOUND.error()
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    _check_fields_allowed(data, staff=staff)
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(data) & PROFILE_FIELDS):
        old = getattr(profile, field)
        if old != data[field]:
            setattr(profile, field, data[field])
            changes[field] = [str(old), str(data[field])]
    if changes:
        profile.save()
    if "branches" in data:
        changes.update(_set_branches(actor=actor, profile=profile, branches=data["branches"]))
    if changes:
        audit_log(actor=actor, action=AuditAction.VOLUNTEER_UPDATED, target=profile, data=changes)
    return profile


def _check_fields_allowed(data: dict[str, Any], *, staff: bool) -> None:
    allowed = set(PROFILE_FIELDS) | ({"branches"} if staff else set())
    if not staff:
        allowed.discard("agreement_signed_on")
    unknown = set(data) - allowed
    if unknown:
        raise PermissionDenied(
            _("You may not change %(fields)s."), fields=", ".join(sorted(unknown))
        )


def _set_branches(
    *, actor: User, profile: VolunteerProfile, branches: Iterable[Branch]
) -> dict[str, list[Any]]:
    """Set the volunteer's branches (a branch the actor adds must be theirs); the change, if
    any, for the audit row."""
    new = list(branches)
    for branch in new:
        if not actor.is_administrator and branch.pk not in set(
            profile.branches.values_list("pk", flat=True)
        ):
            _require_branch_staff(actor, branch)
    old_slugs = sorted(profile.branches.values_list("slug", flat=True))
    profile.branches.set(new)
    new_slugs = sorted(b.slug for b in new)
    return {"branches": [old_slugs, new_slugs]} if old_slugs != new_slugs else {}


@transaction.atomic(durable=True)
def volunteer_set_status(
    *, actor: User, profile: VolunteerProfile, status: str
) -> VolunteerProfile:
    """Pause a volunteer or make them active again (the volunteer may pause themselves)."""
    if status not in ProfileStatus.values:
        raise RuleViolation(_("Unknown status: %(status)s."), field="status", status=status)
    own = actor.pk == profile.user_id
    if not can_manage_volunteer(user=actor, profile=profile) and not (
        own and status == ProfileStatus.PAUSED
    ):
        raise PermissionDenied()
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    if profile.status == status:
        return profile
    old = profile.status
    profile.status = status
    profile.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.VOLUNTEER_STATUS_CHANGED,
        target=profile,
        data={"old": old, "new": status},
    )
    return profile


# --- The child certificate -----------------------------------------------------------------


@transaction.atomic(durable=True)
def certificate_record(
    *,
    actor: User,
    profile: VolunteerProfile,
    status: str,
    checked_on: date | None = None,
    renewal_years: int | None = None,
) -> VolunteerProfile:
    """Record the child-certificate status (only the status and dates, never the certificate).

    ``clear`` needs the date it was checked; the certificate is then valid until that date
    plus the renewal interval (default 2 years) and refused the day after.
    """
    if not can_manage_volunteer(user=actor, profile=profile):
        raise _PROFILE_NOT_FOUND.error()
    _check_certificate_entry(status=status, checked_on=checked_on, renewal_years=renewal_years)
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    old = _certificate_state(profile)
    profile.certificate_status = status
    if renewal_years is not None:
        profile.certificate_renewal_years = renewal_years
    if checked_on is not None:
        profile.certificate_checked_on = checked_on
        profile.certificate_checked_by = actor
    profile.certificate_valid_until = _certificate_valid_until(profile)
    profile.save()
    new = _certificate_state(profile)
    if old != new:
        audit_log(
            actor=actor,
            action=AuditAction.VOLUNTEER_CERTIFICATE_RECORDED,
            target=profile,
            data={"old": old, "new": new},
        )
    return profile


def _check_certificate_entry(
    *, status: str, checked_on: date | None, renewal_years: int | None
) -> None:
    if status not in CertificateStatus.values:
        raise RuleViolation(
            _("The status must be none, requested or clear."),
            field="status",
            code=ErrorCode.INVALID_STATUS,
        )
    if status == CertificateStatus.CLEAR and checked_on is None:
        raise RuleViolation(
            _("Enter the date the clear certificate was checked."), field="checked_on"
        )
    if checked_on is not None and checked_on > local_today():
        raise RuleViolation(
            _("The date it was checked cannot be in the future."), field="checked_on"
        )
    if renewal_years is not None and not 1 <= renewal_years <= 10:
        raise RuleViolation(
            _("The renewal interval must be between 1 and 10 years."), field="renewal_years"
        )


def _certificate_valid_until(profile: VolunteerProfile) -> date | None:
    """A clear certificate is valid until its check date plus the renewal interval; any
    other has no validity. (A clear one always has its check date: the entry needs it.)"""
    checked_on = profile.certificate_checked_on
    if profile.certificate_status != CertificateStatus.CLEAR or checked_on is None:
        return None
    return add_years(checked_on, profile.certificate_renewal_years)


def _certificate_state(profile: VolunteerProfile) -> dict[str, str | int]:
    return {
        "status": profile.certificate_status,
        "checked_on": str(profile.certificate_checked_on or ""),
        "renewal_years": profile.certificate_renewal_years,
    }


# --- Ending a profile ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def volunteer_profile_end(*, actor: User, profile: VolunteerProfile, reason: str = "") -> None:
    """Staff of the volunteer's branch (or an administrator) record that a volunteer stops:
    the profile and its personal fields are removed; the hours already given stay counted."""
    if not can_manage_volunteer(user=actor, profile=profile):
        raise _PROFILE_NOT_FOUND.error()
    if not VolunteerProfile.objects.filter(pk=profile.pk).exists():
        return  # ended already
    _profile_remove(profile=profile, actor=actor, reason=(reason or "").strip()[:300])


@transaction.atomic
def _profile_remove(
    *, profile: VolunteerProfile, actor: User | None, reason: str
) -> dict[str, int]:
    """Remove a volunteer profile and every personal field on it (skills, languages,
    availability, agreement date, child-certificate status and dates, branches, activities).

    Coming shifts and open proposals are withdrawn; past sign-ups keep their hours and, for
    now, their link to the account (unlinked later by ``signups_anonymise_old``), so the
    year's hours and the plan's numbers do not change. A volunteer becomes a citizen again.
    """
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    user = User.objects.get(pk=profile.user_id)
    withdrawn = _withdraw_coming_signups(volunteer=user, actor=actor, reason=reason)
    proposals = _withdraw_open_proposals(volunteer=user, actor=actor)
    audit_log(
        actor=actor,
        action=AuditAction.VOLUNTEER_PROFILE_ENDED,
        target=profile,
        data={"reason": reason, "signups_withdrawn": withdrawn, "proposals_withdrawn": proposals},
    )
    profile.delete()
    if user.role == Role.VOLUNTEER:
        user_set_role(actor=actor, user=user, role=Role.CITIZEN)
    return {"shift_signups_cancelled": withdrawn, "proposals_withdrawn": proposals}


def _withdraw_coming_signups(*, volunteer: User, actor: User | None, reason: str) -> int:
    """Take ``volunteer`` off every shift that has not started (whatever the withdraw deadline:
    they will not come). Attended and past sign-ups are left as they are, so hours stay."""
    coming = locking.lock_rows(
        ShiftSignup.objects.filter(
            volunteer=volunteer, status=SignupStatus.SIGNED_UP, shift__start__gt=timezone.now()
        ).order_by("pk")
    )
    count = 0
    for signup in coming:
        signup.status = SignupStatus.WITHDRAWN
        signup.withdrawn_at = timezone.now()
        signup.save(update_fields=["status", "withdrawn_at"])
        audit_log(
            actor=actor,
            action=AuditAction.SHIFT_WITHDRAWN,
            target=signup,
            data={"shift": signup.shift_id, "reason": reason},
        )
        count += 1
    return count


def _withdraw_open_proposals(*, volunteer: User, actor: User | None) -> int:
    open_ones = locking.lock_rows(
        SessionProposal.objects.filter(
            volunteer=volunteer,
            status__in=[ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED],
        ).order_by("pk")
    )
    count = 0
    for proposal in open_ones:
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action=AuditAction.PROPOSAL_WITHDRAWN, target=proposal)
        count += 1
    return count
