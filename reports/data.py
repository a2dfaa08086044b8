"""The facts the reports print beside the scores, read in a fixed number of queries.

Figures (points, rewards, targets, achieved, shares) always come from ``scoring.services.year_results``;
this module only adds the words around them: titles, authors, topics, outlets, dates. Each function is
one query (or one streamed query), whatever the year's size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db.models import FilteredRelation, Q

from publicity.models import AssessmentYear, Indicator, Piece, PieceAuthor, PieceKind, PieceStatus, Placement

CHUNK = 2000
SEP = "、"

KIND_LABELS = dict(PieceKind.choices)
PLACEMENT_LABELS = dict(Placement.choices)


@dataclass(frozen=True)
class PubRow:
    id: int | None
    outlet: str
    date: dt.date | None
    placement: str
    page: str
    url: str

    @property
    def placement_label(self) -> str:
        return str(PLACEMENT_LABELS.get(self.placement, "")) if self.id else ""


@dataclass(frozen=True)
class PieceRow:
    id: int
    unit_id: int
    unit_name: str
    title: str
    kind: str
    characters: int
    report_date: dt.date | None
    authors: str
    topics: str
    publications: tuple[PubRow, ...]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def outlets(self) -> str:
        return SEP.join(p.outlet for p in self.publications)

    @property
    def first_date(self) -> dt.date | None:
        dates = [p.date for p in self.publications if p.date]
        return min(dates) if dates else self.report_date


def authors_by_piece(year: AssessmentYear) -> dict[int, str]:
    """piece id → "张三、李四" (signature order), approved pieces of the year: one query."""
    rows = (
        PieceAuthor.objects.filter(piece__year=year, piece__status=PieceStatus.APPROVED)
        .order_by("piece_id", "position")
        .values_list("piece_id", "name")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for piece_id, name in rows.iterator(chunk_size=CHUNK):
        out[piece_id].append(name)
    return {k: SEP.join(v) for k, v in out.items()}


def topics_by_piece(year: AssessmentYear) -> dict[int, str]:
    """piece id → "双创、纪检监察": one query through the M2M table."""
    through = Piece.topics.through
    rows = (
        through.objects.filter(piece__year=year, piece__status=PieceStatus.APPROVED)
        .order_by("piece_id", "topic__order", "topic_id")
        .values_list("piece_id", "topic__name")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for piece_id, name in rows.iterator(chunk_size=CHUNK):
        out[piece_id].append(name)
    return {k: SEP.join(v) for k, v in out.items()}


def iter_pieces(
    year: AssessmentYear, *, authors: dict[int, str] | None = None, topics: dict[int, str] | None = None
) -> Iterator[PieceRow]:
    """Approved pieces of the year with their publications, streamed in unit order then piece id.

    One query: pieces LEFT JOIN publications (a piece without publication comes once with empty
    publication columns), read in chunks and grouped back into pieces on the fly."""
    authors = authors_by_piece(year) if authors is None else authors
    topics = topics_by_piece(year) if topics is None else topics
    rows = (
        Piece.objects.filter(year=year, status=PieceStatus.APPROVED)
        # Reviewed publications only (an addition waiting for review counts for nothing), still a LEFT JOIN.
        .annotate(pub=FilteredRelation("publications", condition=Q(publications__pending_review=False)))
        .order_by("unit__kind__order", "unit__order", "unit_id", "id", "pub__date", "pub__id")
        .values_list(
            "id",
            "unit_id",
            "unit__name",
            "title",
            "kind",
            "characters",
            "report_date",
            "pub__id",
            "pub__outlet__name",
            "pub__date",
            "pub__placement",
            "pub__page",
            "pub__url",
        )
    )
    for piece_id, group in groupby(rows.iterator(chunk_size=CHUNK), key=lambda r: r[0]):
        group = list(group)
        first = group[0]
        pubs = tuple(PubRow(r[7], r[8] or "", r[9], r[10] or "", r[11] or "", r[12] or "") for r in group if r[7])
        yield PieceRow(
            id=piece_id,
            unit_id=first[1],
            unit_name=first[2],
            title=first[3],
            kind=first[4],
            characters=first[5],
            report_date=first[6],
            authors=authors.get(piece_id, ""),
            topics=topics.get(piece_id, ""),
            publications=pubs,
        )


def piece_briefs(year: AssessmentYear, *, authors: dict[int, str]) -> dict[int, tuple[str, str, str, dt.date | None]]:
    """piece id → (title, authors, outlets, year-date) for the indicator detail sheet: one streamed query."""
    return {p.id: (p.title, p.authors, p.outlets, p.first_date) for p in iter_pieces(year, authors=authors, topics={})}


def indicator_columns(year: AssessmentYear) -> list[tuple[str, str]]:
    """(code, name) of the year's indicators, unit kind order then indicator order, one per code: one query."""
    seen: dict[str, str] = {}
    for code, name in (
        Indicator.objects.filter(year=year).order_by("unit_kind__order", "order", "id").values_list("code", "name")
    ):
        seen.setdefault(code, name)
    return list(seen.items())
