"""The dashboard's ranking as a workbook: one sheet per unit kind, units ranked within their kind (county
bureaus among county bureaus), each indicator's achieved/target, the score beside its full score, the
reward. Figures come from ``scoring.services.year_results`` like every other document."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from publicity.models import AssessmentYear
from scoring.rules import YearScore, rank_units
from scoring.services import year_results
from units.models import UnitKind

from .workbook import score_header
from .xlsx import INTEGER, POINTS, YUAN, Column, GovSheet, new_workbook, save_workbook


def kind_groups(results: YearScore) -> list[tuple[str, list]]:
    """[(kind name, units ranked within the kind)] in the bureau's kind order."""
    order = {name: i for i, name in enumerate(UnitKind.objects.order_by("order", "id").values_list("name", flat=True))}
    names = sorted({u.kind_name for u in results.units}, key=lambda n: (order.get(n, 99), n))
    return [(name, rank_units([u for u in results.units if u.kind_name == name])) for name in names]


def write_ranking(year: AssessmentYear, target=None, *, today: dt.date | None = None) -> bytes | None:
    today = today or timezone.localdate()
    results = year_results(year)
    wb = new_workbook()
    for kind_name, units in kind_groups(results) or [("考核结果", [])]:
        codes: list[tuple[str, str]] = []
        for u in units:
            for i in u.indicators:
                if (i.code, i.name) not in codes:
                    codes.append((i.code, i.name))
        columns = [Column("本类名次", 9, INTEGER), Column("单位", 24)]
        for code, name in codes:
            group = f"{code} {name}"
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
                values += [ind.achieved, ind.target] if ind else [None, None]
            values += [u.points, u.reward]
            sheet.row(values)
    return save_workbook(wb, target)
