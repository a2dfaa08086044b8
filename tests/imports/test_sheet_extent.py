"""A stray far cell must not take the process down (issue 10 item 12, issue 11 item 7).

python-calamine builds a sheet densely up to its farthest cell: a 5 KB .xlsx whose only far cell is
XFD1048576 makes it allocate ~512 GB and the Rust allocator aborts the process. The read runs in a
subprocess here, so that a regression shows as a failed test rather than a dead test run."""

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

from sheets.extent import Extent, check_extent, xls_extents, xlsx_extents

ROOT = Path(__file__).resolve().parents[2]


def far_xlsx(path: Path, cell="XFD1048576") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "3月"
    ws.append(["单位", "标题", "作者", "稿件类型", "媒体", "刊发日期"])
    ws.append(["汉滨区人社局", "甲", "张三", "新闻稿件", "安康日报", "2011-03-05"])
    ws[cell] = " "
    wb.save(path)
    return path


def far_xls(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("汇总")
    ws.write(0, 0, "单位")
    ws.write(65535, 255, "x")
    wb.save(str(path))
    return path


READ = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {root!r})
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    django.setup()
    from sheets.tabular import ImportAborted, read_path
    try:
        read_path({path!r})
    except ImportAborted as exc:
        print("REFUSED", exc)
    else:
        print("READ")
    """
)


def read_in_subprocess(path: Path) -> subprocess.CompletedProcess:
    code = READ.format(root=str(ROOT), path=str(path))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_xlsx_with_a_cell_at_xfd1048576_is_refused_and_the_process_survives(tmp_path):
    path = far_xlsx(tmp_path / "far.xlsx")
    assert path.stat().st_size < 10_000
    done = read_in_subprocess(path)
    assert done.returncode == 0, done.stderr[-2000:]  # an abort would be -6 (SIGABRT)
    assert "REFUSED" in done.stdout
    assert "工作表「3月」的使用范围到第1048576行、第16384列(XFD1048576)" in done.stdout
    assert "超过导入上限(200000行、200列" in done.stdout
    assert "删除数据下方多余的行和右侧多余的列" in done.stdout


def test_xls_with_a_cell_at_iv65536_is_refused_before_the_reader_builds_it(tmp_path):
    path = far_xls(tmp_path / "far.xls")
    done = read_in_subprocess(path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "工作表「汇总」的使用范围到第65536行、第256列(IV65536)" in done.stdout


def test_extent_of_ordinary_sheets_is_their_farthest_cell(tmp_path):
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1月"
    ws.append(["a", "b", "c"])
    ws["E7"] = 1
    ws.merge_cells("A2:A3")
    wb.create_sheet("2月")["B2"] = "x"
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as zf:
        assert xlsx_extents(zf) == [Extent("1月", 7, 5), Extent("2月", 2, 2)]


def test_xls_extent_reads_sheet_names_and_cells(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    wb.add_sheet("1月").write(4, 2, "x")
    wb.add_sheet("2月").write(0, 0, "y")
    path = tmp_path / "two.xls"
    wb.save(str(path))
    assert xls_extents(path.read_bytes()) == [Extent("1月", 5, 3), Extent("2月", 1, 1)]


def test_limits_come_from_settings(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS = 100, 10, 500
    check_extent(Extent("s", 100, 5))
    for extent in (Extent("s", 101, 1), Extent("s", 1, 11), Extent("s", 60, 10)):
        with pytest.raises(Exception, match="超过导入上限"):
            check_extent(extent)


def test_a_sheet_over_the_row_limit_is_refused_in_process(tmp_path, settings):
    from sheets.tabular import ImportAborted, read_path

    settings.IMPORT_MAX_ROWS = 50
    path = far_xlsx(tmp_path / "rows.xlsx", cell="A51")
    with pytest.raises(ImportAborted, match="第51行"):
        read_path(str(path))
    settings.IMPORT_MAX_ROWS = 51
    assert read_path(str(path))[0].name == "3月"


def test_cells_written_without_references_are_counted_in_order(tmp_path):
    import re
    import zipfile

    src = far_xlsx(tmp_path / "src.xlsx", cell="C3")
    out = tmp_path / "noref.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", body)  # cells without r=, rows keep theirs
            zout.writestr(info, body)
    with zipfile.ZipFile(out) as zf:
        (extent,) = xlsx_extents(zf)
    assert (extent.rows, extent.columns) == (3, 6)  # row 1 has six cells in order; C3 alone reads as A3


# --- .ods (LibreOffice's own format; WPS can save it too) ---------------------------------------------------

ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 office:version="1.2"><office:body><office:spreadsheet>
<table:table table:name="3月">
<table:table-row><table:table-cell office:value-type="string"><text:p>单位</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>标题</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>汉滨区人社局</text:p></table:table-cell>
<table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="float" office:value="1"/>
</table:table-row>
{far}
<table:table-row table:number-rows-repeated="5"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="空表"><table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"""

FAR_ROWS = (
    '<table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="2"/>'
    '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
    '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
)


def ods_file(path: Path, far: str = "") -> Path:
    import zipfile

    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", ODS_CONTENT.format(far=far))
    return path


def test_ods_extent_sums_repeated_rows_and_columns_and_ignores_empty_ones(tmp_path):
    import zipfile

    from sheets.extent import ods_extents

    with zipfile.ZipFile(ods_file(tmp_path / "near.ods")) as zf:
        # B… the value sits after 1 + 3 empty columns: column 5; empty repeated rows and tables reach nothing
        assert ods_extents(zf) == [Extent("3月", 2, 5), Extent("空表", 0, 0)]
    with zipfile.ZipFile(ods_file(tmp_path / "far.ods", FAR_ROWS)) as zf:
        assert ods_extents(zf)[0] == Extent("3月", 1048576, 16384)


def test_ods_with_a_far_cell_is_refused_and_the_process_survives(tmp_path):
    path = ods_file(tmp_path / "far.ods", FAR_ROWS)
    assert path.stat().st_size < 10_000
    done = read_in_subprocess(path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "工作表「3月」的使用范围到第1048576行、第16384列(XFD1048576)" in done.stdout
