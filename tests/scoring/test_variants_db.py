"""DOMAIN §10 settings as data: defaults, constraints, the first-submission date, scoring a year under
every variant (figures by hand below), its fixed query count, the narrowed scoring, the explanation,
`score --json`, closing, and the admin (Chinese forms, frozen years)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from publicity import services as ps
from publicity.models import (
    Indicator,
    IndicatorCategoryFactor,
    IndicatorLevelPoints,
    OutletCategory,
    OutletLevel,
    Piece,
    PieceStatus,
    UnitTarget,
)
from scoring.models import AuthorWeight, RewardSchedule, ScoringPolicy, UnitYearSetting
from scoring.services import explain_piece, score_year, year_close, year_results
from tests.conftest import login

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10):
    return dt.datetime(2011, month, day, hour, tzinfo=SHANGHAI)


# ------------------------------------------------------------------------------ defaults, constraints


def test_the_2011_preset_has_the_2011_choices(year):
    policy = ScoringPolicy.objects.get(year=year)
    assert (policy.duplicate_claims, policy.timeliness) == ("warn", "none")
    schedule = RewardSchedule.objects.get(year=year, owner_unit=None)
    assert (schedule.payout, schedule.author_split, schedule.author_weights.count()) == ("highest", "equal", 0)
    assert set(Indicator.objects.filter(year=year).values_list("method", flat=True)) == {"quota"}
    assert not UnitYearSetting.objects.exists()


def _bad(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_database_constraints_back_the_settings(year, units):
    schedule = RewardSchedule.objects.get(year=year, owner_unit=None)
    policy = ScoringPolicy.objects.get(year=year)
    c1 = Indicator.objects.get(year=year, unit_kind=units["a"].kind, code="C1")
    r = Indicator.objects.get(year=year, unit_kind=units["a"].kind, code="R")
    city = OutletLevel.objects.get(code="city")
    web = OutletCategory.objects.get(code="website")
    _bad(lambda: RewardSchedule.objects.filter(pk=schedule.pk).update(payout="top_n", top_n=0))
    _bad(lambda: RewardSchedule.objects.filter(pk=schedule.pk).update(payout="all"))
    _bad(lambda: RewardSchedule.objects.filter(pk=schedule.pk).update(author_split="random"))
    _bad(lambda: AuthorWeight.objects.create(schedule=schedule, position=1, weight=D("0")))
    _bad(lambda: AuthorWeight.objects.create(schedule=schedule, position=0, weight=D("1")))
    AuthorWeight.objects.create(schedule=schedule, position=1, weight=D("3"))
    _bad(lambda: AuthorWeight.objects.create(schedule=schedule, position=1, weight=D("2")))
    _bad(lambda: ScoringPolicy.objects.filter(pk=policy.pk).update(duplicate_claims="both"))
    _bad(lambda: ScoringPolicy.objects.filter(pk=policy.pk).update(timeliness="later"))
    _bad(lambda: Indicator.objects.filter(pk=c1.pk).update(method="per_piece"))  # bonus basis, target 40
    _bad(lambda: Indicator.objects.filter(pk=r.pk).update(method="per_piece"))  # target 4
    _bad(lambda: Indicator.objects.filter(pk=r.pk).update(method="points"))
    _bad(lambda: Indicator.objects.filter(pk=r.pk).update(monthly_cap=D("-1")))
    _bad(lambda: IndicatorLevelPoints.objects.create(indicator=r, level=city, points=D("-1")))
    IndicatorLevelPoints.objects.create(indicator=r, level=city, points=D("2"))
    _bad(lambda: IndicatorLevelPoints.objects.create(indicator=r, level=city, points=D("3")))
    _bad(lambda: IndicatorCategoryFactor.objects.create(indicator=r, category=web, factor=D("-0.5")))
    UnitYearSetting.objects.create(year=year, unit=units["a"], coefficient=D("1.5"))
    _bad(lambda: UnitYearSetting.objects.create(year=year, unit=units["a"], coefficient=D("2")))
    _bad(lambda: UnitYearSetting.objects.create(year=year, unit=units["b"], coefficient=D("0")))
    Indicator.objects.filter(pk=r.pk).update(method="per_piece", default_target=0, monthly_cap=D("10"))


# ---------------------------------------------------------------------------- the first submission


def test_the_first_submission_date_is_kept_through_rejection_and_resubmission(year, units, users, outlets):
    liaison, reviewer = users["liaison_a"], users["reviewer"]
    pub = ps.PublicationInput(outlets["安康日报"], dt.date(2011, 3, 1), url="https://akxw.cn/news/1.html")
    piece = ps.piece_create(actor=liaison, unit=units["a"], year=year, title="首报", authors="张三", publications=[pub])
    assert piece.first_submitted_at is None  # a draft has not been reported
    piece = ps.piece_submit(actor=liaison, piece=piece)
    first = piece.first_submitted_at
    assert first is not None and first == piece.submitted_at
    ps.piece_review(actor=reviewer, piece=piece, approve=False, reason="补充佐证")
    again = ps.piece_submit(actor=liaison, piece=piece)
    assert again.submitted_at > first and again.first_submitted_at == first
    ps.piece_review(actor=reviewer, piece=again, approve=False, reason="再补充")
    edited = ps.piece_update(
        actor=liaison, piece=again, title="首报", kind="news", characters=0, authors="张三", submit=True
    )
    assert Piece.objects.get(pk=edited.pk).first_submitted_at == first
    made = ps.piece_create(
        actor=liaison, unit=units["a"], year=year, title="直接提交", authors="张三", publications=[pub], submit=True
    )
    assert made.first_submitted_at == made.submitted_at is not None


# ----------------------------------------------------------------------- a year under the variants


@pytest.fixture
def variants(year, units, outlets):
    """The 2011 year switched to other bureaus' settings: top 2 publications, weights 3:2, first_reported,
    30 days exclude, a per-piece indicator P for counties (5/3/2/1, websites × 0.5, 10 a month), 旬阳 ×1.5."""
    schedule = RewardSchedule.objects.get(year=year, owner_unit=None)
    schedule.payout, schedule.top_n, schedule.author_split = "top_n", 2, "weights"
    schedule.save()
    AuthorWeight.objects.create(schedule=schedule, position=1, weight=D("3"))
    AuthorWeight.objects.create(schedule=schedule, position=2, weight=D("2"))
    ScoringPolicy.objects.filter(year=year).update(
        duplicate_claims="first_reported", timeliness="exclude", timeliness_days=30
    )
    county = units["a"].kind
    p = Indicator.objects.create(
        year=year, unit_kind=county, code="P", name="媒体发稿积分", method="per_piece", monthly_cap=D("10"), order=9
    )
    for code, points in [("national", "5"), ("provincial", "3"), ("city", "2"), ("county", "1")]:
        IndicatorLevelPoints.objects.create(indicator=p, level=OutletLevel.objects.get(code=code), points=D(points))
    IndicatorCategoryFactor.objects.create(
        indicator=p, category=OutletCategory.objects.get(code="website"), factor=D("0.5")
    )
    UnitYearSetting.objects.create(year=year, unit=units["b"], coefficient=D("1.5"))
    c1 = Indicator.objects.get(year=year, unit_kind=county, code="C1")
    r = Indicator.objects.get(year=year, unit_kind=county, code="R")
    for unit in (units["a"], units["b"]):
        UnitTarget.objects.create(indicator=c1, unit=unit, target=2)
        UnitTarget.objects.create(indicator=r, unit=unit, target=0)
    return year


def report(unit, title, pubs, authors, submitted, outlets, year, status=PieceStatus.APPROVED):
    """A piece first submitted at ``submitted`` (the clock of that day), then approved."""
    piece = ps.piece_create(
        actor=None,
        unit=unit,
        year=year,
        title=title,
        authors=list(authors),
        publications=[
            ps.PublicationInput(outlets[name], dt.date.fromisoformat(day), url=url) for name, day, url in pubs
        ],
        submit=True,
        approve=status == PieceStatus.APPROVED,
        check_proof=False,  # table-import-like pieces: some have no link
    )
    Piece.objects.filter(pk=piece.pk).update(first_submitted_at=submitted)
    piece.refresh_from_db()
    return piece


@pytest.fixture
def season(variants, units, outlets):
    a, b, y = units["a"], units["b"], variants
    return {
        # 人民日报 500 + 人民网 100 (top 2) = 600; 3:2:2 → 257.142… ↓257.14, 171.42, 171.42, +0.02 → 257.16
        # P: 人民日报 5 (人民网 5 × 0.5 = 2.5 is lower), March
        "A1": report(
            a,
            "汉滨就业突破万人",
            [("人民日报", "2011-03-01", ""), ("人民网", "2011-03-02", "")],
            ("甲", "乙", "丙"),
            at(3, 5),
            outlets,
            y,
        ),
        # 安康日报 news 20; P: 2, March. Reported first (3-11) of the same URL as B1 (3-12).
        "A2": report(a, "社保卡发放", [("安康日报", "2011-03-10", "http://akxw.cn/x")], ("甲",), at(3, 11), outlets, y),
        # 人民日报 500, one author; P: 5, March → March 5 + 2 + 5 = 12, capped at 10
        "A3": report(a, "人才新政", [("人民日报", "2011-03-20", "")], ("乙",), at(3, 21), outlets, y),
        # the same publication as A2 (same outlet and URL, typed differently), reported later: 重复报送, nothing
        "B1": report(
            b, "安康社保卡发放", [("安康日报", "2011-03-10", "https://AKXW.cn/x/")], ("丁",), at(3, 12), outlets, y
        ),
        # first submitted 44 days after publication (> 30): 逾期报送, nothing
        "B2": report(b, "旬阳迟报", [("局网站", "2011-04-01", "")], ("丁",), at(5, 15), outlets, y),
        # 陕西日报 news 100 → 3:2 → 60 / 40; P: 3 × 1.5 = 4.5, April
        "B3": report(b, "旬阳创业", [("陕西日报", "2011-04-02", "")], ("丁", "戊"), at(4, 3), outlets, y),
        # 陕西省政府网站 100 → 丁; P: 3 × 0.5 × 1.5 = 2.25, April → April 6.75
        "B4": report(b, "旬阳政务", [("陕西省政府网站", "2011-04-20", "")], ("丁",), at(4, 21), outlets, y),
    }


def test_a_year_under_every_variant_by_hand(variants, season, units):
    result = score_year(variants)
    a, b = result.unit(units["a"].pk), result.unit(units["b"].pk)
    # 汉滨: C1 3/2 (surplus 1, b_P 3 → E 1), R 0/0 → item 4 + 0.1 = 4.10; P March 12 → 10.00; total 14.10
    assert [(i.code, i.target, i.achieved) for i in a.indicators] == [("C1", 2, 3), ("R", 0, 0), ("P", 0, 3)]
    p = a.indicators[2]
    assert [(m.month, m.raw, m.points, m.capped) for m in p.months] == [(3, D("12"), D("10.00"), True)]
    assert (a.item_points, a.piece_points, a.points, a.rank) == (D("4.10"), D("10.00"), D("14.10"), 1)
    assert a.reward == D("1120.00")  # 600 + 20 + 500
    # 旬阳: B1 (duplicate) and B2 (late) count for nothing; C1 2/2 → item 4.00; P April 6.75; total 10.75
    assert b.excluded_piece_ids == sorted([season["B1"].pk, season["B2"].pk])
    assert b.piece_ids == [season["B3"].pk, season["B4"].pk] and b.coefficient == D("1.5")
    assert [(m.month, m.raw, m.points) for m in b.indicators[2].months] == [(4, D("6.75"), D("6.75"))]
    assert (b.item_points, b.piece_points, b.points, b.reward, b.rank) == (
        D("4.00"),
        D("6.75"),
        D("10.75"),
        D("200.00"),
        2,
    )
    a1 = result.pieces[season["A1"].pk]
    assert (a1.amount, a1.paid_outlet_names) == (D("600.00"), ["人民日报", "人民网"])
    assert a1.shares == [("甲", D("257.16")), ("乙", D("171.42")), ("丙", D("171.42"))]
    notes = result.notes
    assert (notes[season["B1"].pk].reason, notes[season["B2"].pk].reason) == ("duplicate", "late")
    assert notes[season["B2"].pk].late_days == 44
    assert notes[season["A2"].pk].reported_first and not notes[season["A2"].pk].excluded
    people = {(p.name, p.unit_name): p.reward for p in result.people}
    assert people == {
        ("乙", "汉滨区人社局"): D("671.42"),  # 171.42 + 500
        ("甲", "汉滨区人社局"): D("277.16"),  # 257.16 + 20
        ("丙", "汉滨区人社局"): D("171.42"),
        ("丁", "旬阳县人社局"): D("160.00"),  # 60 + 100
        ("戊", "旬阳县人社局"): D("40.00"),
    }
    assert result.policy["payout"] == "取最高两档" and result.policy["author_split"] == "按署名顺序权重 3:2"
    assert result.policy["duplicate_claims"] == "以先报为准,后报的不计分"


def test_narrowed_scoring_decides_duplicates_against_other_units(variants, season, units, django_assert_num_queries):
    full = score_year(variants).unit(units["b"].pk)
    with django_assert_num_queries(21):  # 19, + the evidence hashes, + the other units' claims on the same publications
        narrowed = score_year(variants, unit_ids=[units["b"].pk]).unit(units["b"].pk)
    assert (narrowed.points, narrowed.reward, narrowed.piece_ids, narrowed.excluded_piece_ids) == (
        full.points,
        full.reward,
        full.piece_ids,
        full.excluded_piece_ids,
    )


def _grow(year, units, outlets, n):
    from units.models import Unit, UnitKind

    county = UnitKind.objects.get(code="county")
    extra = [Unit.objects.create(name=f"新县{len(units)}-{i}", kind=county, order=20 + i) for i in range(n)]
    for i, unit in enumerate([units["a"], units["b"], *extra]):
        UnitYearSetting.objects.get_or_create(year=year, unit=unit, defaults={"coefficient": D("1.2")})
        for j in range(n):
            report(
                unit,
                f"增{i}-{j}",
                [("安康日报", "2011-05-01", f"http://akxw.cn/{i}/{j}"), ("人民网", "2011-05-02", "")],
                ("甲", "乙", "丙"),
                at(5, 3),
                outlets,
                year,
            )


def test_query_count_is_fixed_under_the_variants(variants, season, units, outlets, django_assert_num_queries):
    with django_assert_num_queries(20):  # 15, + level points, category factors, coefficients, author weights, hashes
        small = score_year(variants)
    _grow(variants, units, outlets, 6)
    with django_assert_num_queries(20):
        big = score_year(variants)
    assert len(big.pieces) >= len(small.pieces) + 48


def test_the_piece_explanation_says_which_setting_applied(variants, season):
    a1 = explain_piece(season["A1"])
    assert (a1.payout_text, a1.split_text, a1.counted) == ("取最高两档", "按署名顺序权重 3:2", True)
    assert a1.reward.paid_outlet_names == ["人民日报", "人民网"] and a1.note is None
    b1 = explain_piece(season["B1"])
    assert (b1.counted, b1.excluded, b1.note.reason, b1.note.duplicate_of) == (
        False,
        True,
        "duplicate",
        (season["A2"].pk,),
    )
    a2 = explain_piece(season["A2"])
    assert a2.counted and a2.note.reported_first
    b2 = explain_piece(season["B2"])
    assert (b2.counted, b2.note.reason, b2.note.late_days) == (False, "late", 44)


def test_score_json_says_which_setting_applied(variants, season):
    out = StringIO()
    call_command("score", "--year", "2011", "--unit", "汉滨区人社局", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["settings"] == [
        "一稿多投:取最高两档",
        "作者分配:按署名顺序权重 3:2",
        "重复报送:以先报为准,后报的不计分",
        "报送时限:首次提交晚于最早刊发30天为逾期报送,不计分",
    ]
    (unit,) = data["units"]
    assert (unit["points"], unit["item_points"], unit["piece_points"]) == ("14.10", "4.10", "10.00")
    assert unit["indicators"][2] == {
        "code": "P",
        "target": 0,
        "achieved": 3,
        "points": "10.00",
        "months": [{"month": 3, "pieces": 3, "points": "10.00", "capped": True}],
    }
    first = unit["pieces"][0]
    assert first == {
        "title": "汉滨就业突破万人",
        "reward": "600.00",
        "payout": "一稿多投:取最高两档",
        "paid": ["人民日报", "人民网"],
        "split": "按署名顺序权重 3:2",
        "shares": [
            {"name": "甲", "reward": "257.16"},
            {"name": "乙", "reward": "171.42"},
            {"name": "丙", "reward": "171.42"},
        ],
    }
    assert unit["notes"] == [
        {"title": "社保卡发放", "note": "重复报送:另一单位也登记了同一刊发,本单位先报", "counted": True}
    ]
    out = StringIO()
    call_command("score", "--year", "2011", "--unit", "旬阳县人社局", "--json", stdout=out)
    notes = json.loads(out.getvalue())["units"][0]["notes"]
    assert notes == [
        {"title": "安康社保卡发放", "note": "重复报送:另一单位先报了同一刊发,以先报为准,本稿不计分", "counted": False},
        {"title": "旬阳迟报", "note": "逾期报送:首次提交晚于最早刊发44天,不计分", "counted": False},
    ]
    out = StringIO()
    call_command("score", "--year", "2011", stdout=out)
    text = out.getvalue()
    assert "本年度规则:一稿多投:取最高两档" in text and "P 按篇计分 10.00:3月10.00(封顶)" in text
    assert "⚠ 旬阳迟报:逾期报送" in text


def test_closing_keeps_every_variant_result(variants, season, users):
    live = score_year(variants)
    year_close(actor=users["bureau_admin"], year=variants)
    stored = year_results(variants)
    assert stored.source == "snapshot"
    assert stored.units == live.units and stored.pieces == live.pieces and stored.notes == live.notes
    assert explain_piece(season["B1"]).note == live.notes[season["B1"].pk]  # excluded at closing, and why


# ------------------------------------------------------------------------------------------ admin


def _inline(prefix, rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{k}": v for k, v in row.items()}
    return data


def test_admin_schedule_weights_are_checked_in_chinese(client, users, year, units):
    login(client, users["bureau_admin"])
    url = reverse("admin:scoring_rewardschedule_add")
    # A unit's own schedule is that unit's to keep (desk.own_rewards): the admin refuses to set one.
    own = {"year": year.pk, "owner_unit": units["a"].pk, "name": "汉滨自定", "payout": "highest", "top_n": 2}
    page = client.post(url, own | {"author_split": "equal"} | _inline("author_weights") | _inline("rules"))
    assert "由该单位负责人或联络员" in page.content.decode()
    assert not RewardSchedule.objects.filter(owner_unit=units["a"]).exists()
    RewardSchedule.objects.filter(year=year, owner_unit__isnull=True).delete()  # a bureau schedule made anew
    base = {"year": year.pk, "owner_unit": "", "name": "市局新标准", "payout": "top_n", "top_n": 2}
    page = client.post(url, base | {"author_split": "weights"} | _inline("author_weights") | _inline("rules"))
    assert "按权重分配时至少要填写第1作者的权重" in page.content.decode()
    gap = _inline("author_weights", [{"position": 1, "weight": "3"}, {"position": 3, "weight": "2"}])
    page = client.post(url, base | {"author_split": "weights"} | gap | _inline("rules"))
    assert "作者权重的署名顺序须从1开始连续填写" in page.content.decode()
    page = client.post(
        url, base | {"author_split": "weights", "top_n": 0} | _inline("author_weights") | _inline("rules")
    )
    assert "取最高N档时,N至少为1" in page.content.decode()
    good = _inline("author_weights", [{"position": 1, "weight": "3"}, {"position": 2, "weight": "2"}])
    assert client.post(url, base | {"author_split": "weights"} | good | _inline("rules")).status_code == 302
    schedule = RewardSchedule.objects.get(year=year, owner_unit__isnull=True)
    assert list(schedule.author_weights.values_list("position", "weight")) == [(1, D("3")), (2, D("2"))]
    assert RewardSchedule.objects.count() == 1


def _indicator_post(year, kinds, **extra):
    return {
        "year": year.pk,
        "unit_kind": kinds["county"].pk,
        "code": "P",
        "name": "媒体发稿积分",
        "kinds": "[]",
        "requires_publication": "on",
        "default_target": 0,
        "order": 9,
        "method": "per_piece",
        "monthly_cap": "10",
    } | extra


def test_admin_per_piece_indicator_needs_level_points(client, users, year, kinds):
    login(client, users["bureau_admin"])
    url = reverse("admin:publicity_indicator_add")
    none = _inline("level_points") | _inline("category_factors")
    page = client.post(url, _indicator_post(year, kinds) | none)
    assert "按篇计分的指标至少要填写一个媒体级别的每篇积分" in page.content.decode()
    page = client.post(url, _indicator_post(year, kinds, default_target=5) | none)
    assert "按篇计分的指标不设任务数" in page.content.decode()
    national = OutletLevel.objects.get(code="national").pk
    rows = _inline("level_points", [{"level": national, "points": "5"}]) | _inline(
        "category_factors", [{"category": OutletCategory.objects.get(code="website").pk, "factor": "0.5"}]
    )
    assert client.post(url, _indicator_post(year, kinds) | rows).status_code == 302
    p = Indicator.objects.get(year=year, code="P")
    assert (p.method, p.monthly_cap, p.level_points.get().points) == ("per_piece", D("10.00"), D("5.00"))


def test_admin_pages_show_the_settings_in_chinese(client, users, year):
    login(client, users["bureau_admin"])
    policy = ScoringPolicy.objects.get(year=year)
    html = client.get(reverse("admin:scoring_scoringpolicy_change", args=[policy.pk])).content.decode()
    assert "重复报送与报送时限" in html and "以先报为准,后报的不计分" in html and "逾期不计分" in html
    schedule = RewardSchedule.objects.get(year=year, owner_unit=None)
    html = client.get(reverse("admin:scoring_rewardschedule_change", args=[schedule.pk])).content.decode()
    assert "一稿多投奖励方式" in html and "取最高N档相加" in html and "作者权重" in html
    html = client.get(reverse("admin:scoring_unityearsetting_add")).content.decode()
    assert "单位系数" in html


def test_a_closed_year_freezes_the_new_settings(client, users, variants, units):
    setting = UnitYearSetting.objects.get(year=variants, unit=units["b"])
    indicator = Indicator.objects.get(year=variants, code="P")
    schedule = RewardSchedule.objects.get(year=variants, owner_unit=None)
    year_close(actor=users["bureau_admin"], year=variants)
    login(client, users["bureau_admin"])
    for obj in (setting, indicator, schedule):
        change = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200 and b'name="_save"' not in page.content
        assert client.post(change, {"coefficient": "2"}).status_code == 403
        delete = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.post(
        reverse("admin:scoring_unityearsetting_add"),
        {"year": variants.pk, "unit": units["a"].pk, "coefficient": "2"},
    )
    assert "2011年度已结账" in page.content.decode()
    assert UnitYearSetting.objects.get(pk=setting.pk).coefficient == D("1.5")
    assert UnitYearSetting.objects.count() == 1
    assert indicator.level_points.count() == 4 and schedule.author_weights.count() == 2
