"""manage.py import_pieces: the statistics table (刊发新闻稿件统计表), one row per publication."""

import datetime as dt

import pytest

from publicity.models import Piece, PieceKind, PieceStatus, Placement, Publication

from .conftest import PIECE_HEADERS, counts, failing, piece_row, run

pytestmark = pytest.mark.django_db


def imp(path, *extra):
    return run("import_pieces", path, "--year", "2011", *extra)


def test_happy_path_fields_and_status_submitted(xlsx, units):
    rows = [
        piece_row(
            title="汉滨区就业工作再创新高",
            authors="李四、王五,赵六",
            kind="新闻",
            topics="双创 纪检监察",
            chars=1200,
            outlet="安康日报",
            placement="头版头条",
            url="http://akxw.cn/a/1.html",
        ),
        piece_row(unit="办公室", title="信息一条", kind="信息稿件", chars="300", outlet="局网站", placement=""),
    ]
    out, _ = imp(xlsx(PIECE_HEADERS, rows))
    assert "新增2条" in out
    piece = Piece.objects.get(title="汉滨区就业工作再创新高")
    assert piece.unit.name == "汉滨区人社局" and piece.year.year == 2011
    assert [a.name for a in piece.authors.all()] == ["李四", "王五", "赵六"]
    assert piece.kind == PieceKind.NEWS and piece.characters == 1200
    assert sorted(t.name for t in piece.topics.all()) == ["双创", "纪检监察"]
    assert piece.status == PieceStatus.SUBMITTED and piece.submitted_at is not None
    pub = piece.publications.get()
    assert (pub.outlet.name, pub.date, pub.placement, pub.url) == (
        "安康日报",
        dt.date(2011, 3, 5),
        Placement.HEADLINE,
        "http://akxw.cn/a/1.html",
    )
    info = Piece.objects.get(title="信息一条")
    assert info.kind == PieceKind.INFO and info.characters == 300
    assert info.publications.get().placement == Placement.OTHER


def test_approve_flag(xlsx, units):
    imp(xlsx(PIECE_HEADERS, [piece_row()]), "--approve")
    assert Piece.objects.get().status == PieceStatus.APPROVED


def test_one_piece_published_twice_is_one_piece_with_two_publications(xlsx, units):
    rows = [
        piece_row(title="一稿多投", authors="张三、李四", topics="双创", chars=900, outlet="安康日报"),
        # the second row may leave per-piece columns blank: they repeat the first row
        piece_row(
            title="一稿多投", authors="", kind="", chars="", outlet="陕西日报", date="2011/3/9", placement="头版"
        ),
    ]
    imp(xlsx(PIECE_HEADERS, rows))
    piece = Piece.objects.get()
    assert [a.name for a in piece.authors.all()] == ["张三", "李四"]
    assert piece.characters == 900
    assert sorted((p.outlet.name, p.date, p.placement) for p in piece.publications.all()) == [
        ("安康日报", dt.date(2011, 3, 5), Placement.OTHER),
        ("陕西日报", dt.date(2011, 3, 9), Placement.FRONT),
    ]


def test_same_title_in_two_units_is_two_pieces(xlsx, units):
    imp(xlsx(PIECE_HEADERS, [piece_row(title="同题"), piece_row(unit="旬阳县人社局", title="同题")]))
    assert Piece.objects.filter(title="同题").count() == 2


def test_rows_of_one_piece_that_disagree_are_an_error(xlsx, units):
    rows = [piece_row(title="甲", authors="张三"), piece_row(title="甲", authors="李四", outlet="陕西日报")]
    said = failing("import_pieces", xlsx(PIECE_HEADERS, rows), "--year", "2011")
    assert "第3行「作者」列:“李四”与第2行同一稿件的作者“张三”不一致" in said
    assert Piece.objects.count() == 0


def test_same_outlet_twice_for_one_piece_is_an_error(xlsx, units):
    rows = [piece_row(title="甲"), piece_row(title="甲", date="2011-03-06")]
    said = failing("import_pieces", xlsx(PIECE_HEADERS, rows), "--year", "2011")
    assert "第3行「媒体」列:“安康日报”与第2行重复" in said


@pytest.mark.parametrize(
    "cell",
    [
        dt.date(2011, 3, 5),  # a real Excel date cell
        dt.datetime(2011, 3, 5, 0, 0),
        "2011-03-05",
        "2011-3-5",
        "2011/3/5",
        "2011.3.5",
        "2011年3月5日",
        " 2011年03月05日 ",
    ],
)
def test_accepted_date_formats(xlsx, units, cell):
    imp(xlsx(PIECE_HEADERS, [piece_row(date=cell)]))
    assert Publication.objects.get().date == dt.date(2011, 3, 5)


def test_excel_date_cell_with_number_format_reads_as_a_date(tmp_path, units):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(PIECE_HEADERS)
    ws.append(piece_row(date=None))
    ws["H2"].value = 40607  # Excel serial number of 2011-03-05
    ws["H2"].number_format = "yyyy/m/d"
    path = tmp_path / "serial.xlsx"
    wb.save(path)
    imp(str(path))
    assert Publication.objects.get().date == dt.date(2011, 3, 5)


def test_unpublished_research_article_uses_its_report_date(xlsx, units):
    imp(xlsx(PIECE_HEADERS, [piece_row(title="调研", kind="调研文章", outlet="", date="2011年6月1日")]))
    piece = Piece.objects.get()
    assert piece.kind == PieceKind.RESEARCH and piece.report_date == dt.date(2011, 6, 1)
    assert piece.publications.count() == 0


def test_outlet_and_unit_found_by_alias(xlsx, units):
    units["a"].aliases = "汉滨区局"
    units["a"].save()
    imp(xlsx(PIECE_HEADERS, [piece_row(unit="汉滨区局", outlet="央视")]))
    pub = Publication.objects.select_related("piece__unit", "outlet").get()
    assert (pub.piece.unit.name, pub.outlet.name) == ("汉滨区人社局", "中央电视台")


BAD_ROWS = [
    (dict(unit="汉滨区"), "第3行「单位」列:“汉滨区”不是已登记的单位名称或简称"),
    (dict(outlet="安康晚报"), "第3行「媒体」列:“安康晚报”不是已登记的媒体名称或别名"),
    (dict(kind="评论"), "第3行「稿件类型」列:“评论”不是有效的稿件类型"),
    (dict(topics="双创、扶贫"), "第3行「专题」列:“扶贫”不是已登记的专题"),
    (dict(date="2011-02-30"), "第3行「刊发日期」列:“2011-02-30”不是有效日期"),
    (dict(date="三月五日"), "第3行「刊发日期」列:“三月五日”不是有效日期"),
    (dict(date=""), "第3行「刊发日期」列:刊发日期不能为空"),
    (dict(date="2012-01-02"), "第3行「刊发日期」列:“2012-01-02”不在2011年度内"),
    (dict(date=dt.date(2010, 12, 31)), "第3行「刊发日期」列:“2010-12-31”不在2011年度内"),
    (dict(chars="一千"), "第3行「字数」列:“一千”不是整数"),
    (dict(chars=-5), "第3行「字数」列:“-5”不能小于0"),
    (dict(placement="中缝"), "第3行「版面」列:“中缝”不是有效的版面"),
    (dict(url="javascript:alert(1)"), "第3行「链接」列:“javascript:alert(1)”不是有效的网址"),
    (dict(authors=""), "第3行「作者」列:作者不能为空"),
    (dict(title=""), "第3行「标题」列:标题不能为空"),
    (dict(outlet=""), "第3行「媒体」列:媒体不能为空(只有未刊发的调研文章可不填媒体"),
]


@pytest.mark.parametrize("bad, message", BAD_ROWS, ids=[m.split("列")[0] + str(i) for i, (_, m) in enumerate(BAD_ROWS)])
def test_each_kind_of_bad_row_writes_nothing_and_names_row_and_column(xlsx, units, bad, message):
    before = counts()
    path = xlsx(PIECE_HEADERS, [piece_row(title="好稿件"), piece_row(**{"title": "坏稿件", **bad})])
    said = failing("import_pieces", path, "--year", "2011")
    assert message in said
    assert "未写入任何数据" in said
    assert counts() == before


def test_all_errors_are_listed(xlsx, units):
    rows = [piece_row(outlet="安康晚报"), piece_row(title="乙", unit="无名局", date="昨天")]
    said = failing("import_pieces", xlsx(PIECE_HEADERS, rows), "--year", "2011")
    assert "第2行「媒体」列" in said and "第3行「单位」列" in said and "第3行「刊发日期」列" in said
    assert "发现3处错误" in said


def test_closed_year_writes_nothing(xlsx, units, preset):
    preset.status = "published"
    preset.save()
    said = failing("import_pieces", xlsx(PIECE_HEADERS, [piece_row()]), "--year", "2011")
    assert "2011年度已发布,该年度的数据不能再新增、修改或删除。" in said  # the year's status, named once
    assert Piece.objects.count() == 0


def test_missing_column_is_reported(xlsx, units):
    said = failing("import_pieces", xlsx(["单位", "标题", "作者"], [["汉滨区人社局", "甲", "张三"]]), "--year", "2011")
    assert "表头缺少「稿件类型」、「媒体」、「刊发日期」列" in said


def test_reimport_creates_no_duplicates(xlsx, units):
    rows = [piece_row(title="甲"), piece_row(title="甲", outlet="陕西日报", authors="", kind=""), piece_row(title="乙")]
    path = xlsx(PIECE_HEADERS, rows)
    imp(path)
    before = counts()
    out, _ = imp(path)
    assert counts() == before
    assert "无变化2条" in out


def test_reimport_updates_an_editable_piece(xlsx, units):
    imp(xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=500)]))
    out, _ = imp(xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=800), piece_row(title="甲", outlet="人民网")]))
    piece = Piece.objects.get()
    assert piece.characters == 800 and piece.publications.count() == 2
    assert "更新1条" in out


def test_approved_piece_is_left_alone_when_identical_and_an_error_when_different(xlsx, units):
    path = xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=500)])
    imp(path, "--approve")
    out, _ = imp(path)
    assert "无变化1条" in out
    said = failing("import_pieces", xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=900)]), "--year", "2011")
    assert "第2行「标题」列:“甲”已审核通过" in said
    assert Piece.objects.get().characters == 500


def test_approve_on_reimport_approves_a_submitted_identical_piece(xlsx, units):
    path = xlsx(PIECE_HEADERS, [piece_row()])
    imp(path)
    imp(path, "--approve")
    assert Piece.objects.get().status == PieceStatus.APPROVED


def test_reimport_keeps_a_recorded_page_when_the_table_has_no_page_column(xlsx, units, make_piece):
    piece = make_piece(units["a"], "甲", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED, characters=800)
    Publication.objects.filter(piece=piece).update(page="第3版")
    out, _ = imp(xlsx(PIECE_HEADERS, [piece_row(title="甲")]))
    assert "无变化1条" in out
    assert piece.publications.get().page == "第3版"


def test_dry_run_writes_nothing_but_reports(xlsx, units):
    before = counts()
    out, _ = imp(xlsx(PIECE_HEADERS, [piece_row(), piece_row(outlet="陕西日报")]), "--dry-run")
    assert counts() == before
    assert "试运行" in out and "将新增1条" in out and "2条刊发记录" in out


def test_dry_run_also_catches_what_only_the_services_check(xlsx, units, make_piece):
    # An approved piece with other contents is found on the dry run, not only on the real run.
    make_piece(units["a"], "甲", [("安康日报", "2011-03-05")])
    said = failing(
        "import_pieces", xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=1)]), "--year", "2011", "--dry-run"
    )
    assert "已审核通过" in said


def test_header_under_a_title_row(xlsx, units):
    path = xlsx(
        PIECE_HEADERS, [piece_row(outlet="无此报")], above=[["2011年刊发新闻稿件统计表"], ["填报单位:汉滨区人社局"]]
    )
    said = failing("import_pieces", path, "--year", "2011")
    assert "第4行「媒体」列:“无此报”" in said


def test_serial_number_and_apostrophe_prefixed_formula_text(xlsx, units):
    # Other writers keep cells inert with a leading apostrophe; the title is the text after it.
    imp(xlsx(["序号", *PIECE_HEADERS], [[1, *piece_row(title="'=1+1 算什么")]]))
    assert Piece.objects.get().title == "=1+1 算什么"


def test_the_services_permission_rules_hold_through_the_import(units, users):
    # The import writes through publicity.services: a liaison may bring in only their own unit's pieces.
    from publicity.imports import import_pieces
    from publicity.models import AssessmentYear
    from sheets.tabular import sheets_from_rows

    year = AssessmentYear.objects.get(year=2011)
    rows = [piece_row(unit="汉滨区人社局", title="自己的"), piece_row(unit="旬阳县人社局", title="别人的")]
    report = import_pieces(sheets_from_rows(PIECE_HEADERS, rows), year=year, actor=users["liaison_a"])
    assert [str(e) for e in report.errors] == ["「Sheet1」第3行「单位」列:“旬阳县人社局”您无权为该单位录入或修改稿件。"]
    assert Piece.objects.count() == 0
    report = import_pieces(sheets_from_rows(PIECE_HEADERS, rows[:1]), year=year, actor=users["liaison_a"], approve=True)
    assert "只有审核员可以审核稿件" in str(report.errors[0])
    report = import_pieces(sheets_from_rows(PIECE_HEADERS, rows[:1]), year=year, actor=users["liaison_a"])
    assert report.ok and Piece.objects.get().created_by == users["liaison_a"]


def test_bulk_import_keeps_the_first_submission_date_like_the_services(xlsx, units):
    imp(xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=500)]))
    first = Piece.objects.get().first_submitted_at
    assert first is not None and first == Piece.objects.get().submitted_at
    imp(xlsx(PIECE_HEADERS, [piece_row(title="甲", chars=800)]))  # an update re-submits the piece
    piece = Piece.objects.get()
    assert piece.characters == 800 and piece.first_submitted_at == first and piece.submitted_at > first
