"""Field extraction on text fixtures (no OCR): what a reading of a clipping or web page yields."""

import pytest

from proof.engine import Line
from proof.fields import OutletEntry, cn_number, extract, extract_text, group_rows

OUTLETS = [
    OutletEntry("安康日报", ("安康日报社",), ("akxw.cn",)),
    OutletEntry("陕西日报", (), ("sxdaily.com.cn",)),
    OutletEntry("人民日报", (), ()),
    OutletEntry("人民网", (), ("people.com.cn",)),
    OutletEntry("安康市政府网站", ("安康市人民政府网站", "市政府网"), ("ankang.gov.cn",)),
    OutletEntry("陕西省政府网站", (), ("shaanxi.gov.cn",)),
    OutletEntry("陕西省人社厅网站", (), ("rst.shaanxi.gov.cn",)),
]


def clipping_lines(title_height=40, lead_text=None):
    """A photo's OCR lines: masthead, date line, (another story's tail), headline, body."""
    lines = [
        Line("安康日报", 300, 40, 240, 65),
        Line("2011年3月5日 星期六 农历二月初一", 40, 120, 300, 30),
        Line("第1版", 700, 121, 60, 30),
    ]
    top = 170
    if lead_text:
        lines.append(Line(lead_text, 40, top, 600, 26))
        top += 40
    lines += [
        Line("我市人社系统扎实推进", 60, top, 420, title_height),
        Line("就业再就业工作", 60, top + title_height + 12, 300, title_height),
        Line("本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动,", 40, top + 120, 650, 27),
        Line("组织招聘会二十余场,帮助农民工实现转移就业。据人民日报报道,", 40, top + 156, 640, 27),
        Line("全省就业形势总体稳定。(记者 张三)", 40, top + 192, 300, 27),
    ]
    return lines


def test_newspaper_clipping_fields():
    f = extract(clipping_lines(), OUTLETS)
    assert (f.outlet, f.outlet_how) == ("安康日报", "masthead")
    assert f.title == "我市人社系统扎实推进就业再就业工作"  # two rows of the same size: one headline
    assert f.title_by_size
    assert (f.date, f.weekday_ok) == ("2011-03-05", True)
    assert (f.page, f.page_text) == (1, "第1版")
    assert f.placement == "headline"
    # A mention of another paper in the body is found but does not replace the masthead.
    assert f.outlets_found == ["安康日报", "人民日报"]
    assert 70 <= f.characters <= 100  # the three body rows, byline and all


def test_front_page_story_that_is_not_the_lead():
    f = extract(clipping_lines(lead_text="(上接第一版)各地各部门认真贯彻落实市委市政府决策部署,"), OUTLETS)
    assert f.title == "我市人社系统扎实推进就业再就业工作"
    assert f.placement == "front"


def test_rows_join_boxes_on_one_line():
    rows = group_rows(
        [Line("2011年3月5日", 40, 120, 200, 30), Line("星期六", 260, 122, 90, 29), Line("正文", 40, 200, 60, 25)]
    )
    assert [r.text for r in rows] == ["2011年3月5日星期六", "正文"]


@pytest.mark.parametrize(
    "line, date, weekday_ok",
    [
        ("2011年3月5日 星期六", "2011-03-05", True),
        ("2011-03-05 星期六", "2011-03-05", True),
        ("２０１１年３月５日　星期六", "2011-03-05", True),  # full-width digits and space
        ("二〇一一年三月五日 星期六", "2011-03-05", True),
        ("二〇一一年十二月二十日 星期二", "2011-12-20", True),
        ("2011年3月5日 星期日", "2011-03-05", False),  # a misprint or misread: still the date, flagged
        ("发布时间：2011-08-0510:05 来源：本站", "2011-08-05", None),  # OCR ran date and time together
        ("发布时间：2011-041410:14来源：本站", "2011-04-14", None),  # ... and lost a dash as well
        ("2011/3/5", "2011-03-05", None),
    ],
)
def test_dates(line, date, weekday_ok):
    f = extract_text(f"安康日报\n{line}\n我市召开就业工作会议", OUTLETS)
    assert (f.date, f.weekday_ok) == (date, weekday_ok)


def test_the_date_line_outranks_dates_in_the_text():
    text = "陕西日报\n会议于2011年2月28日在西安召开\n2011年3月2日 星期三 第3版\n全省人社工作会议召开"
    f = extract_text(text, OUTLETS)
    assert f.date == "2011-03-02"
    assert set(f.dates_found) == {"2011-02-28", "2011-03-02"}


@pytest.mark.parametrize(
    "label, page, placement",
    [
        ("第1版", 1, "front"),
        ("第十二版", 12, "other"),
        ("A3版", 3, "other"),
        ("03版", 3, "other"),
        ("头版", 1, "front"),
    ],
)
def test_pages(label, page, placement):
    f = extract_text(f"安康日报\n2011年3月5日 星期六 {label}\n我市召开就业工作会议\n本报讯 会议要求。", OUTLETS)
    assert f.page == page
    assert f.placement == placement  # plain text has no sizes: never a 头条 guess


def test_headline_said_in_words():
    f = extract_text("安康日报\n2011年3月5日 星期六 头版头条\n我市召开就业工作会议", OUTLETS)
    assert (f.page, f.placement) == (1, "headline")


def test_web_screenshot_outlet_from_the_address():
    text = (
        "https://www.rst.shaanxi.gov.cn/news/2011/0305/1234.html\n"
        "首页 > 新闻中心 > 工作动态\n"
        "安康市开展春风行动送岗位进村入户\n"
        "发布时间：2011-03-05 09:30 来源：安康日报\n"
        "本报讯 三月以来,安康市人社局组织招聘会二十余场。"
    )
    f = extract_text(text, OUTLETS)
    # The longest matching domain wins (rst.shaanxi.gov.cn, not shaanxi.gov.cn); "来源:安康日报"
    # is a mention, not the outlet of this publication.
    assert (f.outlet, f.outlet_how) == ("陕西省人社厅网站", "domain")
    assert f.url == "https://www.rst.shaanxi.gov.cn/news/2011/0305/1234.html"
    assert f.title == "安康市开展春风行动送岗位进村入户"
    assert f.date == "2011-03-05"
    assert f.page is None and f.placement == ""


def test_alias_and_bare_domain():
    f = extract_text("市政府网\nwww.ankang.gov.cn\n我市养老保险待遇按时足额发放", OUTLETS)
    assert f.outlet == "安康市政府网站"
    assert f.url == "www.ankang.gov.cn"


def test_masthead_misread_by_one_character():
    f = extract_text("安康日极\n2011年3月5日 星期六\n我市召开就业工作会议", OUTLETS)
    assert (f.outlet, f.outlet_how) == ("安康日报", "masthead")


def test_nothing_recognisable():
    assert extract([], OUTLETS).title == ""
    f = extract_text("……\n12345", OUTLETS)
    assert (f.outlet, f.title, f.date, f.page) == ("", "", "", None)


def test_fields_round_trip_through_json():
    from proof.fields import Fields

    f = extract(clipping_lines(), OUTLETS)
    assert Fields.from_dict(f.to_dict()) == f
    assert Fields.from_dict({"title": "x", "unknown_key": 1}).title == "x"


@pytest.mark.parametrize(
    "text, n", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("7", 7), ("甲", None)]
)
def test_cn_numbers(text, n):
    assert cn_number(text) == n
