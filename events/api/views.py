"""Events API: thin views over events.services and events.selectors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import AwareDateTimeField
from core.api.helpers import paginated, validated
from core.api.pagination import PagedItems, paginated_items
from core.api.permissions import IsLibraryStaff
from core.exceptions import DomainError, PermissionDenied, RuleViolation
from core.selectors import can_manage_branch
from events import selectors, selectors_list, services
from events.api import serializers as s
from events.models import Event


def _parse_dt(value: str | None, name: str) -> Any:
    if not value:
        return None
    field = AwareDateTimeField()
    try:
        return field.to_internal_value(value)
    except Exception as error:  # DRF ValidationError: a readable 400
        raise RuleViolation(
            "%(name)s must be an ISO 8601 time with offset, e.g. 2026-12-01T10:00:00+01:00.",
            field=name,
            name=name,
        ) from error


# Ids are positive and fit the database's bigint; anything else is a typing mistake.
MAX_ID = 2**63 - 1
_ID_MESSAGE = _("%(name)s must be the id of a series, a whole number such as 12.")


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise RuleViolation(_ID_MESSAGE, field=name, name=name) from error
    if not 0 < number <= MAX_ID:
        raise RuleViolation(_ID_MESSAGE, field=name, name=name)
    return number


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn validated input into service keyword arguments."""
    out = dict(data)
    if "state" in out and out["state"] is None:
        out.pop("state")
    overflow = bool(out.pop("waitlist_overflow", False))
    chosen = tuple(out.pop("to_waitlist", None) or ())
    if overflow or chosen:
        out["room_fit"] = services.RoomFit(to_waitlist=overflow, registrations=chosen)
    return out


class EventListApi(APIView):
    permission_classes = [AllowAny]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsLibraryStaff()]
        return [AllowAny()]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in (
                "branch",
                "track",
                "audience",
                "series",
                "start_after",
                "start_before",
                "q",
            )
        ],
        responses={200: s.EventOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        # The serializer above is the schema; the answer is the same JSON shaped from plain
        # values (event_list_out): the page, its seats, tracks and audiences and the count
        # in one statement (selectors_list.event_list_page), no model object or field per row.
        p = request.query_params
        keys = selectors_list.event_list_keys(
            actor=request.user,
            branch=p.get("branch") or None,
            track=p.get("track") or None,
            audience=p.get("audience") or None,
            series=_int(p.get("series"), "series"),
            start_after=_parse_dt(p.get("start_after"), "start_after"),
            start_before=_parse_dt(p.get("start_before"), "start_before"),
            q=(p.get("q") or "").strip() or None,
        )
        now = timezone.now()

        def load(offset: int, limit: int, with_count: bool) -> tuple[list[Any], int | None]:
            rows, count = selectors_list.event_list_page(
                keys=keys, offset=offset, limit=limit, with_count=with_count
            )
            return s.event_list_out(rows, now=now), count

        return paginated_items(request, self, PagedItems(keys, load))

    @extend_schema(
        request=s.EventCreateInputSerializer, responses={201: s.StaffEventDetailOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = validated(s.EventCreateInputSerializer, request.data)
        event = services.event_create(actor=request.user, **_fields(data))
        event = selectors.event_get(actor=request.user, pk=event.pk)
        return Response(
            _event_shape(request.user, event)(event).data, status=status.HTTP_201_CREATED
        )


def _event_shape(user: Any, event: Event) -> type[serializers.Serializer]:
    """Staff of the event's branch (and administrators) also see why it is held although the
    library is closed."""
    if can_manage_branch(user=user, branch=event.branch_id):
        return s.StaffEventDetailOutputSerializer
    return s.EventDetailOutputSerializer


class EventDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        if self.request.method == "PATCH":
            return [IsLibraryStaff()]
        return [AllowAny()]

    @extend_schema(
        responses={200: s.EventDetailOutputSerializer},
        description="Staff of the event's branch also get closed_override_reason.",
    )
    def get(self, request: Request, pk: int) -> Response:
        event = selectors.event_get(actor=request.user, pk=pk)
        return Response(_event_shape(request.user, event)(event).data)

    @extend_schema(
        request=s.EventUpdateInputSerializer, responses={200: s.StaffEventDetailOutputSerializer}
    )
    def patch(self, request: Request, pk: int) -> Response:
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
        data = validated(s.EventUpdateInputSerializer, request.data)
        services.event_update(actor=request.user, event=event, **_fields(data))
        event = selectors.event_get(actor=request.user, pk=pk)
        return Response(_event_shape(request.user, event)(event).data)


class EventCancelApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.CancelInputSerializer, responses={200: s.EventDetailOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
        data = validated(s.CancelInputSerializer, request.data)
        services.event_cancel(actor=request.user, event=event, **data)
        event = selectors.event_get(actor=request.user, pk=pk)
        return Response(s.EventDetailOutputSerializer(event).data)


class EventAttendanceApi(APIView):
    """Staff or the host record the attendance of a drop-in event."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.EventAttendanceInputSerializer, responses={200: s.EventDetailOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        event = selectors.event_get_for_host(actor=request.user, pk=pk)
        data = validated(s.EventAttendanceInputSerializer, request.data)
        services.event_record_attendance(
            actor=request.user, event=event, count=data["attendance_count"]
        )
        event = selectors.event_get(actor=request.user, pk=pk)
        return Response(s.EventDetailOutputSerializer(event).data)


def _registration_shape(user: Any, event: Event) -> type[serializers.Serializer]:
    """Registrants' e-mail addresses go only to staff of the event's branch (and
    administrators); the event's volunteer host sees names (least data)."""
    if can_manage_branch(user=user, branch=event.branch_id):
        return s.StaffRegistrationOutputSerializer
    return s.HostRegistrationOutputSerializer


class EventRegistrationsApi(APIView):
    """POST: register (signed in). GET: the registrations, for staff of the branch or the host."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.RegistrationInputSerializer, responses={201: s.RegistrationCreatedSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        # The hot path when a popular event opens: the service loads the event under its
        # lock, so the event is read once. An event the person may not see is still the 404
        # of ``selectors.event_get``, before any other answer; it is asked only when the
        # answer would not be a 201.
        try:
            data = validated(s.RegistrationInputSerializer, request.data)
            reg = services.registration_create(
                actor=request.user,
                event=pk,
                seats=data["seats"],
                answers={a["question"]: a["answer"] for a in data["answers"]},
                on_behalf_of=data["on_behalf_of"] or None,
                override_reason=data["override_reason"],
            )
        except (APIException, DomainError):  # a 400 (also unreadable JSON), 403, 409, ...
            selectors.event_get(actor=request.user, pk=pk)  # "Event not found." comes first
            raise
        return Response(s.registration_out(reg), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.StaffRegistrationOutputSerializer(many=True)},
        description=(
            "Staff of the event's branch (and administrators) get every field shown. The "
            "event's volunteer host gets id, status, seats, waitlist_position, event, name, "
            "checked_in_at and cancelled_at: no e-mail addresses."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        event = selectors.event_get_for_host(actor=request.user, pk=pk)
        regs = selectors.event_registrations(event=event).select_related("event__branch")
        return Response(_registration_shape(request.user, event)(regs, many=True).data)


class SeriesListApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.SeriesCreateInputSerializer, responses={201: s.SeriesOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.SeriesCreateInputSerializer, request.data)
        series = services.series_create(actor=request.user, **_fields(data))
        ctx = {"actor": request.user, "now": timezone.now()}
        return Response(
            s.SeriesOutputSerializer(series, context=ctx).data, status=status.HTTP_201_CREATED
        )


class SeriesDetailApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(responses={200: s.SeriesOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        series = selectors.series_get_for_staff(actor=request.user, pk=pk)
        ctx = {"actor": request.user, "now": timezone.now()}
        return Response(s.SeriesOutputSerializer(series, context=ctx).data)

    @extend_schema(request=s.SeriesUpdateInputSerializer, responses={200: s.SeriesOutputSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        series = selectors.series_get_for_staff(actor=request.user, pk=pk)
        data = validated(s.SeriesUpdateInputSerializer, request.data)
        changes = _fields(data)
        if "duration_minutes" in changes:
            changes["duration"] = timedelta(minutes=changes.pop("duration_minutes"))
        series = services.series_update(actor=request.user, series=series, **changes)
        ctx = {"actor": request.user, "now": timezone.now()}
        return Response(s.SeriesOutputSerializer(series, context=ctx).data)


class RegistrationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.RegistrationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        regs = selectors.registration_list_for(user=request.user)
        return paginated(request, self, regs, s.RegistrationOutputSerializer)


class RegistrationCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.CancelInputSerializer, responses={200: s.RegistrationOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        reg = selectors.registration_get_for(actor=request.user, pk=pk)
        data = validated(s.CancelInputSerializer, request.data)
        reg = services.registration_cancel(
            actor=request.user, registration=reg, reason=data["reason"]
        )
        reg = selectors.registration_get_for(actor=request.user, pk=pk)
        return Response(s.RegistrationOutputSerializer(reg).data)


class RegistrationCheckInApi(APIView):
    """Staff of the branch (or the event's host) check a person in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: s.StaffRegistrationOutputSerializer},
        description="The event's volunteer host gets the registration without the e-mail.",
    )
    def post(self, request: Request, pk: int) -> Response:
        reg = selectors.registration_get_for(actor=request.user, pk=pk)
        if not selectors.can_host_event(user=request.user, event=reg.event):
            raise PermissionDenied()
        services.registration_check_in(actor=request.user, registration=reg)
        reg = selectors.registration_get_for(actor=request.user, pk=pk)
        return Response(_registration_shape(request.user, reg.event)(reg).data)


class EventHoldApi(APIView):
    """POST /api/events/<id>/hold/: staff keep a draft event's room (tentative hold)."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.HoldInputSerializer, responses={201: s.HoldOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
        data = validated(s.HoldInputSerializer, request.data)
        hold = services.event_hold_room(actor=request.user, event=event, hours=data["hours"])
        return Response(s.HoldOutputSerializer(hold).data, status=status.HTTP_201_CREATED)


class EventOpeningReminderApi(APIView):
    """POST (ask) or DELETE (withdraw) /api/events/<id>/opening-reminder/: be told once when
    registration opens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: s.OpeningReminderOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = selectors.event_get(actor=request.user, pk=pk)
        reminder = services.opening_reminder_request(actor=request.user, event=event)
        return Response(
            s.OpeningReminderOutputSerializer(reminder).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        event = selectors.event_get(actor=request.user, pk=pk)
        services.opening_reminder_withdraw(actor=request.user, event=event)
        return Response(status=status.HTTP_204_NO_CONTENT)
