"""Does each publication's proof agree with the claim? And is the same proof claimed by two units?

The comparison itself is pure (``proof.check``); this module gathers the facts in a fixed number of
queries (the readings of many files at once, the year's evidence for duplicates) and words the
findings in Chinese for the reviewer. Imported pieces get the same check as soon as evidence is
attached to them, whichever door it came in by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from proof import similar
from proof.check import Claim, Finding, check_claim
from proof.fields import Fields

from .models import Evidence, EvidenceReading, Publication, ReadingStatus
from .proofs import readings_for


@dataclass
class ProofCheck:
    status: str  # the reading's status
    findings: list[Finding] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (ok / flag / unknown / pending, text)

    @property
    def flagged(self) -> bool:
        return any(f.flagged for f in self.findings)


def _words(f: Finding) -> str:
    v = f.values
    texts = {
        "title_found": _("佐证中有该标题"),
        "title_similar": _("佐证中的标题与登记的不完全一致(相似度 %(pct)s),佐证标题为“%(read)s”"),
        "title_missing": _("佐证中未找到该标题"),
        "outlet_found": _("佐证显示媒体“%(outlet)s”"),
        "outlet_domain": _("佐证网址属于“%(outlet)s”"),
        "outlet_other": _("佐证显示的媒体为“%(read)s”"),
        "outlet_missing": _("佐证中未找到媒体“%(outlet)s”"),
        "date_found": _("佐证日期一致(%(date)s)"),
        "date_other": _("佐证日期为%(read)s"),
        "date_missing": _("佐证中未识别到日期"),
        "page_found": _("佐证版次一致(第%(page)s版)"),
        "page_other": _("佐证版面为第%(read)s版"),
        "page_missing": _("佐证中未识别到版次"),
    }
    params = dict(v)
    if "similarity" in v:
        params["pct"] = f"{v['similarity']:.0%}"
    params.setdefault("read", "")
    return texts[f.code] % params


def claim_of(publication: Publication, title: str) -> Claim:
    outlet = publication.outlet
    return Claim(
        title=title,
        outlet=outlet.name,
        outlet_aliases=tuple(outlet.alias_list),
        outlet_domains=tuple(outlet.domain_list),
        date=publication.date,
        placement=publication.placement,
        page=publication.page,
        url=publication.url,
    )


def check_one(claim: Claim, reading: EvidenceReading | None) -> ProofCheck:
    status = reading.status if reading else ReadingStatus.PENDING
    if status == ReadingStatus.PENDING:
        return ProofCheck(status, lines=[("pending", _("佐证正在自动识别,稍后刷新可见核对结果"))])
    if status != ReadingStatus.DONE:
        return ProofCheck(status, lines=[("unknown", _("佐证未能自动识别,请人工核对"))])
    rows = [str(line.get("text", "")) for line in reading.lines] or reading.text.splitlines()
    findings = check_claim(claim, Fields.from_dict(reading.fields), rows)
    return ProofCheck(status, findings, [(f.status, _words(f)) for f in findings])


def attach_checks(publications: Iterable[Publication], titles: dict[int, str] | None = None) -> bool:
    """Set ``pub.proof`` (a ProofCheck, or None without evidence) on publications whose ``evidence``
    and ``outlet`` are loaded; one query for all readings. Returns whether any is flagged."""
    publications = list(publications)
    latest = {}
    for pub in publications:
        files = list(pub.evidence.all())
        latest[pub.pk] = files[-1] if files else None
    readings = readings_for(ev.sha256 for ev in latest.values() if ev)
    flagged = False
    for pub in publications:
        ev = latest[pub.pk]
        if ev is None:
            pub.proof = None
            continue
        title = titles[pub.piece_id] if titles else pub.piece.title
        pub.proof = check_one(claim_of(pub, title), readings.get(ev.sha256))
        flagged = flagged or pub.proof.flagged
    return flagged


def flagged_piece_ids(pieces) -> set[int]:
    """Ids among ``pieces`` (a queryset) with a publication whose proof disagrees: two queries."""
    pubs = list(
        Publication.objects.filter(piece__in=pieces.values("pk"), evidence__isnull=False)
        .select_related("outlet", "piece")
        .prefetch_related("evidence")
        .distinct()
    )
    attach_checks(pubs)
    return {p.piece_id for p in pubs if p.proof and p.proof.flagged}


# --- the same proof on pieces of two units -------------------------------------------------------


@dataclass(frozen=True)
class ProofTwin:
    piece_id: int
    title: str
    unit_name: str
    reason: str


def proof_twins(*, year_id: int, piece_ids: Iterable[int]) -> dict[int, list[ProofTwin]]:
    """{piece_id: [pieces of *other* units with the same file or a near-identical text]} for the
    given pieces of a year. Two queries over the year's evidence and readings, matching in Python."""
    wanted = set(piece_ids)
    if not wanted:
        return {}
    rows = list(
        Evidence.objects.filter(publication__piece__year_id=year_id).values_list(
            "sha256",
            "publication__piece_id",
            "publication__piece__title",
            "publication__piece__unit_id",
            "publication__piece__unit__name",
        )
    )
    signatures = dict(
        EvidenceReading.objects.filter(
            sha256__in={r[0] for r in rows}, status=ReadingStatus.DONE, signature__gt=""
        ).values_list("sha256", "signature")
    )
    by_hash: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_hash[row[0]].append(row)
    pairs: set[tuple[tuple, tuple, str]] = set()
    same_file = _("同一佐证文件")
    for group in by_hash.values():
        for a in group:
            for b in group:
                if a[3] != b[3]:
                    pairs.add((a, b, same_file))
    near_text = _("佐证文字几乎相同")
    for ha, hb in similar.near_pairs((h, signatures[h]) for h in by_hash if h in signatures):
        for a in by_hash[ha]:
            for b in by_hash[hb]:
                if a[3] != b[3]:
                    pairs.add((a, b, near_text))
                    pairs.add((b, a, near_text))
    found: dict[int, dict[int, ProofTwin]] = defaultdict(dict)
    for a, b, reason in sorted(pairs, key=lambda p: p[2] != same_file):
        if a[1] in wanted and b[1] not in found[a[1]]:
            found[a[1]][b[1]] = ProofTwin(b[1], b[2], b[4], reason)
    return {pid: list(twins.values()) for pid, twins in found.items()}
