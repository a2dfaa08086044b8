"""Duplicate claims found in the database (DOMAIN §10): other units' reported pieces that claim one of the
same publications — same outlet and link, or same outlet, date and title up to punctuation and spaces, or
(an extension of §10's definition, issue 16 item 5) the same proof file by SHA-256 (``publicity.claims``
decides; this module only finds the candidates).

Used at submission (``services``: the submission's history says so), on the piece page, the review queue
and the unit pages. Two queries for any number of pieces: links by an indexed ``IN`` on ``Publication.url``,
titles by the stored normalised title (``Piece.title_key``) on the same outlets and dates; then one for the
pieces' evidence hashes and, when they have any, one for other units' evidence with the same hashes.

A claim names the other unit's piece; pages show that to bureau staff only — a liaison reads "另一单位"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from .claims import claim_keys, normalise_title, url_spellings
from .models import Evidence, Piece, PieceStatus, Publication

# Pieces that have been reported (a draft claims nothing yet; a rejected piece may come back, but counts
# for nothing until it does).
REPORTED = (PieceStatus.SUBMITTED, PieceStatus.APPROVED)


@dataclass(frozen=True)
class Claim:
    """Another unit's piece claiming a publication of ``piece_id``. ``outlet_name``/``date`` are of the
    flagged piece's own publication (safe to show to its unit); ``first`` is True when the flagged piece
    was reported before the other one (以先报为准: earlier first submission, then the lower id)."""

    piece_id: int
    other_id: int
    other_title: str
    other_unit_id: int
    other_unit_name: str
    other_status: str
    outlet_name: str
    date: dt.date | None
    first: bool
    by_proof: bool = False  # the same proof file (SHA-256) is attached to both pieces (issue 16 item 5)

    @property
    def other_status_label(self) -> str:
        return PieceStatus(self.other_status).label


def _order(first_at: dt.datetime | None, pk: int) -> tuple:
    return (1, 0.0, pk) if first_at is None else (0, first_at.timestamp(), pk)


def claims_for(pieces: Iterable[Piece]) -> dict[int, list[Claim]]:
    """{piece id: [Claim, …]} for pieces of one year whose publications are prefetched (or cheap to read):
    two queries for the publication candidates and up to two for proof files, whatever the number of pieces."""
    pieces = list(pieces)
    if not pieces:
        return {}
    year_id = pieces[0].year_id
    wanted: dict[tuple, list[tuple[Piece, Publication]]] = {}
    outlets, dates, urls, keys = set(), set(), [], set()
    for piece in pieces:
        for pub in piece.publications.all():
            if pub.pending_review:
                continue
            for key in claim_keys(piece.title, [(pub.outlet_id, pub.date, pub.url)]):
                wanted.setdefault(key, []).append((piece, pub))
            outlets.add(pub.outlet_id)
            dates.add(pub.date)
            if pub.url:
                urls.append(pub.url)
        keys.add(piece.title_key or normalise_title(piece.title))
    out: dict[int, dict[int, Claim]] = {}
    if not wanted:
        _proof_claims(pieces, year_id, out)
        return {pk: list(found.values()) for pk, found in out.items()}
    match = Q(outlet_id__in=outlets, date__in=dates, piece__title_key__in=keys - {""})
    if urls:
        match |= Q(outlet_id__in=outlets, url__in=url_spellings(urls))
    rows = (
        Publication.objects.reviewed()
        .filter(match, piece__year_id=year_id, piece__status__in=REPORTED)
        .values_list(
            "outlet_id",
            "date",
            "url",
            "piece_id",
            "piece__title",
            "piece__unit_id",
            "piece__unit__name",
            "piece__status",
            "piece__first_submitted_at",
        )
    )
    for outlet_id, date, url, other_id, title, unit_id, unit_name, status, first_at in rows:
        for key in claim_keys(title, [(outlet_id, date, url)]):
            for piece, pub in wanted.get(key, ()):
                if piece.unit_id == unit_id or other_id in out.get(piece.pk, {}):
                    continue
                first = _order(piece.first_submitted_at, piece.pk) < _order(first_at, other_id)
                out.setdefault(piece.pk, {})[other_id] = Claim(
                    piece.pk, other_id, title, unit_id, unit_name, status, pub.outlet.name, pub.date, first
                )
    _proof_claims(pieces, year_id, out)
    return {pk: list(found.values()) for pk, found in out.items()}


def _proof_claims(pieces: list[Piece], year_id: int, out: dict[int, dict[int, Claim]]) -> None:
    """The same proof file on another unit's reported piece (an extension of §10's definition): one query
    for the pieces' evidence hashes, one more when they have any."""
    by_piece = {p.pk: p for p in pieces}
    mine: dict[str, list[tuple[Piece, Publication]]] = {}
    pubs = {pub.pk: pub for p in pieces for pub in p.publications.all() if not pub.pending_review}
    for pub_id, piece_id, sha in Evidence.objects.filter(publication_id__in=list(pubs)).values_list(
        "publication_id", "publication__piece_id", "sha256"
    ):
        mine.setdefault(sha, []).append((by_piece[piece_id], pubs[pub_id]))
    if not mine:
        return
    rows = (
        Evidence.objects.filter(
            sha256__in=list(mine),
            publication__pending_review=False,
            publication__piece__year_id=year_id,
            publication__piece__status__in=REPORTED,
        )
        .values_list(
            "sha256",
            "publication__piece_id",
            "publication__piece__title",
            "publication__piece__unit_id",
            "publication__piece__unit__name",
            "publication__piece__status",
            "publication__piece__first_submitted_at",
        )
        .distinct()
    )
    for sha, other_id, title, unit_id, unit_name, status, first_at in rows:
        for piece, pub in mine[sha]:
            if piece.unit_id == unit_id:
                continue
            known = out.setdefault(piece.pk, {}).get(other_id)
            if known is not None:
                out[piece.pk][other_id] = replace(known, by_proof=True)
                continue
            first = _order(piece.first_submitted_at, piece.pk) < _order(first_at, other_id)
            out[piece.pk][other_id] = Claim(
                piece.pk, other_id, title, unit_id, unit_name, status, pub.outlet.name, pub.date, first, True
            )


def claim_summary(claims: list[Claim]) -> str:
    """The words a submission's history keeps: never the other unit's name (its liaison reads it)."""
    where = "、".join(sorted({f"{c.outlet_name} {c.date:%Y-%m-%d}" for c in claims if c.date}))
    proof = _(";另一单位的稿件附有同一佐证文件") if any(c.by_proof for c in claims) else ""
    if any(not c.first for c in claims):
        return _("重复报送:另一单位已先报同一刊发(%(where)s)") % {"where": where} + proof
    return _("重复报送:另一单位也登记了同一刊发(%(where)s),本单位先报") % {"where": where} + proof


def claims_of_piece(piece: Piece) -> list[Claim]:
    """One piece's claims: three queries (its publications with outlets, then the candidates)."""
    fresh = Piece.objects.filter(pk=piece.pk).prefetch_related(
        Prefetch("publications", queryset=Publication.objects.select_related("outlet"))
    )
    return claims_for(fresh).get(piece.pk, [])
