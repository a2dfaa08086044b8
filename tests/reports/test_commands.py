"""export_year, circular and certificates: the files they write and their Chinese errors."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from .conftest import pdf_text


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_year_writes_the_workbook(scored, tmp_path):
    path = tmp_path / "2011.xlsx"
    assert "已导出" in run("export_year", "--year", "2011", "-o", str(path))
    assert load_workbook(path).sheetnames[-1] == "刊发新闻稿件统计表"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2099", "-o", "{tmp}/x.xlsx"], "2099年度不存在"),
        (["--year", "2011", "-o", "{tmp}/x.csv"], "须以 .xlsx 结尾"),
        (["--year", "2011", "-o", "{tmp}/no/such/dir/x.xlsx"], "不存在"),
    ],
)
def test_export_year_errors(preset, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("export_year", *[a.format(tmp=tmp_path) for a in args])


def test_circular_format_follows_the_extension(scored, tmp_path):
    run("circular", "--year", "2011", "--month", "6", "-o", str(tmp_path / "c.pdf"))
    run("circular", "--year", "2011", "--month", "6", "-o", str(tmp_path / "c.xlsx"))
    assert "2011年6月宣传工作情况通报" in pdf_text((tmp_path / "c.pdf").read_bytes())
    assert load_workbook(tmp_path / "c.xlsx").sheetnames[0] == "县区人社局"


@pytest.mark.parametrize(
    ("month", "output", "message"),
    [("13", "c.pdf", "月份“13”无效"), ("6", "c.docx", "须以 .pdf 或 .xlsx 结尾")],
)
def test_circular_errors(preset, tmp_path, month, output, message):
    with pytest.raises(CommandError, match=message):
        run("circular", "--year", "2011", "--month", month, "-o", str(tmp_path / output))


def test_certificates_command(scored, tmp_path):
    path = tmp_path / "cert.pdf"
    out = run(
        "certificates",
        "--year",
        "2011",
        "--unit",
        "汉滨区人社局",
        "--person",
        "张三",
        "--date",
        "2011-12-30",
        "-o",
        str(path),
    )
    assert "2 张" in out
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    assert "汉滨区人社局" in reader.pages[0].extract_text() and "张三" in reader.pages[1].extract_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "无名氏"], "没有：无名氏"),
        ([], "至少用 --unit 或 --person"),
        (["--unit", "办公室", "--date", "2011/12/30"], "落款日期"),
    ],
)
def test_certificates_errors(scored, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("certificates", "--year", "2011", *args, "-o", str(tmp_path / "c.pdf"))
    assert not (tmp_path / "c.pdf").exists()
