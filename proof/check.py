"""Does the proof agree with the claim? Per publication: title, outlet, date and page.

Each check gives a :class:`Finding`: ``ok`` (the proof shows it), ``flag`` (the proof disagrees or
the title/outlet is not on it: the reviewer should look) or ``unknown`` (the proof shows nothing
either way, e.g. a web screenshot without a page number). Findings carry a code and plain values;
the wording (Chinese, translatable) is the caller's.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .fields import PAGE_PATTERNS, Fields, cn_number, host_of, key, norm

TITLE_FOUND = 0.85  # share of the claimed title's characters found in order in one place of the proof
TITLE_SIMILAR = 0.6


@dataclass(frozen=True)
class Claim:
    title: str
    outlet: str
    outlet_aliases: tuple[str, ...] = ()
    outlet_domains: tuple[str, ...] = ()
    date: dt.date | None = None
    placement: str = ""  # headline / front / other
    page: str = ""  # free text as typed: 第1版, A3, 要闻
    url: str = ""


@dataclass(frozen=True)
class Finding:
    what: str  # title / outlet / date / page
    status: str  # ok / flag / unknown
    code: str
    values: dict = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return self.status == "flag"


def claimed_page(claim: Claim) -> int | None:
    text = norm(claim.page)
    for pattern in PAGE_PATTERNS:
        match = pattern.search(text if text.endswith("版") else text + "版")
        if match:
            number = cn_number(match.groups()[-1])
            if number:
                return number
    if re.fullmatch(r"[a-h]?0?\d{1,2}", text):
        return int(re.sub(r"\D", "", text))
    if "头版" in text or claim.placement in ("headline", "front"):
        return 1
    return None


def title_similarity(title: str, rows: Sequence[str]) -> float:
    """How much of the claimed title appears, in order, in one row or two neighbouring rows of the
    proof (a headline may wrap): 1.0 when all of it does."""
    wanted = key(title)
    if not wanted:
        return 0.0
    keys = [key(r) for r in rows]
    whole = "".join(keys)
    if wanted in whole:
        return 1.0
    best = 0.0
    windows = keys + [a + b for a, b in zip(keys, keys[1:], strict=False)]
    for text in windows:
        if not text:
            continue
        matcher = difflib.SequenceMatcher(None, wanted, text, autojunk=False)
        if matcher.real_quick_ratio() * (len(wanted) + len(text)) / (2 * len(wanted)) < best:
            continue
        found = sum(block.size for block in matcher.get_matching_blocks()) / len(wanted)
        best = max(best, found)
        if best >= 1.0:
            break
    return best


def check_claim(claim: Claim, fields: Fields, rows: Sequence[str]) -> list[Finding]:
    text = "".join(norm(r) for r in rows)
    findings = []

    # Title: somewhere on the proof (the extracted headline may be another story on the page).
    similarity = title_similarity(claim.title, rows)
    if similarity >= TITLE_FOUND:
        findings.append(Finding("title", "ok", "title_found", {"similarity": similarity}))
    elif similarity >= TITLE_SIMILAR:
        findings.append(Finding("title", "flag", "title_similar", {"similarity": similarity, "read": fields.title}))
    else:
        findings.append(Finding("title", "flag", "title_missing", {"similarity": similarity, "read": fields.title}))

    # Outlet: its name or an alias printed, or the proof's web address on its domain.
    names = [norm(n).strip("《》") for n in (claim.outlet, *claim.outlet_aliases) if n]
    domains = [d.lower().strip() for d in claim.outlet_domains if d.strip()]
    hosts = [host_of(u) for u in (fields.url,) if u]
    if fields.outlet == claim.outlet or any(n and n in text for n in names):
        findings.append(Finding("outlet", "ok", "outlet_found", {"outlet": claim.outlet}))
    elif any(h == d or h.endswith("." + d) for h in hosts for d in domains):
        findings.append(Finding("outlet", "ok", "outlet_domain", {"outlet": claim.outlet}))
    elif fields.outlet:
        findings.append(Finding("outlet", "flag", "outlet_other", {"outlet": claim.outlet, "read": fields.outlet}))
    else:
        findings.append(Finding("outlet", "flag", "outlet_missing", {"outlet": claim.outlet}))

    # Date: the claimed date printed anywhere counts; otherwise the proof's own date is named.
    if claim.date is not None:
        iso = claim.date.isoformat()
        if iso in fields.dates_found:
            findings.append(Finding("date", "ok", "date_found", {"date": iso}))
        elif fields.date:
            findings.append(Finding("date", "flag", "date_other", {"date": iso, "read": fields.date}))
        else:
            findings.append(Finding("date", "unknown", "date_missing", {"date": iso}))

    # Page: only when the claim names one (a page, or 头版/头版头条).
    wanted = claimed_page(claim)
    if wanted is not None:
        if wanted in fields.pages_found:
            findings.append(Finding("page", "ok", "page_found", {"page": wanted}))
        elif fields.page:
            findings.append(Finding("page", "flag", "page_other", {"page": wanted, "read": fields.page}))
        else:
            findings.append(Finding("page", "unknown", "page_missing", {"page": wanted}))
    return findings
