"""Reports that tell the truth (issue 12 item 4): rank within the kind where a table is per kind, the full
score beside every score, no 合计 of scores, the payout total counts pieces, a provisional mark on what an
open year makes, the circular's 文号/date/summary, one rounding of percentages, a workbook that prints."""

import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.circular import build_circular
from reports.numbers import percent_text, percent_value
from reports.pdf import circular_pdf, results_pdf
from reports.workbook import PAYOUT_SHEET, SUMMARY_SHEET, write_circular_workbook, write_year_workbook
from scoring.services import year_close, year_results

from .conftest import ARTIFACTS, TODAY

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def info_line(ws) -> str:
    return " ".join(str(c.value) for c in ws[2] if c.value)


def test_percentages_round_half_up_the_same_everywhere():
    assert percent_text(Decimal("0.1225")) == "12.3%"  # Python's default (half even) would print 12.2%
    assert percent_text(Decimal("0.0682")) == "6.8%"
    assert percent_value(Decimal("0.1225")) == Decimal("0.123")
    assert percent_text(None) == "—"


def test_circular_ranks_within_the_kind(scored, preset):
    june = build_circular(preset, 6)
    for section in june.sections:
        ranks = sorted(u.kind_rank for u in section.units)
        assert ranks[0] == 1 and max(ranks) <= len(section.units)
    office = next(u for s in june.sections for u in s.units if u.unit_name == "办公室")
    assert office.kind_rank == 1 and office.rank >= 1


def test_circular_summary_number_and_date(scored, preset):
    import datetime as dt

    june = build_circular(preset, 6, number="安人社办发〔2011〕15号", issued=dt.date(2011, 7, 5))
    assert "4个单位共计入稿件" in june.summary and "6月应报送" in june.summary
    assert "得分居前" in june.summary
    data = circular_pdf(june, today=TODAY)
    text = pdf_text(data)
    assert "安人社办发〔2011〕15号" in text and "2011年7月5日印发" in text and june.summary[:10] in text
    assert "实时计算" in text  # 2011 is open in these tests
    book = load_workbook(io.BytesIO(write_circular_workbook(june, today=TODAY)))
    first = book.worksheets[0]
    assert (
        "安人社办发〔2011〕15号" in first["A2"].value
        and "2011年7月5日" in first.cell(2, first.max_column // 2 + 1).value
    )
    assert first["A3"].value == june.summary
    headers = [c.value for c in first[5]]
    assert "本类名次" in [c.value for c in first[4]] and any("满分4.00" in str(v) for v in [c.value for c in first[4]])
    assert "完成率" in headers


def test_circular_percent_cells_hold_the_rounded_value(scored, preset):
    june = build_circular(preset, 6)
    book = load_workbook(io.BytesIO(write_circular_workbook(june, today=TODAY)))
    county = book["县区人社局"]
    row = next(r for r in county.iter_rows(values_only=True) if r[0] == "汉滨区人社局")
    assert Decimal(str(row[-3])) == Decimal("0.068")  # 综合完成率 3/44 = 6.818…% → 6.8% in PDF and Excel
    assert "6.8%" in pdf_text(circular_pdf(june, today=TODAY))


def test_workbook_has_no_total_of_scores_and_shows_the_full_score(scored, preset):
    book = load_workbook(io.BytesIO(write_year_workbook(preset, today=TODAY)))
    ws = book[SUMMARY_SHEET]
    headers = [c.value for c in ws[3]]
    col = next(i for i, h in enumerate(headers) if h and h.startswith("考核得分"))
    assert headers[col] == "考核得分（满分4.00）"
    total = [c.value for c in list(ws.iter_rows())[-1]]
    assert str(total[1]).startswith("合计") and total[col] is None and total[col + 1] is not None
    assert "实时计算，未结账" in info_line(ws)


def test_payout_total_counts_pieces_not_author_credits(scored, preset):
    book = load_workbook(io.BytesIO(write_year_workbook(preset, today=TODAY)))
    rows = list(book[PAYOUT_SHEET].iter_rows(values_only=True))
    people = [r for r in rows[3:] if isinstance(r[0], int)]
    total = next(r for r in rows if r[1] and str(r[1]).startswith("合计"))
    # 汉滨区就业工作综述 has two authors: credits add up to one more than the pieces.
    assert sum(r[3] for r in people) == total[3] + 1
    assert total[3] == len([p for p in year_results(preset).pieces.values() if p.shares])


def test_closed_year_documents_carry_no_provisional_mark(scored, preset, users):
    year_close(actor=users["bureau_admin"], year=preset)
    book = load_workbook(io.BytesIO(write_year_workbook(preset, today=TODAY)))
    assert "实时计算" not in info_line(book[SUMMARY_SHEET])
    assert "实时计算" not in pdf_text(results_pdf(preset, year_results(preset), today=TODAY))


def test_results_pdf_full_score_and_no_points_total(scored, preset):
    text = pdf_text(results_pdf(preset, year_results(preset), today=TODAY))
    assert "得分（满分4.00）" in text.replace("\n", "") and "实时计算，未结账" in text
    after_total = text.split("合计（4个单位）")[1].split("计分说明")[0]
    assert re.findall(r"\d[\d,]*\.\d\d", after_total) == ["660.00"]  # the reward total; no total of points


def test_print_header_rows_are_tall_enough(scored, preset):
    book = load_workbook(io.BytesIO(write_year_workbook(preset, today=TODAY)))
    ws = book[SUMMARY_SHEET]
    # "D1 省级及以上媒体发稿(含会议经验交流材料)" wraps to three lines over its two 7-wide columns.
    assert ws.row_dimensions[3].height >= 3 * 14
    assert ws.page_margins.footer < ws.page_margins.bottom


def test_circular_page_form(client, users, scored):
    client.force_login(users["reviewer"])
    url = reverse("reports:circular", args=[2011])
    html = client.get(url, {"month": 6, "number": "安人社办发〔2011〕15号", "date": "2011-07-05"}).content.decode()
    assert "安人社办发〔2011〕15号" in html and "得分居前" in html and "实时计算,未结账" in html
    assert "number=%E5%AE%89" in html  # the downloads carry the number and date
    response = client.get(url, {"month": 6, "date": "2011-13-45"})
    assert response.status_code == 400 and "印发日期格式应为" in response.content.decode()


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftoppm"), reason="LibreOffice/poppler")
def test_workbook_prints_in_libreoffice(scored, preset, tmp_path):
    """Convert with LibreOffice (as a clerk's WPS/LibreOffice prints it) and keep page images to look at."""
    path = tmp_path / "year.xlsx"
    write_year_workbook(preset, path, today=TODAY)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "year.pdf").read_bytes()
    text = pdf_text(pdf)
    assert "第 1 页 共" in text  # the footer is inside the printed page
    assert "省级及以上媒体发稿(含会议经验交流材料)" in text.replace("\n", "")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(tmp_path / "year.pdf"), str(ARTIFACTS / "workbook-lo")], check=True
    )
