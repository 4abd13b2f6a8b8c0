from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.helpers import validated
from core.api.permissions import IsLibraryStaff
from core.exceptions import PermissionDenied, RuleViolation
from plans import selectors, services
from plans.api import serializers
from plans.models import InitiativeStatus


class CoverageApi(APIView):
    """Coverage of the action plan for a year, optionally one quarter and one branch."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Four digits; default this year"),
            OpenApiParameter("quarter", int, description="1-4; default the whole year"),
            OpenApiParameter("branch", str, description="Branch slug; default all branches"),
        ],
        responses={200: serializers.CoverageDocSerializer},
    )
    def get(self, request: Request) -> Response:
        year, quarter, branch = selectors.parse_scope(
            year=request.query_params.get("year"),
            quarter=request.query_params.get("quarter"),
            branch=request.query_params.get("branch"),
        )
        cov = selectors.coverage(year=year, quarter=quarter, branch=branch)
        if (
            cov.plan is not None
            and cov.plan.is_draft
            and not selectors.can_see_drafts(request.user)
        ):
            # A draft plan's targets and initiatives are internal until it is adopted.
            raise PermissionDenied(
                _(
                    "The plan for %(year)s is still a draft; only library staff can see it. "
                    "Ask for a year whose plan is adopted."
                )
                % {"year": year}
            )
        return Response(serializers.coverage_as_dict(cov))


class PlanListApi(generics.ListAPIView):
    """All plans for library staff; adopted plans only for everyone else (drafts are internal)."""

    permission_classes = [AllowAny]
    serializer_class = serializers.PlanOutputSerializer

    def get_queryset(self) -> Any:
        return selectors.plan_list(include_drafts=selectors.can_see_drafts(self.request.user))


class InitiativeListApi(generics.ListCreateAPIView):
    """GET for everyone (filters year, track, branch, status); POST for staff of the branches."""

    serializer_class = serializers.InitiativeOutputSerializer

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsLibraryStaff()]
        return [AllowAny()]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("track", str, description="Track slug"),
            OpenApiParameter("branch", str, description="Branch slug"),
            OpenApiParameter("status", str, enum=InitiativeStatus.values),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        year, _quarter, _branch = selectors.parse_scope(year=params.get("year") or None)
        status_value = params.get("status") or None
        if status_value and status_value not in InitiativeStatus.values:
            raise RuleViolation(
                _("The status must be planned, in progress, done or dropped."), field="status"
            )
        return selectors.initiative_list(
            year=year if params.get("year") else None,
            track=params.get("track") or None,
            branch=params.get("branch") or None,
            status=status_value,
            include_drafts=selectors.can_see_drafts(self.request.user),
        )

    @extend_schema(
        request=serializers.InitiativeInputSerializer,
        responses={201: serializers.InitiativeOutputSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(serializers.InitiativeInputSerializer, request.data)
        initiative = services.initiative_create(actor=request.user, **data)
        initiative = selectors.initiative_get(pk=initiative.pk)
        return Response(
            serializers.InitiativeOutputSerializer(initiative, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class InitiativeDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        if self.request.method in {"PATCH", "PUT"}:
            return [IsLibraryStaff()]
        return [AllowAny()]

    @extend_schema(responses={200: serializers.InitiativeOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        initiative = selectors.initiative_get(
            pk=pk, include_drafts=selectors.can_see_drafts(request.user)
        )
        return Response(
            serializers.InitiativeOutputSerializer(initiative, context={"request": request}).data
        )

    @extend_schema(
        request=serializers.InitiativeInputSerializer,
        responses={200: serializers.InitiativeOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        initiative = selectors.initiative_get_for_edit(actor=request.user, pk=pk)
        data = validated(serializers.InitiativeInputSerializer, request.data, partial=True)
        services.initiative_update(actor=request.user, initiative=initiative, **data)
        initiative = selectors.initiative_get(pk=pk)
        return Response(
            serializers.InitiativeOutputSerializer(initiative, context={"request": request}).data
        )
