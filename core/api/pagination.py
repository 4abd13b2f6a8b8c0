from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


# Past this page number the usual way answers (an offset the database could not take is a
# page past the end: a 404, as without this paginator).
MAX_COUNTED_PAGE = 10_000_000

# load(offset, limit, with_count) -> (the shaped items, the count when with_count else None)
PageLoader = Callable[[int, int, bool], tuple[list[Any], int | None]]


class Countable(Protocol):
    def count(self) -> int: ...


class PagedItems:
    """A list answered without model objects, for ``paginated_items``: ``keys`` (a queryset,
    or anything else with a ``count()``) is what is counted, and ``load`` reads and shapes
    one page of it, with the count in the same statement when asked
    (``CountingPaginator``)."""

    def __init__(self, keys: Countable, load: PageLoader):
        self.keys = keys
        self.load = load

    def count(self) -> int:
        return self.keys.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("PagedItems is read a page (a slice) at a time")
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []  # an empty list's one page: nothing to read
        return self.load(start, stop - start, False)[0]


if TYPE_CHECKING:  # generic in the stubs only
    _Paginator = DjangoPaginator[Any]
else:
    _Paginator = DjangoPaginator


class CountingPaginator(_Paginator):
    """Django's paginator, except that for ``PagedItems`` a page given by number is read
    together with the count (one statement instead of two). Whatever that cannot answer (a
    page past the end, no items, ``?page=last``, a page that is no number) goes the usual
    way (count, validate, slice), so the page numbers, the 404s and their messages are
    Django's and DRF's."""

    def page(self, number: Any) -> Page[Any]:
        items = self.object_list
        if isinstance(items, PagedItems) and "count" not in self.__dict__:
            try:
                page = int(number)
            except (TypeError, ValueError):
                page = 0
            if 1 <= page <= MAX_COUNTED_PAGE:
                rows, count = items.load((page - 1) * self.per_page, self.per_page, True)
                if rows:
                    self.__dict__["count"] = count  # Paginator.count is a cached_property
                    return self._get_page(rows, page, self)
        return super().page(number)


class _CountingPagination(Pagination):
    django_paginator_class = CountingPaginator


def paginated_items(request: Request, view: APIView, items: PagedItems) -> Response:
    """One page of ``items``, already shaped, in ``Pagination``'s envelope."""
    paginator = _CountingPagination()
    page: list[Any] | None = paginator.paginate_queryset(items, request, view=view)  # type: ignore[arg-type]
    return paginator.get_paginated_response(page)
