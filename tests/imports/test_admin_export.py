"""Admin exports: the statistics table's columns (so they re-import), inert formulas, bounded queries."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publicity.models import Outlet, Piece, PieceStatus, UnitTarget
from units.models import Unit

from .conftest import PIECE_HEADERS, counts, run

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def admin_client(client, users):
    admin = users["bureau_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def export(client, url):
    response = client.post(url, {"format": "0", "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    assert "spreadsheetml" in response["Content-Type"]
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_piece_export_has_the_statistics_table_columns_one_row_per_publication(admin_client, units, make_piece):
    make_piece(
        units["a"],
        "一稿两投",
        [("安康日报", "2011-03-05", "headline"), ("陕西日报", "2011-03-09")],
        authors=("张三", "李四"),
        topics=("双创",),
        characters=1200,
    )
    make_piece(units["dept"], "调研", [], kind="research", report_date=dt.date(2011, 6, 1))
    ws = export(admin_client, "/admin/publicity/piece/export/")
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == PIECE_HEADERS
    body = sorted(rows[1:], key=lambda r: (r[1], r[6] or ""))
    assert body[0][:7] == ["汉滨区人社局", "一稿两投", "张三、李四", "新闻稿件", "双创", 1200, "安康日报"]
    assert body[0][7].date() == dt.date(2011, 3, 5) and body[0][8] == "头版头条"
    assert body[1][6] == "陕西日报" and body[1][8] == "其他版面"
    assert body[2][:4] == ["办公室", "调研", "张三", "调研文章"] and body[2][6] is None
    assert body[2][7].date() == dt.date(2011, 6, 1)


def test_exported_pieces_reimport_into_an_empty_year(admin_client, units, make_piece, tmp_path):
    make_piece(units["a"], "甲", [("安康日报", "2011-03-05", "headline"), ("人民网", "2011-03-06")], topics=("双创",))
    make_piece(units["dept"], "乙", [], kind="research", report_date=dt.date(2011, 6, 1))
    response = admin_client.post("/admin/publicity/piece/export/", {"format": "0", "resource": "0"})
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    before = {(p.unit_id, p.title, p.kind, p.characters, p.report_date) for p in Piece.objects.all()}
    pubs_before = sorted(
        Piece.objects.values_list(
            "title", "publications__outlet__name", "publications__date", "publications__placement"
        )
    )
    # idempotent against the same data …
    out, _ = run("import_pieces", str(path), "--year", "2011")
    assert "无变化2条" in out
    # … and the same pieces again in an emptied year
    Piece.objects.all().delete()
    run("import_pieces", str(path), "--year", "2011", "--approve")
    assert {(p.unit_id, p.title, p.kind, p.characters, p.report_date) for p in Piece.objects.all()} == before
    assert (
        sorted(
            Piece.objects.values_list(
                "title", "publications__outlet__name", "publications__date", "publications__placement"
            )
        )
        == pubs_before
    )


def test_formula_title_comes_out_inert(admin_client, units, make_piece):
    make_piece(units["a"], FORMULA, [("安康日报", "2011-03-05")], authors=("@张三",))
    ws = export(admin_client, "/admin/publicity/piece/export/")
    title = ws.cell(row=2, column=2)
    assert title.value == FORMULA  # the text is kept as it was typed …
    assert title.data_type == "s"  # … but stored as a string, not a formula
    assert ws.cell(row=2, column=3).data_type == "s"


def test_unit_and_outlet_exports_reimport_unchanged(admin_client, units, tmp_path):
    units["b"].parent = units["a"]
    units["b"].liaison_name = "=cmd|' /C calc'!A0"
    units["b"].save()
    ws = export(admin_client, "/admin/units/unit/export/")
    assert [c.value for c in ws[1]][:6] == ["单位名称", "单位类型", "上级单位", "负责人", "联络员", "联系电话"]
    liaison = next(r[4] for r in ws.iter_rows(min_row=2) if r[0].value == "旬阳县人社局")
    assert liaison.data_type == "s"
    path = tmp_path / "units.xlsx"
    ws.parent.save(path)
    out, _ = run("import_units", str(path))
    assert "无变化4条" in out
    ws = export(admin_client, "/admin/publicity/outlet/export/")
    assert [c.value for c in ws[1]] == ["媒体名称", "级别", "类别", "别名", "网站域名", "本局网站", "启用"]
    assert ws.max_row == Outlet.objects.count() + 1


def test_target_export_is_the_allocation_table_and_reimports(admin_client, units, tmp_path):
    run_path = tmp_path / "q.xlsx"
    from .conftest import xlsx_bytes

    run_path.write_bytes(xlsx_bytes(["单位", "C1", "R", "D1"], [["汉滨区人社局", 45, 5, None], ["办公室", None, 2, 3]]))
    run("import_quotas", str(run_path), "--year", "2011")
    ws = export(admin_client, "/admin/publicity/unittarget/export/")
    header = [c.value for c in ws[1]]
    assert header[:2] == ["单位", "单位类型"] and {"C1", "R", "D1"} <= set(header)
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["汉滨区人社局"]["C1"] == 45 and rows["办公室"]["D1"] == 3 and rows["办公室"]["C1"] is None
    out_path = tmp_path / "export.xlsx"
    ws.parent.save(out_path)
    before = counts()
    out, _ = run("import_quotas", str(out_path), "--year", "2011")
    assert "无变化4条" in out and counts() == before
    assert UnitTarget.objects.count() == 4


def test_piece_export_queries_do_not_grow_with_rows(admin_client, units, make_piece):
    def measure():
        with CaptureQueriesContext(connection) as ctx:
            export(admin_client, "/admin/publicity/piece/export/")
        return len(ctx.captured_queries)

    for i in range(3):
        make_piece(units["a"], f"少{i}", [("安康日报", "2011-03-05"), ("人民网", "2011-03-06")], topics=("双创",))
    few = measure()
    for i in range(20):
        make_piece(units["b"], f"多{i}", [("安康日报", "2011-04-05"), ("人民网", "2011-04-06")], topics=("双创",))
    assert measure() == few
    assert Piece.objects.filter(status=PieceStatus.APPROVED).count() == 23
    assert Unit.objects.count() == 4
