"""Writes of the volunteers app, one module per capability:

* ``profiles``: enrolling, changing and pausing a volunteer, the child certificate, ending a
  profile;
* ``activities``: the activities a branch asks volunteers for;
* ``shifts``: one-off and recurring shifts, moving, changing and cancelling them, their room;
* ``signups``: signing up and withdrawing, with the capacity and overlap checks;
* ``attendance``: attendance and hours;
* ``proposals``: a volunteer's session proposal, the staff's decision, the host's check-in;
* ``retention``: anonymising old sign-ups, idle profiles, releasing a deleted account;
* ``_common``: the helpers and permission questions the others share.

Callers import the package (``from volunteers import services``); every public name is here.

Lock order, everywhere: volunteer profile, then shift, then sign-up.
"""

from volunteers.services._common import (
    OVERLAP_CONSTRAINT,
    UNIQUE_SIGNUP_CONSTRAINT,
    add_years,
    can_manage_activity,
    can_manage_volunteer,
    certificate_problem,
    format_day,
    shift_duration_hours,
    shift_local_date,
)
from volunteers.services.activities import activity_create, activity_update
from volunteers.services.attendance import (
    MAX_HOURS,
    attendance_record,
    attendance_report,
    hours_correct,
)
from volunteers.services.profiles import (
    PROFILE_FIELDS,
    certificate_record,
    volunteer_enrol,
    volunteer_profile_end,
    volunteer_set_status,
    volunteer_update,
)
from volunteers.services.proposals import (
    PROPOSAL_FIELDS,
    proposal_approve,
    proposal_dates,
    proposal_occurrences,
    proposal_reject,
    proposal_request_changes,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    session_check_in,
)
from volunteers.services.retention import (
    PROFILE_IDLE_DAYS,
    RETENTION_DAYS,
    signup_link_kept_until,
    signups_anonymise_old,
    volunteer_profiles_remove_idle,
    volunteer_release_person,
)
from volunteers.services.shifts import (
    shift_cancel,
    shift_create,
    shift_series_create,
    shift_update,
)
from volunteers.services.signups import shift_signup, shift_withdraw, withdraw_deadline

__all__ = [
    "MAX_HOURS",
    "OVERLAP_CONSTRAINT",
    "PROFILE_FIELDS",
    "PROFILE_IDLE_DAYS",
    "PROPOSAL_FIELDS",
    "RETENTION_DAYS",
    "UNIQUE_SIGNUP_CONSTRAINT",
    "activity_create",
    "activity_update",
    "add_years",
    "attendance_record",
    "attendance_report",
    "can_manage_activity",
    "can_manage_volunteer",
    "certificate_problem",
    "certificate_record",
    "format_day",
    "hours_correct",
    "proposal_approve",
    "proposal_dates",
    "proposal_occurrences",
    "proposal_reject",
    "proposal_request_changes",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "session_check_in",
    "shift_cancel",
    "shift_create",
    "shift_duration_hours",
    "shift_local_date",
    "shift_series_create",
    "shift_signup",
    "shift_update",
    "shift_withdraw",
    "signup_link_kept_until",
    "signups_anonymise_old",
    "volunteer_enrol",
    "volunteer_profile_end",
    "volunteer_profiles_remove_idle",
    "volunteer_release_person",
    "volunteer_set_status",
    "volunteer_update",
    "withdraw_deadline",
]
