from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import (
    Audience,
    AuditLog,
    BookmobileStop,
    Branch,
    Closure,
    OpeningHours,
    Partner,
    Track,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["name", "email"]
    list_display = ["email", "name", "role", "language", "is_active", "date_joined"]
    list_filter = ["role", "language", "is_active", "branches"]
    search_fields = ["email", "name"]
    filter_horizontal = ["branches", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "language", "birth_date")}),
        (_("Role"), {"fields": ("role", "branches", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "last_activity")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class StopInline(admin.TabularInline):
    model = BookmobileStop
    extra = 0


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "town", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "town", "address"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, ClosureInline, StopInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes", "kind"]
    list_filter = ["branch", "kind", "weekday"]
    search_fields = ["branch__name"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["branch", "starts_on", "ends_on", "reason"]
    list_filter = ["branch"]
    search_fields = ["reason", "branch__name"]
    date_hierarchy = "starts_on"


@admin.register(BookmobileStop)
class BookmobileStopAdmin(admin.ModelAdmin):
    list_display = ["name", "weekday", "arrives", "departs", "valid_from", "valid_until"]
    list_filter = ["weekday", "branch"]
    search_fields = ["name", "place"]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name_da", "name_en", "slug", "position"]
    search_fields = ["name_da", "name_en", "slug"]
    list_filter = ["position"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name_da", "name_en", "slug", "position"]
    search_fields = ["name_da", "name_en", "slug"]
    list_filter = ["position"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_name", "contact_email"]
    list_filter = ["kind"]
    search_fields = ["name", "contact_name", "contact_email"]
    filter_horizontal = ["members"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__email", "action"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "action", "target_type", "target_id", "data"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False
