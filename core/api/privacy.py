"""The person's own data in the API: ``GET /api/me/export/`` and ``DELETE /api/me/``."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import privacy
from core.api.helpers import validated
from core.authenticated import AuthenticatedRequest
from core.views_privacy import export_response


class AccountDeleteInputSerializer(serializers.Serializer[None]):
    password = serializers.CharField(
        trim_whitespace=False,
        help_text="The account's password (an account without one: its e-mail address).",
    )


class MyDataExportApi(APIView):
    """Everything the libraries keep about the caller, as one JSON file (the same file as
    "Download my data" on my page)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return export_response(request.user)


class MeApi(APIView):
    """``DELETE``: delete the caller's account, confirmed by ``password`` in the JSON body.
    Coming registrations, bookings, slots and shifts are cancelled, the past is kept without
    the person, a receipt is e-mailed. 204 when done; 400 with ``code`` ``wrong_confirmation``
    or ``last_administrator`` when refused."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AccountDeleteInputSerializer, responses={204: None})
    def delete(self, request: AuthenticatedRequest) -> Response:
        data = validated(AccountDeleteInputSerializer, request.data)
        privacy.account_delete(actor=request.user, confirmation=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
