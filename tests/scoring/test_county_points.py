"""The second preset, county_points (DOMAIN §10): `loaddata county_points` loads a 2012 year beside 2011, and a
small year imported through the real piece import (statistics tables, --approve) scores exactly as worked
out by hand below: every unit's points, rewards and every person's share, to the fen.

The rulebook (fixtures/build_county_points.py):
  per-piece indicator P for every unit kind: best publication's level — national 5, provincial 3, city 2,
  county 1 — online outlets (网站/商业网站/新媒体) × 0.5, per month capped at 10; county bureaus also owe
  R = 2 research articles (quota: full score 2, 0.5 off per missing one, no bonus);
  rewards by level (print/broadcast; online): national 300/100, provincial 100/30, city 50/10, county 20/5;
  一稿多投 pays the two highest (top_n 2); authors split 3:2, a third author weighs 2, each share rounded down
  to the fen, the remainder fen to the first author;
  duplicate claims: first_reported; timeliness: first submitted > 30 days after the earliest publication
  counts for nothing.
"""

import datetime as dt
import importlib
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from publicity.models import AssessmentYear, Indicator, Outlet, Piece, PieceStatus
from scoring.models import ScoringPolicy, UnitYearSetting
from scoring.services import note_text, score_year
from scoring.stored import ensure_stored, stored_check
from tests.imports.conftest import PIECE_HEADERS, xlsx_bytes

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def county_year(preset):
    call_command("loaddata", "county_points", verbosity=0)
    return AssessmentYear.objects.get(year=2012)


def test_loads_beside_2011_without_changing_its_catalogue(preset):
    before = list(Outlet.objects.order_by("pk").values())
    call_command("loaddata", "county_points", verbosity=0)
    after = {o["id"]: o for o in Outlet.objects.order_by("pk").values()}
    assert all(after[o["id"]] == o for o in before)  # the 2011 outlets, untouched
    assert sorted(set(after) - {o["id"] for o in before}) == [201201, 201202]  # two county-level outlets
    year = AssessmentYear.objects.get(year=2012)
    assert year.status == "open" and AssessmentYear.objects.filter(year=2011).exists()
    assert Indicator.objects.filter(year__year=2011).count() == 11  # 2011 unchanged
    p = Indicator.objects.get(year=year, unit_kind__code="county", code="P")
    assert p.method == "per_piece" and p.monthly_cap == D("10.00") and p.yearly_cap is None
    assert {(lp.level.code, lp.points) for lp in p.level_points.all()} == {
        ("national", D("5")),
        ("provincial", D("3")),
        ("city", D("2")),
        ("county", D("1")),
    }
    assert {(f.category.code, f.factor) for f in p.category_factors.all()} == {
        ("website", D("0.5")),
        ("portal", D("0.5")),
        ("new_media", D("0.5")),
    }
    policy = ScoringPolicy.objects.get(year=year)
    assert (policy.duplicate_claims, policy.timeliness, policy.timeliness_days) == ("first_reported", "exclude", 30)
    schedule = year.reward_schedules.get(owner_unit=None)
    assert (schedule.payout, schedule.top_n, schedule.author_split) == ("top_n", 2, "weights")
    assert [w.weight for w in schedule.author_weights.all()] == [D("3"), D("2")]


@pytest.mark.parametrize("name", ["ankang_2011", "county_points"])
def test_each_fixture_is_what_its_builder_writes(name, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))  # the builders import each other as scripts do
    builder = importlib.import_module(f"build_{name}")
    assert json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")) == builder.build()


def row(unit, title, authors, outlet, date, *, kind="新闻稿件", url=""):
    return [unit, title, authors, kind, "", 800, outlet, dt.date.fromisoformat(date), "", url]


A, B, DEPT = "汉滨区人社局", "旬阳县人社局", "办公室"
PEOPLE_URL = "http://www.people.com.cn/n1/2012/0306/c1001-1.html"

# Four imports, each on its own day (the first submission decides 以先报为准 and lateness):
BATCHES = [
    (
        "2012-03-20",
        [
            # a1: 人民日报 (national 5), 人民网 (national online 5 × 0.5 = 2.5), 安康日报 (city 2): best 5 points.
            #     reward: 300, 100, 50 → the two highest 300 + 100 = 400; 3:2 → 张三 240.00, 李四 160.00
            row(A, "汉滨区春风行动招聘会送岗位上门", "张三、李四", "人民日报", "2012-03-05"),
            row(A, "汉滨区春风行动招聘会送岗位上门", "", "人民网", "2012-03-06", url=PEOPLE_URL),
            row(A, "汉滨区春风行动招聘会送岗位上门", "", "安康日报", "2012-03-05"),
            # a2: 陕西日报 (provincial 3), 安康市政府网站 (city online 2 × 0.5 = 1): 3 points.
            #     reward 100 + 10 = 110, one author → 张三 110.00
            row(A, "汉滨区社会保险扩面提质", "张三", "陕西日报", "2012-03-10"),
            row(A, "汉滨区社会保险扩面提质", "", "安康市政府网站", "2012-03-10"),
            # a3: 中央电视台 (national 5): 5 points. reward 300, three authors weigh 3:2:2 (Σ 7):
            #     30000 fen × 3/7 = 12857.14 → 12857; × 2/7 = 8571.43 → 8571 (twice); 30000 − 29999 = 1 fen to
            #     the first author → 王五 128.58, 张三 85.71, 李四 85.71
            row(A, "汉滨区技能培训助力就业", "王五、张三、李四", "中央电视台", "2012-03-15"),
        ],
    ),
    (
        "2012-03-25",
        [
            # b1: claims a1's 人民网 publication (same outlet, same link), submitted 5 days after A's:
            #     first_reported → 重复报送, counts for nothing (19 days after publication: not late)
            row(B, "旬阳县春风行动招聘会", "赵六", "人民网", "2012-03-06", url=PEOPLE_URL),
        ],
    ),
    (
        "2012-04-20",
        [
            # b2: 旬阳县电视台 (county 1), 安康日报 (city 2): 2 points. reward 20 + 50 = 70 → 赵六 42.00, 钱七 28.00
            row(B, "旬阳县劳动保障监察执法检查", "赵六、钱七", "旬阳县电视台", "2012-04-05"),
            row(B, "旬阳县劳动保障监察执法检查", "", "安康日报", "2012-04-06"),
            # b3: published 1 March, first submitted 20 April: 50 days > 30 → 逾期报送, counts for nothing
            row(B, "旬阳县社保卡集中发放", "钱七", "安康电视台", "2012-03-01"),
            # a4: research article in 安康经济 (city 2): 2 points in April; R 1 of 2. reward 50 → 王五 50.00
            row(A, "汉滨区农民工返乡创业调研", "王五", "安康经济", "2012-04-02", kind="调研文章"),
            # d1: 局网站 (city online 1), 陕西省人社厅网站 (provincial online 1.5): 1.5 points × 办公室's
            #     coefficient 1.5 = 2.25. reward 30 + 10 = 40 → 孙八 40.00
            row(DEPT, "办公室政务公开工作信息", "孙八", "局网站", "2012-04-10"),
            row(DEPT, "办公室政务公开工作信息", "", "陕西省人社厅网站", "2012-04-12"),
        ],
    ),
    (
        "2012-05-25",
        [
            # d2: 陕西日报 (provincial 3) × 1.5 = 4.5 points in May. reward 100 → 孙八 60.00, 周九 40.00
            row(DEPT, "办公室机关作风建设经验", "孙八、周九", "陕西日报", "2012-05-08"),
        ],
    ),
]

# Units (P month by month; R; points = §6 item over R + P):
#   汉滨区人社局: March a1 5 + a2 3 + a3 5 = 13 → capped 10.00; April a4 2.00; P = 12.00.
#                R 1 of 2 → M = 1, item = 2 − 0.5 × 1 = 1.50. points 13.50; reward 400 + 110 + 300 + 50 = 860.00
#   办公室:       April 2.25, May 4.50 → P = 6.75 (no quota indicator: item 0). points 6.75; reward 40 + 100 = 140.00
#   旬阳县人社局: b1, b3 count for nothing; April b2 2.00 → P = 2.00. R 0 of 2 → item 2 − 1.0 = 1.00.
#                points 3.00; reward 70.00
#   市技工学校:   nothing → 0.00, reward 0.00
EXPECTED_UNITS = {
    A: (1, D("13.50"), D("860.00"), D("1.50"), D("12.00"), 1),
    DEPT: (2, D("6.75"), D("140.00"), D("0.00"), D("6.75"), 0),
    B: (3, D("3.00"), D("70.00"), D("1.00"), D("2.00"), 2),
    "市技工学校": (4, D("0.00"), D("0.00"), D("0.00"), D("0.00"), 0),
}
EXPECTED_MONTHS = {
    A: [(3, 3, D("13"), D("10.00"), True), (4, 1, D("2"), D("2.00"), False)],
    DEPT: [(4, 1, D("2.25"), D("2.25"), False), (5, 1, D("4.5"), D("4.50"), False)],
    B: [(4, 1, D("2"), D("2.00"), False)],
    "市技工学校": [],
}
# People: 张三 240 + 110 + 85.71 = 435.71; 李四 160 + 85.71 = 245.71; 王五 128.58 + 50 = 178.58 (A: 860.00);
#         孙八 40 + 60 = 100.00; 周九 40.00 (办公室: 140.00); 赵六 42.00; 钱七 28.00 (旬阳: 70.00)
EXPECTED_PEOPLE = [
    ("张三", A, D("435.71"), 3),
    ("李四", A, D("245.71"), 2),
    ("王五", A, D("178.58"), 2),
    ("孙八", DEPT, D("100.00"), 2),
    ("赵六", B, D("42.00"), 1),
    ("周九", DEPT, D("40.00"), 1),
    ("钱七", B, D("28.00"), 1),
]


def import_at(monkeypatch, tmp_path, day, rows):
    """The statistics table as a clerk would send it, imported (and approved) on ``day`` at 10:00."""
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: when)
    path = tmp_path / f"pieces_{day}.xlsx"
    path.write_bytes(xlsx_bytes(PIECE_HEADERS, rows))
    out = StringIO()
    call_command("import_pieces", str(path), "--year", "2012", "--approve", stdout=out)
    monkeypatch.undo()
    return out.getvalue()


@pytest.fixture
def imported(county_year, units, monkeypatch, tmp_path):
    UnitYearSetting.objects.create(year=county_year, unit=units["dept"], coefficient=D("1.5"))
    outputs = [import_at(monkeypatch, tmp_path, day, rows) for day, rows in BATCHES]
    assert Piece.objects.filter(year=county_year, status=PieceStatus.APPROVED).count() == 9
    return outputs


def test_the_import_warns_of_the_claim_it_takes_in(imported):
    assert "汉滨区人社局已登记过同一次刊发" in imported[1] and "人民网" in imported[1]


def test_every_unit_points_rewards_and_months_by_hand(imported, county_year):
    result = score_year(county_year)
    got = {u.unit_name: (u.rank, u.points, u.reward, u.item_points, u.piece_points, u.missing) for u in result.units}
    assert got == EXPECTED_UNITS
    for u in result.units:
        (p,) = [i for i in u.indicators if i.code == "P"]
        assert [(m.month, m.pieces, m.raw, m.points, m.capped) for m in p.months] == EXPECTED_MONTHS[u.unit_name]
        assert p.points == EXPECTED_UNITS[u.unit_name][4] and p.target == 0 and p.missing == 0
    assert result.unit(Piece.objects.get(title="汉滨区技能培训助力就业").unit_id).coefficient == D("1")


def test_every_share_by_hand(imported, county_year):
    result = score_year(county_year)
    shares = {
        result.pieces[p.pk].title: result.pieces[p.pk].shares
        for p in Piece.objects.filter(year=county_year)
        if p.pk in result.pieces
    }
    assert shares == {
        "汉滨区春风行动招聘会送岗位上门": [("张三", D("240.00")), ("李四", D("160.00"))],
        "汉滨区社会保险扩面提质": [("张三", D("110.00"))],
        "汉滨区技能培训助力就业": [("王五", D("128.58")), ("张三", D("85.71")), ("李四", D("85.71"))],
        "旬阳县劳动保障监察执法检查": [("赵六", D("42.00")), ("钱七", D("28.00"))],
        "汉滨区农民工返乡创业调研": [("王五", D("50.00"))],
        "办公室政务公开工作信息": [("孙八", D("40.00"))],
        "办公室机关作风建设经验": [("孙八", D("60.00")), ("周九", D("40.00"))],
    }
    a1 = result.pieces[Piece.objects.get(title="汉滨区春风行动招聘会送岗位上门").pk]
    assert a1.paid_outlet_names == ["人民日报", "人民网"] and a1.amount == D("400.00")
    people = [(p.name, p.unit_name, p.reward, p.piece_count) for p in result.people]
    assert people == EXPECTED_PEOPLE
    assert sum(p.reward for p in result.people) == sum(u.reward for u in result.units) == D("1070.00")


def test_the_claim_and_the_late_piece_count_for_nothing_and_say_why(imported, county_year):
    result = score_year(county_year)
    b1 = Piece.objects.get(title="旬阳县春风行动招聘会")
    b3 = Piece.objects.get(title="旬阳县社保卡集中发放")
    a1 = Piece.objects.get(title="汉滨区春风行动招聘会送岗位上门")
    assert b1.pk not in result.pieces and b3.pk not in result.pieces
    assert result.notes[b1.pk].excluded and result.notes[b1.pk].reason == "duplicate"
    assert result.notes[b1.pk].duplicate_of == (a1.pk,)
    assert result.notes[b3.pk].excluded and result.notes[b3.pk].late_days == 50
    assert result.notes[a1.pk].reported_first and not result.notes[a1.pk].excluded
    assert "以先报为准" in note_text(result.notes[b1.pk])
    assert "50天" in note_text(result.notes[b3.pk]) and "不计分" in note_text(result.notes[b3.pk])
    b = result.unit(b1.unit_id)
    assert b.excluded_piece_ids == sorted([b1.pk, b3.pk])


def test_stored_scores_and_the_command_agree(imported, county_year):
    ensure_stored(county_year)
    assert stored_check(county_year) == []
    out = StringIO()
    call_command("score", "--year", "2012", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert "一稿多投:取最高两档" in data["settings"]
    assert "作者分配:按署名顺序权重 3:2" in data["settings"]
    assert {u["unit"]: u["points"] for u in data["units"]} == {k: f"{v[1]}" for k, v in EXPECTED_UNITS.items()}
    assert [(p["name"], p["reward"]) for p in data["people"]] == [(n, f"{r}") for n, _, r, _ in EXPECTED_PEOPLE]


def test_the_unit_page_shows_per_piece_points_month_by_month(
    client, users, units, imported, django_assert_max_num_queries
):
    from django.urls import reverse

    client.force_login(users["liaison_a"])
    url = reverse("scoring:unit-score", args=[2012, units["a"].pk])
    client.get(url)  # the year's first view stores its scores (scoring.stored)
    # session 2, unit, year, narrowed scoring 21 (15 + per-piece 3 + weights + other units' claims + evidence
    # hashes), rank, caps
    with django_assert_max_num_queries(27):
        page = client.get(url).content.decode()
    assert 'id="points">13.50<' in page and 'id="item-points">1.50<' in page and 'id="piece-points">+12.00<' in page
    assert "每月上限 10.00 分" in page
    march = page.split('data-month="3"')[1].split("</tr>")[0]
    assert '<td class="num">3</td><td class="num">13</td><td class="num month-points">10.00</td>' in march
    assert "已封顶" in march
    april = page.split('data-month="4"')[1].split("</tr>")[0]
    assert "2.00" in april and "已封顶" not in april
    assert "按篇计分:12.00 分" in page
    client.force_login(users["liaison_dept"])
    page = client.get(reverse("scoring:unit-score", args=[2012, units["dept"].pk])).content.decode()
    assert 'id="coefficient">×1.50<' in page and 'id="item-points">0.00<' in page
    assert '<td class="num">1</td><td class="num">2.25</td><td class="num month-points">2.25</td>' in page
