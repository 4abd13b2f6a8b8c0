from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import AuditedModelAdmin, ReasonForm, service_action
from volunteers import services
from volunteers.models import (
    Activity,
    HoursCorrection,
    ProfileStatus,
    SessionProposal,
    Shift,
    ShiftSeries,
    ShiftSignup,
    VolunteerProfile,
)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Which changes (the volunteer reads it)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


pause_volunteers = service_action(
    name="pause_volunteers",
    description=_("Pause the selected volunteers"),
    call=lambda actor, profile, data: services.volunteer_set_status(
        actor=actor, profile=profile, status=ProfileStatus.PAUSED
    ),
)
activate_volunteers = service_action(
    name="activate_volunteers",
    description=_("Make the selected volunteers active again"),
    call=lambda actor, profile, data: services.volunteer_set_status(
        actor=actor, profile=profile, status=ProfileStatus.ACTIVE
    ),
)
cancel_shifts = service_action(
    name="cancel_shifts",
    description=_("Cancel the selected shifts (the volunteers are told)"),
    form=ReasonForm,
    call=lambda actor, shift, data: services.shift_cancel(
        actor=actor, shift=shift, reason=data["reason"]
    ),
)
approve_proposals = service_action(
    name="approve_proposals",
    description=_("Approve the selected proposals (they become events; the volunteer is told)"),
    call=lambda actor, proposal, data: services.proposal_approve(actor=actor, proposal=proposal),
)
reject_proposals = service_action(
    name="reject_proposals",
    description=_("Reject the selected proposals (the volunteer is told)"),
    form=ReasonForm,
    call=lambda actor, proposal, data: services.proposal_reject(
        actor=actor, proposal=proposal, reason=data["reason"]
    ),
)
request_changes = service_action(
    name="request_changes",
    description=_("Ask for changes to the selected proposals (the volunteer is told)"),
    form=NoteForm,
    call=lambda actor, proposal, data: services.proposal_request_changes(
        actor=actor, proposal=proposal, note=data["note"]
    ),
)
end_profiles = service_action(
    name="end_profiles",
    description=_("End the selected volunteer profiles (the volunteers stop)"),
    form=ReasonForm,
    call=lambda actor, profile, data: services.volunteer_profile_end(
        actor=actor, profile=profile, reason=data["reason"]
    ),
)


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(AuditedModelAdmin):
    list_display = [
        "user",
        "status",
        "certificate_status",
        "certificate_checked_on",
        "certificate_valid_until",
        "agreement_signed_on",
    ]
    list_filter = ["status", "certificate_status", "branches"]
    search_fields = ["user__name", "user__email", "skills", "languages"]
    raw_id_fields = ["user", "certificate_checked_by"]
    filter_horizontal = ["branches", "activities"]
    # The certificate is recorded through the service (staff page or API), which keeps
    # "valid until" right and writes the audit log; pausing goes through the actions.
    readonly_fields = [
        "certificate_status",
        "certificate_checked_on",
        "certificate_checked_by",
        "certificate_valid_until",
        "created_at",
        "updated_at",
    ]
    service_fields = ["user", "status"]
    personal_fields = ["skills", "languages", "availability_notes"]
    allow_delete = False  # a volunteer's profile is removed by the privacy services
    actions = [pause_volunteers, activate_volunteers, end_profiles]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff enrol volunteers (volunteers.services.volunteer_enrol)


@admin.register(Activity)
class ActivityAdmin(AuditedModelAdmin):
    list_display = ["name", "branch", "coordinator", "children_under_15", "withdraw_deadline_hours"]
    list_filter = ["branch", "children_under_15", "tracks"]
    search_fields = ["name", "description"]
    filter_horizontal = ["tracks", "audiences"]
    raw_id_fields = ["coordinator"]
    allow_delete = False  # its shifts and their sign-ups would go with it


class ShiftSignupInline(admin.TabularInline):
    """Read-only: sign-ups go through the service, which holds the capacity and overlap rules."""

    model = ShiftSignup
    extra = 0
    fields = readonly_fields = ("volunteer", "status", "attended", "hours", "reported_hours")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shift)
class ShiftAdmin(AuditedModelAdmin):
    list_display = ["activity", "start", "end", "needed", "room", "cancelled_at", "sequence"]
    list_filter = ["activity__branch", "activity", "cancelled_at"]
    search_fields = ["activity__name", "note"]
    date_hierarchy = "start"
    raw_id_fields = ["room_booking", "series"]
    inlines = [ShiftSignupInline]
    allow_delete = False
    actions = [cancel_shifts]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Time, room, seats and cancellation change through the service (sign-ups' copies,
        # the room's occupation, the volunteers' messages).
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return [*fields, "room", "room_booking", "cancelled_at", "sequence"]
        return [
            *fields,
            "activity",
            "start",
            "end",
            "needed",
            "room",
            "room_booking",
            "cancelled_at",
            "sequence",
            "series",
        ]


@admin.register(ShiftSeries)
class ShiftSeriesAdmin(AuditedModelAdmin):
    """The rule a series of shifts was made from; its shifts are changed one by one."""

    list_display = ["activity", "rrule", "first_start", "needed", "room", "created_at"]
    list_filter = ["activity__branch"]
    search_fields = ["activity__name", "rrule"]
    service_fields = [
        "activity",
        "rrule",
        "first_start",
        "first_end",
        "needed",
        "room",
        "created_by",
        "created_at",
    ]
    allow_delete = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by volunteers.services.shift_series_create (the staff pages)


@admin.register(ShiftSignup)
class ShiftSignupAdmin(AuditedModelAdmin):
    list_display = ["shift", "volunteer", "status", "attended", "hours", "created_at"]
    list_filter = ["status", "attended", "shift__activity__branch"]
    search_fields = ["volunteer__name", "volunteer__email", "shift__activity__name"]
    raw_id_fields = ["shift", "volunteer", "attendance_recorded_by"]
    readonly_fields = ["shift", "volunteer", "status", "hours", "created_at"]
    # Attendance and hours go through the services (volunteers.services.attendance_record,
    # hours_correct), which keep each correction.
    service_fields = [
        "attended",
        "reported_hours",
        "reported_at",
        "withdrawn_at",
        "attendance_recorded_by",
        "attendance_recorded_at",
    ]
    allow_delete = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(HoursCorrection)
class HoursCorrectionAdmin(AuditedModelAdmin):
    """The record of each correction of hours (volunteers.services.hours_correct): read only."""

    list_display = ["signup", "old_hours", "new_hours", "note", "corrected_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["note", "signup__volunteer__name"]
    raw_id_fields = ["signup", "corrected_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SessionProposal)
class SessionProposalAdmin(AuditedModelAdmin):
    """Volunteers' proposals: decided through the actions (volunteers.services), which make
    the event, occupy the room and tell the volunteer."""

    list_display = ["title", "volunteer", "branch", "start", "status", "decided_by", "event"]
    list_filter = ["status", "branch", "children_under_15"]
    search_fields = ["title", "description", "volunteer__name"]
    raw_id_fields = ["volunteer", "decided_by", "event", "event_series", "room"]
    filter_horizontal = ["tracks", "audiences"]
    service_fields = [
        "volunteer",
        "branch",
        "room",
        "start",
        "end",
        "rrule",
        "capacity",
        "status",
        "decision_note",
        "decided_by",
        "decided_at",
        "event",
        "event_series",
        "created_at",
        "updated_at",
    ]
    allow_delete = False
    actions = [approve_proposals, reject_proposals, request_changes]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # volunteers propose on their page or through the API
