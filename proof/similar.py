"""Near-identical proofs: a MinHash signature of the text's character 4-grams.

Two readings of the same clipping (photographed twice, or re-saved) differ by a few OCR characters;
the share of 4-grams they have in common (Jaccard similarity) stays high, and the share of equal
MinHash values estimates it. :func:`near_pairs` finds close pairs among many without comparing all
pairs (locality-sensitive hashing: 6 bands of 4 values; pairs agreeing on a band are then checked).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from .fields import key

MIN_CHARS = 40  # shorter texts (a bare masthead, a caption) say too little to call two proofs the same
PERMUTATIONS = 24
BANDS = 6
ROWS = PERMUTATIONS // BANDS
NEAR = 0.7  # estimated share of common 4-grams; the same clipping read twice scores ≈ 0.9
PRIME = (1 << 61) - 1
_COEFFS = [
    (
        int.from_bytes(hashlib.blake2b(b"a%d" % i, digest_size=8).digest(), "big") % PRIME or 1,
        int.from_bytes(hashlib.blake2b(b"b%d" % i, digest_size=8).digest(), "big") % PRIME,
    )
    for i in range(PERMUTATIONS)
]


def signature(text: str) -> str:
    """PERMUTATIONS × 16 hex digits, or "" when the text is too short to compare."""
    chars = key(text)
    if len(chars) < MIN_CHARS:
        return ""
    hashes = {
        int.from_bytes(hashlib.blake2b(chars[i : i + 4].encode(), digest_size=8).digest(), "big")
        for i in range(len(chars) - 3)
    }
    return "".join(f"{min((a * h + b) % PRIME for h in hashes):016x}" for a, b in _COEFFS)


def _values(sig: str) -> list[str]:
    return [sig[i : i + 16] for i in range(0, len(sig), 16)]


def similarity(a: str, b: str) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    va, vb = _values(a), _values(b)
    return sum(x == y for x, y in zip(va, vb, strict=True)) / len(va)


def near(a: str, b: str) -> bool:
    return similarity(a, b) >= NEAR


def near_pairs(items: Iterable[tuple[object, str]]) -> set[tuple[object, object]]:
    """Pairs of ids (in the order given) whose signatures are near; empty signatures skipped."""
    items = [(ident, sig) for ident, sig in items if sig]
    buckets: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, (_, sig) in enumerate(items):
        values = _values(sig)
        for band in range(BANDS):
            buckets[(band, "".join(values[band * ROWS : (band + 1) * ROWS]))].append(index)
    pairs = set()
    for members in buckets.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = items[members[x]], items[members[y]]
                if a[0] != b[0] and near(a[1], b[1]):
                    pairs.add((a[0], b[0]))
    return pairs
