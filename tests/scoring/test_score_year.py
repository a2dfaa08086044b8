"""score_year on the database: what it gathers, targets, people, as_of, and its fixed query count."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from publicity.models import Indicator, UnitTarget
from scoring.models import RewardRule, RewardSchedule
from scoring.services import score_year
from units.models import Unit


def test_targets_come_from_the_allocation_table_else_the_default(year, units, make_piece):
    c1 = Indicator.objects.get(year=year, unit_kind=units["a"].kind, code="C1")
    UnitTarget.objects.create(indicator=c1, unit=units["a"], target=2)
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    make_piece(units["a"], "二", [("安康电视台", "2011-03-02")])
    make_piece(units["a"], "三", [("陕西日报", "2011-03-03")])
    result = score_year(year)
    a, b = result.unit(units["a"].pk), result.unit(units["b"].pk)
    assert [(i.code, i.target, i.achieved) for i in a.indicators] == [("C1", 2, 3), ("R", 4, 0)]
    assert [(i.code, i.target) for i in b.indicators] == [("C1", 40), ("R", 4)]
    # C1 surplus 1, all three in party papers/TV → E = 1; R short by 4 → 4 − 0.4 + 0.1
    assert (a.missing, a.surplus, a.bonus_base, a.extra, a.points) == (4, 1, 3, 1, Decimal("3.70"))


def test_only_approved_pieces_count(year, units, make_piece):
    make_piece(units["a"], "通过", [("人民日报", "2011-03-01")])
    for status in ("draft", "submitted", "rejected"):
        make_piece(units["a"], status, [("人民日报", "2011-03-01")], status=status)
    a = score_year(year).unit(units["a"].pk)
    assert (a.indicators[0].achieved, a.reward) == (1, Decimal("500.00"))


def test_overlapping_indicators_research_in_ankang_daily(year, units, make_piece):
    p = make_piece(units["a"], "调研", [("安康日报", "2011-03-01")], kind="research")
    a = score_year(year).unit(units["a"].pk)
    assert [(i.code, i.piece_ids) for i in a.indicators] == [("C1", [p.pk]), ("R", [p.pk])]
    assert a.reward == Decimal("100.00")  # 安康日报 research rule


def test_department_indicators_and_not_penalised_bonus_basis(year, units, make_piece):
    dept = units["dept"]
    make_piece(dept, "省级", [("陕西日报", "2011-03-01")])
    make_piece(dept, "会议", [("省级会议经验交流材料", "2011-03-01")], kind="experience")
    for i in range(5):
        make_piece(dept, f"市级{i}", [("局网站", "2011-03-01")])
    make_piece(dept, "调研", kind="research")
    d = score_year(year).unit(dept.pk)
    assert [(i.code, i.target, i.achieved) for i in d.indicators] == [
        ("D1", 2, 2),
        ("D2", 5, 5),
        ("D0", 7, 7),
        ("R", 1, 1),
    ]
    assert (d.missing, d.extra, d.points) == (0, 0, Decimal("4.00"))


def test_units_scored_are_active_units_of_kinds_with_indicators(year, units, kinds, make_piece):
    from units.models import UnitKind

    other_kind = UnitKind.objects.create(code="village", name="村", order=9)
    Unit.objects.create(name="某村", kind=other_kind)
    closed = Unit.objects.create(name="已撤销单位", kind=kinds["county"], is_active=False)
    gone_with_pieces = Unit.objects.create(name="停用但有稿件", kind=kinds["county"])
    make_piece(gone_with_pieces, "稿", [("安康日报", "2011-03-01")])
    gone_with_pieces.is_active = False
    gone_with_pieces.save()
    names = {u.unit_name for u in score_year(year).units}
    assert names == {"汉滨区人社局", "旬阳县人社局", "办公室", "市技工学校", "停用但有稿件"}
    assert closed.name not in names


def test_people_sum_shares_per_unit_sorted_by_reward_then_name(year, units, make_piece):
    make_piece(
        units["a"], "一", [("人民网", "2011-03-01")], authors=("张三", "李四", "王五")
    )  # 100 → 33.34/33.33/33.33
    make_piece(units["a"], "二", [("局网站", "2011-03-01")], authors=("李四",))  # 10
    make_piece(units["b"], "三", [("局网站", "2011-03-01")], authors=("张三",))  # another 张三, another unit
    make_piece(units["b"], "四", [("省级会议经验交流材料", "2011-03-01")], authors=("赵六",))  # 0
    people = [(p.name, p.unit_name, p.reward, p.piece_count) for p in score_year(year).people]
    assert people == [
        ("李四", "汉滨区人社局", Decimal("43.33"), 2),
        ("张三", "汉滨区人社局", Decimal("33.34"), 1),
        ("王五", "汉滨区人社局", Decimal("33.33"), 1),
        ("张三", "旬阳县人社局", Decimal("10.00"), 1),
        ("赵六", "旬阳县人社局", Decimal("0.00"), 1),
    ]
    total = sum(p[2] for p in people)
    assert total == sum(u.reward for u in score_year(year).units) == Decimal("120.00")


def test_ranking_ties_share_a_rank(year, units, make_piece):
    result = score_year(year)
    a, b = result.unit(units["a"].pk), result.unit(units["b"].pk)
    assert (a.points, a.reward) == (b.points, b.reward) and a.rank == b.rank
    make_piece(units["b"], "一", [("局网站", "2011-03-01")])
    result = score_year(year)
    assert result.unit(units["b"].pk).rank < result.unit(units["a"].pk).rank


def test_as_of_counts_pieces_and_publications_up_to_the_date(year, units, make_piece):
    early = make_piece(units["a"], "早", [("局网站", "2011-02-01"), ("人民日报", "2011-09-01")])
    make_piece(units["a"], "晚", [("安康日报", "2011-08-01")])
    make_piece(units["a"], "调研", kind="research", report_date=dt.date(2011, 7, 1))
    march = score_year(year, as_of=dt.date(2011, 3, 31))
    a = march.unit(units["a"].pk)
    assert [(i.code, i.achieved) for i in a.indicators] == [("C1", 1), ("R", 0)]
    assert march.pieces[early.pk].amount == Decimal("10.00")  # 人民日报 came later
    full = score_year(year).unit(units["a"].pk)
    assert [(i.code, i.achieved) for i in full.indicators] == [("C1", 2), ("R", 1)]


def test_unit_ids_narrows_the_units(year, units, make_piece):
    make_piece(units["a"], "一", [("局网站", "2011-02-01")])
    make_piece(units["b"], "二", [("局网站", "2011-02-01")])
    result = score_year(year, unit_ids=[units["b"].pk])
    assert [u.unit_name for u in result.units] == ["旬阳县人社局"]
    assert {p.unit_name for p in result.people} == {"旬阳县人社局"}


def test_a_units_own_schedule_is_reported_separately(year, units, make_piece, outlets):
    own = RewardSchedule.objects.create(year=year, owner_unit=units["a"], name="汉滨区自定奖励")
    rule = RewardRule.objects.create(schedule=own, amount=Decimal("30"), note="局网站每篇30元")
    rule.outlets.set([outlets["局网站"]])
    p = make_piece(units["a"], "一", [("局网站", "2011-02-01")])
    result = score_year(year)
    assert result.pieces[p.pk].amount == Decimal("10.00")  # the bureau pays by its own schedule
    assert result.unit(units["a"].pk).reward == Decimal("10.00")
    assert result.own_rewards[units["a"].pk][p.pk].amount == Decimal("30.00")


def _grow(units, make_piece, tag, n):
    from units.models import UnitKind

    county = UnitKind.objects.get(code="county")
    extra = [Unit.objects.create(name=f"{tag}县{i}", kind=county, order=10 + i) for i in range(n)]
    for i, unit in enumerate([*units.values(), *extra]):
        for j in range(n):
            make_piece(
                unit,
                f"{tag}{i}-{j}",
                [("安康日报", "2011-03-01"), ("人民网", "2011-03-02")],
                authors=("甲", "乙"),
                topics=("双创",),
            )
        make_piece(unit, f"{tag}{i}-调研", kind="research")


def test_query_count_is_fixed_whatever_the_size(year, units, make_piece, django_assert_num_queries):
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    with django_assert_num_queries(16):  # 15, + the evidence hashes (the same proof file is a duplicate claim)
        small = score_year(year)
    _grow(units, make_piece, "甲", 6)
    with django_assert_num_queries(16):
        big = score_year(year)
    assert len(big.units) == len(small.units) + 6 and len(big.pieces) > 50


def test_score_json_query_count_is_fixed(year, units, make_piece, django_assert_num_queries):
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    with django_assert_num_queries(17):  # the year, then score_year's 16
        call_command("score", "--year", "2011", "--json", stdout=StringIO())
    _grow(units, make_piece, "乙", 5)
    with django_assert_num_queries(17):
        call_command("score", "--year", "2011", "--json", stdout=StringIO())


def test_score_json_shape(year, units, make_piece):
    for i in range(5):
        make_piece(units["a"], f"党报{i}", [("安康日报", "2011-03-01")], authors=("张三", "李四"))
    for i in range(38):
        make_piece(units["a"], f"网站{i}", [("局网站", "2011-03-02")], authors=("张三",))
    for i in range(3):
        make_piece(units["a"], f"调研{i}", kind="research", authors=("李四",))
    out = StringIO()
    call_command("score", "--year", "2011", "--unit", "汉滨区人社局", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "year": 2011,
        "units": [
            {
                "unit": "汉滨区人社局",
                "kind": "县区人社局",
                "rank": 1,
                "points": "4.20",
                "reward": "480.00",
                "missing": 1,
                "extra": 3,
                "bonus_base": 5,
                "indicators": [{"code": "C1", "target": 40, "achieved": 43}, {"code": "R", "target": 4, "achieved": 3}],
            }
        ],
        "people": [
            {"name": "张三", "unit": "汉滨区人社局", "reward": "430.00"},
            {"name": "李四", "unit": "汉滨区人社局", "reward": "50.00"},
        ],
    }


def test_score_table_and_errors(year, units, make_piece):
    make_piece(units["a"], "一", [("人民日报", "2011-03-01")], authors=("张三",))
    out = StringIO()
    call_command("score", "--year", "2011", stdout=out)
    text = out.getvalue()
    assert "汉滨区人社局" in text and "500.00" in text and "单项满分S 4.00" in text and "实时计算" in text
    with pytest.raises(CommandError, match="年度 1999 不存在"):
        call_command("score", "--year", "1999")
    with pytest.raises(CommandError, match="单位“不存在的局”不在2011年度"):
        call_command("score", "--year", "2011", "--unit", "不存在的局")


def test_json_on_demo_data_matches_the_unit_pages(client, preset, django_assert_max_num_queries):
    from django.urls import reverse

    from tests.conftest import login

    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("score", "--year", "2011", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["units"]) >= 12
    from units.models import User

    login(client, User.objects.filter(is_leader=True).first())
    by_name = {u.name: u.pk for u in Unit.objects.all()}
    client.get(reverse("publicity:dashboard"))  # the year's first view stores its scores (scoring.stored)
    for row in data["units"]:
        # 20, + other units' claims on the same publications (§10 flags), + 4 for the demo's scored 发行征订 task,
        # + the evidence hashes (the same proof file is a duplicate claim)
        with django_assert_max_num_queries(26):
            page = client.get(reverse("scoring:unit-score", args=[2011, by_name[row["unit"]]]))
        html = page.content.decode()
        score = page.context["score"]
        assert f'id="points">{row["points"]}<' in html and f'id="reward">{row["reward"]}<' in html
        assert f'id="missing">{row["missing"]}<' in html and f'id="extra">{row["extra"]}<' in html
        assert f'id="bonus-base">{row["bonus_base"]}<' in html
        assert score.rank == row["rank"]
        assert [{"code": i.code, "target": i.target, "achieved": i.achieved} for i in score.indicators] == row[
            "indicators"
        ]
