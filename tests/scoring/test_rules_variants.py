"""DOMAIN.md §10 (other bureaus' rules) in scoring/rules.py, without a database: every worked example,
the boundaries of each setting, and hypothesis properties. The 2011 defaults must give §6–§7 exactly."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rules import (
    DEFAULT_SCHEDULE,
    DUPLICATES_FIRST_REPORTED,
    METHOD_PER_PIECE,
    PAYOUT_SUM,
    PAYOUT_TOP_N,
    SPLIT_WEIGHTS,
    TIMELINESS_EXCLUDE,
    TIMELINESS_FLAG,
    IndicatorFact,
    OutletFact,
    PieceFact,
    PolicyFact,
    PublicationFact,
    RuleFact,
    ScheduleFact,
    days_late,
    duplicate_groups,
    money,
    per_piece_score,
    piece_notes,
    piece_points,
    piece_reward,
    rule_matches,
    score_unit,
    score_year_facts,
    split_shares,
    split_weighted,
    year_score_from_dict,
    year_score_to_dict,
)
from tests.scoring.test_rules import (
    AKRB,
    AKTV,
    C1,
    CITY,
    JWZ,
    NATIONAL,
    OUTLETS,
    POLICY_2011,
    PROVINCIAL,
    RMRB,
    RMW,
    RULES,
    SXRB,
    WEBSITE,
    XJB,
    R,
    authors_st,
    piece_st,
    rules_st,
)

D = Decimal
SXW = OutletFact(8, "陕西省政府网站", PROVINCIAL, WEBSITE)  # a provincial website
HIGHEST = DEFAULT_SCHEDULE
SUM = ScheduleFact(payout=PAYOUT_SUM)
TOP2 = ScheduleFact(payout=PAYOUT_TOP_N, top_n=2)
WEIGHTS_32 = ScheduleFact(split=SPLIT_WEIGHTS, weights=(D("3"), D("2")))
FIRST = PolicyFact(**{**POLICY_2011.__dict__, "duplicates": DUPLICATES_FIRST_REPORTED})

_ids = iter(range(1, 10**9))


def pub(outlet, day=dt.date(2011, 3, 1), placement="other", url=""):
    return PublicationFact(next(_ids), outlet, day, placement, url)


def piece(*pubs, unit=1, title=None, kind="news", authors=("张三",), submitted=None, report_date=None, pid=None):
    """``submitted``: the first submission, a date (submitted at noon that day) or a datetime."""
    at = submitted
    if isinstance(submitted, dt.date) and not isinstance(submitted, dt.datetime):
        at = dt.datetime.combine(submitted, dt.time(12), tzinfo=dt.UTC)
    pid = pid or next(_ids)
    return PieceFact(
        pid,
        unit,
        kind,
        500,
        tuple(authors),
        tuple(pubs),
        title=title if title is not None else f"稿件{pid}",
        report_date=report_date,
        submitted_at=at,
        submitted_on=at.date() if at else None,
    )


# ------------------------------------------------------------------ 一稿多投 payout (§10 example)


def test_domain_example_payout_highest_sum_top_two():
    """News piece in 安康日报 (20), 人民网 (100), 局网站 (10): highest 100; sum 130; top 2 120."""
    p = piece(pub(AKRB, dt.date(2011, 3, 1)), pub(RMW, dt.date(2011, 3, 2)), pub(JWZ, dt.date(2011, 3, 3)))
    highest, total, top2 = (piece_reward(p, RULES, s) for s in (HIGHEST, SUM, TOP2))
    assert (highest.amount, total.amount, top2.amount) == (D("100.00"), D("130.00"), D("120.00"))
    assert highest.paid_outlet_names == ["人民网"]
    assert total.paid_outlet_names == ["人民网", "安康日报", "局网站"]
    assert top2.paid_outlet_names == ["人民网", "安康日报"]  # the two publications paid
    assert top2.outlet_name == "人民网" and top2.rule_id == 20  # the highest still names the piece's row
    assert piece_reward(p, RULES) == highest  # no schedule = the 2011 choice


def test_top_n_beyond_the_publications_is_the_sum_and_top_one_is_the_highest():
    p = piece(pub(AKRB), pub(RMW), pub(JWZ))
    assert piece_reward(p, RULES, ScheduleFact(payout=PAYOUT_TOP_N, top_n=5)).amount == D("130.00")
    assert piece_reward(p, RULES, ScheduleFact(payout=PAYOUT_TOP_N, top_n=1)).amount == D("100.00")


def test_unmatched_publications_are_never_paid_and_still_flag():
    p = piece(pub(XJB), pub(JWZ))
    r = piece_reward(p, RULES, SUM)
    assert (r.amount, r.paid_outlet_names, r.no_rule_matched) == (D("10.00"), ["局网站"], False)
    none = piece_reward(piece(pub(XJB)), RULES, TOP2)
    assert (none.amount, none.paid_publication_ids, none.no_rule_matched) == (D("0.00"), (), True)


def test_equal_amounts_pay_the_earliest_publication_first():
    rules = [RuleFact(1, D("50"), frozenset({AKRB.id, AKTV.id}), note="市级党报电视台"), *RULES]
    p = piece(pub(AKTV, dt.date(2011, 3, 1)), pub(AKRB, dt.date(2011, 3, 2)), pub(JWZ, dt.date(2011, 3, 3)))
    assert piece_reward(p, rules).paid_outlet_names == ["安康电视台"]
    assert piece_reward(p, rules, TOP2).paid_outlet_names == ["安康电视台", "安康日报"]
    assert piece_reward(p, rules, TOP2).amount == D("100.00")


# ------------------------------------------------------------------------ author split (§10 example)


def test_domain_example_weights_three_two():
    """500 yuan, weights 3, 2: 300.00 / 200.00; three authors (3, 2, 2): 214.28 / 142.85 / 142.85,
    remainder 0.02 to the first → 214.30 / 142.85 / 142.85."""
    assert split_weighted(D("500"), ["甲", "乙"], [D("3"), D("2")]) == [("甲", D("300.00")), ("乙", D("200.00"))]
    assert split_weighted(D("500"), ["甲", "乙", "丙"], [D("3"), D("2")]) == [
        ("甲", D("214.30")),
        ("乙", D("142.85")),
        ("丙", D("142.85")),
    ]


def test_weights_through_the_piece_reward():
    p = piece(pub(RMRB), authors=("甲", "乙", "丙"))  # 人民日报 other page: 500
    r = piece_reward(p, RULES, WEIGHTS_32)
    assert r.shares == [("甲", D("214.30")), ("乙", D("142.85")), ("丙", D("142.85"))]
    assert piece_reward(p, RULES).shares == [("甲", D("166.68")), ("乙", D("166.66")), ("丙", D("166.66"))]


@pytest.mark.parametrize(
    ("amount", "authors", "weights", "expected"),
    [
        ("100", ["甲"], ["3", "2"], ["100.00"]),  # one author takes everything
        ("0.01", ["甲", "乙"], ["1", "9"], ["0.01", "0.00"]),  # the single fen is remainder: first author
        ("10", ["甲", "乙"], ["1", "3"], ["2.50", "7.50"]),  # a later author may get more
        ("100", ["甲", "乙", "丙"], ["1.5", "1"], ["42.86", "28.57", "28.57"]),  # 42.857 ↓ 42.85 + 0.01
        ("0", ["甲", "乙"], ["3", "2"], ["0.00", "0.00"]),
    ],
)
def test_weighted_split_rounds_down_and_gives_the_remainder_to_the_first(amount, authors, weights, expected):
    shares = split_weighted(D(amount), authors, [D(w) for w in weights])
    assert [v for _, v in shares] == [D(e) for e in expected]


def test_weights_without_a_list_fall_back_to_equal():
    assert split_weighted(D("100"), ["甲", "乙", "丙"], []) == split_shares(D("100"), ["甲", "乙", "丙"])


# ------------------------------------------------------------------------------ duplicate claims


def test_same_outlet_and_url_is_the_same_publication_whatever_the_spelling():
    a = piece(pub(AKRB, url="http://akxw.cn/a/1.html"), unit=1, title="甲稿")
    b = piece(pub(AKRB, dt.date(2011, 3, 9), url="https://AKXW.cn/a/1.html/ "), unit=2, title="乙稿")
    other_outlet = piece(pub(RMW, url="http://akxw.cn/a/1.html"), unit=3, title="丙稿")
    assert duplicate_groups([a, b, other_outlet]) == {a.id: (b.id,), b.id: (a.id,)}


def test_same_outlet_date_and_normalised_title_is_the_same_publication():
    a = piece(pub(AKRB, dt.date(2011, 3, 5)), unit=1, title="汉滨区:城镇新增就业突破万人!")
    b = piece(pub(AKRB, dt.date(2011, 3, 5)), unit=2, title="汉滨区城镇新增就业 突破万人")
    next_day = piece(pub(AKRB, dt.date(2011, 3, 6)), unit=3, title="汉滨区城镇新增就业突破万人")
    other_outlet = piece(pub(AKTV, dt.date(2011, 3, 5)), unit=4, title="汉滨区城镇新增就业突破万人")
    similar = piece(pub(AKRB, dt.date(2011, 3, 5)), unit=5, title="汉滨区城镇新增就业突破万人次")
    groups = duplicate_groups([a, b, next_day, other_outlet, similar])
    assert groups == {a.id: (b.id,), b.id: (a.id,)}  # exact after normalising, not "similar"


def test_the_same_units_pieces_are_not_duplicate_claims():
    a = piece(pub(AKRB, url="http://akxw.cn/1"), unit=1)
    b = piece(pub(AKRB, url="http://akxw.cn/1"), unit=1)
    assert duplicate_groups([a, b]) == {}


def _two_claims():
    early = piece(pub(AKRB, url="http://akxw.cn/1"), unit=1, submitted=dt.date(2011, 3, 2), title="甲")
    late = piece(pub(AKRB, url="http://akxw.cn/1"), unit=2, submitted=dt.date(2011, 3, 4), title="乙")
    return early, late


def test_warn_counts_both_and_flags_both():
    early, late = _two_claims()
    notes = piece_notes([early, late], POLICY_2011)
    assert not notes[early.id].excluded and not notes[late.id].excluded
    assert (notes[early.id].duplicate_of, notes[early.id].reported_first) == ((late.id,), True)
    assert (notes[late.id].duplicate_of, notes[late.id].reported_first) == ((early.id,), False)


def test_first_reported_keeps_the_first_and_the_later_counts_for_nothing():
    early, late = _two_claims()
    facts = _year([early, late], FIRST)
    a, b = facts.unit(1), facts.unit(2)
    assert (a.piece_ids, b.piece_ids) == ([early.id], [])
    assert b.excluded_piece_ids == [late.id] and facts.notes[late.id].reason == "duplicate"
    assert [i.achieved for i in b.indicators] == [0, 0]  # counts for no indicator
    assert (a.reward, b.reward) == (D("20.00"), D("0.00"))  # nor reward
    assert late.id not in facts.pieces and {p.name for p in facts.people} == {"张三"}
    assert facts.people[0].piece_count == 1


def test_first_reported_ties_in_time_go_to_the_lower_id_and_never_submitted_is_last():
    at = dt.datetime(2011, 3, 2, 9, tzinfo=dt.UTC)
    a = piece(pub(AKRB, url="http://x/1"), unit=1, submitted=at, pid=500)
    b = piece(pub(AKRB, url="http://x/1"), unit=2, submitted=at, pid=400)
    c = piece(pub(AKRB, url="http://x/1"), unit=3, submitted=None, pid=1)
    notes = piece_notes([a, b, c], FIRST)
    assert [notes[p.id].excluded for p in (a, b, c)] == [True, False, True]


def test_first_reported_decides_against_pieces_outside_the_units_scored():
    early, late = _two_claims()
    narrowed = _year([late], FIRST, context=[early], units=[(2, "乙单位", "县区", 1)])
    assert narrowed.unit(2).piece_ids == [] and narrowed.notes[late.id].excluded
    assert early.id not in narrowed.notes  # context pieces get no notes of their own


# ---------------------------------------------------------------------------------- timeliness


LATE_30_FLAG = PolicyFact(**{**POLICY_2011.__dict__, "timeliness": TIMELINESS_FLAG, "timeliness_days": 30})
LATE_30_EXCLUDE = PolicyFact(**{**POLICY_2011.__dict__, "timeliness": TIMELINESS_EXCLUDE, "timeliness_days": 30})


@pytest.mark.parametrize(
    ("submitted", "late"),
    [(dt.date(2011, 3, 31), None), (dt.date(2011, 4, 1), 31), (dt.date(2011, 3, 1), None), (None, None)],
)
def test_late_is_more_than_d_days_after_the_earliest_publication(submitted, late):
    p = piece(pub(RMW, dt.date(2011, 3, 9)), pub(AKRB, dt.date(2011, 3, 1)), submitted=submitted)
    assert days_late(p, LATE_30_FLAG) == late
    assert days_late(p, POLICY_2011) is None  # timeliness none (2011)


def test_an_unpublished_piece_is_never_late():
    p = piece(kind="research", report_date=dt.date(2011, 1, 1), submitted=dt.date(2011, 12, 1))
    assert days_late(p, LATE_30_EXCLUDE) is None


def test_flag_counts_the_late_piece_and_marks_it():
    p = piece(pub(AKRB, dt.date(2011, 3, 1)), submitted=dt.date(2011, 5, 1))
    facts = _year([p], LATE_30_FLAG)
    assert facts.unit(1).piece_ids == [p.id] and facts.pieces[p.id].amount == D("20.00")
    assert (facts.notes[p.id].late_days, facts.notes[p.id].excluded) == (61, False)


def test_exclude_counts_the_late_piece_for_nothing():
    p = piece(pub(AKRB, dt.date(2011, 3, 1)), submitted=dt.date(2011, 5, 1))
    on_time = piece(pub(AKRB, dt.date(2011, 3, 1)), submitted=dt.date(2011, 3, 20))
    facts = _year([p, on_time], LATE_30_EXCLUDE)
    u = facts.unit(1)
    assert (u.piece_ids, u.excluded_piece_ids, u.reward) == ([on_time.id], [p.id], D("20.00"))
    assert facts.notes[p.id].reason == "late" and on_time.id not in facts.notes


def test_an_excluded_late_piece_does_not_knock_out_a_later_duplicate():
    """The same URL claimed with different dates: the first report is late and excluded, so the later,
    timely one counts under first_reported."""
    first_but_late = piece(pub(AKRB, dt.date(2011, 1, 1), url="http://x/1"), unit=1, submitted=dt.date(2011, 3, 1))
    later = piece(pub(AKRB, dt.date(2011, 2, 20), url="http://x/1"), unit=2, submitted=dt.date(2011, 3, 2))
    policy = PolicyFact(**{**LATE_30_EXCLUDE.__dict__, "duplicates": DUPLICATES_FIRST_REPORTED})
    notes = piece_notes([first_but_late, later], policy)
    assert notes == {first_but_late.id: notes[first_but_late.id]} and notes[first_but_late.id].reason == "late"
    flagged = piece_notes([first_but_late, later], PolicyFact(**{**policy.__dict__, "timeliness": TIMELINESS_FLAG}))
    assert flagged[later.id].excluded and flagged[later.id].late_days is None  # flagged late still claims first
    assert not flagged[first_but_late.id].excluded and flagged[first_but_late.id].late_days == 59


# ------------------------------------------------------------------------------- per-piece points


def per_piece(monthly="10", yearly=None, **kw):
    return IndicatorFact(
        90,
        "P",
        "媒体发稿积分",
        method=METHOD_PER_PIECE,
        level_points=((NATIONAL, D("5")), (PROVINCIAL, D("3")), (CITY, D("2")), (1, D("1"))),
        category_factors=((WEBSITE, D("0.5")),),
        monthly_cap=D(monthly) if monthly is not None else None,
        yearly_cap=D(yearly) if yearly is not None else None,
        **kw,
    )


def test_domain_example_march_capped_at_ten():
    """Two national news pieces (5 + 5) and one provincial web piece (3 × 0.5 = 1.5) → min(11.5, 10) = 10.00."""
    march = dt.date(2011, 3, 10)
    pieces = [piece(pub(RMRB, march)), piece(pub(RMRB, march)), piece(pub(SXW, march))]
    s = per_piece_score(per_piece(), pieces)
    assert [(m.month, m.pieces, m.raw, m.points, m.capped) for m in s.months] == [(3, 3, D("11.5"), D("10.00"), True)]
    assert (s.points, s.achieved, s.target, s.missing) == (D("10.00"), 3, 0, 0)
    assert [pts for _, pts in s.piece_points] == [D("5"), D("5"), D("1.5")]


def test_points_by_the_best_publication_and_factor_one_for_unlisted_categories():
    ind = per_piece()
    assert piece_points(piece(pub(RMW), pub(SXRB)), ind)[0] == D("3")  # 人民网 5×0.5 = 2.5 < 陕西日报 3
    assert piece_points(piece(pub(XJB)), ind)[0] == D("1")  # county briefing: 1 × 1
    assert piece_points(piece(kind="research", report_date=dt.date(2011, 3, 1)), ind)[0] == D("0")
    city_up = per_piece(min_rank=CITY)
    assert piece_points(piece(pub(XJB)), city_up)[0] == D("0")  # outside the criteria: not counted at all
    assert per_piece_score(city_up, [piece(pub(XJB))]).achieved == 0


def test_a_piece_falls_in_the_month_of_its_earliest_publication_and_the_year_is_capped():
    pieces = [
        piece(pub(RMRB, dt.date(2011, 4, 2)), pub(AKRB, dt.date(2011, 3, 30))),  # March: 5
        piece(pub(RMRB, dt.date(2011, 4, 1))),  # April: 5
        piece(pub(JWZ, dt.date(2011, 4, 1))),  # April: 2 × 0.5 = 1
    ]
    s = per_piece_score(per_piece(yearly="10"), pieces)
    assert [(m.month, m.raw, m.points) for m in s.months] == [(3, D("5"), D("5.00")), (4, D("6.0"), D("6.00"))]
    assert (s.points, s.yearly_capped) == (D("10.00"), True)


def test_unit_coefficient_multiplies_before_the_caps():
    march = dt.date(2011, 3, 1)
    pieces = [piece(pub(SXRB, march)), piece(pub(SXW, march))]  # 3 + 1.5 = 4.5
    assert per_piece_score(per_piece(), pieces, D("1.5")).points == D("6.75")  # 4.5 × 1.5
    assert per_piece_score(per_piece(), pieces, D("2.5")).points == D("10.00")  # 11.25 capped at 10
    assert [p for _, p in per_piece_score(per_piece(), pieces, D("1.5")).piece_points] == [D("4.5"), D("2.25")]


def test_month_rounding_half_up_per_month():
    pieces = [piece(pub(SXW, dt.date(2011, 3, 1)))]  # 1.5 × 1.15 = 1.725 → 1.73
    assert per_piece_score(per_piece(monthly=None), pieces, D("1.15")).months[0].points == D("1.73")


def test_unit_points_are_the_quota_item_plus_per_piece_points():
    march = dt.date(2011, 3, 1)
    pieces = [piece(pub(RMRB, march)), piece(kind="research", report_date=march)]
    both = score_unit(
        unit_id=1,
        unit_name="甲",
        kind_name="县区",
        indicators=[(per_piece(), 0), (R, 2)],  # R short by 1: item 4 − 0.1 = 3.90
        pieces=pieces,
        policy=POLICY_2011,
    )
    assert (both.item_points, both.piece_points, both.points, both.missing) == (D("3.90"), D("5.00"), D("8.90"), 1)
    only = score_unit(
        unit_id=1, unit_name="甲", kind_name="县区", indicators=[(per_piece(), 0)], pieces=pieces, policy=POLICY_2011
    )
    assert (only.has_quota, only.item_points, only.points, only.penalty, only.bonus) == (
        False,
        D("0.00"),
        D("5.00"),
        D("0.00"),
        D("0.00"),
    )


# ----------------------------------------------------------------------------- a year, snapshots


def _year(pieces, policy, *, schedule=HIGHEST, context=(), units=None, coefficients=None, indicators=None):
    units = units or [(1, "甲单位", "县区", 1), (2, "乙单位", "县区", 1)]
    inds = indicators or [C1, R]
    return score_year_facts(
        year=2011,
        units=units,
        indicators_by_kind={1: inds},
        targets={},
        default_targets={C1.id: 40, R.id: 4},
        pieces=pieces,
        policy=policy,
        rules=RULES,
        policy_params={},
        unit_names={1: "甲单位", 2: "乙单位"},
        schedule=schedule,
        coefficients=coefficients,
        context=context,
    )


def test_a_variant_year_round_trips_through_the_snapshot():
    early, late = _two_claims()
    tardy = piece(pub(RMRB, dt.date(2011, 3, 1)), pub(RMW, dt.date(2011, 3, 2)), unit=1, submitted=dt.date(2011, 6, 1))
    policy = PolicyFact(**{**FIRST.__dict__, "timeliness": TIMELINESS_FLAG, "timeliness_days": 30})
    live = _year(
        [early, late, tardy],
        policy,
        schedule=ScheduleFact(payout=PAYOUT_TOP_N, top_n=2, split=SPLIT_WEIGHTS, weights=(D("3"), D("2"))),
        coefficients={1: D("1.5")},
        indicators=[per_piece(), R],
    )
    stored = year_score_from_dict(year_score_to_dict(live))
    assert stored.units == live.units and stored.pieces == live.pieces and stored.notes == live.notes
    assert stored.people == live.people
    assert live.pieces[tardy.id].amount == D("600.00") and live.notes[tardy.id].late_days == 92
    assert live.unit(1).indicators[0].points == D("10.00")  # (2 + 5) × 1.5 = 10.5, capped


def test_an_old_snapshot_without_variant_keys_still_reads():
    data = year_score_to_dict(_year([piece(pub(AKRB), pub(RMW))], POLICY_2011))
    for r in data["pieces"]:
        for key in ("paid_publication_ids", "payout", "top_n", "split", "weights"):
            del r[key]
    for u in data["units"]:
        for key in ("item_points", "piece_points", "coefficient", "has_quota", "excluded_piece_ids"):
            del u[key]
    del data["notes"]
    old = year_score_from_dict(data)
    (reward,) = old.pieces.values()
    assert reward.paid_outlet_names == ["人民网"] and reward.amount == D("100.00")
    assert old.unit(1).points == D("0.00") and old.notes == {}


# ----------------------------------------------------------------------------- properties

weights_st = st.lists(st.decimals(D("0.1"), D("10"), places=1), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.decimals(D("0"), D("99999.99"), places=2), authors_st, weights_st)
def test_weighted_shares_always_add_up_to_the_amount(amount, authors, weights):
    shares = split_weighted(amount, authors, weights)
    assert [n for n, _ in shares] == authors
    assert sum(v for _, v in shares) == amount
    total_w = sum(weights[min(i, len(weights) - 1)] for i in range(len(authors)))
    for i, (_, v) in enumerate(shares):
        exact = amount * weights[min(i, len(weights) - 1)] / total_w
        assert v >= 0 and v == v.quantize(D("0.01"))
        if i:  # rounded down to the fen
            assert exact - D("0.01") < v <= exact
        else:  # the first author's floor plus fewer than one fen per author
            assert exact - D("0.01") < v < exact + D("0.01") * len(authors)


@settings(max_examples=300, deadline=None)
@given(piece_st(max_pubs=5), rules_st, st.integers(1, 6))
def test_sum_is_at_least_top_n_which_is_at_least_highest(p, rules, n):
    highest = piece_reward(p, rules, HIGHEST).amount
    top_n = piece_reward(p, rules, ScheduleFact(payout=PAYOUT_TOP_N, top_n=n)).amount
    total = piece_reward(p, rules, SUM).amount
    assert total >= top_n >= highest
    if n >= len(p.publications):
        assert top_n == total


@settings(max_examples=300, deadline=None)
@given(piece_st(max_pubs=5), rules_st, st.sampled_from([HIGHEST, SUM, TOP2]), weights_st)
def test_every_payout_splits_exactly(p, rules, schedule, weights):
    for split in (schedule, ScheduleFact(schedule.payout, schedule.top_n, SPLIT_WEIGHTS, tuple(weights))):
        r = piece_reward(p, rules, split)
        assert sum((v for _, v in r.shares), D("0")) == (r.amount if p.authors else D("0"))
        assert r.amount == sum(x.amount for x in r.publications if x.publication_id in r.paid_publication_ids)


month_pub_st = st.builds(
    lambda o, day: PublicationFact(0, o, dt.date(2011, 1, 1) + dt.timedelta(days=day)),
    st.sampled_from([*OUTLETS, SXW]),
    st.integers(0, 364),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(month_pub_st, min_size=1, max_size=3), max_size=30),
    st.one_of(st.none(), st.decimals(D("0"), D("20"), places=1)),
    st.one_of(st.none(), st.decimals(D("0"), D("80"), places=1)),
    st.decimals(D("1"), D("2"), places=2),
)
def test_caps_are_never_exceeded(pub_lists, monthly, yearly, coefficient):
    pieces = [
        PieceFact(i, 1, "news", 0, ("甲",), tuple(PublicationFact(j, p.outlet, p.date) for j, p in enumerate(ps)))
        for i, ps in enumerate(pub_lists, 1)
    ]
    ind = per_piece(monthly=monthly, yearly=yearly)
    s = per_piece_score(ind, pieces, coefficient)
    for m in s.months:
        assert m.points <= (monthly if monthly is not None else m.points)
        assert m.points == money(min(m.raw, monthly if monthly is not None else m.raw))
    assert s.points <= sum((m.points for m in s.months), D("0"))
    if yearly is not None:
        assert s.points <= yearly
    assert sum(m.pieces for m in s.months) == s.achieved == len(pieces)


claim_pub_st = st.builds(
    lambda o, day, url: PublicationFact(0, o, dt.date(2011, 3, 1) + dt.timedelta(days=day), "other", url),
    st.sampled_from([AKRB, RMW, JWZ]),
    st.integers(0, 3),
    st.sampled_from(["", "http://x/1", "https://x/1/", "http://x/2"]),
)


def claims_st():
    return st.lists(
        st.tuples(
            st.integers(1, 3),  # unit
            st.sampled_from(["甲稿", "甲稿!", "乙稿"]),
            st.lists(claim_pub_st, min_size=1, max_size=2),
            st.one_of(st.none(), st.integers(0, 90)),  # submitted, days after 1 March
        ),
        max_size=10,
    ).map(
        lambda rows: [
            PieceFact(
                i,
                unit,
                "news",
                500,
                ("甲",),
                tuple(PublicationFact(100 * i + j, p.outlet, p.date, p.placement, p.url) for j, p in enumerate(pubs)),
                title=title,
                submitted_at=dt.datetime(2011, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=d) if d is not None else None,
                submitted_on=dt.date(2011, 3, 1) + dt.timedelta(days=d) if d is not None else None,
            )
            for i, (unit, title, pubs, d) in enumerate(rows, 1)
        ]
    )


@settings(max_examples=300, deadline=None)
@given(claims_st())
def test_first_reported_leaves_no_two_units_counting_the_same_publication(pieces):
    facts = _year(pieces, FIRST, units=[(1, "甲", "县区", 1), (2, "乙", "县区", 1), (3, "丙", "县区", 1)])
    counted = [p for p in pieces if p.id in facts.pieces]
    for p in counted:
        for q in counted:
            if p.unit_id != q.unit_id:
                assert not (p.claim_keys & q.claim_keys)
    claimed = [p for p in pieces if p.id in facts.notes]
    if claimed:  # whoever reported first overall is never excluded for a duplicate claim
        first = min(claimed, key=lambda p: p.reported_order)
        assert not facts.notes[first.id].excluded


@settings(max_examples=200, deadline=None)
@given(claims_st(), rules_st)
def test_the_2011_settings_count_every_approved_piece_at_its_highest_reward(pieces, rules):
    """warn / none / highest / equal: nothing is excluded and each reward is the highest matching rule (§7)."""
    facts = score_year_facts(
        year=2011,
        units=[(1, "甲", "县区", 1), (2, "乙", "县区", 1), (3, "丙", "县区", 1)],
        indicators_by_kind={1: [C1, R]},
        targets={},
        default_targets={},
        pieces=pieces,
        policy=POLICY_2011,
        rules=rules,
        policy_params={},
        unit_names={},
    )
    assert sorted(facts.pieces) == sorted(p.id for p in pieces)
    assert not any(n.excluded for n in facts.notes.values())
    for p in pieces:
        matching = [r.amount for r in rules for pb in p.publications if rule_matches(r, p, pb)]
        assert facts.pieces[p.id].amount == (max(matching) if matching else D("0"))
        assert facts.pieces[p.id].shares == split_shares(facts.pieces[p.id].amount, p.authors)


@settings(max_examples=200, deadline=None)
@given(claims_st(), st.integers(0, 60))
def test_exclude_leaves_no_late_piece_counted_and_flag_counts_them_all(pieces, days):
    exclude = PolicyFact(**{**POLICY_2011.__dict__, "timeliness": TIMELINESS_EXCLUDE, "timeliness_days": days})
    flag = PolicyFact(**{**exclude.__dict__, "timeliness": TIMELINESS_FLAG})
    units = [(1, "甲", "县区", 1), (2, "乙", "县区", 1), (3, "丙", "县区", 1)]
    excluded = _year(pieces, exclude, units=units)
    flagged = _year(pieces, flag, units=units)
    assert all(days_late(p, exclude) is None for p in pieces if p.id in excluded.pieces)
    assert sorted(flagged.pieces) == sorted(p.id for p in pieces)
    assert {n.piece_id for n in flagged.notes.values() if n.late} == {
        p.id for p in pieces if days_late(p, flag) is not None
    }


def test_payout_words_follow_the_language():
    """QA: the English console read 'highest 一 level(s)' (a Chinese numeral inside the English text)."""
    from django.utils import translation

    from scoring.services import payout_text

    assert payout_text("top_n", 2) == "取最高两档" and payout_text("highest") == "取最高一档"
    with translation.override("en"):
        assert payout_text("top_n", 2) == "highest 2 level(s)"
