"""What makes two publications "the same publication" (DOMAIN §10, duplicate claims), in pure Python.

Same outlet and the same URL, or same outlet, same date and the same title after removing punctuation
and spaces. Extension of §10's definition (issue 16 item 5): the same proof file (SHA-256 of the
evidence) attached to pieces of two units is a claim too, whatever outlet or date they typed. Used by the submission/import checks (``publicity.duplicates``) and by the scoring rules
(``scoring.rules``), so both sides agree on one definition. No Django import: the scoring rules stay pure.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

ClaimKey = tuple


def normalise_title(title: str) -> str:
    """NFKC, lower case, without punctuation, symbols and spaces: “关于……的通知” == 关于的通知."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def normalise_url(url: str) -> str:
    """The same page however it was typed: no surrounding spaces, no http(s) scheme, no trailing slash,
    lower case (hosts are case-blind, and site paths in practice too)."""
    text = (url or "").strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
            break
    return text.rstrip("/")


def url_spellings(urls: Iterable[str], *, lower: bool = False) -> set[str]:
    """Spellings a stored URL may have for the normalised ones of ``urls``: an exact ``IN`` list for SQL,
    whose matches are then compared by ``normalise_url`` in Python. ``lower``: lower-cased spellings only,
    to compare with ``lower(url)`` (every capitalisation then matches, as ``normalise_url`` has it)."""
    out: set[str] = set()
    for url in urls:
        raw = (url or "").strip()
        for text in ({raw.lower()} if lower else {raw, raw.lower()}) if raw else ():
            stem = text.split("://", 1)[-1].rstrip("/")
            for scheme in ("http://", "https://", ""):
                out.update({f"{scheme}{stem}", f"{scheme}{stem}/"})
    return out


PROOF = "proof"


def is_proof_key(key: ClaimKey) -> bool:
    return key[0] == PROOF


def claim_keys(
    title: str, publications: Iterable[tuple[int, dt.date | None, str]], proofs: Iterable[str] = ()
) -> set[ClaimKey]:
    """The keys under which a piece claims its publications: ``publications`` are (outlet id, date, url);
    ``proofs`` the SHA-256 of its evidence files (one key each: the same file proves one publication)."""
    norm_title = normalise_title(title)
    keys: set[ClaimKey] = {(PROOF, h.lower()) for h in proofs if h}
    for outlet_id, date, url in publications:
        norm_url = normalise_url(url)
        if norm_url:
            keys.add(("url", outlet_id, norm_url))
        if norm_title and date is not None:
            keys.add(("title", outlet_id, date, norm_title))
    return keys
