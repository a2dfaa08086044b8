"""Per-piece indicators (DOMAIN §10) in the documents like any indicator (issue 15 item 4): the county_points
year of tests/scoring/test_county_points.py, end to end — the year workbook, the ranking workbook, the results
PDF, the monthly circular (page, workbook, PDF) and the dashboard show a per-piece item's pieces and points
(before and after the monthly cap where it bit), never a target of 0 or a completion rate.

The figures (worked out by hand in test_county_points.py):
  汉滨区人社局 P: March a1 5 + a2 3 + a3 5 = 13 → capped 10.00; April a4 2.00 → 4 pieces, 12.00; R 1 of 2.
  办公室 P (coefficient 1.5): April 2.25, May 4.50 → 2 pieces, 6.75.
  旬阳县人社局 P: April b2 2.00 → 1 piece, 2.00 (b1 a later duplicate claim, b3 late: both count for nothing).
  市技工学校 P: nothing → 0 pieces, 0.00.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from publicity.models import AssessmentYear
from reports.circular import build_circular
from reports.pdf import circular_pdf, results_pdf
from reports.ranking import write_ranking
from reports.workbook import DETAIL_SHEET, SUMMARY_SHEET, write_circular_workbook, write_year_workbook
from scoring.services import year_results
from tests.scoring.test_county_points import county_year, imported  # noqa: F401 (fixtures)

from .conftest import ARTIFACTS, TODAY, pdftotext

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imported")]
A, B, DEPT, AFF = "汉滨区人社局", "旬阳县人社局", "办公室", "市技工学校"


def year2012():
    return AssessmentYear.objects.get(year=2012)


def header_rows(ws, first_data: int):
    return [[c.value for c in ws[n]] for n in (first_data - 2, first_data - 1)]


def data_rows(ws):
    first = int(ws.freeze_panes[1:])
    return first, [[c.value for c in r] for r in ws.iter_rows(min_row=first)]


def test_the_year_workbook_gives_pieces_and_points_month_by_month():
    wb = load_workbook(io.BytesIO(write_year_workbook(year2012(), today=TODAY)))
    ws = wb[SUMMARY_SHEET]
    first, rows = data_rows(ws)
    top, sub = header_rows(ws, first)
    p = top.index("P 媒体发稿积分(按篇计分)")
    r = top.index("R 专题调研文章")
    assert sub[p : p + 2] == ["篇数", "得分"] and sub[r : r + 2] == ["任务", "完成"]
    got = {row[1]: (row[p], row[p + 1], row[r], row[r + 1]) for row in rows[:-1]}
    assert got == {
        A: (4, 12, 2, 1),
        DEPT: (2, 6.75, None, None),
        B: (1, 2, 2, 0),
        AFF: (0, 0, None, None),
    }
    assert ws.cell(first, p + 2).number_format == "0.00"
    assert rows[-1][p : p + 2] == [7, None]  # pieces add up; points do not

    ws = wb[DETAIL_SHEET]
    first, rows = data_rows(ws)
    header = [c.value for c in ws[first - 1]]
    assert header[2:4] == ["任务", "完成"] and header[-1] == "得分"
    hanbin_p = [row for row in rows if row[0] == A and row[1].startswith("P ")]
    assert [(row[2], row[3], row[4], row[5], row[-1]) for row in hanbin_p] == [
        (None, 4, 1, "汉滨区春风行动招聘会送岗位上门", 5),
        (None, 4, 2, "汉滨区社会保险扩面提质", 3),
        (None, 4, 3, "汉滨区技能培训助力就业", 5),
        (None, None, None, "3月小计：3篇，已封顶（封顶前13.00分）", 10),
        (None, 4, 4, "汉滨区农民工返乡创业调研", 2),
        (None, None, None, "4月小计：1篇", 2),
        (None, 4, None, "全年得分", 12),
    ]
    office = [(row[5], row[-1]) for row in rows if row[0] == DEPT]
    assert office == [
        ("办公室政务公开工作信息", 2.25),
        ("4月小计：1篇", 2.25),
        ("办公室机关作风建设经验", 4.5),
        ("5月小计：1篇", 4.5),
        ("全年得分", 6.75),
    ]
    quota = next(row for row in rows if row[0] == A and row[1].startswith("R "))
    assert (quota[2], quota[3], quota[-1]) == (2, 1, None)  # a quota indicator keeps its target, no points
    assert not any(row[2] == 0 for row in rows)  # never a "target 0"


def test_the_ranking_workbook_and_the_results_pdf(tmp_path):
    year = year2012()
    ws = load_workbook(io.BytesIO(write_ranking(year, today=TODAY)))["县区人社局"]
    first, rows = data_rows(ws)
    top, sub = header_rows(ws, first)
    p = top.index("P 媒体发稿积分(按篇计分)")
    assert sub[p : p + 2] == ["篇数", "得分"]
    assert [(row[1], row[p], row[p + 1]) for row in rows] == [(A, 4, 12), (B, 1, 2)]

    path = tmp_path / "results.pdf"
    path.write_bytes(results_pdf(year, year_results(year), today=TODAY))
    text = pdftotext(path)
    assert "P 媒体发稿积分(按篇计分) 4篇 12.00分；R 专题调研文章 1/2" in text
    assert "2篇 6.75分" in text and "0篇 0.00分" in text
    assert "/0" not in text


def test_the_circular_counts_and_points_this_month_and_to_date(client, users, tmp_path):
    year = year2012()
    march = build_circular(year, 3)
    (county,) = [s for s in march.sections if s.kind_name == "县区人社局"]
    assert county.per_piece_codes == {"P"}
    hanbin = {line.code: line for u in county.units if u.unit_name == A for line in u.indicators}
    p = hanbin["P"]
    assert (p.month, p.ytd, p.month_points, p.month_raw, p.ytd_points, p.capped) == (
        3,
        3,
        D("10.00"),
        D("13"),
        D("10.00"),
        True,
    )
    assert p.rate is None and p.percent == "—"
    assert [(name, code) for name, code, _ in county.capped_lines] == [(A, "P")]
    # an open year reads the stored month-end rows; re-scored live, the figures are the same
    live = build_circular(year, 3, live=True)
    assert [[u.indicators for u in s.units] for s in live.sections] == [
        [u.indicators for u in s.units] for s in march.sections
    ]
    april = build_circular(year, 4)
    lines = {(u.unit_name, line.code): line for s in april.sections for u in s.units for line in u.indicators}
    assert (lines[A, "P"].month, lines[A, "P"].month_points, lines[A, "P"].ytd, lines[A, "P"].ytd_points) == (
        1,
        D("2.00"),
        4,
        D("12.00"),
    )
    assert not lines[A, "P"].capped
    assert (lines[DEPT, "P"].month, lines[DEPT, "P"].month_points, lines[DEPT, "P"].ytd_points) == (
        1,
        D("2.25"),
        D("2.25"),
    )
    assert (lines[B, "P"].month, lines[B, "P"].month_points) == (1, D("2.00"))  # b1 (duplicate), b3 (late): nothing
    assert (lines[A, "R"].target, lines[A, "R"].ytd) == (2, 1)  # the quota indicator beside it, as before

    wb = load_workbook(io.BytesIO(write_circular_workbook(march, today=TODAY)))
    ws = wb["县区人社局"]
    first, rows = data_rows(ws)
    top, sub = header_rows(ws, first)
    col = top.index("P 媒体发稿积分(按篇计分)")
    assert sub[col : col + 4] == ["本月篇数", "累计篇数", "本月得分", "累计得分"]
    assert rows[0][0] == A and rows[0][col : col + 4] == [3, 3, 10, 10]
    assert ws.cell(first, col + 3).number_format == "0.00"
    assert rows[-1][col : col + 4] == [3, 3, None, None]
    assert "本月封顶：汉滨区人社局 P 封顶前13.00分" in ws["A2"].value

    path = tmp_path / "circular.pdf"
    path.write_bytes(circular_pdf(march, today=TODAY))
    text = pdftotext(path)
    assert "本月篇数·得分" in text and "累计得分" in text and "3 · 10.00（封顶，原" in text
    assert "P 为按篇计分指标" in text
    assert "0/2" in text  # R keeps 累计/任务
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "county_points_circular_march.pdf").write_bytes(path.read_bytes())

    client.force_login(users["bureau_admin"])
    page = client.get(reverse("reports:circular", kwargs={"year": 2012}), {"month": 3}).content.decode()
    cell = page.split('class="per-piece" data-code="P">')[1].split("</td>")[0]
    assert cell.startswith("3 · 10.00") and "(封顶，原13.00)" in cell
    assert "P 为按篇计分指标" in page
    assert ">3/0<" not in page and ">0/0<" not in page


def test_the_dashboard_and_the_pages_show_points_not_a_target(client, users, units, django_assert_max_num_queries):
    client.force_login(users["bureau_admin"])
    url = reverse("publicity:dashboard") + "?year=2012"
    client.get(url)  # stores the year's scores
    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    row = page.split(f'data-unit="{units["a"].pk}"')[1].split("</tr>")[0]
    cell = row.split('class="per-piece" data-code="P"')[1].split("</td>")[0]
    assert 'data-value="12.00"' in cell and ">12.00</strong>" in cell and "4 篇" in cell
    assert "progress" not in cell
    totals = page.split('id="kind-totals"')[1].split("</table>")[0]
    assert "P 5篇(按篇计分)" in totals and "R 1/4" in totals  # 县区人社局: 4 + 1 pieces (points are not summed)
    assert "P 2篇(按篇计分)" in totals and "P 0篇(按篇计分)" in totals

    page = client.get(reverse("reports:year", kwargs={"year": 2012})).content.decode()
    assert "P 4篇 12.00分" in page and "P 0/0" not in page and "P 4/0" not in page

    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:unit-home") + "?year=2012").content.decode()
    block = page.split('data-code="P"')[1].split('<div class="indicator"')[0]
    assert "4 篇,12.00 分" in block and "progressbar" not in block
