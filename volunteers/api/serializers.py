"""Input and output shapes of the volunteers API (times ISO 8601 with offset)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from events.models import MAX_PEOPLE
from volunteers.models import CertificateStatus, ProfileStatus
from volunteers.services import withdraw_deadline

MAX_ID = 2**63 - 1  # ids fit the database's bigint; larger numbers would be a 500

# --- Output -------------------------------------------------------------------------------


class ShiftOutput(serializers.Serializer):
    id = serializers.IntegerField()
    activity = serializers.IntegerField(source="activity_id")
    activity_name = serializers.CharField(source="activity.name")
    branch = serializers.CharField(source="activity.branch.slug")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    needed = serializers.IntegerField()
    taken = serializers.IntegerField()
    room = serializers.IntegerField(source="room_id", allow_null=True)
    children_under_15 = serializers.BooleanField(source="activity.children_under_15")
    cancelled = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_cancelled(self, shift: Any) -> bool:
        return shift.cancelled_at is not None


class SignupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    shift = serializers.IntegerField(source="shift_id")
    status = serializers.CharField()


class SignupDetailOutput(SignupOutput):
    activity = serializers.CharField(source="shift.activity.name")
    branch = serializers.CharField(source="shift.activity.branch.slug")
    start = serializers.DateTimeField(source="shift.start")
    end = serializers.DateTimeField(source="shift.end")
    shift_cancelled = serializers.BooleanField()
    attended = serializers.BooleanField(allow_null=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    withdraw_until = serializers.SerializerMethodField()

    def get_withdraw_until(self, signup: Any) -> str:
        return serializers.DateTimeField().to_representation(withdraw_deadline(signup.shift))


class VolunteerActivityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.CharField(source="branch.slug")
    description = serializers.CharField()
    tracks = serializers.SerializerMethodField()
    audiences = serializers.SerializerMethodField()
    children_under_15 = serializers.BooleanField()
    coordinator = serializers.SerializerMethodField()
    withdraw_deadline_hours = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_coordinator(self, activity: Any) -> int | None:
        """The coordinator's user id, for staff who manage the activity's branch only; a
        volunteer or citizen reading the list does not need a person's id (least data).
        The view gives ``managed_branches``: a set of branch ids, or ``"all"``."""
        managed = self.context.get("managed_branches") or set()
        if managed == "all" or activity.branch_id in managed:
            return activity.coordinator_id
        return None

    def get_tracks(self, activity: Any) -> list[str]:
        return [t.slug for t in activity.tracks.all()]

    def get_audiences(self, activity: Any) -> list[str]:
        return [a.slug for a in activity.audiences.all()]


class VolunteerProfileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    status = serializers.CharField()
    skills = serializers.CharField()
    languages = serializers.CharField()
    availability_notes = serializers.CharField()
    branches = serializers.SerializerMethodField()
    agreement_signed_on = serializers.DateField(allow_null=True)
    certificate = serializers.SerializerMethodField()

    def get_branches(self, profile: Any) -> list[str]:
        return [b.slug for b in profile.branches.all()]

    def get_certificate(self, profile: Any) -> dict[str, Any]:
        return {
            "status": profile.certificate_status,
            "checked_on": profile.certificate_checked_on,
            "renewal_years": profile.certificate_renewal_years,
            "expires_on": profile.certificate_valid_until,
        }


class SessionProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    branch = serializers.CharField(source="branch.slug")
    room = serializers.IntegerField(source="room_id", allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    rrule = serializers.CharField()
    tracks = serializers.SerializerMethodField()
    audiences = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(allow_null=True)
    children_under_15 = serializers.BooleanField()
    status = serializers.CharField()
    decision_note = serializers.CharField()
    volunteer = serializers.IntegerField(source="volunteer_id", allow_null=True)
    event = serializers.IntegerField(source="event_id", allow_null=True)
    series = serializers.IntegerField(source="event_series_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_tracks(self, proposal: Any) -> list[str]:
        return [t.slug for t in proposal.tracks.all()]

    def get_audiences(self, proposal: Any) -> list[str]:
        return [a.slug for a in proposal.audiences.all()]


# --- Input ---------------------------------------------------------------------------------


class ShiftFilterInput(serializers.Serializer):
    branch = serializers.SlugField(required=False)
    activity = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start_after = AwareDateTimeField(required=False)
    start_before = AwareDateTimeField(required=False)
    open = serializers.BooleanField(required=False, default=False)


class ShiftCreateInput(serializers.Serializer):
    activity = serializers.IntegerField()
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    needed = serializers.IntegerField(min_value=1, max_value=100, default=1)
    room = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    rrule = serializers.CharField(required=False, allow_blank=True, default="")


class ShiftUpdateInput(serializers.Serializer):
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)
    needed = serializers.IntegerField(min_value=1, max_value=100, required=False)
    room = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    cancelled = serializers.BooleanField(required=False)


class SignupCreateInput(serializers.Serializer):
    volunteer = serializers.IntegerField(required=False, help_text="Staff only: the user id.")


class AttendanceInput(serializers.Serializer):
    attended = serializers.BooleanField()
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class AttendanceReportInput(serializers.Serializer):
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class HoursCorrectionInput(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=300)


class VolunteerCreateInput(serializers.Serializer):
    email = serializers.EmailField()
    branches = serializers.ListField(child=serializers.SlugField(), allow_empty=False)
    agreement_signed_on = serializers.DateField(required=False, allow_null=True)
    skills = serializers.CharField(required=False, allow_blank=True, default="")
    languages = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerProfileUpdateInput(serializers.Serializer):
    skills = serializers.CharField(required=False, allow_blank=True)
    languages = serializers.CharField(required=False, allow_blank=True, max_length=200)
    availability_notes = serializers.CharField(required=False, allow_blank=True)


class ChildCertificateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    checked_on = serializers.DateField(required=False, allow_null=True)
    renewal_years = serializers.IntegerField(required=False, min_value=1, max_value=10)


class VolunteerStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProfileStatus.choices)


class VolunteerActivityCreateInput(serializers.Serializer):
    branch = serializers.SlugField()
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    tracks = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    audiences = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    children_under_15 = serializers.BooleanField(required=False, default=False)
    coordinator = serializers.IntegerField(required=False, allow_null=True)
    withdraw_deadline_hours = serializers.IntegerField(
        required=False, min_value=0, max_value=336, default=24
    )


class SessionProposalInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    branch = serializers.SlugField()
    room = serializers.IntegerField(required=False, allow_null=True)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    rrule = serializers.CharField(required=False, allow_blank=True, default="")
    tracks = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    audiences = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_PEOPLE
    )
    children_under_15 = serializers.BooleanField(required=False, default=False)


class ProposalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ProposalNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RosterRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    volunteer = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    status = serializers.CharField()
    attended = serializers.BooleanField(allow_null=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    reported_hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ShiftRosterOutput(serializers.Serializer):
    shift = serializers.IntegerField()
    signups = RosterRowOutput(many=True)


class HostedRegistrationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    seats = serializers.IntegerField()
    status = serializers.CharField()
    checked_in = serializers.BooleanField()


class HostedRegistrationsOutput(serializers.Serializer):
    event = serializers.IntegerField()
    title = serializers.CharField()
    registrations = HostedRegistrationOutput(many=True)


class HostedCheckInOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    checked_in = serializers.BooleanField()
