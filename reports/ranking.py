"""The dashboard's ranking as a workbook: one sheet per unit kind, units ranked within their kind (county
bureaus among county bureaus), each indicator's achieved/target, the score beside its full score, the
reward. Figures: an open year's stored scores (``scoring.stored``, equal to ``year_results`` to the fen),
a closed year's snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from publicity.models import AssessmentYear
from scoring.models import ScoringPolicy, StoredIndicatorScore, StoredUnitScore
from scoring.rules import YearScore, rank_units
from scoring.services import year_results
from scoring.stored import ensure_stored
from units.models import UnitKind

from .workbook import score_header
from .xlsx import INTEGER, POINTS, YUAN, Column, GovSheet, new_workbook, save_workbook


def kind_groups(results: YearScore) -> list[tuple[str, list]]:
    """[(kind name, units ranked within the kind)] in the bureau's kind order."""
    return _kind_groups(results.units)


def _kind_groups(units) -> list[tuple[str, list]]:
    order = {name: i for i, name in enumerate(UnitKind.objects.order_by("order", "id").values_list("name", flat=True))}
    names = sorted({u.kind_name for u in units}, key=lambda n: (order.get(n, 99), n))
    return [(name, rank_units([u for u in units if u.kind_name == name])) for name in names]


@dataclass(frozen=True)
class _Stored:
    unit_id: int
    unit_name: str
    kind_name: str
    points: Decimal
    reward: Decimal
    indicators: list
    rank: int = 0


def _stored_units(year: AssessmentYear) -> tuple[list[_Stored], dict]:
    """An open year's stored scores in the order ``year_results`` ranks them (3 queries, no re-scoring)."""
    ensure_stored(year)
    indicators: dict[int, list] = {}
    for ind in StoredIndicatorScore.objects.filter(unit_score__year=year).order_by("unit_score_id", "position"):
        indicators.setdefault(ind.unit_score_id, []).append(ind)
    units = [
        _Stored(r.unit_id, r.unit_name, r.kind_name, r.points, r.reward, indicators.get(r.pk, []))
        for r in StoredUnitScore.objects.filter(year=year).order_by(
            "-points", "-reward", "kind__order", "order", "unit_id"
        )
    ]
    full = ScoringPolicy.objects.filter(year=year).values_list("full_score", flat=True).first()
    return units, {} if full is None else {"full_score": f"{full:.2f}"}


def write_ranking(year: AssessmentYear, target=None, *, today: dt.date | None = None) -> bytes | None:
    """An open year from the stored scores (``scoring.stored``), a closed one from its snapshot."""
    today = today or timezone.localdate()
    if year.is_frozen:
        results = year_results(year)
        all_units = results.units
    else:
        all_units, policy = _stored_units(year)
        results = SimpleNamespace(policy=policy)
    wb = new_workbook()
    for kind_name, units in _kind_groups(all_units) or [("考核结果", [])]:
        codes: list[tuple[str, str]] = []
        for u in units:
            for i in u.indicators:
                if (i.code, i.name) not in codes:
                    codes.append((i.code, i.name))
        columns = [Column("本类名次", 9, INTEGER), Column("单位", 24)]
        per_piece = {i.code for u in units for i in u.indicators if i.per_piece}
        for code, name in codes:
            group = f"{code} {name}"
            if code in per_piece:  # §10 per-piece item: pieces and points, no target
                columns += [Column("篇数", 7, INTEGER, group=group), Column("得分", 8, POINTS, group=group)]
                continue
            columns += [Column("完成", 7, INTEGER, group=group), Column("任务", 7, INTEGER, group=group)]
        columns += [Column(score_header(results), 12, POINTS), Column("奖励金额（元）", 14, YUAN)]
        sheet = GovSheet(
            wb,
            kind_name,
            title=f"{year.issuing_office or ''}{year.year}年度宣传工作考核排名（{kind_name}）",
            columns=columns,
            office=year.issuing_office or "",
            date=today,
            provisional=not year.is_frozen,
        )
        for u in units:
            by_code = {i.code: i for i in u.indicators}
            values: list = [u.rank, u.unit_name]
            for code, _name in codes:
                ind = by_code.get(code)
                if ind is None:
                    values += [None, None]
                elif code in per_piece:
                    values += [ind.achieved, ind.points]
                else:
                    values += [ind.achieved, ind.target]
            values += [u.points, u.reward]
            sheet.row(values)
    return save_workbook(wb, target)
