"""The monthly circular: this month vs year to date, completion, rank, units that have not filed."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from publicity.models import AssessmentYear, PeriodReport, PieceStatus
from publicity.services import piece_review
from reports.circular import build_circular
from reports.workbook import MISSING_SHEET, write_circular_workbook
from scoring.stored import stored_check, stored_refresh
from units.models import Unit

from .conftest import TODAY, score_json


def unit_line(circular, name):
    return next(u for s in circular.sections for u in s.units if u.unit_name == name)


def test_month_is_the_difference_between_year_to_date_figures(scored, preset):
    june = build_circular(preset, 6)
    assert [s.kind_name for s in june.sections] == ["县区人社局", "机关科室", "局属单位"]
    hanbin = {i.code: i for i in unit_line(june, "汉滨区人社局").indicators}
    # C1: 陕西日报 on 20 May and 安康日报 on 10 June (the June draft never counts); R: reported 3 May.
    assert (hanbin["C1"].month, hanbin["C1"].ytd, hanbin["C1"].target) == (1, 2, 40)
    assert (hanbin["R"].month, hanbin["R"].ytd) == (0, 1)
    assert hanbin["C1"].rate == Decimal("0.0500")
    assert unit_line(june, "汉滨区人社局").completion == Decimal("0.0682")  # (2 + 1) / (40 + 4)
    may = {i.code: i for i in unit_line(build_circular(preset, 5), "汉滨区人社局").indicators}
    assert (may["C1"].month, may["C1"].ytd, may["R"].month) == (1, 1, 1)
    office = {i.code: i for i in unit_line(june, "办公室").indicators}
    assert (office["D1"].month, office["D1"].ytd, office["D2"].month, office["D0"].ytd) == (0, 1, 1, 2)


def test_rank_and_points_are_the_year_to_date_scores(scored, preset):
    december = build_circular(preset, 12)
    expected = {u["unit"]: (u["rank"], Decimal(u["points"])) for u in score_json()["units"]}
    got = {u.unit_name: (u.rank, u.points) for s in december.sections for u in s.units}
    assert got == expected


def test_units_that_have_not_filed_follow_the_reporting_rule(scored, preset):
    # 办公室 (department, monthly) filed May only; counties and affiliated units report once, in December.
    assert [m.unit_name for m in build_circular(preset, 6).missing] == ["办公室"]
    june = build_circular(preset, 6)
    assert june.expected == 1 and june.missing[0].due.isoformat() == "2011-07-05"
    may = build_circular(preset, 5)
    assert may.expected == 1 and may.missing == []
    december = build_circular(preset, 12)
    assert {m.unit_name for m in december.missing} == {"汉滨区人社局", "旬阳县人社局", "办公室", "市技工学校"}
    assert next(m for m in december.missing if m.unit_name == "汉滨区人社局").due.isoformat() == "2011-12-25"
    PeriodReport.objects.create(year=preset, unit=scored["a"], month=12, is_zero=False, piece_count=3)
    assert "汉滨区人社局" not in {m.unit_name for m in build_circular(preset, 12).missing}


def test_bad_month_is_refused(preset):
    with pytest.raises(ValueError, match="月份"):
        build_circular(preset, 13)


def test_circular_workbook_layout_and_figures(scored, preset):
    wb = load_workbook(io.BytesIO(write_circular_workbook(build_circular(preset, 6), today=TODAY)))
    assert wb.sheetnames == ["县区人社局", "机关科室", "局属单位", MISSING_SHEET]
    ws = wb["县区人社局"]
    assert ws["A1"].value == "安康市人力资源和社会保障局2011年6月宣传工作情况通报（县区人社局）"
    assert ws["A3"].value.startswith("截至6月30日")  # the first sheet opens with the summary paragraph
    assert [ws.cell(4, c).value for c in (1, 2, 6)] == ["单位", "C1 市级及以上媒体发稿(含局网站)", "R 专题调研文章"]
    assert [ws.cell(5, c).value for c in range(2, 6)] == ["本月", "累计", "任务", "完成率"]
    assert ws.freeze_panes == "A6" and ws.print_title_rows == "$4:$5"
    assert wb["机关科室"].freeze_panes == "A5"  # the other kinds' sheets have no summary row
    hanbin = next(r for r in ws.iter_rows(min_row=6) if r[0].value == "汉滨区人社局")
    assert [c.value for c in hanbin[1:4]] == [1, 2, 40]
    assert hanbin[4].number_format == "0.0%" and hanbin[4].value == pytest.approx(0.05)
    assert hanbin[-2].number_format == "0.00"
    total = [c.value for c in list(ws.iter_rows(min_row=ws.max_row))[0]]
    assert total[0] == "合计（2个单位）" and total[1:4] == [1, 2, 80]
    missing = wb[MISSING_SHEET]
    assert [c.value for c in missing[4]][1:3] == ["办公室", "机关科室"]


def test_circular_queries_do_not_grow_with_units(preset, kinds, make_piece):
    def add(start, stop):
        for n in range(start, stop):
            unit = Unit.objects.create(name=f"测试科{n}", kind=kinds["dept"], order=n)
            make_piece(unit, f"测试稿件{n}", [("局网站", "2011-06-05")])

    def count():
        year = AssessmentYear.objects.get(pk=preset.pk)
        stored_refresh(year)  # current, as after the background re-score of the new units' year
        with CaptureQueriesContext(connection) as ctx:
            write_circular_workbook(build_circular(year, 6), today=TODAY)
        assert stored_check(year) == []
        return len(ctx.captured_queries)

    add(0, 5)
    small = count()
    add(5, 50)
    assert count() == small <= 11


@pytest.mark.parametrize("month", [1, 5, 6, 12])
def test_the_stored_circular_is_the_live_one_to_the_fen(scored, preset, users, make_piece, month):
    """Read from the stored month-end rows, the circular says exactly what re-scoring the year says, also
    after an approval and a rejection moved them (each in its own transaction, no background run)."""
    a, dept = scored["a"], scored["dept"]
    waiting = make_piece(a, "汉滨区社保待遇调整", [("陕西日报", "2011-05-21")], status=PieceStatus.SUBMITTED)
    refused = make_piece(dept, "办公室值班安排", [("局网站", "2011-01-09")], status=PieceStatus.SUBMITTED)
    build_circular(preset, month)  # the first read stores the year
    piece_review(actor=users["reviewer"], piece=waiting, approve=True)
    piece_review(actor=users["reviewer"], piece=refused, approve=False, reason="佐证不清")

    def figures(circular):
        return [
            (s.kind_name, u.unit_name, u.rank, u.kind_rank, u.points, u.pieces, u.completion)
            + tuple((i.code, i.target, i.month, i.ytd) for i in u.indicators)
            for s in circular.sections
            for u in s.units
        ]

    stored, live = build_circular(preset, month), build_circular(preset, month, live=True)
    assert not stored.stale
    assert figures(stored) == figures(live) and stored.summary == live.summary
    assert stored.full_score == live.full_score != ""
    if month >= 5:
        hanbin = {i.code: i.ytd for i in unit_line(stored, "汉滨区人社局").indicators}
        assert hanbin["C1"] == (3 if month >= 6 else 2)  # the approval of 21 May counts from May


def test_circular_reads_two_months_of_stored_rows_whatever_the_year(scored, preset):
    build_circular(preset, 6)
    with CaptureQueriesContext(connection) as ctx:
        build_circular(preset, 6)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "publicity_publication" not in sql and 'publicity_piece"' not in sql  # no re-scoring
    assert len(ctx.captured_queries) <= 10  # 9, + the reported-figure tasks (figures.services.year_summaries)
