"""The admin's dry-run → confirm import runs the same import as the commands."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publicity.models import Piece, PieceStatus, UnitTarget
from units.models import Unit

from .conftest import PIECE_HEADERS, UNIT_HEADERS, counts, piece_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    admin = users["bureau_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def upload(client, url, data: bytes, **extra):
    f = SimpleUploadedFile(
        "t.xlsx", data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(url, {"import_file": f, "format": "0", "resource": "0", **extra})


def confirm(client, url, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return client.post(url, data)


def test_units_dry_run_page_then_confirm(admin_client, kinds):
    data = xlsx_bytes(UNIT_HEADERS, [["平利县人社局", "县区人社局", "", "周局长", "钱七", "0915-8888888"]])
    response = upload(admin_client, "/admin/units/unit/import/", data)
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert "平利县人社局" in response.content.decode()
    assert not Unit.objects.filter(name="平利县人社局").exists()  # the preview wrote nothing
    response = confirm(admin_client, "/admin/units/unit/process_import/", response)
    assert response.status_code == 302
    unit = Unit.objects.get(name="平利县人社局")
    assert (unit.kind.name, unit.liaison_name, unit.phone) == ("县区人社局", "钱七", "0915-8888888")


def test_units_bad_row_shows_chinese_error_and_no_confirm(admin_client, kinds):
    data = xlsx_bytes(UNIT_HEADERS, [["平利县人社局", "县区人社局"], ["某单位", "乡镇"]])
    response = upload(admin_client, "/admin/units/unit/import/", data)
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    assert "第3行「单位类型」列:“乡镇”不是已登记的单位类型" in response.content.decode()
    assert not Unit.objects.filter(name="平利县人社局").exists()


def test_pieces_dry_run_then_confirm_gives_submitted_pieces(admin_client, units, preset):
    rows = [
        piece_row(title="一稿两投", outlet="安康日报"),
        piece_row(title="一稿两投", outlet="陕西日报", authors="", kind=""),
        piece_row(unit="办公室", title="信息一条", kind="信息", outlet="局网站"),
    ]
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    assert response.context["confirm_form"] is not None
    body = response.content.decode()
    assert "一稿两投" in body and "2条刊发记录" in body
    assert Piece.objects.count() == 0
    response = confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    assert response.status_code == 302
    pieces = {p.title: p for p in Piece.objects.all()}
    assert set(pieces) == {"一稿两投", "信息一条"}
    assert pieces["一稿两投"].publications.count() == 2
    assert {p.status for p in pieces.values()} == {PieceStatus.SUBMITTED}


def test_pieces_admin_approve_option(admin_client, units, preset):
    response = upload(
        admin_client,
        "/admin/publicity/piece/import/",
        xlsx_bytes(PIECE_HEADERS, [piece_row()]),
        year=preset.pk,
        approve="on",
    )
    confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    assert Piece.objects.get().status == PieceStatus.APPROVED


def test_pieces_admin_errors_same_as_command_and_nothing_written(admin_client, units, preset):
    rows = [piece_row(title="好的"), piece_row(title="坏的", outlet="安康晚报")]
    before = counts()
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    body = response.content.decode()
    assert "第3行「媒体」列:“安康晚报”不是已登记的媒体名称或别名" in body
    assert not response.context.get("confirm_form")
    assert counts() == before


def test_confirm_step_rechecks_and_writes_nothing_if_the_year_closed_meanwhile(admin_client, units, preset):
    response = upload(
        admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, [piece_row()]), year=preset.pk
    )
    preset.status = "closed"
    preset.save()
    response = confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    assert Piece.objects.count() == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已结账" in m for m in messages)


def test_quotas_admin_import(admin_client, units, preset):
    data = xlsx_bytes(["单位", "C1", "R"], [["汉滨区人社局", 45, 5]])
    response = upload(admin_client, "/admin/publicity/unittarget/import/", data, year=preset.pk)
    confirm(admin_client, "/admin/publicity/unittarget/process_import/", response)
    assert sorted(UnitTarget.objects.values_list("indicator__code", "target")) == [("C1", 45), ("R", 5)]


def test_upload_over_the_size_cap_is_refused_before_parsing(admin_client, kinds, settings):
    settings.IMPORT_MAX_BYTES = 100
    data = xlsx_bytes(UNIT_HEADERS, [["平利县人社局", "县区人社局"]])
    response = upload(admin_client, "/admin/units/unit/import/", data)
    assert re.search("超过导入上限", response.content.decode())
    assert not Unit.objects.filter(name="平利县人社局").exists()


def test_liaison_without_admin_rights_cannot_import(client, users):
    client.force_login(users["liaison_a"])
    response = client.get("/admin/publicity/piece/import/")
    assert response.status_code in (302, 403)


def test_outlets_admin_import_creates_and_updates_by_name(admin_client, preset):
    from publicity.models import Outlet

    headers = ["媒体名称", "级别", "类别", "别名", "网站域名", "本局网站", "启用"]
    data = xlsx_bytes(
        headers,
        [
            ["安康新闻网", "市级", "网站", "安康网", "akxw.cn", "否", "是"],
            ["安康日报", "市级", "党报", "安康日报社", "", "否", "是"],
        ],
    )
    response = upload(admin_client, "/admin/publicity/outlet/import/", data)
    assert response.context["confirm_form"] is not None
    confirm(admin_client, "/admin/publicity/outlet/process_import/", response)
    outlet = Outlet.objects.get(name="安康新闻网")
    assert (outlet.level.name, outlet.category.name, outlet.domains) == ("市级", "网站", "akxw.cn")
    assert Outlet.objects.filter(name="安康日报").count() == 1
    bad = xlsx_bytes(headers, [["新媒体号", "乡级", "网站"]])
    response = upload(admin_client, "/admin/publicity/outlet/import/", bad)
    assert "第2行「级别」列:“乡级”不是已登记的媒体级别" in response.content.decode()
    assert not Outlet.objects.filter(name="新媒体号").exists()


# ---------------------------------------------------------------- issue 10: the preview a clerk checks


def upload_named(client, url, name, data: bytes, **extra):
    f = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(url, {"import_file": f, "format": "0", "resource": "0", **extra})


def test_gbk_csv_through_the_admin_preview_and_confirm(admin_client, units, preset):
    body = "单位名称,稿件标题,撰稿人,体裁,刊发媒体,发表时间\n汉滨区人社局,甲,本报记者 张三,消息,安康日报,3月5日\n合计,,,,1篇,\n"
    response = upload_named(
        admin_client, "/admin/publicity/piece/import/", "三月.csv", body.encode("gbk"), year=preset.pk
    )
    page = response.content.decode()
    assert response.context["confirm_form"] is not None, page[-3000:]
    assert "「三月」第3行为合计行,已跳过" in page
    assert "「三月」第2行「作者」列:“本报记者 张三”读作“张三”" in page
    confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    piece = Piece.objects.get()
    assert [a.name for a in piece.authors.all()] == ["张三"] and piece.kind == "news"


def test_unknown_unit_suggestion_add_as_alias_then_confirm_in_one_go(admin_client, units, preset):
    rows = [piece_row(unit="旬阳县人力资源和社会保障局", title="甲"), piece_row(title="乙", outlet="《安康日报》")]
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    page = response.content.decode()
    assert not response.context.get("confirm_form")
    assert "“旬阳县人力资源和社会保障局”不是已登记的单位名称或简称;是否为:旬阳县人社局?" in page
    assert 'value="unit|旬阳县人力资源和社会保障局|旬阳县人社局"' in page
    up = response.wsgi_request.import_upload
    response = admin_client.post(
        "/admin/publicity/piece/import/recheck/",
        {**up, "approve": "", "alias": ["unit|旬阳县人力资源和社会保障局|旬阳县人社局"]},
    )
    page = response.content.decode()
    assert response.context["confirm_form"] is not None, page[-3000:]
    assert "确认导入时将同时添加以下别名" in page
    assert Piece.objects.count() == 0 and units["b"].aliases == ""  # nothing written by the re-check
    confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    units["b"].refresh_from_db()
    assert units["b"].alias_list == ["旬阳县人力资源和社会保障局"]
    assert Piece.objects.get(title="甲").unit == units["b"]


def test_confirm_refuses_when_the_plan_differs_from_the_preview(admin_client, units, preset, make_piece):
    response = upload(
        admin_client,
        "/admin/publicity/piece/import/",
        xlsx_bytes(PIECE_HEADERS, [piece_row(title="甲")]),
        year=preset.pk,
    )
    # Someone logs the same piece between the preview and the confirm: the preview said "新增", it would now
    # be an update; nothing is written and the clerk is asked to preview again.
    make_piece(units["a"], "甲", [("陕西日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    response = confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("在预览之后有变化" in m for m in messages)
    assert Piece.objects.get().publications.get().outlet.name == "陕西日报"


def test_errors_are_grouped_by_kind_with_every_row(admin_client, units, preset):
    rows = [piece_row(title=f"稿{i}", outlet="安康晚报") for i in range(3)] + [piece_row(title="日", date="11-3-5")]
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    groups = dict(response.context["result"].report.error_groups())
    outlet_errors = [str(e) for e in groups["不是已登记的媒体名称或别名;是否为:安康日报?"]]
    assert outlet_errors == [
        f"「Sheet」第{r}行「媒体」列:“安康晚报”不是已登记的媒体名称或别名;是否为:安康日报?" for r in (2, 3, 4)
    ]
    page = response.content.decode()
    assert "(3 处)" in page


def test_a_big_table_is_written_by_a_background_job_with_progress(admin_client, units, preset, settings):
    from jobs.models import Job, JobStatus

    settings.IMPORT_INLINE_MAX_ROWS = 2
    rows = [piece_row(title=f"稿件{i}") for i in range(3)]
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    response = confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    job = Job.objects.get(kind="import_pieces")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE, job.error  # the test backend runs the job on the spot
    assert (job.done, job.total) == (4, 4) and "新增3条" in job.message
    assert Piece.objects.filter(created_by=job.owner).count() == 3
    assert admin_client.get(f"/jobs/{job.pk}/file").status_code == 200


def test_a_background_import_refuses_a_plan_that_changed_since_the_preview(admin_client, units, preset, settings):
    from jobs.models import Job, JobStatus

    settings.IMPORT_INLINE_MAX_ROWS = 1
    rows = [piece_row(title="甲"), piece_row(title="乙")]
    response = upload(admin_client, "/admin/publicity/piece/import/", xlsx_bytes(PIECE_HEADERS, rows), year=preset.pk)
    Piece.objects.create(year=preset, unit=units["a"], title="甲", kind="news")
    confirm(admin_client, "/admin/publicity/piece/process_import/", response)
    job = Job.objects.get(kind="import_pieces")
    assert job.status == JobStatus.FAILED and "在预览之后有变化" in job.error
    assert Piece.objects.count() == 1
