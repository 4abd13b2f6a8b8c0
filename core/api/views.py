from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import selectors, services
from core.api import serializers
from core.api.throttles import LoginFailureThrottle
from core.exceptions import RuleViolation
from core.holidays import closed_days, public_holidays
from core.timeutils import local_today


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=serializers.RegisterInputSerializer,
        responses={201: serializers.RegisterOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = serializers.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(
            serializers.RegisterOutputSerializer(user).data, status=status.HTTP_201_CREATED
        )


class TokenApi(APIView):
    """Exchange e-mail and password for an API token; failed attempts are throttled."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LoginFailureThrottle]

    @extend_schema(
        request=serializers.TokenInputSerializer, responses={200: serializers.TokenOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = serializers.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            LoginFailureThrottle().record_failure(request, self)
            raise RuleViolation(_("Wrong e-mail address or password."), code="invalid_credentials")
        update_last_login(None, user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class BranchListApi(generics.ListAPIView):
    """Branches with their opening hours, upcoming closures and (bookmobile) stops."""

    serializer_class = serializers.BranchSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.branch_list_with_hours()

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "closures_for_all": list(selectors.closures_for_all()),
        }


class HolidayListApi(APIView):
    """Days every library is closed by the calendar in ``?year=`` (default: this year)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: serializers.HolidaySerializer(many=True)})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("year") or str(local_today().year)
        if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
            raise RuleViolation(_("year must be a year such as 2027."), field="year")
        year = int(raw)
        public = public_holidays(year)
        rows = [
            {"date": day, "name": str(name), "public_holiday": day in public}
            for day, name in closed_days(year).items()
        ]
        return Response(serializers.HolidaySerializer(rows, many=True).data)


class TrackListApi(generics.ListAPIView):
    serializer_class = serializers.TrackSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.track_list()


class AudienceListApi(generics.ListAPIView):
    serializer_class = serializers.AudienceSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.audience_list()


class PartnerListApi(generics.ListAPIView):
    serializer_class = serializers.PartnerSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.partner_list()
