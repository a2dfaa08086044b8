"""One rounding for every document: a completion rate is shown to 0.1 %, rounded half up (四舍五入), the
same in the PDF, the workbook and on the page. The workbook stores the rounded value, so Excel, WPS and
LibreOffice display exactly the digits the PDF prints (a binary float of 0.1225 would display 12.2 %)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.001")  # 0.1 % as a fraction


def percent_value(rate: Decimal | None) -> Decimal | None:
    """0.12250 → 0.123 (to be formatted as 0.0%)."""
    return None if rate is None else Decimal(rate).quantize(PLACES, ROUND_HALF_UP)


def percent_text(rate: Decimal | None) -> str:
    """0.12250 → "12.3%"; no rate (no target) → "—"."""
    value = percent_value(rate)
    return "—" if value is None else f"{value * 100:.1f}%"
