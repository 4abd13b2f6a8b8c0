"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset; naive input is refused rather than guessed."""

    def to_internal_value(self, value: Any) -> datetime:
        result = super().to_internal_value(value)
        if isinstance(value, str) and not (
            value.endswith("Z") or "+" in value[10:] or "-" in value[10:]
        ):
            raise serializers.ValidationError(_("Give the time with its offset, e.g. +01:00."))
        return result

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(timezone.localtime(value) if value else value)
