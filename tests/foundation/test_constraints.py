"""Every invariant has a database constraint behind it: a raw write that breaks one is refused by the DB."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction


@pytest.fixture
def world(units, outlets, make_piece, preset):
    from publicity.models import Indicator, OutletLevel
    from scoring.models import RewardSchedule, ScoringPolicy

    piece = make_piece(units["a"], "汉滨区召开就业工作会", [("安康日报", "2011-03-05")])
    return {
        "units": units,
        "outlets": outlets,
        "piece": piece,
        "year": preset,
        "indicator": Indicator.objects.get(year=preset, unit_kind=units["a"].kind, code="C1"),
        "city": OutletLevel.objects.get(code="city"),
        "policy": ScoringPolicy.objects.get(year=preset),
        "schedule": RewardSchedule.objects.get(year=preset),
    }


def _unit_blank_name(w):
    from units.models import Unit

    Unit.objects.create(name="", kind=w["units"]["a"].kind)


def _unit_duplicate_name(w):
    from units.models import Unit

    Unit.objects.create(name="汉滨区人社局", kind=w["units"]["a"].kind)


def _unit_own_parent(w):
    unit = w["units"]["a"]
    unit.parent_id = unit.pk
    unit.save()


def _liaison_without_unit(w):
    from units.models import User

    User.objects.create(username="nounit", is_liaison=True)


def _head_without_unit(w):
    from units.models import User

    User.objects.create(username="nounit2", is_unit_head=True)


def _second_own_website(w):
    o = w["outlets"]["安康日报"]
    o.is_own_website = True
    o.save()


def _outlet_duplicate_name(w):
    from publicity.models import Outlet

    src = w["outlets"]["安康日报"]
    Outlet.objects.create(name="安康日报", level=src.level, category=src.category)


def _outlet_blank_name(w):
    from publicity.models import Outlet

    src = w["outlets"]["安康日报"]
    Outlet.objects.create(name="", level=src.level, category=src.category)


def _level_duplicate_rank(w):
    from publicity.models import OutletLevel

    OutletLevel.objects.create(code="town", name="乡镇级", rank=w["city"].rank)


def _year_duplicate(w):
    from publicity.models import AssessmentYear

    AssessmentYear.objects.create(year=2011)


def _year_insane(w):
    from publicity.models import AssessmentYear

    AssessmentYear.objects.create(year=11)


def _piece_duplicate_title(w):
    from publicity.models import Piece

    p = w["piece"]
    Piece.objects.create(year=p.year, unit=p.unit, title=p.title)


def _piece_blank_title(w):
    from publicity.models import Piece

    Piece.objects.create(year=w["year"], unit=w["units"]["a"], title="")


def _rejected_without_reason(w):
    p = w["piece"]
    p.status, p.reject_reason = "rejected", ""
    p.save()


def _piece_bad_status(w):
    p = w["piece"]
    p.status = "lost"
    p.save()


def _piece_bad_kind(w):
    p = w["piece"]
    p.kind = "poem"
    p.save()


def _author_duplicate_position(w):
    from publicity.models import PieceAuthor

    PieceAuthor.objects.create(piece=w["piece"], position=1, name="李四")


def _author_duplicate_name(w):
    from publicity.models import PieceAuthor

    PieceAuthor.objects.create(piece=w["piece"], position=2, name="张三")


def _author_blank(w):
    from publicity.models import PieceAuthor

    PieceAuthor.objects.create(piece=w["piece"], position=3, name="")


def _publication_same_outlet_twice(w):
    from publicity.models import Publication

    Publication.objects.create(piece=w["piece"], outlet=w["outlets"]["安康日报"], date=dt.date(2011, 4, 1))


def _publication_bad_placement(w):
    pub = w["piece"].publications.get()
    pub.placement = "back"
    pub.save()


def _evidence_bad_type(w):
    from publicity.models import Evidence

    Evidence.objects.create(
        publication=w["piece"].publications.get(), file="x", content_type="text/html", size=1, sha256="0" * 64
    )


def _indicator_duplicate_code(w):
    from publicity.models import Indicator

    i = w["indicator"]
    Indicator.objects.create(year=i.year, unit_kind=i.unit_kind, code="C1", name="重复")


def _indicator_second_bonus_basis(w):
    from publicity.models import Indicator

    i = w["indicator"]
    Indicator.objects.create(year=i.year, unit_kind=i.unit_kind, code="C9", name="第二个加分基数", is_bonus_basis=True)


def _indicator_blank_code(w):
    from publicity.models import Indicator

    i = w["indicator"]
    Indicator.objects.create(year=i.year, unit_kind=i.unit_kind, code="", name="无代码")


def _target_twice(w):
    from publicity.models import UnitTarget

    UnitTarget.objects.create(indicator=w["indicator"], unit=w["units"]["a"], target=30)
    UnitTarget.objects.create(indicator=w["indicator"], unit=w["units"]["a"], target=31)


def _target_negative(w):
    from publicity.models import UnitTarget

    UnitTarget.objects.create(indicator=w["indicator"], unit=w["units"]["a"], target=-1)


def _reporting_rule_twice(w):
    from publicity.models import ReportingRule

    ReportingRule.objects.create(year=w["year"], unit_kind=w["units"]["a"].kind, cadence="monthly", day=5)


def _reporting_day_invalid(w):
    from publicity.models import ReportingRule

    r = ReportingRule.objects.get(year=w["year"], unit_kind=w["units"]["dept"].kind)
    r.day = 32
    r.save()


def _annual_rule_without_month(w):
    from publicity.models import ReportingRule

    r = ReportingRule.objects.get(year=w["year"], unit_kind=w["units"]["a"].kind)
    r.month = None
    r.save()


def _report_twice(w):
    from publicity.models import PeriodReport

    PeriodReport.objects.create(year=w["year"], unit=w["units"]["a"], month=3)
    PeriodReport.objects.create(year=w["year"], unit=w["units"]["a"], month=3, is_zero=True)


def _report_bad_month(w):
    from publicity.models import PeriodReport

    PeriodReport.objects.create(year=w["year"], unit=w["units"]["a"], month=13)


def _zero_report_with_pieces(w):
    from publicity.models import PeriodReport

    PeriodReport.objects.create(year=w["year"], unit=w["units"]["a"], month=4, is_zero=True, piece_count=2)


def _policy_negative(w):
    p = w["policy"]
    p.penalty_per_piece = Decimal("-0.1")
    p.save()


def _policy_cap_over_one(w):
    p = w["policy"]
    p.bonus_cap_ratio = Decimal("1.5")
    p.save()


def _policy_floor_above_full(w):
    p = w["policy"]
    p.floor = Decimal("5")
    p.save()


def _policy_twice(w):
    from scoring.models import ScoringPolicy

    p = w["policy"]
    ScoringPolicy.objects.create(
        year=w["year"],
        full_score=p.full_score,
        bonus_per_piece=p.bonus_per_piece,
        bonus_cap_ratio=p.bonus_cap_ratio,
        penalty_per_piece=p.penalty_per_piece,
        bonus_min_level=w["city"],
    )


def _second_bureau_schedule(w):
    from scoring.models import RewardSchedule

    RewardSchedule.objects.create(year=w["year"], name="第二个市局标准")


def _unit_schedule_twice(w):
    from scoring.models import RewardSchedule

    RewardSchedule.objects.create(year=w["year"], owner_unit=w["units"]["a"], name="汉滨1")
    RewardSchedule.objects.create(year=w["year"], owner_unit=w["units"]["a"], name="汉滨2")


def _reward_zero(w):
    from scoring.models import RewardRule

    RewardRule.objects.create(schedule=w["schedule"], amount=Decimal("0"))


def _reward_bad_placement(w):
    from scoring.models import RewardRule

    RewardRule.objects.create(schedule=w["schedule"], amount=Decimal("10"), placement="back")


VIOLATIONS = [v for k, v in sorted(globals().items()) if k.startswith("_") and callable(v) and k != "_"]


@pytest.mark.parametrize("violate", VIOLATIONS, ids=[v.__name__.strip("_") for v in VIOLATIONS])
def test_database_refuses(world, violate):
    with pytest.raises(IntegrityError), transaction.atomic():
        violate(world)


def test_valid_rows_are_accepted(world):
    """The constraints are not so strict that ordinary data fails."""
    from publicity.models import PeriodReport, UnitTarget
    from scoring.models import RewardSchedule

    UnitTarget.objects.create(indicator=world["indicator"], unit=world["units"]["a"], target=0)
    PeriodReport.objects.create(year=world["year"], unit=world["units"]["dept"], month=1, is_zero=True)
    RewardSchedule.objects.create(year=world["year"], owner_unit=world["units"]["a"], name="汉滨区自筹奖励")
    assert UnitTarget.objects.count() == 1
