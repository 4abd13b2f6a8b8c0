from __future__ import annotations

from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import services
from core.api.helpers import validated
from core.authenticated import AuthenticatedRequest
from core.models import User


class SessionTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="App")


class SessionTokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class SessionTokenApi(APIView):
    """An API token for the person logged in by the browser (e.g. through the library login,
    which has no password for ``POST /api/auth/token/``): an app opens the login in a web
    view, then asks here. Session only, with the CSRF token."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SessionTokenInputSerializer, responses={200: SessionTokenOutputSerializer}
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validated(SessionTokenInputSerializer, request.data)
        update_last_login(User, request.user)
        key = services.api_token_create(user=request.user, name=data["name"])
        return Response({"token": key}, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
