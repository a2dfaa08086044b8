"""The 2011 bureau schedule as loaded from the preset, checked against DOMAIN.md §7's table
transcribed here literally (not read from the fixture)."""

from decimal import Decimal

import pytest

from scoring.services import score_year

NEWSPAPERS_5 = ["陕西日报", "当代陕西", "陕西工作交流", "安康经济", "华商报"]
INDUSTRY_3 = ["中国组织人事报", "中国劳动保障报", "中国人才"]
# DOMAIN §7: outlets, kind (None = any), placement (None = any), minimum characters, yuan
TABLE = [
    (["人民日报"], None, "headline", 800, "5000"),
    (["陕西日报"], None, "headline", 800, "1500"),
    (["安康日报"], None, "headline", 1000, "500"),
    (["人民日报"], None, None, None, "500"),
    (["中央电视台"], None, None, None, "2000"),
    (NEWSPAPERS_5, "research", None, None, "200"),
    (NEWSPAPERS_5, "news", None, None, "100"),
    (["陕西电视台"], "feature", None, None, "300"),
    (["陕西电视台"], "news", None, None, "200"),
    (["市委市政府简报"], None, None, None, "50"),
    (["安康日报"], "research", None, None, "100"),
    (["安康日报"], "news", None, None, "20"),
    (["安康电视台"], "feature", None, None, "100"),
    (["安康电视台"], "news", None, None, "20"),
    (["安康广播电台"], None, None, None, "20"),
    (["市双创简报", "绿化简报", "防汛救灾简报"], None, None, None, "20"),
    (INDUSTRY_3, "research", None, None, "300"),
    (INDUSTRY_3, "news", None, None, "200"),
    (["省厅简报", "省公务员局简报", "陕西城乡劳动就业"], None, None, None, "30"),
    (["人民网", "新华网", "人社部网站", "国家公务员局网站", "陕西省政府网站"], None, None, None, "100"),
    (["陕西省人社厅网站", "陕西省公务员局网站"], None, None, None, "30"),
    (["安康市政府网站", "安康市纪委网站", "安康市双创办网站", "局网站"], None, None, None, "10"),
    (["三秦都市报", "阳光报"], None, None, None, "50"),
    (["搜狐", "腾讯", "新浪"], None, None, None, "50"),
    (["安康广播电视报"], None, None, None, "20"),
]


def test_table_has_25_rules_like_the_preset(year):
    from scoring.models import RewardRule

    assert len(TABLE) == 25
    assert RewardRule.objects.filter(schedule__year=year, schedule__owner_unit=None).count() == 25


@pytest.mark.parametrize(("names", "kind", "placement", "chars", "yuan"), TABLE, ids=[f"rule{i}" for i in range(1, 26)])
def test_every_2011_rule_pays_its_amount_for_every_outlet(units, make_piece, year, names, kind, placement, chars, yuan):
    # "any kind" rows are exercised with 信息 (a kind no kind-specific rule names), other rows with their kind.
    pieces = [
        make_piece(
            units["a"],
            f"稿件{n}",
            [(name, "2011-05-01", placement or "other")],
            kind=kind or "info",
            characters=chars or 300,
        )
        for n, name in enumerate(names)
    ]
    result = score_year(year)
    for p, name in zip(pieces, names, strict=True):
        r = result.pieces[p.pk]
        assert (r.outlet_name, r.amount, r.no_rule_matched) == (name, Decimal(yuan), False), name


@pytest.mark.parametrize(
    ("outlet", "kind", "placement", "chars", "yuan"),
    [
        ("人民日报", "news", "headline", 700, "500"),  # DOMAIN §7 example
        ("人民日报", "news", "headline", 799, "500"),
        ("人民日报", "news", "headline", 800, "5000"),
        ("人民日报", "news", "front", 3000, "500"),  # 头版 is not 头版头条
        ("陕西日报", "news", "headline", 800, "1500"),  # DOMAIN §7 example
        ("陕西日报", "news", "headline", 799, "100"),
        ("陕西日报", "research", "headline", 799, "200"),
        ("陕西日报", "news", "front", 2000, "100"),
        ("安康日报", "news", "headline", 999, "20"),
        ("安康日报", "news", "headline", 1000, "500"),
        ("安康日报", "research", "headline", 999, "100"),
        ("安康日报", "news", "front", 1000, "20"),
    ],
)
def test_length_and_placement_boundaries(units, make_piece, year, outlet, kind, placement, chars, yuan):
    p = make_piece(units["a"], "边界", [(outlet, "2011-04-01", placement)], kind=kind, characters=chars)
    assert score_year(year).pieces[p.pk].amount == Decimal(yuan)


def test_one_piece_in_three_outlets_is_paid_once_at_the_highest_tier(units, make_piece, year):
    """DOMAIN §7: 安康日报 (20), 人民网 (100), 局网站 (10) → 100."""
    p = make_piece(
        units["a"], "一稿多投", [("安康日报", "2011-03-01"), ("人民网", "2011-03-02"), ("局网站", "2011-03-03")]
    )
    r = score_year(year).pieces[p.pk]
    assert (r.amount, r.outlet_name) == (Decimal("100"), "人民网")
    assert sorted(x.amount for x in r.publications) == [Decimal("10"), Decimal("20"), Decimal("100")]


def test_across_tiers_the_headline_wins_over_a_national_website(units, make_piece, year):
    p = make_piece(
        units["a"], "头条", [("人民网", "2011-03-01"), ("陕西日报", "2011-03-02", "headline")], characters=1200
    )
    r = score_year(year).pieces[p.pk]
    assert (r.amount, r.outlet_name, r.rule_note) == (Decimal("1500"), "陕西日报", "陕西日报头版头条800字以上")


def test_unmatched_outlets(units, make_piece, year):
    site = make_piece(units["a"], "双创办", [("安康市双创办网站", "2011-03-01")])
    meeting = make_piece(units["a"], "会议材料", [("省级会议经验交流材料", "2011-03-01")], kind="experience")
    info_in_paper = make_piece(units["a"], "信息", [("安康日报", "2011-03-01")], kind="info")
    result = score_year(year)
    assert result.pieces[site.pk].amount == Decimal("10") and not result.pieces[site.pk].no_rule_matched
    for p in (meeting, info_in_paper):
        r = result.pieces[p.pk]
        assert (r.amount, r.no_rule_matched, r.rule_id) == (Decimal("0"), True, None)
    assert {r.piece_id for r in result.unmatched} == {meeting.pk, info_in_paper.pk}
