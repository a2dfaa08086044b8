"""A small scored 2011 year for the report tests (on the shared personas and ``make_piece``).

汉滨区人社局 (county):
  - 汉滨区就业工作综述: news, 1200 chars, 安康日报 头版头条 2011-06-10 (500) and 局网站 2011-06-11 (10)
    → reward 500 split 张三 250 / 李四 250;
  - =HYPERLINK("http://x","y"): news, 陕西日报 2011-05-20 (100), author "@王五", topic 就业创业;
  - 关于汉滨区劳动力转移的调研: research, unpublished, reported 2011-05-03;
  - a draft that never counts.
旬阳县人社局: nothing. 办公室 (department, reports monthly): 局网站 2011-06-02 (10), 省厅简报 2011-04-01
(30); filed its May report, not June's. 市技工学校 (affiliated): 双创 piece in 安康日报 2011-06-20 (20).
"""

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from publicity.models import PeriodReport, PieceKind, PieceStatus

INJECTION = '=HYPERLINK("http://x","y")'
TODAY = dt.date(2011, 12, 31)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    # A fast hasher for the dozen personas, and plain static storage (no collectstatic manifest in tests).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def scored(preset, units, make_piece):
    a, dept, aff = units["a"], units["dept"], units["aff"]
    make_piece(
        a,
        "汉滨区就业工作综述",
        [("安康日报", "2011-06-10", "headline"), ("局网站", "2011-06-11")],
        characters=1200,
        authors=("张三", "李四"),
    )
    make_piece(a, INJECTION, [("陕西日报", "2011-05-20")], authors=("@王五",), topics=("就业创业",))
    make_piece(
        a, "关于汉滨区劳动力转移的调研", kind=PieceKind.RESEARCH, report_date=dt.date(2011, 5, 3), authors=("张三",)
    )
    make_piece(a, "尚未提交的草稿", [("安康日报", "2011-06-12")], status=PieceStatus.DRAFT)
    make_piece(dept, "办公室信息工作", [("局网站", "2011-06-02")], authors=("赵六",))
    make_piece(dept, "办公室经验交流", [("省厅简报", "2011-04-01")], authors=("赵六",))
    make_piece(aff, "技工学校双创报道", [("安康日报", "2011-06-20")], topics=("双创",), authors=("孙七",))
    PeriodReport.objects.create(year=preset, unit=dept, month=5, piece_count=1)
    return units


def score_json(year: int = 2011) -> dict:
    out = io.StringIO()
    call_command("score", "--year", str(year), "--json", stdout=out)
    return json.loads(out.getvalue())


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdftotext(path: Path) -> str:
    if not shutil.which("pdftotext"):
        from tests.conftest import skip_or_fail

        skip_or_fail("poppler-utils (pdftotext) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def render_png(pdf_path: Path, stem: str, *, page: int = 1, dpi: int = 80) -> Path:
    """Render one page to test-artifacts/pdf/<stem>.png with pdftoppm so a person can look at it."""
    if not shutil.which("pdftoppm"):
        from tests.conftest import skip_or_fail

        skip_or_fail("poppler-utils (pdftoppm) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / stem
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf_path),
            str(prefix),
        ],
        check=True,
    )
    return prefix.with_suffix(".png")
