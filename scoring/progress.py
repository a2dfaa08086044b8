"""Year-end projection at the current pace (liaison home). Pure Python, Decimal only.

projected achieved = floor(achieved × days in the year ÷ days elapsed), per indicator (and the same
for b_P, the pieces in bonus-eligible outlets); the year's point formula (DOMAIN §6, in
``scoring.rules.points_for``) is then applied to the projected counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from scoring.rules import PolicyFact, points_for


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


def policy_from_params(params: dict[str, str]) -> PolicyFact | None:
    """The point parameters of ``YearScore.policy`` (strings) as a PolicyFact; None when unset."""
    try:
        return PolicyFact(
            full_score=Decimal(params["full_score"]),
            bonus_per_piece=Decimal(params["bonus_per_piece"]),
            bonus_cap_ratio=Decimal(params["bonus_cap_ratio"]),
            penalty_per_piece=Decimal(params["penalty_per_piece"]),
            floor=Decimal(params["floor"]),
            bonus_min_rank=0,
            bonus_category_ids=frozenset(),
        )
    except (KeyError, ArithmeticError):
        return None


@dataclass(frozen=True)
class ProjectedLine:
    code: str
    name: str
    target: int
    achieved: int
    projected: int


@dataclass(frozen=True)
class Projection:
    elapsed: int
    total: int
    lines: list[ProjectedLine]
    missing: int
    extra: int
    points: Decimal


def project(unit_score, policy: PolicyFact, elapsed: int, total: int) -> Projection:
    """Project a ``scoring.rules.UnitScore`` to the year end at the pace of ``elapsed``/``total`` days."""
    lines = [
        ProjectedLine(i.code, i.name, i.target, i.achieved, scale(i.achieved, elapsed, total))
        for i in unit_score.indicators
    ]
    missing = sum(
        max(0, ln.target - ln.projected)
        for ln, ind in zip(lines, unit_score.indicators, strict=True)
        if ind.counts_for_penalty
    )
    basis = next((ln for ln, ind in zip(lines, unit_score.indicators, strict=True) if ind.is_bonus_basis), None)
    bonus_base = scale(unit_score.bonus_base, elapsed, total)
    extra = min(max(0, basis.projected - basis.target), bonus_base) if basis else 0
    # Reported figures (发行征订) do not grow with the days: their items count as they stand.
    points = points_for(policy, missing, extra)[0] + getattr(unit_score, "figure_points", 0)
    return Projection(elapsed, total, lines, missing, extra, points)
