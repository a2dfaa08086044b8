"""Admin list pages make a fixed number of queries: 5 rows or 50, the count is the same."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publicity.models import Indicator, Outlet, Piece, PieceAuthor, PieceStatus, Publication, UnitTarget
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    admin = users["bureau_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_units(kinds, n, start):
    parent = Unit.objects.order_by("id").first()
    return Unit.objects.bulk_create(
        [Unit(name=f"单位{start + i}", kind=kinds["affiliated"], parent=parent, liaison_name="某") for i in range(n)]
    )


def add_pieces(preset, units, outlets, n, start):
    pieces = Piece.objects.bulk_create(
        [
            Piece(year=preset, unit=units[i % len(units)], title=f"稿件{start + i}", status=PieceStatus.SUBMITTED)
            for i in range(n)
        ]
    )
    PieceAuthor.objects.bulk_create([PieceAuthor(piece=p, position=1, name="张三") for p in pieces])
    Publication.objects.bulk_create(
        [Publication(piece=p, outlet=outlets["安康日报"], date=dt.date(2011, 3, 5)) for p in pieces]
        + [Publication(piece=p, outlet=outlets["人民网"], date=dt.date(2011, 3, 6)) for p in pieces]
    )


def test_unit_list(admin_client, kinds):
    add_units(kinds, 5, 0)
    few = queries(admin_client, "/admin/units/unit/")
    add_units(kinds, 45, 5)
    assert queries(admin_client, "/admin/units/unit/") == few


def test_outlet_list(admin_client, outlets, preset):
    few = queries(admin_client, "/admin/publicity/outlet/")
    level, category = outlets["安康日报"].level, outlets["安康日报"].category
    Outlet.objects.bulk_create([Outlet(name=f"媒体{i}", level=level, category=category) for i in range(45)])
    assert queries(admin_client, "/admin/publicity/outlet/") == few


def test_unit_target_list(admin_client, kinds, preset):
    indicators = list(Indicator.objects.filter(unit_kind=kinds["affiliated"]))
    small = add_units(kinds, 1, 0)
    UnitTarget.objects.bulk_create([UnitTarget(unit=u, indicator=i, target=3) for u in small for i in indicators])
    few = queries(admin_client, "/admin/publicity/unittarget/")
    more = add_units(kinds, 9, 1)
    UnitTarget.objects.bulk_create([UnitTarget(unit=u, indicator=i, target=3) for u in more for i in indicators])
    assert UnitTarget.objects.count() == 50
    assert queries(admin_client, "/admin/publicity/unittarget/") == few


def test_piece_and_publication_lists(admin_client, units, outlets, preset):
    unit_list = list(units.values())
    add_pieces(preset, unit_list, outlets, 5, 0)
    few_pieces = queries(admin_client, "/admin/publicity/piece/")
    few_pubs = queries(admin_client, "/admin/publicity/publication/")
    add_pieces(preset, unit_list, outlets, 45, 5)
    assert Publication.objects.count() == 100
    assert queries(admin_client, "/admin/publicity/piece/") == few_pieces
    assert queries(admin_client, "/admin/publicity/publication/") == few_pubs


def test_import_pages_render_with_their_columns(admin_client, units):
    expected = {
        "/admin/units/unit/import/": ["单位名称", "单位类型", "上级单位"],
        "/admin/publicity/outlet/import/": ["媒体名称", "级别", "类别"],
        "/admin/publicity/unittarget/import/": ["考核年度", "指标代码"],
        "/admin/publicity/piece/import/": ["考核年度", "导入后直接审核通过", "刊发日期", "版面"],
    }
    for url, words in expected.items():
        body = admin_client.get(url).content.decode()
        assert all(w in body for w in words), url
    for url in (
        "/admin/units/unit/export/",
        "/admin/publicity/outlet/export/",
        "/admin/publicity/unittarget/export/",
        "/admin/publicity/piece/export/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200 and "xlsx" in response.content.decode(), url
