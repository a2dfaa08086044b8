"""The same proof file on two units' pieces is a duplicate claim (issue 16 item 5, an extension of DOMAIN
§10's definition of "the same publication"): pure rules. Under first_reported the later piece counts for
nothing and says the file is shared; under warn both count, flagged."""

import dataclasses
import datetime as dt

from publicity.claims import claim_keys, is_proof_key
from scoring.rules import PieceNote, duplicate_groups, piece_notes, year_score_from_dict, year_score_to_dict
from scoring.services import note_text
from tests.scoring.test_rules import AKRB, AKTV, POLICY_2011, RMW
from tests.scoring.test_rules_variants import FIRST, _year, piece, pub

SHA = "ab" * 32


def with_proof(p, *hashes):
    return dataclasses.replace(p, proof_hashes=frozenset(hashes))


def test_a_proof_hash_is_one_more_claim_key():
    keys = claim_keys("标题", [(1, dt.date(2011, 3, 1), "")], [SHA.upper(), ""])
    assert ("proof", SHA) in keys and sum(is_proof_key(k) for k in keys) == 1  # case-blind, blanks ignored
    assert not any(is_proof_key(k) for k in claim_keys("标题", [(1, dt.date(2011, 3, 1), "")]))


def _pair():
    # Different outlets, dates and titles: only the proof file is the same.
    early = with_proof(piece(pub(AKRB, dt.date(2011, 3, 1)), unit=1, submitted=dt.date(2011, 3, 2), title="甲"), SHA)
    late = with_proof(piece(pub(AKTV, dt.date(2011, 3, 3)), unit=2, submitted=dt.date(2011, 3, 5), title="乙"), SHA)
    return early, late


def test_the_same_file_on_two_units_pieces_groups_them():
    early, late = _pair()
    same_unit = with_proof(piece(pub(RMW), unit=1, title="丙"), SHA)
    assert duplicate_groups([early, late]) == {early.id: (late.id,), late.id: (early.id,)}
    assert duplicate_groups([early, same_unit]) == {}  # one unit's own pieces are never duplicates
    other_file = with_proof(late, "cd" * 32)
    assert duplicate_groups([early, other_file]) == {}


def test_first_reported_drops_the_later_piece_and_says_the_file_is_shared():
    early, late = _pair()
    notes = piece_notes([early, late], FIRST)
    assert not notes[early.id].excluded and notes[early.id].reported_first
    assert notes[late.id].excluded and notes[late.id].reason == "duplicate" and notes[late.id].same_proof
    text = note_text(notes[late.id])
    assert "以先报为准" in text and "同一佐证文件" in text and "不计分" in text
    result = _year([early, late], FIRST)
    assert late.id not in result.pieces and early.id in result.pieces


def test_warn_counts_both_flagged():
    early, late = _pair()
    notes = piece_notes([early, late], POLICY_2011)
    assert not notes[early.id].excluded and not notes[late.id].excluded
    assert notes[late.id].duplicate_of == (early.id,) and notes[late.id].same_proof
    result = _year([early, late], POLICY_2011)
    assert early.id in result.pieces and late.id in result.pieces


def test_a_link_claim_is_not_called_a_shared_file():
    a = piece(pub(AKRB, url="http://akxw.cn/1"), unit=1, submitted=dt.date(2011, 3, 2))
    b = piece(pub(AKRB, url="http://akxw.cn/1"), unit=2, submitted=dt.date(2011, 3, 4))
    note = piece_notes([a, b], FIRST)[b.id]
    assert note.excluded and not note.same_proof and "同一佐证文件" not in note_text(note)


def test_the_snapshot_keeps_the_reason():
    early, late = _pair()
    stored = year_score_from_dict(year_score_to_dict(_year([early, late], FIRST)))
    assert stored.notes[late.id].same_proof and stored.notes[late.id].excluded
    assert PieceNote(1, 1).same_proof is False  # snapshots from before keep reading
