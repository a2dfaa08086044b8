"""The year-end workbook, re-opened with openpyxl: layout, figures against `score --json`, re-import."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from publicity.imports import PIECE_COLUMNS
from publicity.models import AssessmentYear, Piece
from reports.cells import safe_text
from reports.workbook import (
    DETAIL_SHEET,
    PAYOUT_SHEET,
    REWARD_SHEET,
    SHEETS,
    STATS_SHEET,
    SUMMARY_SHEET,
    write_year_workbook,
)
from units.models import Unit

from .conftest import INJECTION, TODAY, score_json

OFFICE = "安康市人力资源和社会保障局"


def dec(value) -> Decimal:
    """A number read back from the workbook (a float) as the two-place Decimal the scores are."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def open_workbook(year):
    return load_workbook(io.BytesIO(write_year_workbook(year, today=TODAY)))


def body_rows(ws, first=None):
    """Data rows under the header (header is 1 or 2 rows, found from the frozen pane)."""
    first = first or int(ws.freeze_panes[1:])
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


@pytest.fixture
def wb(scored, preset):
    return open_workbook(preset)


def test_sheets_titles_and_government_layout(wb):
    assert wb.sheetnames == SHEETS
    assert wb[SUMMARY_SHEET]["A1"].value == f"{OFFICE}2011年度宣传工作考核汇总表"
    assert wb[STATS_SHEET]["A1"].value == "2011年度刊发新闻稿件统计表"
    for ws in wb:
        assert f"A1:{get_column_letter(ws.max_column)}1" in {str(r) for r in ws.merged_cells.ranges}, ws.title
        assert ws["A1"].font.b and ws["A1"].font.sz >= 16
        info = " ".join(str(c.value) for c in ws[2] if c.value)
        assert OFFICE in info and "2011年12月31日" in info, ws.title
        first_data = int(ws.freeze_panes[1:])
        assert ws.freeze_panes == f"A{first_data}"
        header = [c for c in ws[first_data - 1] if c.value]  # the header's own cells (not merged-over ones)
        assert header
        assert all(c.font.b for c in header), ws.title
        assert all(c.border.left.style == "thin" and c.border.bottom.style == "thin" for c in header)
        # A4 landscape, fit to one page wide, header rows repeated on every printed page.
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
        assert ws.print_title_rows == f"$3:${first_data - 1}"
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert all(ws.column_dimensions[get_column_letter(c)].width >= 6 for c in range(1, ws.max_column + 1))


def test_summary_matches_score_json(wb):
    ws = wb[SUMMARY_SHEET]
    expected = score_json()
    rows = body_rows(ws)
    units, total = rows[:-1], rows[-1]
    assert len(units) == len(expected["units"]) == 4
    codes = [ws.cell(3, c).value.split()[0] for c in range(4, ws.max_column - 3, 2)]
    assert codes == ["C1", "R", "D1", "D2", "D0", "A1", "A2", "A3", "A4"]
    for row, unit in zip(units, expected["units"], strict=True):
        assert row[:3] == [unit["rank"], unit["unit"], unit["kind"]]
        assert row[-4:-2] == [unit["missing"], unit["extra"]]
        assert [dec(row[-2]), dec(row[-1])] == [Decimal(unit["points"]), Decimal(unit["reward"])]
        by_code = {i["code"]: i for i in unit["indicators"]}
        for n, code in enumerate(codes):
            pair = row[3 + 2 * n : 5 + 2 * n]
            assert pair == ([by_code[code]["target"], by_code[code]["achieved"]] if code in by_code else [None, None])
    # DOMAIN §6 by hand for 办公室: D1 1/2, D2 1/5, R 0/1 → M = 6, points 4 − 0.6 = 3.40; first place.
    office = next(r for r in units if r[1] == "办公室")
    assert office[0] == 1 and dec(office[-2]) == Decimal("3.40") and dec(office[-1]) == Decimal("40")
    assert total[1] == "合计（4个单位）"
    assert total[-2] is None  # no total of points: a sum of scores means nothing
    assert dec(total[-1]) == sum(Decimal(u["reward"]) for u in expected["units"]) == Decimal("660")
    assert total[3:5] == [sum(r[3] or 0 for r in units), sum(r[4] or 0 for r in units)]


def test_number_formats_for_points_and_yuan(wb):
    ws = wb[SUMMARY_SHEET]
    first = int(ws.freeze_panes[1:])
    for row in range(first, ws.max_row + 1):
        assert ws.cell(row, ws.max_column - 1).number_format == "0.00"
        assert ws.cell(row, ws.max_column).number_format == "#,##0.00"
    for name, col in [(REWARD_SHEET, 12), (PAYOUT_SHEET, 5)]:
        ws = wb[name]
        assert ws.cell(3, col).value.startswith("奖励金额")
        assert {ws.cell(r, col).number_format for r in range(4, ws.max_row)} == {"#,##0.00"}


def test_indicator_detail_lists_the_pieces_that_counted(wb):
    rows = body_rows(wb[DETAIL_SHEET])
    hanbin_c1 = [r for r in rows if r[0] == "汉滨区人社局" and r[1].startswith("C1 ")]
    assert [r[5] for r in hanbin_c1] == ["汉滨区就业工作综述", "'" + INJECTION]
    assert hanbin_c1[0][2:4] == [40, 2] and hanbin_c1[0][7] == "安康日报、局网站"
    research = [r for r in rows if r[0] == "汉滨区人社局" and r[1].startswith("R ")]
    assert [r[5] for r in research] == ["关于汉滨区劳动力转移的调研"]
    assert "尚未提交的草稿" not in {r[5] for r in rows}
    empty = [r for r in rows if r[0] == "旬阳县人社局"]
    assert empty and all(r[5] == "（无计入稿件）" and r[3] == 0 for r in empty)


def test_piece_rewards_name_the_publication_and_rule(wb):
    rows = body_rows(wb[REWARD_SHEET])
    by_title = {r[2]: r for r in rows[:-1]}
    top = by_title["汉滨区就业工作综述"]
    assert top[6:8] == [2, "安康日报"] and top[9] == "头版头条"
    assert top[10] == "安康日报头版头条1000字以上" and dec(top[11]) == Decimal("500")
    assert top[12] == "张三 250.00、李四 250.00"
    assert by_title["技工学校双创报道"][10] == "安康日报新闻稿件" and dec(by_title["技工学校双创报道"][11]) == 20
    assert by_title["关于汉滨区劳动力转移的调研"][11] == 0
    assert rows[-1][1] == "合计（6篇）" and dec(rows[-1][11]) == Decimal("660")


def test_payout_sheet_matches_people_and_has_signature_column(wb):
    ws = wb[PAYOUT_SHEET]
    assert [c.value for c in ws[3]] == ["序号", "姓名", "单位", "稿件篇数", "奖励金额（元）", "领款人签字", "备注"]
    rows = body_rows(ws)
    people = score_json()["people"]
    paid = [r for r in rows if isinstance(r[0], int)]
    expected = [(safe_text(p["name"]), p["unit"], Decimal(p["reward"])) for p in people]
    assert [(r[1], r[2], dec(r[4])) for r in paid] == expected
    assert ("'@王五", "汉滨区人社局", Decimal("100")) in expected
    total = next(r for r in rows if r[1] and str(r[1]).startswith("合计"))
    assert dec(total[4]) == sum(Decimal(p["reward"]) for p in people) == Decimal("660")
    assert any(r[0] and "经办人" in str(r[0]) for r in rows)  # sign-off line under the table


def test_statistics_sheet_has_exactly_the_import_columns(wb):
    ws = wb[STATS_SHEET]
    assert [c.value for c in ws[3]] == list(PIECE_COLUMNS)
    rows = body_rows(ws)
    assert len(rows) == 7  # one per publication + the unpublished research article; no draft
    unpublished = next(r for r in rows if r[1] == "关于汉滨区劳动力转移的调研")
    assert unpublished[6] is None and unpublished[7].date().isoformat() == "2011-05-03"
    assert unpublished[3] == "调研文章"
    injected = next(r for r in rows if r[1] == "'" + INJECTION)
    assert injected[2] == "'@王五" and injected[4] == "就业创业" and injected[6] == "陕西日报"


def test_statistics_sheet_reimports_into_an_empty_year_with_the_same_scores(scored, preset, tmp_path):
    before = score_json()
    path = tmp_path / "year.xlsx"
    call_command("export_year", "--year", "2011", "-o", str(path), stdout=io.StringIO())
    Piece.objects.filter(year=preset).delete()
    assert score_json()["units"] != before["units"]
    call_command("import_pieces", str(path), "--year", "2011", "--approve", stdout=io.StringIO())
    after = score_json()
    assert after["units"] == before["units"]
    assert after["people"] == before["people"]
    # The quoted cells come back as typed: the title and the author are the originals again.
    assert Piece.objects.filter(year=preset, title=INJECTION, authors__name="@王五").exists()


def test_query_count_does_not_grow_with_the_year(preset, kinds, make_piece):
    def add_units(start, stop):
        for n in range(start, stop):
            unit = Unit.objects.create(name=f"测试县{n}人社局", kind=kinds["county"], order=n)
            make_piece(unit, f"测试稿件{n}", [("安康日报", "2011-03-05"), ("局网站", "2011-03-06")])

    def count():
        year = AssessmentYear.objects.get(pk=preset.pk)
        with CaptureQueriesContext(connection) as ctx:
            write_year_workbook(year, today=TODAY)
        return len(ctx.captured_queries)

    add_units(0, 5)
    small = count()
    add_units(5, 50)
    assert count() == small
    assert small <= 30


def test_a_closed_year_exports_its_snapshot(scored, preset, users):
    from scoring.services import year_close

    live = body_rows(open_workbook(preset)[SUMMARY_SHEET])
    year_close(actor=users["bureau_admin"], year=preset)
    preset.refresh_from_db()
    assert preset.is_frozen
    wb = open_workbook(preset)
    assert body_rows(wb[SUMMARY_SHEET]) == live
    assert len(body_rows(wb[STATS_SHEET])) == 7
    rewards = body_rows(wb[REWARD_SHEET])
    assert rewards[-1][1] == "合计（6篇）" and dec(rewards[-1][11]) == Decimal("660")
