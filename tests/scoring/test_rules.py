"""scoring/rules.py without a database: DOMAIN.md §6 and §7 worked examples, boundaries, and
hypothesis properties."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rules import (
    IndicatorFact,
    OutletFact,
    PieceFact,
    PolicyFact,
    PublicationFact,
    RuleFact,
    UnitScore,
    piece_meets,
    piece_reward,
    points_for,
    publication_reward,
    rank_units,
    score_unit,
    split_shares,
)

D = Decimal
NATIONAL, PROVINCIAL, CITY, COUNTY = 4, 3, 2, 1
PARTY_PAPER, TV, WEBSITE, BRIEFING = 1, 3, 7, 5

RMRB = OutletFact(1, "人民日报", NATIONAL, PARTY_PAPER)
SXRB = OutletFact(2, "陕西日报", PROVINCIAL, PARTY_PAPER)
AKRB = OutletFact(3, "安康日报", CITY, PARTY_PAPER)
AKTV = OutletFact(4, "安康电视台", CITY, TV)
RMW = OutletFact(5, "人民网", NATIONAL, WEBSITE)
JWZ = OutletFact(6, "局网站", CITY, WEBSITE)
XJB = OutletFact(7, "县简报", COUNTY, BRIEFING)

POLICY_2011 = PolicyFact(
    full_score=D("4"),
    bonus_per_piece=D("0.1"),
    bonus_cap_ratio=D("0.3"),
    penalty_per_piece=D("0.1"),
    floor=D("0"),
    bonus_min_rank=CITY,
    bonus_category_ids=frozenset({PARTY_PAPER, TV}),
)
C1 = IndicatorFact(1, "C1", "市级及以上媒体发稿", min_rank=CITY, is_bonus_basis=True)
R = IndicatorFact(2, "R", "专题调研文章", kinds=frozenset({"research"}), requires_publication=False)

RULES = [
    RuleFact(1, D("5000"), frozenset({RMRB.id}), placement="headline", min_characters=800, note="人民日报头版头条"),
    RuleFact(2, D("1500"), frozenset({SXRB.id}), placement="headline", min_characters=800, note="陕西日报头版头条"),
    RuleFact(3, D("500"), frozenset({AKRB.id}), placement="headline", min_characters=1000, note="安康日报头版头条"),
    RuleFact(4, D("500"), frozenset({RMRB.id}), note="人民日报"),
    RuleFact(11, D("100"), frozenset({AKRB.id}), kinds=frozenset({"research"}), note="安康日报调研"),
    RuleFact(12, D("20"), frozenset({AKRB.id}), kinds=frozenset({"news"}), note="安康日报新闻"),
    RuleFact(20, D("100"), frozenset({RMW.id}), note="中央网站"),
    RuleFact(22, D("10"), frozenset({JWZ.id}), note="市级网站"),
]

_ids = iter(range(1, 10**9))


def pub(outlet, placement="other", day=1):
    return PublicationFact(next(_ids), outlet, dt.date(2011, 3, day), placement)


def piece(*pubs, kind="news", chars=500, authors=("张三",), unit=1, topics=()):
    return PieceFact(
        next(_ids), unit, kind, chars, tuple(authors), tuple(pubs), frozenset(topics), report_date=dt.date(2011, 6, 1)
    )


# ----------------------------------------------------------------------------- DOMAIN §7


@pytest.mark.parametrize(
    ("outlet", "placement", "chars", "amount", "rule_id"),
    [
        (RMRB, "headline", 700, "500.00", 4),  # DOMAIN §7: 人民日报 头版头条 700 chars → 500
        (RMRB, "headline", 799, "500.00", 4),
        (RMRB, "headline", 800, "5000.00", 1),
        (SXRB, "headline", 800, "1500.00", 2),  # DOMAIN §7: exactly 800 chars → 1500
        (SXRB, "headline", 799, "0.00", None),
        (AKRB, "headline", 999, "20.00", 12),
        (AKRB, "headline", 1000, "500.00", 3),
        (AKRB, "front", 1000, "20.00", 12),  # 头版 is not 头版头条
        (RMRB, "front", 5000, "500.00", 4),
    ],
)
def test_headline_and_length_boundaries(outlet, placement, chars, amount, rule_id):
    r = piece_reward(piece(pub(outlet, placement), chars=chars), RULES)
    assert (r.amount, r.rule_id) == (D(amount), rule_id)
    assert r.no_rule_matched is (rule_id is None)


def test_one_piece_many_outlets_pays_the_highest_once():
    """DOMAIN §7: one news piece in 安康日报 (20), 人民网 (100) and 局网站 (10) → 100, not 130."""
    p = piece(pub(AKRB, day=1), pub(RMW, day=2), pub(JWZ, day=3))
    r = piece_reward(p, RULES)
    assert r.amount == D("100.00")
    assert r.outlet_name == "人民网" and r.rule_id == 20
    assert [x.amount for x in r.publications] == [D("20.00"), D("100.00"), D("10.00")]


def test_publication_reward_lists_every_matching_rule_and_takes_the_highest():
    p = piece(kind="news", chars=900)
    r = publication_reward(p, pub(RMRB, "headline"), RULES)
    assert r.matched_rule_ids == (1, 4)
    assert (r.amount, r.rule_id) == (D("5000.00"), 1)


def test_no_rule_matched_gives_zero_and_a_flag():
    r = piece_reward(piece(pub(XJB)), RULES)
    assert r.amount == D("0.00") and r.no_rule_matched and r.rule_id is None
    assert r.shares == [("张三", D("0.00"))]


def test_unpublished_research_has_no_reward_and_no_flag():
    r = piece_reward(piece(kind="research"), RULES)
    assert r.amount == D("0.00") and not r.no_rule_matched


@pytest.mark.parametrize(
    ("amount", "authors", "expected"),
    [
        ("100", ["甲", "乙", "丙"], ["33.34", "33.33", "33.33"]),
        ("20", ["甲", "乙", "丙"], ["6.68", "6.66", "6.66"]),
        ("0.01", ["甲", "乙"], ["0.01", "0.00"]),
        ("500", ["甲"], ["500.00"]),
        ("10", ["甲", "乙", "丙", "丁", "戊", "己", "庚"], ["1.48", "1.42", "1.42", "1.42", "1.42", "1.42", "1.42"]),
    ],
)
def test_shares_in_fen_remainder_to_first_author(amount, authors, expected):
    shares = split_shares(D(amount), authors)
    assert [n for n, _ in shares] == authors
    assert [v for _, v in shares] == [D(e) for e in expected]
    assert sum(v for _, v in shares) == D(amount)


# ----------------------------------------------------------------------------- DOMAIN §6


def county_pieces(city_level: int, bonus: int, research: int):
    """``city_level`` pieces at city level or above, ``bonus`` of them in a party paper/TV."""
    pieces = [piece(pub(AKRB)) for _ in range(bonus)]
    pieces += [piece(pub(JWZ)) for _ in range(city_level - bonus)]
    pieces += [piece(kind="research") for _ in range(research)]
    return pieces


def county(pieces, c1=40, r=4, policy=POLICY_2011, indicators=None):
    return score_unit(
        unit_id=1,
        unit_name="汉滨区人社局",
        kind_name="县区人社局",
        indicators=indicators or [(C1, c1), (R, r)],
        pieces=pieces,
        policy=policy,
    )


def test_domain_worked_example():
    """43 city-level pieces, 5 in 安康日报/陕西日报/TV, 3 research; targets 40 / 4 → 4.20."""
    u = county(county_pieces(43, 5, 3))
    assert [(i.code, i.target, i.achieved) for i in u.indicators] == [("C1", 40, 43), ("R", 4, 3)]
    assert (u.missing, u.surplus, u.bonus_base, u.extra) == (1, 3, 5, 3)
    assert u.points == D("4.20")
    assert (u.penalty, u.bonus) == (D("0.10"), D("0.30"))


def test_extra_is_limited_by_bonus_eligible_pieces():
    u = county(county_pieces(50, 2, 4))
    assert (u.surplus, u.bonus_base, u.extra, u.points) == (10, 2, 2, D("4.20"))


def test_bonus_is_capped_at_30_percent_of_full_score():
    u = county(county_pieces(60, 60, 4))
    assert (u.extra, u.bonus, u.bonus_capped, u.points) == (20, D("1.20"), True, D("5.20"))


def test_floor():
    u = county([])  # M = 44 → 4 − 4.4 = −0.4 → floor 0
    assert (u.missing, u.floored, u.points) == (44, True, D("0.00"))
    raised = county([], policy=PolicyFact(**{**POLICY_2011.__dict__, "floor": D("1")}))
    assert raised.points == D("1.00")


def test_unit_without_bonus_basis_gets_no_bonus():
    plain = IndicatorFact(1, "C1", min_rank=CITY)
    u = county(county_pieces(50, 50, 4), indicators=[(plain, 40), (R, 4)])
    assert (u.has_bonus_basis, u.bonus_base, u.extra, u.points) == (False, 0, 0, D("4.00"))


def test_not_penalised_indicator_is_left_out_of_missing():
    d1 = IndicatorFact(1, "D1", min_rank=PROVINCIAL)
    d0 = IndicatorFact(2, "D0", min_rank=CITY, is_bonus_basis=True, counts_for_penalty=False)
    u = county([piece(pub(SXRB))], indicators=[(d1, 2), (d0, 7)])
    assert (u.missing, u.points) == (1, D("3.90"))  # D0 short by 6 but not penalised


def test_overlapping_indicators_count_a_research_article_in_both():
    p = piece(pub(AKRB), kind="research")
    assert piece_meets(p, C1) and piece_meets(p, R)
    u = county([p])
    assert [i.piece_ids for i in u.indicators] == [[p.id], [p.id]]


def test_a_piece_counts_once_per_indicator_however_often_published():
    u = county([piece(pub(AKRB), pub(RMRB), pub(JWZ))])
    assert u.indicators[0].achieved == 1 and u.bonus_base == 1


def test_level_range_is_inclusive():
    city_only = IndicatorFact(3, "A2", min_rank=CITY, max_rank=CITY)
    assert piece_meets(piece(pub(AKRB)), city_only)
    assert not piece_meets(piece(pub(SXRB)), city_only)
    assert not piece_meets(piece(pub(XJB)), C1)  # county level is below 市级以上


def test_topic_and_category_criteria():
    shuangchuang = IndicatorFact(4, "A3", min_rank=CITY, max_rank=CITY, topic_ids=frozenset({9}))
    assert piece_meets(piece(pub(JWZ), topics={9}), shuangchuang)
    assert not piece_meets(piece(pub(JWZ), topics={8}), shuangchuang)
    papers = IndicatorFact(5, "P", category_ids=frozenset({PARTY_PAPER}))
    assert piece_meets(piece(pub(JWZ), pub(AKRB)), papers) and not piece_meets(piece(pub(JWZ)), papers)


def test_points_rounding_half_up():
    policy = PolicyFact(D("4"), D("0.005"), D("1"), D("0"), D("0"), CITY, frozenset({PARTY_PAPER}))
    assert points_for(policy, 0, 1)[0] == D("4.01")  # 4.005 → 4.01, not banker's 4.00


def _u(uid, points, reward):
    return UnitScore(uid, f"u{uid}", "k", 0, D(points), D(reward), 0, 0, 0, [], [])


def test_rank_by_points_then_reward_ties_share_a_rank():
    ranked = rank_units([_u(1, "4.00", "10"), _u(2, "4.20", "0"), _u(3, "4.00", "10"), _u(4, "4.00", "50")])
    assert [(u.unit_id, u.rank) for u in ranked] == [(2, 1), (4, 2), (1, 3), (3, 3)]
    ranked = rank_units([_u(1, "4", "0"), _u(2, "4", "0"), _u(3, "3", "0")])
    assert [u.rank for u in ranked] == [1, 1, 3]


# ----------------------------------------------------------------------------- properties

OUTLETS = [RMRB, SXRB, AKRB, AKTV, RMW, JWZ, XJB]
KINDS = ["news", "research", "feature", "info", "experience"]
PLACEMENTS = ["headline", "front", "other"]

rules_st = st.lists(
    st.builds(
        RuleFact,
        id=st.integers(1, 10**6),
        amount=st.decimals(D("0.01"), D("9999.99"), places=2),
        outlet_ids=st.frozensets(st.sampled_from([o.id for o in OUTLETS]), min_size=1),
        kinds=st.frozensets(st.sampled_from(KINDS), max_size=2),
        placement=st.sampled_from(["", *PLACEMENTS]),
        min_characters=st.one_of(st.none(), st.integers(0, 2000)),
    ),
    max_size=12,
)
pub_st = st.builds(
    lambda o, pl, day: PublicationFact(0, o, dt.date(2011, 1, 1) + dt.timedelta(days=day), pl),
    st.sampled_from(OUTLETS),
    st.sampled_from(PLACEMENTS),
    st.integers(0, 360),
)
authors_st = st.lists(st.text("张王李赵刘陈杨黄", min_size=1, max_size=3), min_size=1, max_size=6, unique=True)


def piece_st(max_pubs=4):
    return st.builds(
        lambda kind, chars, authors, pubs: PieceFact(
            1,
            1,
            kind,
            chars,
            tuple(authors),
            tuple(PublicationFact(i, p.outlet, p.date, p.placement) for i, p in enumerate(pubs, 1)),
        ),
        st.sampled_from(KINDS),
        st.integers(0, 3000),
        authors_st,
        st.lists(pub_st, max_size=max_pubs),
    )


@settings(max_examples=300, deadline=None)
@given(piece_st(), rules_st)
def test_reward_is_never_above_the_highest_matching_rule(p, rules):
    from scoring.rules import rule_matches

    r = piece_reward(p, rules)
    matching = [rule.amount for rule in rules for pb in p.publications if rule_matches(rule, p, pb)]
    assert r.amount == (max(matching) if matching else D("0"))
    assert r.no_rule_matched is (bool(p.publications) and not matching)


@settings(max_examples=300, deadline=None)
@given(piece_st(max_pubs=3), pub_st, rules_st)
def test_adding_a_publication_never_lowers_the_reward(p, extra, rules):
    more = PieceFact(p.id, p.unit_id, p.kind, p.characters, p.authors, (*p.publications, extra))
    assert piece_reward(more, rules).amount >= piece_reward(p, rules).amount


@settings(max_examples=300, deadline=None)
@given(st.decimals(D("0"), D("99999.99"), places=2), authors_st)
def test_shares_always_sum_to_the_reward(amount, authors):
    shares = split_shares(amount, authors)
    assert sum(v for _, v in shares) == amount
    values = [v for _, v in shares]
    assert all(v >= 0 and v == v.quantize(D("0.01")) for v in values)
    assert max(values) - min(values) < D("0.01") * len(authors)  # equal split up to the fen remainder
    assert values[0] == max(values)


policy_st = st.builds(
    PolicyFact,
    full_score=st.decimals(D("0"), D("100"), places=2),
    bonus_per_piece=st.decimals(D("0"), D("5"), places=2),
    bonus_cap_ratio=st.decimals(D("0"), D("1"), places=4),
    penalty_per_piece=st.decimals(D("0"), D("5"), places=2),
    floor=st.just(D("0")),
    bonus_min_rank=st.sampled_from([CITY, PROVINCIAL]),
    bonus_category_ids=st.frozensets(st.sampled_from([PARTY_PAPER, TV, WEBSITE]), max_size=3),
)


def unit_pieces_st():
    return st.lists(piece_st(max_pubs=3).map(lambda p: p), max_size=25).map(
        lambda ps: [PieceFact(i, 1, p.kind, p.characters, p.authors, p.publications) for i, p in enumerate(ps, 1)]
    )


@settings(max_examples=200, deadline=None)
@given(unit_pieces_st(), policy_st, st.integers(0, 30), st.integers(0, 5))
def test_points_lie_between_floor_and_full_score_plus_cap(pieces, policy, t1, t2):
    u = county(pieces, c1=t1, r=t2, policy=policy)
    # Points are rounded half up (DOMAIN §6): 2.90 + 0.145 = 3.045 → 3.05, so the bound is rounded the same way.
    ceiling = (policy.full_score * (1 + policy.bonus_cap_ratio)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert policy.floor <= u.points <= ceiling
    assert 0 <= u.extra <= u.bonus_base


@settings(max_examples=200, deadline=None)
@given(unit_pieces_st(), piece_st(max_pubs=3), policy_st, st.integers(0, 30), st.integers(0, 5))
def test_adding_an_approved_piece_never_lowers_points(pieces, new, policy, t1, t2):
    before = county(pieces, c1=t1, r=t2, policy=policy)
    added = PieceFact(10_000, 1, new.kind, new.characters, new.authors, new.publications)
    after = county([*pieces, added], c1=t1, r=t2, policy=policy)
    assert after.points >= before.points
