from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.report import quarters_text

register = template.Library()


@register.filter
def hours(value: Decimal | float | int | None) -> str:
    """Numbers and hours without needless decimals, in the active locale (6,75 and 1.234 in
    Danish)."""
    if value is None:
        return "0"
    value = Decimal(value).quantize(Decimal("0.01"))
    if value == value.to_integral():
        return number_format(int(value), force_grouping=True)
    places = 1 if value * 10 == (value * 10).to_integral() else 2
    return number_format(value, decimal_pos=places, force_grouping=True)


@register.filter
def quarters(value: list[int]) -> str:
    return quarters_text(list(value))


@register.filter
def audience_names(slugs: set[str], names: dict[str, str] | None = None) -> list[str]:
    names = names or {}
    return sorted(names.get(slug, slug) for slug in slugs)


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def initiatives_against_target(count: int, target: int | None) -> str:
    """ "5 initiatives (target: 3)", "1 initiative (target: 3, 2 missing)" – never "5 of 3"."""
    counted = ngettext("%(count)s initiative", "%(count)s initiatives", count) % {"count": count}
    if not target:
        return counted
    if count >= target:
        return _("%(counted)s (target: %(target)s)") % {"counted": counted, "target": target}
    return _("%(counted)s (target: %(target)s, %(missing)s missing)") % {
        "counted": counted,
        "target": target,
        "missing": target - count,
    }
