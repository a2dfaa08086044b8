"""What the year's §10 settings say about pieces before (and after) they are counted: duplicate claims and
late reporting, for the review queue and the piece page (DOMAIN §10).

``flags_for(year, pieces)``: the year's policy (1 query) and the duplicate claims (``publicity.claimed``, 2
queries) for any number of pieces whose publications (with outlets) are prefetched. Lateness is decided by
``scoring.rules.days_late``, the rule scoring applies, so a flag here is what scoring will do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from publicity.claimed import Claim, claims_for
from publicity.models import AssessmentYear, Piece, PieceStatus

from .models import DuplicatePolicy, ScoringPolicy, Timeliness
from .rules import ZERO, OutletFact, PieceFact, PolicyFact, PublicationFact, days_late

NO_OUTLET = OutletFact(0, "", 0, 0)


@dataclass(frozen=True)
class PieceFlags:
    claims: list[Claim] = field(default_factory=list)
    duplicates: str = DuplicatePolicy.WARN
    late_days: int | None = None
    timeliness: str = Timeliness.NONE
    timeliness_days: int = 0

    @property
    def late(self) -> bool:
        return self.late_days is not None

    @property
    def late_excluded(self) -> bool:
        return self.late and self.timeliness == Timeliness.EXCLUDE

    @property
    def reported_later(self) -> bool:
        """Another unit reported one of the same publications first."""
        return any(not c.first for c in self.claims)

    @property
    def duplicate_excluded(self) -> bool:
        """以先报为准 and another unit was first: this piece will count for nothing."""
        return self.duplicates == DuplicatePolicy.FIRST_REPORTED and self.reported_later

    @property
    def excluded_now(self) -> bool:
        """As scoring decides today: an earlier claim of another unit is approved (it counts, this does not)."""
        return self.duplicates == DuplicatePolicy.FIRST_REPORTED and any(
            not c.first and c.other_status == PieceStatus.APPROVED for c in self.claims
        )

    @property
    def excluded(self) -> bool:
        return self.late_excluded or self.duplicate_excluded

    def __bool__(self) -> bool:
        return bool(self.claims) or self.late


def _policy(year: AssessmentYear) -> ScoringPolicy | None:
    return ScoringPolicy.objects.filter(year=year).only("duplicate_claims", "timeliness", "timeliness_days").first()


def flags_for(year: AssessmentYear, pieces: Iterable[Piece]) -> dict[int, PieceFlags]:
    """{piece id: PieceFlags} for the flagged ones among ``pieces`` (of ``year``): three queries."""
    pieces = list(pieces)
    if not pieces:
        return {}
    row = _policy(year)
    duplicates = row.duplicate_claims if row else DuplicatePolicy.WARN
    timeliness = row.timeliness if row else Timeliness.NONE
    limit = row.timeliness_days if row else 0
    policy = PolicyFact(ZERO, ZERO, ZERO, ZERO, timeliness=timeliness, timeliness_days=limit)
    claims = claims_for(pieces)
    out: dict[int, PieceFlags] = {}
    for piece in pieces:
        dates = [p.date for p in piece.publications.all() if not p.pending_review]
        submitted = timezone.localdate(piece.first_submitted_at) if piece.first_submitted_at else None
        # days_late reads only the earliest publication date and the first submission date.
        first = (PublicationFact(0, NO_OUTLET, min(dates)),) if dates else ()
        fact = PieceFact(id=piece.pk, unit_id=piece.unit_id, kind="", publications=first, submitted_on=submitted)
        late = days_late(fact, policy)
        flags = PieceFlags(claims.get(piece.pk, []), duplicates, late, timeliness, limit)
        if flags:
            out[piece.pk] = flags
    return out
