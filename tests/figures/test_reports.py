"""The year workbook's 报送数据任务 sheet and the circular's figures, read back."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.circular import build_circular
from reports.workbook import FIGURES_SHEET, MISSING_SHEET, SHEETS, write_circular_workbook, write_year_workbook

pytestmark = pytest.mark.django_db


def _rows(ws):
    return [r for r in ws.iter_rows(values_only=True) if r and r[0] == "安康日报征订"]


def test_the_year_workbook_has_its_own_sheet(year, task, reported, units):
    reported("a", 47, approve=True)
    reported("b", 55)
    wb = load_workbook(io.BytesIO(write_year_workbook(year)))
    assert wb.sheetnames == [*SHEETS, FIGURES_SHEET]
    rows = {r[1]: r for r in _rows(wb[FIGURES_SHEET])}
    a, b = rows["汉滨区人社局"], rows["旬阳县人社局"]
    assert (a[3], a[4], a[5], a[6], Decimal(str(a[8]))) == (50, 47, "已通过", 47, Decimal("0.85"))
    assert (b[4], b[5], b[6]) == (55, "待审核", None)
    total = next(r for r in wb[FIGURES_SHEET].iter_rows(values_only=True) if r[0] == "安康日报征订合计")
    assert total[6] == 47 and total[4] == 102


def test_no_task_no_sheet(year):
    wb = load_workbook(io.BytesIO(write_year_workbook(year)))
    assert wb.sheetnames == SHEETS


def test_the_circular_shows_the_tasks(client, users, year, task, reported):
    reported("a", 60, approve=True)
    reported("b", 20)
    circular = build_circular(year, 6)
    [f] = circular.figures
    assert (f.approved, f.approved_units, f.pending) == (60, 1, 1)
    wb = load_workbook(io.BytesIO(write_circular_workbook(circular)))
    assert wb.sheetnames[-2:] == [MISSING_SHEET, FIGURES_SHEET]
    row = next(r for r in wb[FIGURES_SHEET].iter_rows(values_only=True) if r[0] == "安康日报征订（份）")
    assert (row[3], row[5], row[6]) == (60, 1, 1)
    client.force_login(users["reviewer"])
    page = client.get("/r/2011/circular/?month=6").content.decode()
    assert 'id="figure-tasks"' in page and "待审核 1" in page
