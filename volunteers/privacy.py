"""What the volunteers app keeps about a person, for the export and the account's deletion
(registered with ``core.privacy`` in ``VolunteersConfig.ready``)."""

from __future__ import annotations

from typing import Any

from core.models import User
from volunteers import selectors, services


def _profile(user: User) -> dict[str, Any] | None:
    profile = selectors.volunteer_profile_for(user=user)
    if profile is None:
        return None
    return {
        "status": profile.status,
        "skills": profile.skills,
        "languages": profile.languages,
        "availability_notes": profile.availability_notes,
        "branches": sorted(branch.name for branch in profile.branches.all()),
        "regular_activities": sorted(activity.name for activity in profile.activities.all()),
        "agreement_signed_on": profile.agreement_signed_on,
        "child_certificate_status": profile.certificate_status,
        "child_certificate_checked_on": profile.certificate_checked_on,
        "child_certificate_valid_until": profile.certificate_valid_until,
        "child_certificate_renewal_years": profile.certificate_renewal_years,
        "created_at": profile.created_at,
    }


def export(user: User) -> dict[str, Any]:
    """The profile, the person's shifts with their hours, and their session proposals.
    Other volunteers on the same shifts and the staff who decided are left out."""
    signups = [
        {
            "activity": signup.shift.activity.name,
            "branch": signup.shift.activity.branch.name,
            "start": signup.shift.start,
            "end": signup.shift.end,
            "status": signup.status,
            "signed_up_at": signup.created_at,
            "withdrawn_at": signup.withdrawn_at,
            "attended": signup.attended,
            "hours": signup.hours,
            "reported_hours": signup.reported_hours,
            "reported_at": signup.reported_at,
        }
        for signup in selectors.signup_list_for(volunteer=user).order_by("shift__start", "pk")
    ]
    corrections = [
        {
            "activity": c.signup.shift.activity.name,
            "shift_start": c.signup.shift.start,
            "hours_before": c.old_hours,
            "hours_after": c.new_hours,
            "note": c.note,
            "when": c.created_at,
        }
        for c in selectors.hours_corrections_of(volunteer=user)
    ]
    proposals = [
        {
            "title": p.title,
            "description": p.description,
            "branch": p.branch.name,
            "room": p.room.name if p.room is not None else None,
            "start": p.start,
            "end": p.end,
            "repeats": p.rrule,
            "capacity": p.capacity,
            "children_under_15": p.children_under_15,
            "tracks": [track.slug for track in p.tracks.all()],
            "audiences": [audience.slug for audience in p.audiences.all()],
            "status": p.status,
            "decision_note": p.decision_note,
            "decided_at": p.decided_at,
            "created_at": p.created_at,
        }
        for p in selectors.proposals_by(volunteer=user)
    ]
    return {
        "volunteer_profile": _profile(user),
        "shift_signups": signups,
        "hours_corrections": corrections,
        "proposals": proposals,
    }


def erase(user: User) -> dict[str, int]:
    return services.volunteer_release_person(person=user)
