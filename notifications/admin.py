from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import AuditedModelAdmin, admin_actor
from notifications import services
from notifications.models import (
    Delivery,
    DeliveryStatus,
    FeedToken,
    ReminderDefault,
    ReminderPreference,
)


@admin.register(Delivery)
class DeliveryAdmin(AuditedModelAdmin):
    """The delivery log: what was sent to whom, what is waiting, what failed and why."""

    list_display = (
        "created_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "maybe_duplicate",
        "short_error",
    )
    list_filter = ("status", "maybe_duplicate", "kind", "created_at")
    search_fields = ("recipient__email", "recipient__name", "to_email", "subject", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    actions = ["retry"]
    # ``data`` holds an account e-mail's text (its link) until it is sent: not shown.
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name != "data"]
    exclude = ("data",)

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Send again now"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = 0
        for delivery in queryset.exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.SENDING]):
            services.delivery_retry(actor=admin_actor(request), delivery=delivery)
            count += 1
        self.message_user(
            request, _("%(n)s deliveries queued again.") % {"n": count}, messages.SUCCESS
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the row is what keeps a message from being sent twice


@admin.register(ReminderDefault)
class ReminderDefaultAdmin(AuditedModelAdmin):
    """Administrators set the default lead times of each kind of reminder here."""

    list_display = ("kind", "enabled", "lead_minutes", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("kind",)

    def save_model(
        self, request: HttpRequest, obj: ReminderDefault, form: object, change: bool
    ) -> None:
        # through the service, which writes the audit row
        row = services.reminder_default_set(
            actor=admin_actor(request),
            kind=obj.kind,
            enabled=obj.enabled,
            lead_minutes=obj.lead_minutes or [],
        )
        obj.pk = row.pk


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(AuditedModelAdmin):
    list_display = ("user", "enabled", "lead_minutes", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("user__email", "user__name")
    raw_id_fields = ("user",)


@admin.register(FeedToken)
class FeedTokenAdmin(AuditedModelAdmin):
    """Only that a person has a feed link, and since when; the secret is never stored."""

    list_display = ("user", "created_at")
    search_fields = ("user__email", "user__name")
    readonly_fields = ("user", "created_at", "last_used_at")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
