"""Closing a branch at short notice, for the municipality's other systems: the preview of
what a closure touches (changing nothing), and the closure applied in one transaction
(``core.services_branch.closure_create_and_apply``). Staff of the branch only; any other
branch is a 404, as on the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import services_branch
from core.api.fields import AwareDateTimeField
from core.api.helpers import validated
from core.api.permissions import IsLibraryStaff
from core.authenticated import AuthenticatedRequest
from core.closure_apply import EventMove, closure_touched
from core.exceptions import ErrorCode, RuleViolation
from core.models import Branch
from core.selectors_branch import managed_branch_get


class ClosureInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    branch = serializers.SlugField(max_length=50)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    reason = serializers.CharField(max_length=200)


class MoveInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    event = serializers.IntegerField(min_value=1)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    room = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ClosureApplyInputSerializer(ClosureInputSerializer):
    moves = MoveInputSerializer(many=True, required=False, default=list)


class PreviewEventSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    registrations = serializers.IntegerField()
    waitlisted = serializers.IntegerField()


class PreviewOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    room_bookings = serializers.ListField(child=serializers.IntegerField())
    equipment_bookings = serializers.ListField(child=serializers.IntegerField())
    events = PreviewEventSerializer(many=True)
    shifts = serializers.ListField(child=serializers.IntegerField())


class CancelledSerializer(serializers.Serializer):  # type: ignore[type-arg]
    room_bookings = serializers.ListField(child=serializers.IntegerField())
    equipment_bookings = serializers.ListField(child=serializers.IntegerField())
    events = serializers.ListField(child=serializers.IntegerField())
    shifts = serializers.ListField(child=serializers.IntegerField())


class ClosureAppliedOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    cancelled = CancelledSerializer()
    moved = serializers.ListField(child=serializers.IntegerField())


def _input(request: AuthenticatedRequest, serializer: Any) -> tuple[Branch, dict[str, Any]]:
    data = validated(serializer, request.data)
    branch = managed_branch_get(actor=request.user, slug=data["branch"])
    if data["end"] <= data["start"]:
        raise RuleViolation(
            "end must be after start.", code=ErrorCode.END_BEFORE_START, field="end"
        )
    return branch, data


class ClosurePreviewApi(APIView):
    """What closing the branch in [start, end) would cancel; changes nothing."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=ClosureInputSerializer, responses={200: PreviewOutputSerializer})
    def post(self, request: AuthenticatedRequest) -> Response:
        branch, data = _input(request, ClosureInputSerializer)
        touched = closure_touched(branch=branch, start=data["start"], end=data["end"])
        return Response(
            {
                "room_bookings": [i["id"] for i in touched["room_bookings"]],
                "equipment_bookings": [i["id"] for i in touched["equipment_bookings"]],
                "events": [
                    {
                        "id": i["id"],
                        "registrations": i["registrations"],
                        "waitlisted": i["waitlisted"],
                    }
                    for i in touched["events"]
                ],
                "shifts": [i["id"] for i in touched["shifts"]],
            }
        )


class ClosureApplyApi(APIView):
    """Close the branch and cancel (or move) what it touches, telling everyone once: 201;
    the same closure again: 200, nothing more changed; a move onto a taken room or a closed
    time: 409, nothing changed."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(
        request=ClosureApplyInputSerializer,
        responses={201: ClosureAppliedOutputSerializer, 200: ClosureAppliedOutputSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        branch, data = _input(request, ClosureApplyInputSerializer)
        moves = [
            EventMove(event=m["event"], start=m["start"], end=m["end"], room=m.get("room"))
            for m in data["moves"]
        ]
        applied = services_branch.closure_create_and_apply(
            actor=request.user,
            branch=branch,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            moves=moves,
        )
        body = {
            "id": applied.closure.pk,
            "cancelled": {key: sorted(ids) for key, ids in applied.result.cancelled.items()},
            "moved": applied.result.moved,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if applied.created else status.HTTP_200_OK
        )
