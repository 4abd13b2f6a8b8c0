"""What every ModelAdmin of Mødested shares.

- Every change made in the admin (add, change, delete, of the object and its inlines)
  writes the project's audit row (``core.services.audit_log``) in the same transaction,
  with the old and new values of the fields that changed.
- Fields whose change people would notice (a booking's or registration's state, an
  event's time, place or state, ...) are read-only (``service_fields``); they change only
  through admin actions that call the app's services (``service_action``), which keep the
  rules, write their own audit rows and send the messages.
- Objects whose deletion people would notice are not deletable (``allow_delete = False``).

An admin whose ``save_model`` calls a service instead does not call ``super().save_model``:
the service writes the audit row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, cast
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from core.contracts import AuditAction
from core.exceptions import DomainError
from core.services import audit_log

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from core.models import User

ADMIN_ADDED = AuditAction.ADMIN_ADDED
ADMIN_CHANGED = AuditAction.ADMIN_CHANGED
ADMIN_DELETED = AuditAction.ADMIN_DELETED

# Never copied into the audit log, whatever the model.
SECRET_FIELDS = frozenset({"password", "token_hash", "key", "claim_token"})


def plain(value: Any) -> Any:
    """A field value as JSON the audit log can keep (objects become their primary key)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, QuerySet):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        if value and all(isinstance(v, models.Model) for v in value):
            return sorted(items)
        return items
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(UTC).isoformat()  # one spelling per moment
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | UUID | Promise):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def _auditable(model: type[models.Model], name: str) -> bool:
    if name in SECRET_FIELDS:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False  # form-only fields such as password1/password2
    return not getattr(field, "primary_key", False)


def form_changes(form: forms.BaseForm, model: type[models.Model]) -> dict[str, Any]:
    """``{"old": {...}, "new": {...}}`` for the model fields a bound, valid form changed."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name in form.changed_data:
        if not _auditable(model, name) or name not in form.cleaned_data:
            continue
        before, after = plain(form.initial.get(name)), plain(form.cleaned_data[name])
        if before != after:
            old[name], new[name] = before, after
    return {"old": old, "new": new} if new else {}


def form_values(form: forms.BaseForm, model: type[models.Model]) -> dict[str, Any]:
    return {
        name: plain(value)
        for name, value in form.cleaned_data.items()
        if _auditable(model, name) and name != "DELETE"
    }


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's own field values (no many-to-many), for a deletion's audit row."""
    return {
        field.name: plain(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if _auditable(type(obj), field.name)
    }


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _AdminBase = _ModelAdmin  # what the mixin is mixed into
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin
    _AdminBase = object


def admin_actor(request: HttpRequest) -> User:
    """The administrator at work: the admin site lets no one else in (``core.admin_site``)."""
    return cast("User", request.user)


class AuditedAdminMixin(_AdminBase):
    """Mix into every ModelAdmin (first, before ``admin.ModelAdmin`` or a subclass of it)."""

    #: Fields only the app's services change (read-only here; use the admin actions).
    service_fields: Iterable[str] = ()
    #: False for objects whose deletion people would notice (bookings, registrations, ...).
    allow_delete: bool = True
    #: A person's own data (e-mail, name, ...): the audit row names the field, not its values,
    #: so the append-only log does not keep personal data after the person is deleted.
    personal_fields: Iterable[str] = ()

    # --- What may be changed here ---

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in self.service_fields if f not in fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and super().has_delete_permission(request, obj)

    # --- Every change leaves an audit row ---

    def _audit(
        self, request: HttpRequest, action: AuditAction, obj: Any, data: dict[str, Any]
    ) -> None:
        own = isinstance(obj, self.model)
        personal = set(self.personal_fields) if own else set()
        named = {name for values in data.values() for name in values} & personal
        if named:
            data = {
                key: {k: v for k, v in values.items() if k not in personal}
                for key, values in data.items()
            }
            data["personal_fields"] = sorted(named)
        audit_log(actor=admin_actor(request), action=action, target=obj, data=data)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        model = type(obj)
        if change:
            data = form_changes(form, model)
        else:
            data = {"new": form_values(form, model)}
        super().save_model(request, obj, form, change)
        if data:
            self._audit(request, ADMIN_CHANGED if change else ADMIN_ADDED, obj, data)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        model = formset.model
        deleted = {id(f) for f in formset.deleted_forms} if formset.can_delete else set()
        for inline in formset.initial_forms:
            obj = inline.instance
            if obj.pk is None:
                continue
            if id(inline) in deleted:
                self._audit(request, ADMIN_DELETED, obj, {"old": snapshot(obj)})
            elif inline.has_changed() and (data := form_changes(inline, model)):
                self._audit(request, ADMIN_CHANGED, obj, data)
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            self._audit(request, ADMIN_ADDED, obj, {"new": snapshot(obj)})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit(request, ADMIN_DELETED, obj, {"old": snapshot(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, ADMIN_DELETED, obj, {"old": snapshot(obj)})
            super().delete_queryset(request, queryset)


class AuditedModelAdmin(AuditedAdminMixin, _ModelAdmin):
    """The ModelAdmin every app's admin.py starts from."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the people concerned read it)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


ServiceCall = Callable[[Any, Any, dict[str, Any]], object]
AdminAction: TypeAlias = (
    "Callable[[admin.ModelAdmin[Any], HttpRequest, QuerySet[Any]], HttpResponse | None]"
)


def _error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, APIException):
        return str(error.detail)
    return str(error) or str(_("You do not have permission to do this."))


def service_action(
    *,
    name: str,
    description: StrOrPromise,
    call: ServiceCall,
    form: type[forms.Form] | None = None,
) -> AdminAction:
    """An admin action that calls a service once per selected object, as ``request.user``.

    ``call(actor, obj, data)`` calls the service (``data`` is the cleaned ``form``, if any:
    a page asks for it first, e.g. the reason a booker will read). Each call is its own
    transaction (the services are durable); a refusal (a rule, a conflict, a permission) is
    shown for that object and the others go ahead.
    """

    def action(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        data: dict[str, Any] = {}
        if form is not None:
            bound = form(request.POST) if "apply" in request.POST else form()
            if not bound.is_bound or not bound.is_valid():
                opts = modeladmin.model._meta
                context = {
                    **modeladmin.admin_site.each_context(request),
                    "title": description,
                    "opts": opts,
                    "form": bound,
                    "queryset": queryset,
                    "action_name": name,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                }
                request.current_app = modeladmin.admin_site.name
                return TemplateResponse(request, "admin/core/service_action.html", context)
            data = bound.cleaned_data
        done, refused = 0, []
        for obj in queryset:
            try:
                call(admin_actor(request), obj, data)
            except (DomainError, APIException, DjangoPermissionDenied, Http404) as error:
                refused.append(f"{obj}: {_error_text(error)}")
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request, _("Done for %(count)s.") % {"count": done}, messages.SUCCESS
            )
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)
        return None

    action.__name__ = name
    return admin.action(action, description=description, permissions=("change",))
