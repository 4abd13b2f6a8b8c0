"""The rooms API: thin views over rooms.services and rooms.selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.helpers import paginated, validated
from core.api.permissions import IsLibraryStaff
from core.exceptions import BookingConflict, ErrorCode, RuleViolation
from core.timeutils import parse_day
from rooms import selectors, services
from rooms.api import serializers as s


def _date_param(request: Request) -> date:
    """``?date=YYYY-MM-DD``: a 400 with ``detail`` when missing, not a date or out of range."""
    day = parse_day(request.query_params.get("date"), field="date")
    if day is None:
        raise RuleViolation(
            _("Give the day as ?date=YYYY-MM-DD."), field="date", code=ErrorCode.INVALID_DATE
        )
    return day


class RoomListApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(responses={200: s.RoomOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rooms = selectors.room_list(branch_slug=request.query_params.get("branch") or None)
        return paginated(request, self, rooms, s.RoomOutputSerializer)


class RoomDetailApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(responses={200: s.RoomOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.RoomOutputSerializer(selectors.room_get(pk=pk)).data)


DATE_PARAM = OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD")


class RoomAvailabilityApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(parameters=[DATE_PARAM], responses={200: s.RoomAvailabilityOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        room = selectors.room_get(pk=pk)
        day = _date_param(request)
        availability = selectors.room_availability(room=room, day=day)
        return Response(
            {
                "room": room.pk,
                "date": day.isoformat(),
                "free": s.intervals(availability.free),
                "busy": s.intervals(availability.busy),
                "closed": availability.closed_reason,
            }
        )


class BookingListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.BookingOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        bookings = selectors.booking_list_for(actor=request.user)
        if status_filter := request.query_params.get("status"):
            bookings = bookings.filter(status=status_filter)
        return paginated(request, self, bookings, s.BookingOutputSerializer)

    @extend_schema(request=s.BookingInputSerializer, responses={201: s.BookingOutputSerializer})
    def post(self, request: Request) -> Response:
        v = validated(s.BookingInputSerializer, request.data)
        repeat = v.get("repeat") or {}
        try:
            outcome = self._request(request, v, repeat)
        except (BookingConflict, RuleViolation) as error:
            nearby = isinstance(error, BookingConflict) or error.code == "outside_hours"
            if nearby and not repeat:  # offer free times nearby, computed after the lock is gone
                error.extra["suggestions"] = s.intervals(
                    selectors.suggest_free_times(room=v["room"], start=v["start"], end=v["end"])
                )
            raise
        body = dict(s.BookingOutputSerializer(outcome.first).data)
        body["bookings"] = s.BookingOutputSerializer(outcome.bookings, many=True).data
        body["skipped"] = [skipped.as_dict() for skipped in outcome.skipped]
        return Response(body, status=status.HTTP_201_CREATED)

    def _request(self, request: Request, v: dict[str, Any], repeat: dict[str, Any]) -> Any:
        return services.booking_request(
            actor=request.user,
            room=v["room"],
            start=v["start"],
            end=v["end"],
            purpose=v["purpose"],
            attendees=v["attendees"],
            partner=v.get("partner"),
            every_weeks=repeat.get("every_weeks"),
            until=repeat.get("until"),
            take_free=v["take_free"],
        )


class BookingDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.BookingOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        return Response(s.BookingOutputSerializer(booking).data)


def _many(bookings: list[Any]) -> Response:
    body = dict(s.BookingOutputSerializer(bookings[0]).data)
    if len(bookings) > 1:
        body["bookings"] = s.BookingOutputSerializer(bookings, many=True).data
    return Response(body)


class BookingCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.ReasonInputSerializer, responses={200: s.BookingOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        data = validated(s.ReasonInputSerializer, request.data)
        return _many(services.booking_cancel(actor=request.user, booking=booking, **data))


class BookingApproveApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.ReasonInputSerializer, responses={200: s.BookingOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        data = validated(s.ReasonInputSerializer, request.data)
        return _many(
            services.booking_approve(
                actor=request.user,
                booking=booking,
                whole_series=data["whole_series"],
            )
        )


class BookingRejectApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.ReasonInputSerializer, responses={200: s.BookingOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        data = validated(s.ReasonInputSerializer, request.data)
        return _many(services.booking_reject(actor=request.user, booking=booking, **data))


class BookingNoShowApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.NoShowInputSerializer, responses={200: s.BookingOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        data = validated(s.NoShowInputSerializer, request.data)
        booking = services.booking_mark_no_show(
            actor=request.user, booking=booking, no_show=data["no_show"]
        )
        return Response(s.BookingOutputSerializer(booking).data)


class EquipmentListApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(responses={200: s.EquipmentOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        items = selectors.equipment_list(branch_slug=request.query_params.get("branch") or None)
        return paginated(request, self, items, s.EquipmentOutputSerializer)


class EquipmentDetailApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(responses={200: s.EquipmentOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.EquipmentOutputSerializer(selectors.equipment_get(pk=pk)).data)


class EquipmentAvailabilityApi(APIView):
    permission_classes: list[Any] = []

    @extend_schema(
        parameters=[DATE_PARAM], responses={200: s.EquipmentAvailabilityOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        equipment = selectors.equipment_get(pk=pk)
        day = _date_param(request)
        slots = selectors.equipment_slots(equipment=equipment, day=day)
        availability = selectors.equipment_availability(equipment=equipment, day=day)
        return Response(
            {
                "equipment": equipment.pk,
                "date": day.isoformat(),
                "free": s.intervals(availability.free),
                "busy": s.intervals(availability.busy),
                "slots": [
                    {
                        "start": selectors.to_local(slot["start"]).isoformat(),
                        "end": selectors.to_local(slot["end"]).isoformat(),
                        "free": slot["free"],
                    }
                    for slot in slots
                ],
            }
        )


class EquipmentBookingListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.EquipmentBookingOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        bookings = selectors.equipment_booking_list_for(actor=request.user)
        return paginated(request, self, bookings, s.EquipmentBookingOutputSerializer)

    @extend_schema(
        request=s.EquipmentBookingInputSerializer,
        responses={201: s.EquipmentBookingOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        v = validated(s.EquipmentBookingInputSerializer, request.data)
        booking = services.equipment_booking_create(
            actor=request.user, equipment=v["equipment"], start=v["start"], end=v.get("end")
        )
        return Response(
            s.EquipmentBookingOutputSerializer(booking).data, status=status.HTTP_201_CREATED
        )


class EquipmentBookingCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.ReasonInputSerializer, responses={200: s.EquipmentBookingOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.equipment_booking_get_for(actor=request.user, pk=pk)
        data = validated(s.ReasonInputSerializer, request.data)
        booking = services.equipment_booking_cancel(
            actor=request.user, booking=booking, reason=data["reason"]
        )
        return Response(s.EquipmentBookingOutputSerializer(booking).data)


class EquipmentBookingCheckInApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.EquipmentBookingOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.equipment_booking_get_for(actor=request.user, pk=pk)
        booking = services.equipment_booking_check_in(actor=request.user, booking=booking)
        return Response(s.EquipmentBookingOutputSerializer(booking).data)


class LicenceListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [IsLibraryStaff()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        responses={200: s.LicenceOutputSerializer(many=True)},
        description="Your own licences; ``granted_by`` (a user id) only for library staff.",
    )
    def get(self, request: Request) -> Response:
        shape = (
            s.LicenceOutputSerializer
            if request.user.is_library_staff
            else s.OwnLicenceOutputSerializer
        )
        return paginated(request, self, selectors.licences_of(user=request.user), shape)

    @extend_schema(request=s.LicenceInputSerializer, responses={201: s.LicenceOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.LicenceInputSerializer, request.data)
        licence = services.licence_grant_by_staff(
            actor=request.user,
            person=data["person"],
            equipment_kind=data["equipment_kind"],
        )
        return Response(s.LicenceOutputSerializer(licence).data, status=status.HTTP_201_CREATED)


class RoomHoldApi(APIView):
    """POST /api/rooms/<id>/holds/: staff keep a room tentatively (48 hours unless ``hours``)."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.RoomHoldInputSerializer, responses={201: s.RoomHoldOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        room = selectors.room_get(pk=pk)
        data = validated(s.RoomHoldInputSerializer, request.data)
        hold = services.room_hold_create(actor=request.user, room=room, **data)
        return Response(s.RoomHoldOutputSerializer(hold).data, status=status.HTTP_201_CREATED)


class RoomHoldReleaseApi(APIView):
    """POST /api/bookings/<id>/release-hold/: staff give a tentative hold back before it ends."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=None, responses={200: s.RoomHoldOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
        hold = services.room_hold_release(actor=request.user, booking=booking)
        return Response(s.RoomHoldOutputSerializer(hold).data)
