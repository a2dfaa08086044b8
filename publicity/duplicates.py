"""Likely duplicates (DOMAIN §4): the same URL, or a near-identical title, logged by any unit in the
same year — found by index, not by scanning the year.

Every piece keeps its normalised title (``Piece.title_key``, written with the row; ``publicity.claims``
normalises). Then:
- same URL: an indexed ``IN`` on ``Publication.url`` with the spellings a URL may have been typed in
  (``claims.url_spellings``), compared normalised;
- similar title: on PostgreSQL a trigram index (``pg_trgm``, GIN on ``title_key``) gives each title its
  closest candidates (``%`` operator, at most ``CANDIDATES`` per title, in one query for all titles); on
  SQLite (the demo) the year's titles of a similar length are scanned with rapidfuzz (C speed);
- either way a candidate counts when ``title_ratio`` ≥ 0.9: 2 × the longest common subsequence of the
  two normalised titles over their total length (rapidfuzz's ``fuzz.ratio``).
Two queries whatever the size of the year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from .claims import normalise_title, normalise_url, url_spellings
from .models import Piece, Publication

TITLE_RATIO = 0.9
CANDIDATES = 20  # per title from the trigram index, closest first
# Trigram similarity a candidate needs to be looked at. A pair at ratio 0.9 (an edit in ten characters)
# keeps about 55 % of its trigrams shared; pg_trgm's default 0.3 would hand formulaic government titles
# ("扎实推进…工作") to the check by the thousand. (The index answers ``%`` at pg_trgm's threshold, 0.3;
# this one narrows what is sorted and returned.)
TRIGRAM_THRESHOLD = 0.45

__all__ = ["Duplicate", "duplicates_for_many", "find_duplicates", "normalise_title", "title_ratio"]


def title_ratio(a: str, b: str) -> float:
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return fuzz.ratio(na, nb) / 100


@dataclass(frozen=True)
class Duplicate:
    piece_id: int
    title: str
    unit_name: str
    status_label: str
    reason: str


def _trigram_candidates(year_id: int, keys: list[str]) -> dict[str, list[tuple]]:
    """key → [(piece id, title, unit name, status)]: each key's closest titles by the trigram index."""
    piece, unit = Piece._meta.db_table, Piece._meta.get_field("unit").related_model._meta.db_table
    sql = f"""
        SELECT k.key, p.id, p.title, u.name, p.status
        FROM unnest(%s::text[]) AS k(key)
        CROSS JOIN LATERAL (
            SELECT id, title, unit_id, status FROM {piece}
            WHERE year_id = %s AND title_key %% k.key AND similarity(title_key, k.key) >= %s
            ORDER BY similarity(title_key, k.key) DESC, id
            LIMIT %s
        ) p
        JOIN {unit} u ON u.id = p.unit_id
    """
    # The index answers ``%`` at pg_trgm.similarity_threshold (0.3 by default) and the rows it finds are
    # then re-read and filtered at TRIGRAM_THRESHOLD: raising the setting to the same figure for this one
    # statement lets the index prune to it (same answer; in a province year of formulaic titles, ~4× less
    # work per title). One round trip: psycopg runs both statements in one transaction, so the setting
    # (``is_local``) ends with it.
    setting = "SELECT set_config('pg_trgm.similarity_threshold', %s, true);"
    out: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(setting + sql, [str(TRIGRAM_THRESHOLD), keys, year_id, TRIGRAM_THRESHOLD, CANDIDATES])
        for key, *row in cursor.fetchall():
            out.setdefault(key, []).append(tuple(row))
    return out


def _scanned_candidates(year_id: int, keys: list[str]) -> dict[str, list[tuple]]:
    """The portable way: the year's titles of a possible length, compared in C by rapidfuzz."""
    lengths = [len(k) for k in keys]
    # ratio ≥ 0.9 needs the shorter key to be ≥ 0.82 of the longer.
    lo, hi = int(min(lengths) * 0.8), int(max(lengths) / 0.8) + 1
    rows = list(
        Piece.objects.filter(year_id=year_id)
        .annotate(n=Length("title_key"))
        .filter(n__gte=lo, n__lte=hi)
        .values_list("title_key", "pk", "title", "unit__name", "status")
    )
    choices = [r[0] for r in rows]
    out: dict[str, list[tuple]] = {}
    for key in keys:
        for _choice, _score, index in process.extract(
            key, choices, scorer=fuzz.ratio, score_cutoff=TITLE_RATIO * 100 - 1, limit=None
        ):
            out.setdefault(key, []).append(rows[index][1:])
    return out


def _title_candidates(year_id: int, titles: Iterable[str]) -> dict[str, list[tuple]]:
    keys = sorted({normalise_title(t) for t in titles} - {""})
    if not keys:
        return {}
    if connection.vendor == "postgresql":
        return _trigram_candidates(year_id, keys)
    return _scanned_candidates(year_id, keys)


def find_duplicates(*, year_id: int, title: str, urls: Iterable[str], exclude_piece_id: int | None = None):
    """Duplicates of one piece being logged or edited: two queries."""
    key = exclude_piece_id or 0
    return duplicates_for_many(year_id=year_id, items=[(key, title, list(urls))]).get(key, [])


def duplicates_for_many(*, year_id: int, items: list[tuple[int, str, list[str]]]):
    """{piece_id: [Duplicate, …]} for several pieces of one year (the reviewer queue): two queries."""
    from .models import PieceStatus

    labels = dict(PieceStatus.choices)
    result: dict[int, list[Duplicate]] = {}
    wanted_urls = {normalise_url(u) for _, _, urls in items for u in urls} - {""}
    by_url: dict[str, list[tuple]] = {}
    if wanted_urls:
        spellings = url_spellings(u for _, _, urls in items for u in urls)
        rows = Publication.objects.filter(piece__year_id=year_id, url__in=spellings).values_list(
            "url", "piece_id", "piece__title", "piece__unit__name", "piece__status"
        )
        for url, pid, ptitle, uname, status in rows:
            if (key := normalise_url(url)) in wanted_urls:
                by_url.setdefault(key, []).append((pid, ptitle, uname, status))
    candidates = _title_candidates(year_id, [t for _, t, _ in items])
    for pid, title, urls in items:
        found: dict[int, Duplicate] = {}
        for url in urls:
            for other_id, ptitle, uname, status in by_url.get(normalise_url(url), []):
                if other_id != pid and other_id not in found:
                    found[other_id] = Duplicate(other_id, ptitle, uname, labels.get(status, status), _("链接相同"))
        for other_id, ptitle, uname, status in candidates.get(normalise_title(title), []):
            if other_id == pid or other_id in found:
                continue
            ratio = title_ratio(title, ptitle)
            if ratio >= TITLE_RATIO:
                reason = _("标题相同") if ratio == 1.0 else _("标题相似度 %(ratio)s") % {"ratio": f"{ratio:.0%}"}
                found[other_id] = Duplicate(other_id, ptitle, uname, labels.get(status, status), reason)
        if found:
            result[pid] = list(found.values())
    return result
