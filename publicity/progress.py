"""Year-end projection at the current pace (liaison home). Pure Python, Decimal only.

projected achieved = floor(achieved × days in the year ÷ days elapsed), per indicator; the year's
point formula (DOMAIN §6) is then applied to the projected counts with the year's policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


def year_pace(year: int, as_of: dt.date) -> tuple[int, int]:
    """(days elapsed including as_of, days in the year), clamped to the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    total = (end - start).days + 1
    if as_of < start:
        return 0, total
    return min((as_of - start).days + 1, total), total


def scale(count: int, elapsed: int, total: int) -> int:
    if elapsed <= 0:
        return 0
    return int(Decimal(count) * total // elapsed)


@dataclass(frozen=True)
class Line:
    target: int
    achieved: int
    counts_for_penalty: bool
    is_bonus_basis: bool


@dataclass(frozen=True)
class Policy:
    full_score: Decimal
    bonus_per_piece: Decimal
    bonus_cap_ratio: Decimal
    penalty_per_piece: Decimal
    floor: Decimal


def points(lines: list[Line], bonus_base: int, policy: Policy) -> Decimal:
    """DOMAIN §6: max(floor, S − penalty·M + min(bonus·E, cap·S))."""
    missing = sum(max(0, ln.target - ln.achieved) for ln in lines if ln.counts_for_penalty)
    basis = next((ln for ln in lines if ln.is_bonus_basis), None)
    extra = min(max(0, basis.achieved - basis.target), bonus_base) if basis else 0
    bonus = min(policy.bonus_per_piece * extra, policy.bonus_cap_ratio * policy.full_score)
    value = max(policy.floor, policy.full_score - policy.penalty_per_piece * missing + bonus)
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def project(lines: list[Line], bonus_base: int, policy: Policy, elapsed: int, total: int):
    """(projected lines, projected points)."""
    projected = [
        Line(ln.target, scale(ln.achieved, elapsed, total), ln.counts_for_penalty, ln.is_bonus_basis) for ln in lines
    ]
    return projected, points(projected, scale(bonus_base, elapsed, total), policy)
