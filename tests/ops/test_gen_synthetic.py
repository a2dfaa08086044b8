"""gen_synthetic: a believable year of any size, the same every time for the same arguments."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from publicity.models import AssessmentYear, Indicator, Piece, PieceKind, PieceStatus, Publication, UnitTarget
from scoring.models import RewardRule, ScoringPolicy
from scoring.services import score_year
from units.models import Unit, UnitKind


def run(*args) -> str:
    out = io.StringIO()
    call_command("gen_synthetic", *args, stdout=out)
    return out.getvalue()


def signature(year: int) -> list[tuple]:
    rows = []
    for piece in (
        Piece.objects.filter(year__year=year)
        .select_related("unit")
        .prefetch_related("publications__outlet", "authors", "topics")
        .order_by("title")
    ):
        rows.append(
            (
                piece.unit.name,
                piece.title,
                piece.kind,
                piece.status,
                piece.characters,
                tuple(a.name for a in piece.authors.all()),
                tuple((p.outlet.name, p.date, p.placement, p.url) for p in piece.publications.all()),
                tuple(t.name for t in piece.topics.all()),
            )
        )
    return rows


def test_a_small_year_has_everything_a_real_one_has(preset):
    out = run("--year", "2030", "--units", "30", "--pieces", "600", "--seed", "7")
    assert "2030年度:30 个单位" in out and "600 篇稿件" in out
    year = AssessmentYear.objects.get(year=2030)
    assert year.status == "open"
    # the preset's rules were copied onto the new year
    assert Indicator.objects.filter(year=year).count() == Indicator.objects.filter(year=preset).count()
    assert ScoringPolicy.objects.filter(year=year).exists()
    assert (
        RewardRule.objects.filter(schedule__year=year).count()
        == RewardRule.objects.filter(schedule__year=preset).count()
    )

    units = Unit.objects.filter(name__startswith="合成")
    assert set(units.values_list("kind__code", flat=True)) == set(UnitKind.objects.values_list("code", flat=True))
    assert (
        units.filter(kind__code="affiliated", parent__kind__code="county").count()
        == units.filter(kind__code="affiliated").count()
    )
    for unit in units:  # every unit has a target for each indicator of its kind
        assert (
            UnitTarget.objects.filter(unit=unit, indicator__year=year).count()
            == Indicator.objects.filter(year=year, unit_kind=unit.kind_id).count()
        )

    pieces = Piece.objects.filter(year=year)
    assert set(pieces.values_list("status", flat=True)) == set(PieceStatus.values)
    assert set(pieces.values_list("kind", flat=True)) == set(PieceKind.values)
    assert not pieces.filter(status=PieceStatus.REJECTED, reject_reason="").exists()
    per_piece = Counter(Publication.objects.filter(piece__year=year).values_list("piece_id", flat=True))
    assert set(per_piece.values()) == {1, 2, 3}
    unpublished = pieces.exclude(pk__in=per_piece.keys())
    assert unpublished.exists() and set(unpublished.values_list("kind", flat=True)) == {PieceKind.RESEARCH}
    assert not unpublished.filter(report_date__isnull=True).exists()
    assert not Publication.objects.filter(piece__year=year).exclude(date__year=2030).exists()
    # and the year scores, with rewards
    results = score_year(year)
    assert len(results.units) == 30 and sum(u.reward for u in results.units) > 0


def test_same_arguments_same_year(preset):
    run("--year", "2031", "--units", "12", "--pieces", "150", "--seed", "3")
    first = signature(2031)
    Piece.objects.filter(year__year=2031).delete()
    run("--year", "2031", "--units", "12", "--pieces", "150", "--seed", "3")
    assert signature(2031) == first
    Piece.objects.filter(year__year=2031).delete()
    run("--year", "2031", "--units", "12", "--pieces", "150", "--seed", "4")
    assert signature(2031) != first


def test_refuses_a_year_that_has_pieces(preset, units, make_piece):
    make_piece(units["a"], "已有稿件", [("安康日报", "2011-03-05")])
    with pytest.raises(CommandError, match="2011年度已有稿件"):
        run("--year", "2011", "--units", "10", "--pieces", "10")
