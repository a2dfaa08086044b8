"""PDFs: Chinese text extracted back (pypdf and pdftotext), embedded font, page numbers, certificates,
and one rendered page per document in test-artifacts/pdf/ for a person to look at."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from reports import fonts
from reports.certificates import pick
from reports.circular import build_circular
from reports.pdf import Certificate, certificates_pdf, circular_pdf, numeral_date, results_pdf
from scoring.services import year_results

from .conftest import TODAY, pdf_text, pdftotext, render_png

OFFICE = "安康市人力资源和社会保障局"


def embedded_font_files(data: bytes) -> set[str]:
    """Names of the fonts whose glyphs are embedded (a FontFile2 stream, TrueType) in the PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            for f in [font] + ([d.get_object() for d in descendants] if descendants else []):
                descriptor = f.get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    names.add(str(f["/BaseFont"]))
    return names


def test_results_pdf_has_the_units_figures_and_page_numbers(scored, preset, tmp_path):
    data = results_pdf(preset, year_results(preset), today=TODAY)
    text = pdf_text(data)
    for expected in (f"{OFFICE}2011年度宣传工作考核结果", "汉滨区人社局", "旬阳县人社局", "办公室", "市技工学校"):
        assert expected in text
    assert "3.40" in text and "660.00" in text  # 办公室's points, the reward total
    assert "4.70" not in text  # no total of points (a sum of scores means nothing)
    assert "第 1 页 共 1 页" in text
    assert embedded_font_files(data), "the Chinese font must be embedded"
    path = tmp_path / "results.pdf"
    path.write_bytes(data)
    assert "市技工学校" in pdftotext(path)
    png = render_png(path, "results")
    assert png.stat().st_size > 10_000


def test_page_numbers_count_every_page():
    units = [
        SimpleNamespace(
            rank=n,
            unit_name=f"第{n}测试单位",
            kind_name="县区人社局",
            indicators=[SimpleNamespace(code="C1", name="市级及以上媒体发稿", achieved=n, target=40, per_piece=False)],
            missing=0,
            extra=0,
            points=Decimal("4.00"),
            reward=Decimal("10.00"),
        )
        for n in range(1, 91)
    ]
    year = SimpleNamespace(year=2011, issuing_office=OFFICE, is_frozen=True)
    reader = PdfReader(io.BytesIO(results_pdf(year, SimpleNamespace(units=units, policy={}), today=TODAY)))
    total = len(reader.pages)
    assert total >= 3
    for n, page in enumerate(reader.pages, 1):
        assert f"第 {n} 页 共 {total} 页" in page.extract_text()
    # The header row repeats on every page.
    assert all("奖励" in page.extract_text() and "名次" in page.extract_text() for page in reader.pages)


def test_circular_pdf_text_and_rendering(scored, preset, tmp_path):
    data = circular_pdf(build_circular(preset, 6), today=TODAY)
    text = pdf_text(data)
    assert f"{OFFICE}2011年6月宣传工作情况通报" in text
    for expected in ("县区人社局", "汉滨区人社局", "机关科室", "局属单位", "2/40", "5.0%", "未按时报送6月报表的单位"):
        assert expected in text
    assert "2011年7月5日" in text  # 办公室 has not filed June; due 5 July
    assert "第 1 页 共" in text
    assert embedded_font_files(data)
    path = tmp_path / "circular.pdf"
    path.write_bytes(data)
    assert "汉滨区人社局" in pdftotext(path)
    assert render_png(path, "circular").stat().st_size > 10_000


def test_certificates_one_per_page_with_name_citation_office_and_date(scored, preset, tmp_path):
    certs, unknown = pick(
        year_results(preset),
        unit_names=["办公室"],
        person_keys=["汉滨区人社局|张三"],
        year=2011,
        unit_honour="宣传工作先进集体",
        person_honour="优秀信息宣传员",
    )
    assert unknown == []
    data = certificates_pdf(certs, year=2011, office=OFFICE, issued=dt.date(2011, 12, 30))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    first, second = (p.extract_text().replace("\n", "").replace(" ", "") for p in reader.pages)
    assert "办公室：" in first and "宣传工作先进集体" in first and "2011年度" in first
    assert "张三同志：" in second and "汉滨区人社局" in second and "优秀信息宣传员" in second
    for page in (first, second):
        assert "荣誉证书" in page and OFFICE in page and "二〇一一年十二月三十日" in page
    assert embedded_font_files(data)
    path = tmp_path / "certificates.pdf"
    path.write_bytes(data)
    assert "张三同志" in pdftotext(path).replace(" ", "")
    assert render_png(path, "certificate", page=2).stat().st_size > 10_000


def test_pick_reports_unknown_and_accepts_a_unique_bare_name(scored, preset):
    results = year_results(preset)
    certs, unknown = pick(
        results,
        unit_names=["不存在的单位"],
        person_keys=["赵六", "无名氏"],
        year=2011,
        unit_honour="x",
        person_honour="y",
    )
    assert unknown == ["不存在的单位", "无名氏"]
    assert certs == [Certificate("赵六", "办公室", certs[0].citation)] and "被评为y" in certs[0].citation


@pytest.mark.parametrize(
    ("day", "text"), [(dt.date(2011, 12, 30), "二〇一一年十二月三十日"), (dt.date(2012, 1, 5), "二〇一二年一月五日")]
)
def test_certificate_dates_in_chinese_numerals(day, text):
    assert numeral_date(day) == text


@pytest.fixture
def fresh_font():
    fonts.cjk_font.cache_clear()
    yield
    fonts.cjk_font.cache_clear()


def test_font_prefers_the_configured_truetype_file(settings, fresh_font):
    settings.PDF_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    import os

    if not os.path.exists(settings.PDF_CJK_FONT):
        from tests.conftest import skip_or_fail

        skip_or_fail("fonts-wqy-zenhei is not installed")
    font = fonts.cjk_font()
    assert font.embedded and font.path == settings.PDF_CJK_FONT


def test_font_falls_back_to_the_cid_font_when_no_truetype_is_found(settings, fresh_font, monkeypatch):
    settings.PDF_CJK_FONT = "/nonexistent/font.ttf"
    monkeypatch.setattr(fonts, "CANDIDATES", ["/nonexistent/other.ttc"])
    font = fonts.cjk_font()
    assert font == fonts.CJKFont("STSong-Light", None, embedded=False)
    data = certificates_pdf([Certificate("办公室", "", "测试")], year=2011, office=OFFICE, issued=TODAY)
    assert "办公室" in pdf_text(data)


def test_citation_names_the_years_work_from_its_title(scored, preset):
    certs, _ = pick(year_results(preset), unit_names=["办公室"], year=2011, title=preset.title)
    assert certs[0].citation.startswith("在2011年度人力资源和社会保障宣传工作中成绩突出")
    certs, _ = pick(year_results(preset), unit_names=["办公室"], year=2011, title="")
    assert certs[0].citation.startswith("在2011年度宣传工作中成绩突出")
