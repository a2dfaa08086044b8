"""Stored scores stay equal to a full re-score, to the fen, after approvals, rejections, rule edits and
target edits (scoring.stored); the command says so or names the difference."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from publicity.models import Indicator, PieceStatus, UnitTarget
from publicity.services import piece_review
from scoring.models import RewardRule, ScoringPolicy, StoredUnitScore, StoredYear
from scoring.stored import ranked, stored_check, stored_refresh


@pytest.fixture
def season(year, units, make_piece):
    a, b = units["a"], units["b"]
    make_piece(
        a, "汉滨区就业工作综述", [("安康日报", "2011-06-10", "headline"), ("局网站", "2011-06-11")], characters=1200
    )
    make_piece(a, "汉滨区社保扩面", [("陕西日报", "2011-05-20")])
    make_piece(b, "旬阳县创业担保贷款", [("安康电视台", "2011-04-02")])
    pending_a = make_piece(a, "汉滨区技能培训", [("安康日报", "2011-07-01")], status=PieceStatus.SUBMITTED)
    pending_b = make_piece(b, "旬阳县劳动维权", [("华商报", "2011-08-01")], status=PieceStatus.SUBMITTED)
    stored_refresh(year)
    return {"pending_a": pending_a, "pending_b": pending_b}


def stored(unit):
    return StoredUnitScore.objects.get(unit=unit)


def test_first_store_agrees_with_a_full_rescore(year, units, season):
    assert stored_check(year) == []
    assert stored(units["a"]).piece_count == 2 and stored(units["b"]).piece_count == 1
    assert not StoredYear.objects.get(year=year).stale


def test_an_approval_moves_the_stored_figures_in_its_own_transaction(year, units, users, season):
    before = stored(units["a"])
    piece_review(actor=users["reviewer"], piece=season["pending_a"], approve=True)
    after = stored(units["a"])
    assert after.piece_count == before.piece_count + 1 and after.reward > before.reward
    assert stored_check(year) == []


def test_a_rejection_leaves_them_equal(year, users, season):
    piece_review(actor=users["reviewer"], piece=season["pending_b"], approve=False, reason="佐证不清")
    assert stored_check(year) == []


def test_target_edit_marks_the_year_and_the_background_rescore_catches_up(
    year, units, season, django_capture_on_commit_callbacks
):
    c1 = Indicator.objects.get(year=year, code="C1", unit_kind=units["a"].kind)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        UnitTarget.objects.create(indicator=c1, unit=units["a"], target=2)
    assert StoredYear.objects.get(year=year).stale
    assert stored_check(year) != []  # until the rescore has run …
    for callback in callbacks:  # … which the worker does after the commit
        callback()
    assert not StoredYear.objects.get(year=year).stale and stored_check(year) == []
    assert [i.target for i in stored(units["a"]).indicators.all() if i.code == "C1"] == [2]


@pytest.mark.parametrize("edit", ["policy", "reward_rule", "indicator_outlets"])
def test_rule_edits_are_caught_up(year, units, season, edit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        if edit == "policy":
            policy = ScoringPolicy.objects.get(year=year)
            policy.full_score = Decimal("10")
            policy.save()
        elif edit == "reward_rule":
            rule = RewardRule.objects.filter(schedule__year=year, outlets__name="陕西日报").first()
            rule.amount = Decimal("777.77")
            rule.save()
        else:
            c1 = Indicator.objects.get(year=year, code="C1", unit_kind=units["a"].kind)
            c1.outlets.clear()
            c1.max_level = None
            c1.save()
    assert stored_check(year) == []


def test_ranks_are_computed_when_read(year, units, users, season):
    from scoring.services import score_year

    assert {r.unit_id: r.rank for r in ranked(year)} == {u.unit_id: u.rank for u in score_year(year).units}


def test_command_checks_and_names_a_difference(year, units, season):
    out = io.StringIO()
    call_command("stored_scores", "--year", "2011", "--check", stdout=out)
    assert "一致" in out.getvalue()
    StoredUnitScore.objects.filter(unit=units["a"]).update(reward=Decimal("0.01"))
    with pytest.raises(CommandError, match="不一致:1 处"):
        call_command("stored_scores", "--year", "2011", "--check", stdout=io.StringIO())
    call_command("stored_scores", "--year", "2011", "--refresh", "--check", stdout=io.StringIO())


def test_an_approval_that_moves_another_units_duplicate_claim(year, units, users, make_piece):
    """first_reported (DOMAIN §10): approving B's earlier-submitted claim takes A's approved claim out of
    A's counts; A is rescored in the same transaction although A's piece was not touched."""
    ScoringPolicy.objects.filter(year=year).update(duplicate_claims="first_reported")
    same = [("安康日报", "2011-03-05")]
    earlier_b = make_piece(units["b"], "全市就业工作会议召开", same, status=PieceStatus.SUBMITTED)
    make_piece(units["a"], "全市就业工作会议召开!", same)
    stored_refresh(year)
    a_before = stored(units["a"]).piece_count
    piece_review(actor=users["reviewer"], piece=earlier_b, approve=True)
    assert stored(units["a"]).piece_count == a_before - 1
    assert stored_check(year) == []
