"""A piece titled =HYPERLINK("http://x","y") (and a unit or author that starts with = or @) comes out
inert in every sheet of every workbook: typed as text, never as a formula."""

import io

from openpyxl import load_workbook

from reports.circular import build_circular
from reports.workbook import write_circular_workbook, write_year_workbook
from units.models import Unit

from .conftest import INJECTION, TODAY


def all_cells(wb):
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def test_every_cell_of_every_workbook_is_inert(scored, preset, kinds, make_piece):
    evil_unit = Unit.objects.create(name="=1+1县人社局", kind=kinds["dept"], order=9)
    make_piece(evil_unit, "-2+3 的报道", [("局网站", "2011-06-03")], authors=("+张",))
    workbooks = {
        "year": write_year_workbook(preset, today=TODAY),
        "circular": write_circular_workbook(build_circular(preset, 6), today=TODAY),
    }
    seen = set()
    for name, data in workbooks.items():
        wb = load_workbook(io.BytesIO(data))
        for sheet, cell in all_cells(wb):
            assert cell.data_type != "f", (name, sheet, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, sheet, cell.coordinate)
                if cell.value in ("'" + INJECTION, "'=1+1县人社局", "'-2+3 的报道", "'+张", "'@王五"):
                    seen.add((name, sheet, cell.value))
    year_sheets = {s for n, s, v in seen if n == "year" and v == "'" + INJECTION}
    assert year_sheets == {"指标完成明细", "稿件奖励明细", "刊发新闻稿件统计表"}
    assert {s for n, s, v in seen if v == "'=1+1县人社局"} == {
        "单位得分汇总",
        "指标完成明细",
        "稿件奖励明细",
        "个人奖励发放表",
        "刊发新闻稿件统计表",
        "机关科室",
        "未报送单位",
    }
    assert ("year", "个人奖励发放表", "'+张") in seen and ("year", "个人奖励发放表", "'@王五") in seen
