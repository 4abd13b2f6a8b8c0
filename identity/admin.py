from django.contrib import admin

from core.admin_mixins import AuditedModelAdmin
from identity.models import PlatformLink


@admin.register(PlatformLink)
class PlatformLinkAdmin(AuditedModelAdmin):
    """Read-only: links are made by logging in; deleting one (audited) unlinks the login."""

    list_display = ("user", "platform", "created_at", "last_login_at")
    list_filter = ("platform",)
    search_fields = ("user__email", "user__name")
    readonly_fields = ("user", "platform", "subject", "created_at", "last_login_at")

    def has_add_permission(self, request, obj=None):
        return False
