"""One handler for every API error: domain errors become 400/403/404/409 with a ``detail``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError, ErrorCode


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):  # request.body over DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "detail": _("The request is too large. Send less data at a time."),
                "code": ErrorCode.TOO_LARGE.value,
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        data = response.data
        if isinstance(data, dict) and "detail" not in data:
            # Keep the field errors and add one sentence a person can read.
            first = next(iter(data.items()), None)
            if first:
                field, errors = first
                message = errors[0] if isinstance(errors, list) and errors else errors
                label = "" if field == "non_field_errors" else f"{field}: "
                response.data = {"detail": f"{label}{message}", "errors": data}
        elif isinstance(data, list):
            response.data = {"detail": " ".join(str(item) for item in data), "errors": data}
    return response
