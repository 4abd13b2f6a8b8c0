"""Reads for the partner pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound
from core.models import Partner


def partner_list() -> QuerySet[Partner]:
    """Every partner, by name, with its members (two queries)."""
    return Partner.objects.prefetch_related("members").order_by("name")


def partner_get(*, pk: int) -> Partner:
    partner = Partner.objects.filter(pk=pk).first()
    if partner is None:
        raise NotFound(_("The partner does not exist."))
    return partner
