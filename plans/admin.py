from django.contrib import admin

from core.admin_mixins import AuditedModelAdmin
from plans.models import Initiative, Plan, TrackTarget


class TrackTargetInline(admin.TabularInline):
    model = TrackTarget
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    list_display = ["year", "period", "title", "is_draft"]
    list_filter = ["is_draft", "period"]
    search_fields = ["title", "notes", "period"]
    inlines = [TrackTargetInline]


@admin.register(Initiative)
class InitiativeAdmin(AuditedModelAdmin):
    list_display = ["title", "plan", "status", "quarters", "responsible", "updated_at"]
    list_filter = ["plan__year", "status", "tracks", "branches"]
    search_fields = ["title", "description", "evaluation"]
    filter_horizontal = ["tracks", "branches", "partners"]
    raw_id_fields = ["events", "series", "responsible"]


@admin.register(TrackTarget)
class TrackTargetAdmin(AuditedModelAdmin):
    list_display = ["plan", "track", "branch", "min_initiatives", "min_events", "min_attendance"]
    list_filter = ["plan__year", "track", "branch"]
    search_fields = ["track__name_da", "track__name_en", "branch__name"]
