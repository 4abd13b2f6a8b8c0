"""Staff pages to set up rooms, machines and machine licences (``/personale/lokaler/...``).

Thin views over ``rooms.services.setup`` and the licence services: staff see and change the
rooms and machines of their own branches (administrators: all); anyone else's is a 404.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.pages import error_messages, form_errors, not_found_as_404
from core.selectors import branches_managed_by
from rooms import selectors, services
from rooms.forms import EquipmentSetupForm, LicenceGrantForm, RoomSetupForm
from rooms.models import Equipment, EquipmentKind


def _staff_required(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_library_staff:
        raise DjangoPermissionDenied


@login_required
def setup_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The rooms and machines of one's branches, with links to change them."""
    _staff_required(request)
    return render(
        request,
        "rooms/setup/index.html",
        {
            "rooms": selectors.rooms_managed_by(user=request.user).order_by(
                "branch__position", "branch__name", "name"
            ),
            "machines": selectors.equipment_managed_by(user=request.user).order_by(
                "branch__position", "branch__name", "kind", "name"
            ),
        },
    )


@login_required
def room_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_required(request)
    branches = branches_managed_by(user=request.user)
    form = RoomSetupForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            room = services.room_create(
                actor=request.user, branch=form.cleaned_data["branch"], fields=form.changes()
            )
            messages.success(request, _("The room is created."))
            return redirect("rooms:setup-room-edit", pk=room.pk)
    return render(request, "rooms/setup/room_form.html", {"form": form, "room": None})


@login_required
def room_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a room's rules. "Check bookings" lists the coming bookings the new rules would
    not allow, changing nothing; "Save" saves and lists them again: they stay in place."""
    _staff_required(request)
    with not_found_as_404():
        room = selectors.room_get_for_staff(actor=request.user, pk=pk)
    form = RoomSetupForm(
        request.POST or None,
        instance=copy.copy(room),  # the form parses into a copy; the service changes the room
        branches=branches_managed_by(user=request.user),
        editing=True,
    )
    context: dict[str, Any] = {"form": form, "room": room, "breaches": None, "saved": False}
    if request.method == "POST" and form.is_valid():
        if "check" in request.POST:
            context["breaches"] = services.room_rule_breaches(room=room, changes=form.changes())
        else:
            with form_errors(form):
                change = services.room_update(actor=request.user, room=room, changes=form.changes())
                context.update(room=change.room, breaches=change.breaches, saved=True)
                messages.success(
                    request,
                    _("The room's rules are saved.")
                    if change.changed
                    else _("Nothing was changed."),
                )
    return render(request, "rooms/setup/room_form.html", context)


def _rooms_for(request: AuthenticatedHttpRequest, equipment: Equipment | None) -> object:
    rooms = selectors.rooms_managed_by(user=request.user)
    if equipment is not None:
        rooms = rooms.filter(branch_id=equipment.branch_id)
    return rooms.order_by("branch__position", "branch__name", "name")


@login_required
def equipment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_required(request)
    form = EquipmentSetupForm(
        request.POST or None,
        branches=branches_managed_by(user=request.user),
        rooms=_rooms_for(request, None),
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            equipment = services.equipment_create(
                actor=request.user, branch=form.cleaned_data["branch"], fields=form.changes()
            )
            messages.success(request, _("The machine is added."))
            return redirect("rooms:setup-equipment-edit", pk=equipment.pk)
    return render(request, "rooms/setup/equipment_form.html", {"form": form, "machine": None})


@login_required
def equipment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _staff_required(request)
    with not_found_as_404():
        equipment = selectors.equipment_get_for_staff(actor=request.user, pk=pk)
    form = EquipmentSetupForm(
        request.POST or None,
        instance=copy.copy(equipment),
        branches=branches_managed_by(user=request.user),
        rooms=_rooms_for(request, equipment),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.equipment_update(
                actor=request.user, equipment=equipment, changes=form.changes()
            )
            messages.success(request, _("The machine's rules are saved."))
            return redirect("rooms:setup-equipment-edit", pk=equipment.pk)
    return render(request, "rooms/setup/equipment_form.html", {"form": form, "machine": equipment})


@login_required
def licences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who holds which licence (kørekort), for the machine kinds of one's branches; grant
    (through the makerspace's own form handler) and revoke."""
    _staff_required(request)
    kinds = selectors.licence_kinds_managed_by(user=request.user)
    form = LicenceGrantForm()
    kind_field = cast(forms.ChoiceField, form.fields["equipment_kind"])
    kind_field.choices = [(v, label) for v, label in EquipmentKind.choices if v in kinds]
    return render(
        request,
        "rooms/setup/licences.html",
        {"licences": selectors.licence_holders(user=request.user), "form": form, "kinds": kinds},
    )


@login_required
@require_POST
def licence_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404():
        licence = selectors.licence_get_for_staff(actor=request.user, pk=pk)
    with error_messages(request):
        services.licence_revoke(actor=request.user, licence=licence)
        messages.success(
            request,
            _("%(name)s no longer holds the licence for %(kind)s.")
            % {
                "name": licence.person.name or licence.person.email,
                "kind": licence.get_equipment_kind_display(),
            },
        )
    return redirect("rooms:setup-licences")
