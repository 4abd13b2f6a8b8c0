from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, logout
from django.contrib.auth.models import update_last_login
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors, services, throttling
from core.api import serializers
from core.api.helpers import validated
from core.api.throttles import refuse_while
from core.authenticated import AuthenticatedRequest
from core.exceptions import ErrorCode, RuleViolation
from core.forms import signup_sent_message
from core.holidays import closed_days, public_holidays
from core.models import ApiToken, Audience, Branch, Partner, Role, Track, User
from core.timeutils import local_today


class RegisterApi(APIView):
    """Start a sign-up: the answer is the same whether or not the address has an account.

    The address gets an e-mail: a link that finishes the sign-up for a new address, or a
    note that someone tried, with links to log in and reset the password, for a taken one.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=serializers.RegisterInputSerializer,
        responses={201: serializers.RegisterOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(serializers.RegisterInputSerializer, request.data)
        refuse_while(throttling.signup_wait(request, data["email"]))
        throttling.record_signup(request, data["email"])
        email = services.user_register(**data)
        body = {
            "email": email,
            "name": data["name"].strip(),
            "role": Role.CITIZEN,
            "detail": signup_sent_message(email),
        }
        return Response(
            serializers.RegisterOutputSerializer(body).data, status=status.HTTP_201_CREATED
        )


class TokenApi(APIView):
    """Exchange e-mail and password for a new API token (valid for ``MODESTED_API_TOKEN_DAYS``
    days, renewed on use). Failed logins are throttled per address and per account, together
    with the page and admin logins."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=serializers.TokenInputSerializer, responses={200: serializers.TokenOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = validated(serializers.TokenInputSerializer, request.data)
        email = data["email"]
        refuse_while(throttling.login_wait(request, email))
        # A wrong password is counted by core.throttling (Django's user_login_failed signal).
        user = authenticate(request, username=email, password=data["password"])
        if user is None:
            raise RuleViolation(
                _("Wrong e-mail address or password."), code=ErrorCode.INVALID_CREDENTIALS
            )
        update_last_login(User, user)
        key = services.api_token_create(user=user, name=data["name"])
        # A bearer credential: no cache may keep it (RFC 6749, section 5.1).
        return Response({"token": key}, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


class LogoutApi(APIView):
    """End the caller's API token at once (or, signed in by the browser, the session)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: AuthenticatedRequest) -> Response:
        if isinstance(request.auth, ApiToken):
            services.api_token_revoke(actor=request.user, token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BranchListApi(generics.ListAPIView[Branch]):
    """Branches with their opening hours, upcoming closures and (bookmobile) stops."""

    serializer_class = serializers.BranchSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Branch]:
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


class TrackListApi(generics.ListAPIView[Track]):
    serializer_class = serializers.TrackSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Track]:
        return selectors.track_list()


class AudienceListApi(generics.ListAPIView[Audience]):
    serializer_class = serializers.AudienceSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Audience]:
        return selectors.audience_list()


class PartnerListApi(generics.ListAPIView[Partner]):
    serializer_class = serializers.PartnerSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Partner]:
        return selectors.partner_list()
