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


def _pdf(response, tmp_path) -> str:
    from tests.reports.conftest import pdftotext

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "c.pdf"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    return pdftotext(path)


def test_the_circular_pdf_has_the_figures_table(
    client, users, year, task, reported, units, tmp_path, django_assert_num_queries
):
    """The PDF carries the table the page and the workbook have, read back with pdftotext; the table is
    drawn from the circular already built (no query of its own)."""
    from reports.pdf import circular_pdf

    reported("a", 60, approve=True)
    reported("b", 20)
    [f] = build_circular(year, 6).figures
    client.force_login(users["reviewer"])
    text = _pdf(client.get("/r/2011/circular/6.pdf"), tmp_path)
    assert "报送数据任务完成情况" in text
    [line] = [ln.split() for ln in text.splitlines() if "安康日报征订（份）" in ln]
    # task, units taking part, target sum, approved sum, completion, approved units, waiting, not reported
    assert (f.units, f.target) == (2, 100)
    assert line == ["安康日报征订（份）", "2", "100", "60", "60.0%", "1", "1", "0"]
    circular = build_circular(year, 6)
    with django_assert_num_queries(0):
        circular_pdf(circular, io.BytesIO(), today=year_day())


def year_day():
    import datetime as dt

    return dt.date(2011, 7, 1)


def test_no_task_no_figures_table_in_the_pdf(client, users, year, tmp_path):
    client.force_login(users["reviewer"])
    assert "报送数据任务" not in _pdf(client.get("/r/2011/circular/6.pdf"), tmp_path)
