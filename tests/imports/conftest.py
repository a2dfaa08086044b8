"""Helpers for the import tests: real .xlsx files built with openpyxl in tmp_path."""

import datetime as dt
import io

import openpyxl
import pytest

PIECE_HEADERS = ["单位", "标题", "作者", "稿件类型", "专题", "字数", "媒体", "刊发日期", "版面", "链接"]
UNIT_HEADERS = ["单位名称", "单位类型", "上级单位", "负责人", "联络员", "联系电话"]


def xlsx_bytes(headers, rows, *, above=()) -> bytes:
    """A workbook whose active sheet has optional rows ``above`` the header, the header, then ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in above:
        ws.append(list(r))
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def xlsx(tmp_path):
    """xlsx(headers, rows, name=…) -> path of a real .xlsx file."""
    counter = iter(range(1000))

    def make(headers, rows, *, name=None, above=()):
        path = tmp_path / (name or f"t{next(counter)}.xlsx")
        path.write_bytes(xlsx_bytes(headers, rows, above=above))
        return str(path)

    return make


def piece_row(
    unit="汉滨区人社局",
    title="稿件",
    authors="张三",
    kind="新闻稿件",
    topics="",
    chars=800,
    outlet="安康日报",
    date=dt.date(2011, 3, 5),
    placement="",
    url="",
):
    return [unit, title, authors, kind, topics, chars, outlet, date, placement, url]


def counts():
    from publicity.models import Piece, PieceAuthor, Publication, UnitTarget
    from units.models import Unit

    return {
        "units": Unit.objects.count(),
        "pieces": Piece.objects.count(),
        "publications": Publication.objects.count(),
        "authors": PieceAuthor.objects.count(),
        "targets": UnitTarget.objects.count(),
    }


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # Admin pages render static URLs; the manifest storage needs collectstatic, which tests skip.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The personas are a dozen users; PBKDF2 for each would dominate these tests' time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args):
    """call_command with captured output: returns (stdout, stderr) or raises CommandError."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args) -> str:
    """Run a command that must fail; returns everything it said (errors, then the summary)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=out, stderr=err)
    return err.getvalue() + str(exc.value)
