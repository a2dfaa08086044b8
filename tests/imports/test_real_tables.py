"""The tables offices really keep (issue 10): each kind imports to exactly the pieces, publications,
authors and scores of the same data typed in the product's own columns — or is refused naming the
sheet, row and column, with nothing written."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from publicity.models import HeaderAlias, Piece, PieceAuthor, Placement, Publication, WordAlias
from scoring.services import score_year

from .conftest import PIECE_HEADERS, counts, failing, run

pytestmark = pytest.mark.django_db

# The same four pieces (five publications) typed in the product's own columns …
CANONICAL = [
    ["汉滨区人社局", "汉滨区城镇新增就业突破万人", "张敏", "新闻稿件", "", 1200, "安康日报", "2011-03-05", "头版", ""],
    ["汉滨区人社局", "汉滨区城镇新增就业突破万人", "张敏", "新闻稿件", "", 1200, "陕西日报", "2011-03-09", "", ""],
    ["汉滨区人社局", "农民工返乡创业调查", "王伟、李四", "调研文章", "", 5200, "当代陕西", "2011-03-20", "", ""],
    [
        "旬阳县人社局",
        "旬阳县开展春风行动",
        "赵六",
        "新闻稿件",
        "",
        800,
        "安康日报",
        "2011-01-15",
        "头版头条",
        "http://www.akxw.cn/a/1.html",
    ],
    ["旬阳县人社局", "旬阳县社保扩面", "赵六、钱七", "信息", "", 300, "局网站", "2011-01-20", "", "http://akxw.cn/x"],
]

# … and as offices write them: other header words, everyday wording, role words, dates without a year.
MESSY_HEADER_TOP = ["序号", "单位名称", "稿件标题", "撰稿人", "体裁", "稿件字数", "刊发情况", "", "", ""]
MESSY_HEADER_LOW = ["", "", "", "", "", "", "刊发媒体", "发表时间", "版次", "网址"]
MESSY_JAN = [
    [1, "旬阳县人社局", "旬阳县开展春风行动", "通讯员 赵六", "消息", "约800", "《安康日报》", "1月15日", "一版头条",
     "www.akxw.cn/a/1.html"],
    [2, "旬阳县人社局", "旬阳县社保扩面", "赵六/钱七", "信息稿", "300字", "局网站", "20110120", "", "akxw.cn/x"],
]  # fmt: skip
MESSY_MAR = [
    # one piece in two outlets: 单位/标题/作者/类型/字数 merged down across its rows
    [1, "汉滨区人社局", "汉滨区城镇新增就业突破万人", "本报记者 张敏(摄影)", "通讯", "1,200字", "安康日报",
     "2011年3月5号", "第1版", ""],
    [2, None, None, None, None, None, "陕西日报", "２０１１－０３－０９", "第3版", ""],
    [3, "汉滨区人社局", "农民工返乡创业调查", "王　伟、李四等", "调研报告", "5200", "当代陕西", 40622, "", ""],
]  # fmt: skip
TITLE = "2011年刊发新闻稿件统计表"
FILLED_BY = "填报单位:市人社局办公室    填报人:李晓梅    填报日期:2011年12月20日"


def state(year):
    pieces = sorted(
        (
            p.unit.name,
            p.title,
            p.kind,
            p.characters,
            tuple(a.name for a in p.authors.all()),
            tuple(sorted(t.name for t in p.topics.all())),
            p.report_date,
            p.status,
            tuple(sorted((x.outlet.name, x.date, x.placement, x.url) for x in p.publications.all())),
        )
        for p in Piece.objects.filter(year=year).select_related("unit").prefetch_related("authors", "topics")
    )
    scores = score_year(year)
    units = sorted((u.unit_name, u.points, u.reward, u.missing, u.extra) for u in scores.units)
    people = sorted((p.name, p.unit_name, p.reward, p.piece_count) for p in scores.people)
    return pieces, units, people


def typed_state(tmp_path, year):
    """Import the canonical table, read back what it made, and leave the year empty again."""
    path = tmp_path / "typed.xlsx"
    write_xlsx(path, [("刊发新闻稿件统计表", [PIECE_HEADERS, *CANONICAL], [])])
    run("import_pieces", str(path), "--year", "2011", "--approve")
    result = state(year)
    Piece.objects.all().delete()
    return result


def write_xlsx(path, sheets, *, grey_rows=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
        for m in merges:
            ws.merge_cells(m)
        for r in grey_rows:
            for cell in ws[r]:
                cell.fill = PatternFill("solid", fgColor="DDDDDD")
    wb.save(path)
    return str(path)


def month_sheet(data, *, merges=(), example=True):
    rows = [[TITLE], [FILLED_BY], MESSY_HEADER_TOP, MESSY_HEADER_LOW]
    merged = ["A1:J1", "A2:J2", "G3:J3", *[f"{c}3:{c}4" for c in "ABCDEF"]]
    if example:
        rows.append(
            ["示例", "××局", "(示例)某某工作取得新进展", "张三", "消息", 800, "安康日报", "3月1日", "第1版", ""]
        )
    rows += data
    rows.append(["合计", "", "", "", "", "", f"{len(data)}篇", "", "", ""])
    rows.append(["填报人:李晓梅", "", "", "审核人:王建国", "", "", "联系电话:0915-3211001"])
    rows.append(["注:一稿多投的稿件,单位、标题、作者等合并单元格填写。"])
    return rows, merged + list(merges)


def messy_workbook(path):
    jan, jan_merges = month_sheet(MESSY_JAN)
    mar, mar_merges = month_sheet(MESSY_MAR, merges=[f"{c}6:{c}7" for c in "BCDEF"])
    summary = [
        ["单位名称", "稿件标题", "撰稿人", "体裁", "刊发媒体", "发表时间"],
        ["汉滨区人社局", "汇总里的稿件不导入", "张三", "消息", "安康日报", "2011-3-1"],
    ]
    return write_xlsx(
        path,
        [
            ("汇总", summary, []),
            ("1月", jan, jan_merges),
            ("2月", [[TITLE], ["本月无稿件"]], []),
            ("3月", mar, mar_merges),
        ],
        grey_rows=(5,),
    )


def test_messy_workbook_imports_the_same_pieces_and_scores_as_the_typed_table(tmp_path, units, year):
    expected = typed_state(tmp_path, year)
    out, _ = run("import_pieces", messy_workbook(tmp_path / "messy.xlsx"), "--year", "2011", "--approve")
    assert state(year) == expected
    assert Piece.objects.count() == 4 and Publication.objects.count() == 5
    # what was skipped, read differently and left out is said, per sheet
    assert "「1月」第5行为示例行,已跳过" in out
    assert "「1月」第8行为合计行,已跳过" in out
    assert "「1月」第9行为填报人/审核人等签字行,已跳过" in out
    assert "「3月」第11行为说明行,已跳过" in out
    assert "工作表「汇总」是汇总表,未读取" in out
    assert "「3月」第6、7行「作者」列:“本报记者 张敏(摄影)”读作“张敏”" in out
    assert "「3月」第8行「作者」列:“王　伟、李四等”读作“王伟、李四”" in out
    # 第3版 is 其他版面 and the page text is kept
    pub = Publication.objects.get(outlet__name="陕西日报")
    assert (pub.placement, pub.page) == (Placement.OTHER, "第3版")
    assert Publication.objects.get(outlet__name="安康日报", piece__unit__name="汉滨区人社局").page == "第1版"


def test_messy_workbook_again_changes_nothing(tmp_path, units, year):
    path = messy_workbook(tmp_path / "messy.xlsx")
    run("import_pieces", path, "--year", "2011")
    before = counts()
    out, _ = run("import_pieces", path, "--year", "2011")
    assert counts() == before and "无变化4条" in out


def test_xls_with_merged_rows_imports_like_the_typed_table(tmp_path, units, year):
    xlwt = pytest.importorskip("xlwt")
    expected = typed_state(tmp_path, year)
    wb = xlwt.Workbook(encoding="utf-8")
    for name, data, merged_rows in (("1月", MESSY_JAN, False), ("3月", MESSY_MAR, True)):
        ws = wb.add_sheet(name)
        ws.write_merge(0, 0, 0, 9, TITLE)
        for c, v in enumerate(MESSY_HEADER_TOP[:6]):
            ws.write_merge(1, 2, c, c, v)
        ws.write_merge(1, 1, 6, 9, "刊发情况")
        for c, v in enumerate(MESSY_HEADER_LOW[6:], 6):
            ws.write(2, c, v)
        for r, row in enumerate(data, 3):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if merged_rows and r == 3 and 1 <= c <= 5:
                    ws.write_merge(3, 4, c, c, v)
                else:
                    ws.write(r, c, v)
        ws.write(3 + len(data), 0, "合计")
    path = tmp_path / "messy.xls"
    wb.save(str(path))
    run("import_pieces", str(path), "--year", "2011", "--approve")
    assert state(year) == expected


def messy_csv_rows():
    """A CSV has no merges: the 同上 style (blank cells under the first row of a piece) instead."""
    rows = [["序号", "单位名称", "稿件标题", "撰稿人", "体裁", "稿件字数", "刊发媒体", "发表时间", "版次", "网址"]]
    rows += [[str(v) if v is not None else "" for v in r] for r in MESSY_JAN]
    rows += [[str(v) if v is not None else "" for v in r] for r in MESSY_MAR]
    rows[-1][7] = "2011-03-20"  # a serial number typed into a CSV is text; write the date
    rows.append(["合计", "", "", "", "", "", "5篇"])
    return rows


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_from_excel_or_wps_imports_like_the_typed_table(tmp_path, units, year, encoding):
    expected = typed_state(tmp_path, year)
    buf = io.StringIO()
    csv.writer(buf).writerows(messy_csv_rows())
    text = buf.getvalue()
    if encoding == "gbk":
        text = text.replace(
            "２０１１－０３－０９", "2011-03-09"
        )  # GBK has the full-width digits too, but keep it plain
    path = tmp_path / "稿件.csv"
    path.write_bytes(text.encode(encoding))
    out, _ = run("import_pieces", str(path), "--year", "2011", "--approve")
    assert state(year) == expected
    assert "「稿件」第7行为合计行,已跳过" in out


def test_header_alias_added_by_the_bureau_finds_the_header_row(tmp_path, units, year):
    headers = ["单位", "文章题目", "作者", "稿件类型", "媒体", "刊发日期"]
    path = write_xlsx(
        tmp_path / "a.xlsx", [("S", [headers, ["汉滨区人社局", "甲", "张三", "消息", "安康日报", "2011-3-5"]], [])]
    )
    assert "没有找到刊发新闻稿件统计表的表头" in failing("import_pieces", path, "--year", "2011")
    HeaderAlias.objects.create(table="pieces", column="标题", word="文章题目")
    run("import_pieces", path, "--year", "2011")
    assert Piece.objects.get().title == "甲"


def test_word_alias_added_by_the_bureau_reads_a_new_kind(tmp_path, units, year):
    rows = [PIECE_HEADERS, ["汉滨区人社局", "甲", "张三", "评论", "", 900, "安康日报", "2011-3-5", "", ""]]
    path = write_xlsx(tmp_path / "a.xlsx", [("S", rows, [])])
    said = failing("import_pieces", path, "--year", "2011")
    assert "「S」第2行「稿件类型」列:“评论”不是有效的稿件类型" in said and "用语别名" in said
    WordAlias.objects.create(field="kind", word="评论", value="news")
    run("import_pieces", path, "--year", "2011")
    assert Piece.objects.get().kind == "news"


def test_titles_differing_only_in_punctuation_are_one_piece_and_similar_ones_warned(tmp_path, units, year):
    rows = [
        PIECE_HEADERS,
        ["汉滨区人社局", "“春风行动”启动", "张三", "新闻稿件", "", 900, "安康日报", "2011-3-5", "", ""],
        ["汉滨区人社局", "春风行动 启动!", "", "", "", "", "陕西日报", "2011-3-6", "", ""],
        ["汉滨区人社局", "汉滨区就业工作会议召开", "张三", "新闻稿件", "", 900, "安康日报", "2011-3-7", "", ""],
        ["汉滨区人社局", "汉滨区就业工作会议召开了", "张三", "新闻稿件", "", 900, "安康日报", "2011-3-8", "", ""],
    ]
    out, _ = run("import_pieces", write_xlsx(tmp_path / "a.xlsx", [("S", rows, [])]), "--year", "2011")
    assert Piece.objects.count() == 3
    assert Piece.objects.get(title="“春风行动”启动").publications.count() == 2
    assert "第3行的标题“春风行动 启动!”与「S」第2行的“「春风行动」启动”" not in out
    assert "「S」第3行的标题“春风行动 启动!”与「S」第2行的““春风行动”启动”只差标点或空格" in out
    assert "「S」第4行“汉滨区就业工作会议召开”与「S」第5行“汉滨区就业工作会议召开了”标题相似" in out


REFUSALS = [
    ({7: "11-3-5"}, "「3月」第8行「刊发日期」列:“11-3-5”年份只写了两位", "2-digit year"),
    ({1: "旬阳县人力资源和社会保障局"}, "「3月」第8行「单位」列:“旬阳县人力资源和社会保障局”不是已登记的单位名称或简称;是否为:旬阳县人社局?", "unknown unit"),
    ({6: "安康晚报"}, "「3月」第8行「媒体」列:“安康晚报”不是已登记的媒体名称或别名;是否为:安康日报?", "unknown outlet"),
    ({2: "标题_x0007_有响铃"}, "「3月」第8行「标题」列:“标题有响铃”含有不可见的控制字符(U+0007)", "control character"),
    ({8: "中缝"}, "「3月」第8行「版面」列:“中缝”不是有效的版面", "placement"),
    ({5: "一千二"}, "「3月」第8行「字数」列:“一千二”不是整数", "characters"),
]  # fmt: skip


@pytest.mark.parametrize("change, message", [r[:2] for r in REFUSALS], ids=[r[2] for r in REFUSALS])
def test_refusals_name_sheet_row_and_column_and_write_nothing(tmp_path, units, year, change, message):
    data = [list(r) for r in MESSY_MAR]
    for col, value in change.items():
        data[2][col] = value
    rows, merges = month_sheet(data, merges=[f"{c}6:{c}7" for c in "BCDEF"])
    path = write_xlsx(tmp_path / "bad.xlsx", [("1月", month_sheet(MESSY_JAN)[0], []), ("3月", rows, merges)])
    before = counts()
    said = failing("import_pieces", path, "--year", "2011")
    assert message in said
    assert "未写入任何数据" in said
    assert counts() == before


def test_merged_one_piece_rows_disagreeing_are_still_refused(tmp_path, units, year):
    # 同上 fills a blank, it never overrides what a row says: a second author list is an error, not a merge.
    rows = [
        PIECE_HEADERS,
        ["汉滨区人社局", "甲", "张三", "新闻稿件", "", 900, "安康日报", "2011-3-5", "", ""],
        ["", "", "李四", "", "", "", "陕西日报", "2011-3-6", "", ""],
    ]
    said = failing("import_pieces", write_xlsx(tmp_path / "a.xlsx", [("S", rows, [])]), "--year", "2011")
    assert "「S」第3行「作者」列:“李四”与第2行同一稿件的作者“张三”不一致" in said
    assert PieceAuthor.objects.count() == 0


def test_csv_with_a_two_digit_year_names_the_file_row_and_column(tmp_path, units, year):
    path = tmp_path / "三月.csv"
    body = "单位,标题,作者,稿件类型,媒体,刊发日期\n汉滨区人社局,甲,张三,消息,安康日报,11/3/5\n"
    path.write_bytes(body.encode("gbk"))
    said = failing("import_pieces", str(path), "--year", "2011")
    assert "「三月」第2行「刊发日期」列:“11/3/5”年份只写了两位" in said
    assert Piece.objects.count() == 0


def test_dates_as_offices_type_them():
    from sheets.cells import CellError, date_cell

    day = dt.date(2011, 3, 5)
    for value in [
        "3月5日",
        "20110305",
        "2011年3月5号",
        "40607",
        40607,
        "２０１１－０３－０５",
        "2011.3.5.",
        "2011—3—5",
    ]:
        assert date_cell(value, year=2011) == day, value
    for value in ["11-3-5", "11/3/5", "2011-02-30", "三月五日", 12]:
        with pytest.raises(CellError):
            date_cell(value, year=2011)


def test_a_publication_another_unit_logged_is_named(tmp_path, units, year, make_piece):
    make_piece(units["b"], "“春风行动”启动", [("安康日报", "2011-03-05")])
    rows = [PIECE_HEADERS, ["汉滨区人社局", "“春风行动”启动", "张三", "消息", "", 900, "安康日报", "2011-3-5", "", ""]]
    out, _ = run("import_pieces", write_xlsx(tmp_path / "a.xlsx", [("S", rows, [])]), "--year", "2011")
    assert "「S」第2行:旬阳县人社局已登记过同一次刊发(《“春风行动”启动》,安康日报)" in out
    assert Piece.objects.filter(unit=units["a"]).count() == 1  # a warning, not a refusal (DOMAIN §10: warn)


def test_allocation_table_with_full_width_headers(tmp_path, units, year):
    from publicity.models import UnitTarget

    rows = [["单位名称", "Ｃ１", "专题调研文章"], ["汉滨区人社局", 45, "５"]]
    run("import_quotas", write_xlsx(tmp_path / "q.xlsx", [("任务", rows, [])]), "--year", "2011")
    got = {(t.indicator.code, t.target) for t in UnitTarget.objects.filter(unit=units["a"])}
    assert got == {("C1", 45), ("R", 5)}


def test_an_approving_import_keeps_the_stored_scores_exact(tmp_path, units, year):
    from scoring.stored import ensure_stored, stored_check

    ensure_stored(year)
    run("import_pieces", messy_workbook(tmp_path / "messy.xlsx"), "--year", "2011", "--approve")
    assert stored_check(year) == []
