"""The API's parsers: bodies that would break a view or the database are a 400/413 here.

DRF's own JSON parser recurses once per nesting level (5,000 levels is a RecursionError,
a 500) and lets NUL bytes and lone surrogates through to PostgreSQL. These refuse, with a
400 and a sentence:

- JSON nested deeper than ``MAX_JSON_DEPTH``, counted without recursion before parsing;
- a string (or key) holding a NUL byte or a lone surrogate anywhere in the data.

Form bodies (PUT/PATCH included, which Django's middleware does not parse) get the same
character check. The size cap is Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``: DRF reads JSON
and form bodies through ``request.body``, which refuses a larger body before reading it,
and ``core.api.exceptions`` turns that refusal into a 413 with a sentence.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.utils import json

from core.middleware import has_unstorable_character, unstorable_message

MAX_JSON_DEPTH = 32  # the API's bodies nest two levels (an object of lists); 32 leaves room

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET_BYTES = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays/objects deeper than ``limit``, without recursion.

    A body with fewer opening brackets than the limit cannot be too deep (nearly every
    body). Otherwise strings are taken out (a bracket inside a string does not count) and
    the running depth over the brackets left is summed up in C (``accumulate``).
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    outside_strings = _JSON_STRING.sub("", text).encode("utf-8", "surrogatepass")
    brackets = outside_strings.translate(None, _NOT_BRACKET_BYTES)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit


def unstorable_in(data: Any) -> tuple[bool, str | None]:
    """Whether any string or key in parsed JSON is unstorable, and the top-level field it is
    under (None for a key or a body that is no object). Iterative: depth is already capped."""
    stack: list[tuple[str | None, Any]] = (
        [(str(key), value) for key, value in data.items()]
        if isinstance(data, dict)
        else [(None, data)]
    )
    if isinstance(data, dict) and any(
        isinstance(key, str) and has_unstorable_character(key) for key in data
    ):
        return True, None
    while stack:
        field, item = stack.pop()
        if isinstance(item, str):
            if has_unstorable_character(item):
                return True, field
        elif isinstance(item, dict):
            for key, value in item.items():
                if has_unstorable_character(key):
                    return True, field
                stack.append((field, value))
        elif isinstance(item, list):
            stack.extend((field, value) for value in item)
    return False, None


class SafeJSONParser(JSONParser):
    """JSON with a size cap, a depth cap and no unstorable characters (see the module)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(
                _("The body is not valid text in %(encoding)s.") % {"encoding": encoding}
            ) from error
        if json_too_deep(text):
            raise ParseError(
                _("The JSON is nested too deeply (more than %(limit)d levels).")
                % {"limit": MAX_JSON_DEPTH}
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as error:  # a safety net; the depth check comes first
            raise ParseError(_("The JSON is nested too deeply.")) from error
        except ValueError as error:
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from error
        refused, field = unstorable_in(data)
        if refused:
            raise ParseError(unstorable_message(field))
        return data


def _check_form(data: Any) -> None:
    for key, values in data.lists():
        if has_unstorable_character(key):
            raise ParseError(unstorable_message())
        if any(isinstance(v, str) and has_unstorable_character(v) for v in values):
            raise ParseError(unstorable_message(key))


class SafeFormParser(FormParser):
    """A url-encoded form without unstorable characters."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class SafeMultiPartParser(MultiPartParser):
    """A multipart form (Django's parser caps it) without unstorable characters in fields."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
