"""figure_score (scoring.rules, pure): a reported-figure task scored as its own item, exact to the fen."""

from decimal import Decimal

import pytest

from scoring.rules import FigureFact, PolicyFact, figure_score, score_unit

D = Decimal


def fact(reported, target=50, **over):
    data = dict(
        task_id=1,
        name="安康日报征订",
        target=target,
        reported=reported,
        full_score=D("1.00"),
        bonus_per_unit=D("0.02"),
        penalty_per_unit=D("0.05"),
        bonus_cap=D("0.30"),
        unit_label="份",
    )
    data.update(over)
    return FigureFact(**data)


@pytest.mark.parametrize(
    ("reported", "points", "short", "over", "capped"),
    [
        (50, D("1.00"), 0, 0, False),  # exactly the target
        (47, D("0.85"), 3, 0, False),  # 1 − 3 × 0.05
        (60, D("1.20"), 0, 10, False),  # 1 + 10 × 0.02
        (65, D("1.30"), 0, 15, False),  # 0.30: the cap reached exactly, not over it
        (80, D("1.30"), 0, 30, True),  # 0.60 capped to 0.30
        (None, D("0.00"), 50, 0, False),  # nothing approved: 50 short, 1 − 2.50 floored at 0
        (0, D("0.00"), 50, 0, False),
    ],
)
def test_points(reported, points, short, over, capped):
    s = figure_score(fact(reported))
    assert (s.points, s.short, s.over, s.bonus_capped) == (points, short, over, capped)
    assert isinstance(s.points, Decimal) and s.points.as_tuple().exponent == -2


def test_floor_is_reported_and_no_cap_means_no_cap():
    s = figure_score(fact(None))
    assert s.floored and s.penalty == D("2.50")
    s = figure_score(fact(200, bonus_cap=None))
    assert s.bonus == D("3.00") and s.points == D("4.00") and not s.bonus_capped


def test_half_up_to_the_fen():
    # 1 − 1 × 0.125 = 0.875 → 0.88 (ROUND_HALF_UP), never a float
    s = figure_score(fact(49, penalty_per_unit=D("0.125")))
    assert s.points == D("0.88")


def test_the_item_adds_to_the_units_points():
    policy = PolicyFact(D("4"), D("0.1"), D("0.3"), D("0.1"))
    unit = score_unit(
        unit_id=1,
        unit_name="汉滨区人社局",
        kind_name="县区",
        indicators=[],
        pieces=[],
        policy=policy,
        figures=[fact(47), fact(60, task_id=2, name="中国劳动保障报征订")],
    )
    # no indicators: the quota item is 4.00 (nothing missing), + 0.85 + 1.20
    assert unit.figure_points == D("2.05") and unit.points == D("6.05")
    assert [f.points for f in unit.figures] == [D("0.85"), D("1.20")]


def test_snapshot_round_trip_keeps_the_figures():
    from scoring.rules import unit_score_from_dict, unit_score_to_dict

    policy = PolicyFact(D("4"), D("0.1"), D("0.3"), D("0.1"))
    unit = score_unit(
        unit_id=1, unit_name="甲", kind_name="县区", indicators=[], pieces=[], policy=policy, figures=[fact(47)]
    )
    back = unit_score_from_dict(unit_score_to_dict(unit))
    assert back.figures == unit.figures and back.figure_points == D("0.85") and back.points == unit.points
    old = unit_score_to_dict(unit)
    del old["figures"], old["figure_points"]  # a snapshot from before reported figures
    assert unit_score_from_dict(old).figures == []
