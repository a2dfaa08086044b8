"""The same proof file on two units' pieces (issue 16 item 5, an extension of DOMAIN §10's "same publication"):
found at submission (the history says so, never naming the other unit), scored by the year's duplicate policy
— first_reported: the later piece counts for nothing and its page says why; warn: both count, flagged — and
shown to the reviewer with the other unit's piece named (to staff only)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity import services
from publicity.claimed import claims_of_piece
from publicity.models import PieceStatus, ReviewEvent, ReviewEventKind
from scoring.models import ScoringPolicy
from scoring.services import score_year

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
FILE = png_bytes(23, 19)


@pytest.fixture
def pair(units, users, make_piece, preset):
    """汉滨区's piece in 安康日报 and 旬阳县's in 陕西日报, different titles and dates, the same photo attached:
    汉滨区 submits first. Both approved."""

    def make(unit, title, outlet, day, actor):
        piece = make_piece(unit, title, [(outlet, day)], status=PieceStatus.DRAFT)
        services.evidence_attach(
            actor=None, publication=piece.publications.get(), upload=SimpleUploadedFile("p.png", FILE)
        )
        return services.piece_submit(actor=actor, piece=piece, check_proof=False)

    a = make(units["a"], "汉滨区招聘会现场火爆", "安康日报", "2011-03-05", users["liaison_a"])
    b = make(units["b"], "旬阳县举办春季招聘会", "陕西日报", "2011-03-07", users["liaison_b"])
    for piece in (a, b):
        services.piece_review(actor=users["reviewer"], piece=piece, approve=True)
    return a, b


def first_reported(preset):
    ScoringPolicy.objects.filter(year=preset).update(duplicate_claims="first_reported")


def test_the_submission_history_says_the_file_is_shared_without_naming_the_other_unit(pair):
    a, b = pair
    detail = ReviewEvent.objects.get(piece=b, kind=ReviewEventKind.SUBMITTED).detail
    assert "另一单位的稿件附有同一佐证文件" in detail and "已先报" in detail
    assert "汉滨" not in detail
    assert ReviewEvent.objects.get(piece=a, kind=ReviewEventKind.SUBMITTED).detail == ""  # nobody had it yet
    (claim,) = claims_of_piece(b)
    assert (claim.other_id, claim.by_proof, claim.first) == (a.pk, True, False)


def test_first_reported_the_later_piece_counts_for_nothing_and_says_why(client, users, units, pair, preset):
    a, b = pair
    first_reported(preset)
    result = score_year(preset)
    assert a.pk in result.pieces and b.pk not in result.pieces
    note = result.notes[b.pk]
    assert note.excluded and note.reason == "duplicate" and note.same_proof and note.duplicate_of == (a.pk,)
    assert b.pk not in result.unit(units["b"].pk).piece_ids
    narrowed = score_year(preset, unit_ids=[units["b"].pk])  # the unit's own page decides it the same way
    assert b.pk not in narrowed.pieces and narrowed.notes[b.pk].same_proof

    client.force_login(users["liaison_b"])
    page = client.get(reverse("publicity:piece-detail", args=[b.pk])).content.decode()
    assert "另一单位的稿件附有同一佐证文件" in page and "本稿不计入任何指标" in page
    assert "汉滨区" not in page and reverse("publicity:piece-detail", args=[a.pk]) not in page
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[b.pk])).content.decode()
    assert "汉滨区人社局“汉滨区招聘会现场火爆”" in page and "附有同一佐证文件" in page


def test_warn_both_count_flagged(client, users, units, pair, preset):
    a, b = pair
    result = score_year(preset)
    assert a.pk in result.pieces and b.pk in result.pieces
    assert result.notes[b.pk].duplicate_of == (a.pk,) and not result.notes[b.pk].excluded
    assert result.notes[a.pk].reported_first and result.notes[a.pk].same_proof
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[b.pk])).content.decode()
    assert "重复报送" in page and "两稿均计分" in page


def test_the_same_file_within_one_unit_is_no_claim(units, users, make_piece, preset):
    pieces = []
    for title, outlet in (("汉滨区一稿", "安康日报"), ("汉滨区二稿", "陕西日报")):
        piece = make_piece(units["a"], title, [(outlet, "2011-03-05")], status=PieceStatus.DRAFT)
        services.evidence_attach(
            actor=None, publication=piece.publications.get(), upload=SimpleUploadedFile("p.png", FILE)
        )
        pieces.append(services.piece_submit(actor=users["liaison_a"], piece=piece, check_proof=False))
    assert claims_of_piece(pieces[1]) == []
