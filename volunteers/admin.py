from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from volunteers import services
from volunteers.models import (
    Activity,
    HoursCorrection,
    SessionProposal,
    Shift,
    ShiftSeries,
    ShiftSignup,
    VolunteerProfile,
)


@admin.action(description=_("End the selected volunteer profiles (the volunteers stop)"))
def end_profiles(modeladmin, request, queryset):  # type: ignore[no-untyped-def]
    """Through the service: coming shifts given free, personal fields deleted, hours kept."""
    for profile in queryset.select_related("user"):
        try:
            services.volunteer_profile_end(
                actor=request.user, profile=profile, reason="ended in the admin"
            )
        except DomainError as error:
            modeladmin.message_user(request, f"{profile}: {error.message}", messages.ERROR)


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    actions = [end_profiles]
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
    # "valid until" right and writes the audit log.
    readonly_fields = [
        "certificate_status",
        "certificate_checked_on",
        "certificate_checked_by",
        "certificate_valid_until",
        "created_at",
        "updated_at",
    ]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "coordinator", "children_under_15", "withdraw_deadline_hours"]
    list_filter = ["branch", "children_under_15", "tracks"]
    search_fields = ["name", "description"]
    filter_horizontal = ["tracks", "audiences"]
    raw_id_fields = ["coordinator"]


class ShiftSignupInline(admin.TabularInline):
    """Read-only: sign-ups go through the service, which holds the capacity and overlap rules."""

    model = ShiftSignup
    extra = 0
    fields = ["volunteer", "status", "attended", "hours", "reported_hours"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["activity", "start", "end", "needed", "room", "cancelled_at", "sequence"]
    list_filter = ["activity__branch", "activity", "cancelled_at"]
    search_fields = ["activity__name", "note"]
    date_hierarchy = "start"
    raw_id_fields = ["room_booking", "series"]
    inlines = [ShiftSignupInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Time, room and cancellation change through the service (sign-ups' copies, the
        # room's occupation, the volunteers' messages).
        if obj is None:
            return ["room", "room_booking", "cancelled_at", "sequence"]
        return ["start", "end", "room", "room_booking", "cancelled_at", "sequence", "series"]


@admin.register(ShiftSeries)
class ShiftSeriesAdmin(admin.ModelAdmin):
    list_display = ["activity", "rrule", "first_start", "needed", "room", "created_at"]
    list_filter = ["activity__branch"]
    search_fields = ["activity__name", "rrule"]


@admin.register(ShiftSignup)
class ShiftSignupAdmin(admin.ModelAdmin):
    list_display = ["shift", "volunteer", "status", "attended", "hours", "created_at"]
    list_filter = ["status", "attended", "shift__activity__branch"]
    search_fields = ["volunteer__name", "volunteer__email", "shift__activity__name"]
    raw_id_fields = ["shift", "volunteer", "attendance_recorded_by"]
    readonly_fields = ["shift", "volunteer", "status", "hours", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(HoursCorrection)
class HoursCorrectionAdmin(admin.ModelAdmin):
    list_display = ["signup", "old_hours", "new_hours", "note", "corrected_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["note", "signup__volunteer__name"]
    raw_id_fields = ["signup", "corrected_by"]


@admin.register(SessionProposal)
class SessionProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "volunteer", "branch", "start", "status", "decided_by", "event"]
    list_filter = ["status", "branch", "children_under_15"]
    search_fields = ["title", "description", "volunteer__name"]
    raw_id_fields = ["volunteer", "decided_by", "event", "event_series", "room"]
    filter_horizontal = ["tracks", "audiences"]
