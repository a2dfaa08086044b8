"""Likely duplicates (DOMAIN §4): the same URL, or a near-identical title, logged by any unit in the
same year. Candidates come from one year only, in a fixed number of queries; the title comparison
(difflib) runs in Python over that year's titles of similar length."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Length
from django.utils.translation import gettext as _

from .models import Piece, Publication

TITLE_RATIO = 0.9


def normalise_title(title: str) -> str:
    """NFKC, lower case, without punctuation, symbols and spaces: “关于……的通知” == 关于的通知."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def title_ratio(a: str, b: str) -> float:
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    matcher = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    if matcher.real_quick_ratio() < TITLE_RATIO or matcher.quick_ratio() < TITLE_RATIO:
        return 0.0
    return matcher.ratio()


@dataclass(frozen=True)
class Duplicate:
    piece_id: int
    title: str
    unit_name: str
    status_label: str
    reason: str


def _title_candidates(year_id: int, titles: Iterable[str]):
    lengths = [len(t) for t in titles if t]
    if not lengths:
        return []
    # ratio >= 0.9 needs the shorter normalised title to be >= 0.82 of the longer; raw lengths
    # differ from normalised ones by punctuation, so the SQL bound is deliberately loose.
    lo, hi = int(min(lengths) * 0.6), int(max(lengths) * 1.7) + 2
    return list(
        Piece.objects.filter(year_id=year_id)
        .annotate(n=Length("title"))
        .filter(n__gte=lo, n__lte=hi)
        .values_list("pk", "title", "unit__name", "status")
    )


def find_duplicates(*, year_id: int, title: str, urls: Iterable[str], exclude_piece_id: int | None = None):
    """Duplicates of one piece being logged or edited: two queries."""
    key = exclude_piece_id or 0
    return duplicates_for_many(year_id=year_id, items=[(key, title, list(urls))]).get(key, [])


def duplicates_for_many(*, year_id: int, items: list[tuple[int, str, list[str]]]):
    """{piece_id: [Duplicate, …]} for several pieces of one year (the reviewer queue): two queries."""
    from .models import PieceStatus

    labels = dict(PieceStatus.choices)
    result: dict[int, list[Duplicate]] = {}
    wanted_urls = {u.strip().rstrip("/").lower() for _, _, urls in items for u in urls if u and u.strip()}
    by_url: dict[str, list[tuple]] = {}
    if wanted_urls:
        # Compared with and without a trailing slash; the raw spellings go to SQL (an indexed IN).
        raw = {u.strip() for _, _, urls in items for u in urls if u and u.strip()}
        variants = raw | {u.rstrip("/") for u in raw} | {u.rstrip("/") + "/" for u in raw}
        rows = Publication.objects.filter(piece__year_id=year_id, url__in=variants).values_list(
            "url", "piece_id", "piece__title", "piece__unit__name", "piece__status"
        )
        for url, pid, ptitle, uname, status in rows:
            key = url.strip().rstrip("/").lower()
            if key in wanted_urls:
                by_url.setdefault(key, []).append((pid, ptitle, uname, status))
    candidates = _title_candidates(year_id, [t for _, t, _ in items])
    for pid, title, urls in items:
        found: dict[int, Duplicate] = {}
        for url in urls:
            key = (url or "").strip().rstrip("/").lower()
            for other_id, ptitle, uname, status in by_url.get(key, []):
                if other_id != pid and other_id not in found:
                    found[other_id] = Duplicate(other_id, ptitle, uname, labels.get(status, status), _("链接相同"))
        for other_id, ptitle, uname, status in candidates:
            if other_id == pid or other_id in found:
                continue
            ratio = title_ratio(title, ptitle)
            if ratio >= TITLE_RATIO:
                reason = _("标题相同") if ratio == 1.0 else _("标题相似度 %(ratio)s") % {"ratio": f"{ratio:.0%}"}
                found[other_id] = Duplicate(other_id, ptitle, uname, labels.get(status, status), reason)
        if found:
            result[pid] = list(found.values())
    return result
