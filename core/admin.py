from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core import privacy, services
from core.admin_mixins import AuditedAdminMixin, AuditedModelAdmin, admin_actor, service_action
from core.contracts import AuditAction
from core.models import (
    Audience,
    AuditLog,
    BookmobileStop,
    Branch,
    Closure,
    OpeningHours,
    Partner,
    Role,
    Track,
    User,
)

if TYPE_CHECKING:  # generic for the type checker only
    _UserAdmin = DjangoUserAdmin[User]
    _BranchInline = admin.TabularInline[Any, Branch]
else:
    _UserAdmin = DjangoUserAdmin
    _BranchInline = admin.TabularInline

# What a person may do follows their role (core.auth.RoleBackend), not groups.
admin.site.unregister(Group)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    branches = forms.ModelMultipleChoiceField(
        label=_("branches (staff)"),
        queryset=Branch.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The branches a staff member works for and may manage."),
    )


set_role = service_action(
    name="set_role",
    description=_("Give the selected people a role (and branches)"),
    form=RoleForm,
    call=lambda actor, user, data: services.user_set_role(
        actor=actor, user=user, role=data["role"], branches=list(data["branches"])
    ),
)

delete_accounts = service_action(
    name="delete_accounts",
    description=_(
        "Delete the selected accounts (what is coming is cancelled and people are told; "
        "the past stays counted without the person)"
    ),
    call=lambda actor, user, data: privacy.account_delete_by_administrator(actor=actor, user=user),
)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, _UserAdmin):
    """People. Role, branches and the admin flags change only through the action "Give the
    selected people a role" (core.services.user_set_role, with its audit row); accounts are
    deleted by the privacy services, not here."""

    allow_delete = False
    ordering = ["name", "email"]
    list_display = ["email", "name", "role", "language", "is_active", "date_joined"]
    list_filter = ["role", "language", "is_active", "branches"]
    search_fields = ["email", "name"]
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "language", "birth_date")}),
        (_("Role"), {"fields": ("role", "branches", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "last_activity")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    service_fields = ["role", "branches", "is_staff", "is_superuser", "last_login", "date_joined"]
    personal_fields = ["email", "name", "birth_date"]
    actions = [set_role, delete_accounts]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's set-password page, with an audit row when the password was changed."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and user is not None:
                now = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
                if now != user.password:
                    services.audit_log(
                        actor=admin_actor(request),
                        action=AuditAction.USER_PASSWORD_SET_BY_ADMINISTRATOR,
                        target=user,
                        data={"usable": bool(now and not now.startswith("!"))},
                    )
        return response


class OpeningHoursInline(_BranchInline):
    model = OpeningHours
    extra = 0


class ClosureInline(_BranchInline):
    model = Closure
    extra = 0


class StopInline(_BranchInline):
    model = BookmobileStop
    extra = 0


@admin.register(Branch)
class BranchAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "town", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "town", "address"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, ClosureInline, StopInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(AuditedModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes", "kind"]
    list_filter = ["branch", "kind", "weekday"]
    search_fields = ["branch__name"]


@admin.register(Closure)
class ClosureAdmin(AuditedModelAdmin):
    list_display = ["branch", "starts_on", "ends_on", "reason"]
    list_filter = ["branch"]
    search_fields = ["reason", "branch__name"]
    date_hierarchy = "starts_on"


@admin.register(BookmobileStop)
class BookmobileStopAdmin(AuditedModelAdmin):
    list_display = ["name", "weekday", "arrives", "departs", "valid_from", "valid_until"]
    list_filter = ["weekday", "branch"]
    search_fields = ["name", "place"]


@admin.register(Track)
class TrackAdmin(AuditedModelAdmin):
    list_display = ["name_da", "name_en", "slug", "position"]
    search_fields = ["name_da", "name_en", "slug"]
    list_filter = ["position"]


@admin.register(Audience)
class AudienceAdmin(AuditedModelAdmin):
    list_display = ["name_da", "name_en", "slug", "position"]
    search_fields = ["name_da", "name_en", "slug"]
    list_filter = ["position"]


@admin.register(Partner)
class PartnerAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "contact_name", "contact_email"]
    list_filter = ["kind"]
    search_fields = ["name", "contact_name", "contact_email"]
    filter_horizontal = ["members"]
    personal_fields = ["contact_name", "contact_email", "contact_phone"]


@admin.register(AuditLog)
class AuditLogAdmin(AuditedModelAdmin):
    """Read-only for everyone, superusers too: the audit log is append-only."""

    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__email", "action"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "action", "target_type", "target_id", "data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
