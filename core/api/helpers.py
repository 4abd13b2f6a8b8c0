"""The two steps every API view of the apps repeats, written once.

``validated`` parses a request's input with an input serializer (a 400 naming the fields
when it does not fit, through ``core.api.exceptions``); ``paginated`` answers a list as one
page of ``core.api.pagination.Pagination`` shaped by an output serializer::

    data = validated(s.ReasonInputSerializer, request.data)
    services.booking_cancel(actor=request.user, booking=booking, **data)

    return paginated(request, self, selectors.booking_list_for(actor=request.user),
                     s.BookingOutputSerializer)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from core.api.pagination import Pagination


def validated(
    serializer_class: type[BaseSerializer[Any]], data: Any, **kwargs: Any
) -> dict[str, Any]:
    """``data`` parsed by ``serializer_class`` (``partial=True``, ``context=`` pass through);
    a ``ValidationError`` (400) when it does not fit."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    result: dict[str, Any] = serializer.validated_data
    return result


def paginated(
    request: Request,
    view: APIView,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[BaseSerializer[Any]],
    *,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of ``items`` (``?page=``, ``?page_size=`` up to 200) in the
    ``{"count", "next", "previous", "results"}`` envelope."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    kwargs: dict[str, Any] = {"many": True}
    if context is not None:
        kwargs["context"] = context
    return paginator.get_paginated_response(serializer_class(page, **kwargs).data)
