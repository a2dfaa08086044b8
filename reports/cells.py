"""Safe cell text: the one place every writer in this app sends text through (OWASP CSV/formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be evaluated by
Excel, WPS or LibreOffice as a formula (``=HYPERLINK(...)`` in a piece title becomes a live link). Such text
is prefixed with a single quote and the cell is typed as a string, so no spreadsheet evaluates it.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Neutralise text a spreadsheet would evaluate; numbers, dates and ``None`` pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def set_safe_value(cell, value: Any) -> None:
    """Put ``value`` in an openpyxl cell; text always ends up as an inert string cell."""
    value = safe_text(value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl types a string starting with "=" as a formula; the prefix already prevents that,
        # but the explicit type keeps the guarantee if the prefix rule ever changes.
        cell.data_type = "s"
