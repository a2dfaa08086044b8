"""The scoring rules of DOMAIN.md §6 (assessment points), §7 (rewards) and §10 (other bureaus'
variants), in pure Python.

Frozen dataclasses describe the facts (outlets, publications, pieces, indicators, policy, reward
rules and schedule settings); the functions return ``Decimal`` results that carry their own
explanation. Nothing here touches the database: ``scoring.services`` gathers the facts and stores
the results, so every rule can be tested fast and exhaustively (CONVENTIONS §1).

§10 settings and their 2011 defaults (the rules of §6–§7 are the special case of the defaults):
- reward schedule: ``payout`` highest | sum | top_n (with ``top_n``); ``split`` equal | weights;
- scoring policy (per year): ``duplicates`` warn | first_reported; ``timeliness`` none | flag | exclude
  (with ``timeliness_days``);
- indicator: ``method`` quota | per_piece (level points × category factor, monthly and yearly caps);
- unit and year: a coefficient on per-piece points (1 by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from publicity.claims import claim_keys, is_proof_key

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal("1")

# §10 setting values; the models' TextChoices use the same strings.
PAYOUT_HIGHEST, PAYOUT_SUM, PAYOUT_TOP_N = "highest", "sum", "top_n"
SPLIT_EQUAL, SPLIT_WEIGHTS = "equal", "weights"
DUPLICATES_WARN, DUPLICATES_FIRST_REPORTED = "warn", "first_reported"
TIMELINESS_NONE, TIMELINESS_FLAG, TIMELINESS_EXCLUDE = "none", "flag", "exclude"
METHOD_QUOTA, METHOD_PER_PIECE = "quota", "per_piece"


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class OutletFact:
    id: int
    name: str
    level_rank: int
    category_id: int
    level_name: str = ""
    category_name: str = ""


@dataclass(frozen=True)
class PublicationFact:
    id: int
    outlet: OutletFact
    date: dt.date | None = None
    placement: str = "other"
    url: str = ""


@dataclass(frozen=True)
class PieceFact:
    id: int
    unit_id: int
    kind: str
    characters: int = 0
    authors: tuple[str, ...] = ()
    publications: tuple[PublicationFact, ...] = ()
    topic_ids: frozenset[int] = frozenset()
    title: str = ""
    report_date: dt.date | None = None
    # First submission (never reset by a re-submission): orders duplicate claims (以先报为准) and,
    # as a local date, decides timeliness. None for a piece never submitted.
    submitted_at: dt.datetime | None = None
    submitted_on: dt.date | None = None
    # SHA-256 of the evidence files on its reviewed publications: the same file on two units' pieces is a
    # duplicate claim too (extension of §10, issue 16 item 5).
    proof_hashes: frozenset[str] = frozenset()

    @property
    def year_date(self) -> dt.date | None:
        """DOMAIN §4: the earliest publication date, or the report date when unpublished."""
        dates = [p.date for p in self.publications if p.date is not None]
        return min(dates) if dates else self.report_date

    @property
    def first_published(self) -> dt.date | None:
        dates = [p.date for p in self.publications if p.date is not None]
        return min(dates) if dates else None

    @property
    def claim_keys(self) -> set:
        return claim_keys(self.title, ((p.outlet.id, p.date, p.url) for p in self.publications), self.proof_hashes)

    @property
    def reported_order(self) -> tuple:
        """Who reported first: the earlier first submission, then the lower id; never submitted last."""
        if self.submitted_at is None:
            return (1, 0.0, self.id)
        return (0, self.submitted_at.timestamp(), self.id)


@dataclass(frozen=True)
class IndicatorFact:
    id: int
    code: str
    name: str = ""
    min_rank: int | None = None  # inclusive: 以上 includes the stated level
    max_rank: int | None = None  # inclusive
    category_ids: frozenset[int] = frozenset()
    outlet_ids: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()
    topic_ids: frozenset[int] = frozenset()
    requires_publication: bool = True
    counts_for_penalty: bool = True
    is_bonus_basis: bool = False
    # §10 per-piece points: (level rank, points) and (category id, factor; 1 when not listed).
    method: str = METHOD_QUOTA
    level_points: tuple[tuple[int, Decimal], ...] = ()
    category_factors: tuple[tuple[int, Decimal], ...] = ()
    monthly_cap: Decimal | None = None
    yearly_cap: Decimal | None = None

    @property
    def per_piece(self) -> bool:
        return self.method == METHOD_PER_PIECE


@dataclass(frozen=True)
class PolicyFact:
    full_score: Decimal
    bonus_per_piece: Decimal
    bonus_cap_ratio: Decimal
    penalty_per_piece: Decimal
    floor: Decimal = ZERO
    bonus_min_rank: int | None = None
    bonus_category_ids: frozenset[int] = frozenset()
    # §10, per year
    duplicates: str = DUPLICATES_WARN
    timeliness: str = TIMELINESS_NONE
    timeliness_days: int = 0


@dataclass(frozen=True)
class ScheduleFact:
    """A reward schedule's §10 settings: how 一稿多投 is paid and how authors split the money."""

    payout: str = PAYOUT_HIGHEST
    top_n: int = 1
    split: str = SPLIT_EQUAL
    weights: tuple[Decimal, ...] = ()


DEFAULT_SCHEDULE = ScheduleFact()


@dataclass(frozen=True)
class RuleFact:
    id: int
    amount: Decimal
    outlet_ids: frozenset[int]
    kinds: frozenset[str] = frozenset()
    placement: str = ""
    min_characters: int | None = None
    note: str = ""


# -------------------------------------------------------------------------------------- rewards


@dataclass(frozen=True)
class PublicationReward:
    """One publication's reward: the highest amount among the rules it matches (0 if none)."""

    publication_id: int
    outlet_name: str
    placement: str
    amount: Decimal
    rule_id: int | None
    rule_note: str
    matched_rule_ids: tuple[int, ...] = ()

    @property
    def no_rule_matched(self) -> bool:
        return self.rule_id is None


@dataclass(frozen=True)
class PieceReward:
    """A piece's reward. ``publication_id``/``outlet_name``/``rule_id`` name the highest paid publication;
    ``paid_publication_ids`` every publication paid (one under ``highest``, more under ``sum``/``top_n``)."""

    piece_id: int
    amount: Decimal
    publication_id: int | None
    outlet_name: str | None
    rule_id: int | None
    rule_note: str
    no_rule_matched: bool
    shares: list[tuple[str, Decimal]]
    title: str = ""
    unit_id: int | None = None
    kind: str = ""
    characters: int = 0
    publications: list[PublicationReward] = field(default_factory=list)
    paid_publication_ids: tuple[int, ...] = ()
    payout: str = PAYOUT_HIGHEST
    top_n: int = 1
    split: str = SPLIT_EQUAL
    weights: tuple[Decimal, ...] = ()

    @property
    def paid_outlet_names(self) -> list[str]:
        by_id = {p.publication_id: p.outlet_name for p in self.publications}
        return [by_id[i] for i in self.paid_publication_ids if i in by_id]


def rule_matches(rule: RuleFact, piece: PieceFact, pub: PublicationFact) -> bool:
    if pub.outlet.id not in rule.outlet_ids:
        return False
    if rule.kinds and piece.kind not in rule.kinds:
        return False
    if rule.placement and rule.placement != pub.placement:
        return False
    if rule.min_characters is not None and piece.characters < rule.min_characters:
        return False
    return True


class RuleIndex:
    """A schedule's rules grouped by outlet, in schedule order, so a publication is checked only
    against the rules that name its outlet (a year has ~10^5 publications, a schedule ~25 rules)."""

    def __init__(self, rules: Sequence[RuleFact]):
        self.rules = tuple(rules)
        by_outlet: dict[int, list[RuleFact]] = {}
        for rule in self.rules:
            for outlet_id in rule.outlet_ids:
                by_outlet.setdefault(outlet_id, []).append(rule)
        self._by_outlet = {k: tuple(v) for k, v in by_outlet.items()}

    def for_outlet(self, outlet_id: int) -> tuple[RuleFact, ...]:
        return self._by_outlet.get(outlet_id, ())


def publication_reward(
    piece: PieceFact, pub: PublicationFact, rules: Sequence[RuleFact] | RuleIndex
) -> PublicationReward:
    candidates = rules.for_outlet(pub.outlet.id) if isinstance(rules, RuleIndex) else rules
    matched = [r for r in candidates if rule_matches(r, piece, pub)]
    # The highest amount wins; among equal amounts the first rule in schedule order explains it.
    best = max(matched, key=lambda r: r.amount, default=None)
    return PublicationReward(
        publication_id=pub.id,
        outlet_name=pub.outlet.name,
        placement=pub.placement,
        amount=money(best.amount) if best else ZERO,
        rule_id=best.id if best else None,
        rule_note=best.note if best else "",
        matched_rule_ids=tuple(r.id for r in matched),
    )


def split_shares(amount: Decimal, authors: Sequence[str]) -> list[tuple[str, Decimal]]:
    """Equal split in fen; the remainder fen go to the first author, so the parts add up exactly."""
    if not authors:
        return []
    fen = int(money(amount) * 100)
    each, rest = divmod(fen, len(authors))
    parts = [each + (rest if i == 0 else 0) for i in range(len(authors))]
    return [(name, (Decimal(p) / 100).quantize(CENT)) for name, p in zip(authors, parts, strict=True)]


def author_weights(weights: Sequence[Decimal], count: int) -> list[Decimal]:
    """Weights for ``count`` authors in order: an author beyond the list takes the last weight."""
    return [weights[min(i, len(weights) - 1)] for i in range(count)]


def split_weighted(amount: Decimal, authors: Sequence[str], weights: Sequence[Decimal]) -> list[tuple[str, Decimal]]:
    """§10 weights: each share is amount × wᵢ / Σw rounded down to the fen; the remainder fen go to the
    first author, so the parts add up exactly. No weights (or none positive) falls back to equal."""
    if not authors:
        return []
    ws = author_weights(weights, len(authors)) if weights else []
    total = sum(ws, Decimal(0))
    if not ws or total <= 0 or any(w < 0 for w in ws):
        return split_shares(amount, authors)
    fen = int(money(amount) * 100)
    parts = [int((Decimal(fen) * w / total).to_integral_value(rounding=ROUND_FLOOR)) for w in ws]
    parts[0] += fen - sum(parts)
    return [(name, (Decimal(p) / 100).quantize(CENT)) for name, p in zip(authors, parts, strict=True)]


def split_for(amount: Decimal, authors: Sequence[str], schedule: ScheduleFact = DEFAULT_SCHEDULE):
    if schedule.split == SPLIT_WEIGHTS:
        return split_weighted(amount, authors, schedule.weights)
    return split_shares(amount, authors)


def paid_publications(pubs: Sequence[PublicationReward], schedule: ScheduleFact) -> list[PublicationReward]:
    """一稿多投 (§10): ``highest`` the best publication, ``sum`` every one, ``top_n`` the n best; only
    publications a rule matched are paid. Highest amount first; equal amounts keep publication order."""
    ranked = sorted(pubs, key=lambda p: -p.amount)  # sorted() is stable: the earliest wins ties
    matched = [p for p in ranked if p.rule_id is not None]
    if schedule.payout == PAYOUT_SUM:
        return matched
    n = max(1, schedule.top_n) if schedule.payout == PAYOUT_TOP_N else 1
    return [p for p in ranked[:n] if p.rule_id is not None]


def piece_reward(
    piece: PieceFact, rules: Sequence[RuleFact] | RuleIndex, schedule: ScheduleFact = DEFAULT_SCHEDULE
) -> PieceReward:
    """The piece's reward under the schedule's 一稿多投 payout (2011: the highest publication reward, never
    a sum), split among its authors by the schedule's split."""
    pubs = [publication_reward(piece, p, rules) for p in piece.publications]
    paid = paid_publications(pubs, schedule)
    amount = money(sum((p.amount for p in paid), ZERO))
    best = paid[0] if paid else None
    return PieceReward(
        piece_id=piece.id,
        amount=amount,
        publication_id=best.publication_id if best else None,
        outlet_name=best.outlet_name if best else None,
        rule_id=best.rule_id if best else None,
        rule_note=best.rule_note if best else "",
        no_rule_matched=bool(pubs) and best is None,
        shares=split_for(amount, piece.authors, schedule),
        title=piece.title,
        unit_id=piece.unit_id,
        kind=piece.kind,
        characters=piece.characters,
        publications=pubs,
        paid_publication_ids=tuple(p.publication_id for p in paid),
        payout=schedule.payout,
        top_n=schedule.top_n,
        split=schedule.split,
        weights=tuple(schedule.weights),
    )


# ------------------------------------------------------------------------------- quotas, points


def publication_meets(pub: PublicationFact, ind: IndicatorFact) -> bool:
    rank = pub.outlet.level_rank
    if ind.min_rank is not None and rank < ind.min_rank:
        return False
    if ind.max_rank is not None and rank > ind.max_rank:
        return False
    if ind.category_ids and pub.outlet.category_id not in ind.category_ids:
        return False
    if ind.outlet_ids and pub.outlet.id not in ind.outlet_ids:
        return False
    return True


def piece_meets(piece: PieceFact, ind: IndicatorFact) -> bool:
    """DOMAIN §5: piece criteria (kind, topic) and, unless none is needed, one qualifying publication."""
    if ind.kinds and piece.kind not in ind.kinds:
        return False
    if ind.topic_ids and not (ind.topic_ids & piece.topic_ids):
        return False
    if not ind.requires_publication:
        return True
    return any(publication_meets(p, ind) for p in piece.publications)


def bonus_eligible(pub: PublicationFact, policy: PolicyFact) -> bool:
    """市级以上党报和电视台: level at or above the policy's minimum and an eligible category."""
    if policy.bonus_min_rank is not None and pub.outlet.level_rank < policy.bonus_min_rank:
        return False
    return pub.outlet.category_id in policy.bonus_category_ids


@dataclass(frozen=True)
class MonthPoints:
    """One month of a per-piece indicator: the pieces' points (after the unit coefficient), then capped."""

    month: int
    pieces: int
    raw: Decimal
    points: Decimal
    capped: bool = False


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    target: int
    achieved: int
    piece_ids: list[int]
    counts_for_penalty: bool
    is_bonus_basis: bool
    indicator_id: int | None = None
    # §10 per-piece points (method per_piece): no target, no penalty
    method: str = METHOD_QUOTA
    points: Decimal | None = None
    months: tuple[MonthPoints, ...] = ()
    yearly_capped: bool = False
    piece_points: tuple[tuple[int, Decimal], ...] = ()  # (piece id, points after the coefficient)

    @property
    def per_piece(self) -> bool:
        return self.method == METHOD_PER_PIECE

    @property
    def missing(self) -> int:
        if self.per_piece:
            return 0
        return max(0, self.target - self.achieved)

    @property
    def completion(self) -> Decimal | None:
        """Achieved / target in percent (None without a target)."""
        if not self.target or self.per_piece:
            return None
        return (Decimal(self.achieved) * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FigureFact:
    """A reported-figure task scored as its own item (DOMAIN §9, seed 001 发行征订), for one unit: its target,
    its approved figure (None: nothing approved yet, counted as 0) and the item's parameters (data per year)."""

    task_id: int
    name: str
    target: int
    reported: int | None
    full_score: Decimal
    bonus_per_unit: Decimal
    penalty_per_unit: Decimal
    bonus_cap: Decimal | None = None  # None: no cap
    floor: Decimal = ZERO
    unit_label: str = ""
    approved_on: dt.date | None = None  # the day the figure was approved: a score "as of" an earlier day ignores it


@dataclass(frozen=True)
class FigureScore:
    task_id: int
    name: str
    unit_label: str
    target: int
    reported: int | None
    over: int
    short: int
    penalty: Decimal
    bonus: Decimal
    points: Decimal
    bonus_capped: bool = False
    floored: bool = False
    full_score: Decimal = ZERO  # the item's full score: added to the 满分 shown beside the unit's points


def figure_score(fact: FigureFact) -> FigureScore:
    """points = max(floor, S − penalty·short + min(bonus·over, cap)), ROUND_HALF_UP to 0.01, where
    short = max(0, target − reported) and over = max(0, reported − target); nothing approved counts as 0."""
    reported = fact.reported or 0
    short, over = max(0, fact.target - reported), max(0, reported - fact.target)
    penalty = fact.penalty_per_unit * short
    uncapped = fact.bonus_per_unit * over
    bonus, capped = _capped(uncapped, fact.bonus_cap)
    raw = fact.full_score - penalty + bonus
    points = max(fact.floor, raw)
    return FigureScore(
        task_id=fact.task_id,
        name=fact.name,
        unit_label=fact.unit_label,
        target=fact.target,
        reported=fact.reported,
        over=over,
        short=short,
        penalty=money(penalty),
        bonus=money(bonus),
        points=money(points),
        bonus_capped=capped,
        floored=raw < fact.floor,
        full_score=money(fact.full_score),
    )


@dataclass(frozen=True)
class CampaignFact:
    """A campaign scored as its own item (DOMAIN §9, seed 002), for one taking-part unit: how many deliverables
    it had to send (photos + videos + summaries) and how many of them it sent by the deadline (each kind
    counted up to what is required), and the item's parameters (data per campaign)."""

    campaign_id: int
    title: str
    required: int
    sent: int
    full_score: Decimal
    penalty_per_item: Decimal
    floor: Decimal = ZERO
    deadline: dt.date | None = None


def campaign_as_of(fact: CampaignFact, as_of: dt.date | None) -> CampaignFact:
    """A score as of a day before the campaign's deadline (a monthly circular, an as-of view) deducts nothing
    yet: the deduction is per deliverable missing *at the deadline*."""
    if as_of is not None and fact.deadline is not None and as_of < fact.deadline:
        return replace(fact, sent=fact.required)
    return fact


@dataclass(frozen=True)
class CampaignScore:
    campaign_id: int
    title: str
    required: int
    sent: int
    missing: int
    penalty: Decimal
    points: Decimal
    floored: bool = False
    full_score: Decimal = ZERO  # the item's full score: added to the 满分 shown beside the unit's points


def campaign_score(fact: CampaignFact) -> CampaignScore:
    """points = max(floor, S − deduction · missing), ROUND_HALF_UP to 0.01, where missing = required − sent
    (sent by the deadline, never more than required of a kind)."""
    missing = max(0, fact.required - min(fact.sent, fact.required))
    penalty = fact.penalty_per_item * missing
    raw = fact.full_score - penalty
    return CampaignScore(
        campaign_id=fact.campaign_id,
        title=fact.title,
        required=fact.required,
        sent=min(fact.sent, fact.required),
        missing=missing,
        penalty=money(penalty),
        points=money(max(fact.floor, raw)),
        floored=raw < fact.floor,
        full_score=money(fact.full_score),
    )


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_name: str
    kind_name: str
    rank: int
    points: Decimal
    reward: Decimal
    missing: int
    extra: int
    bonus_base: int
    indicators: list[IndicatorScore]
    piece_ids: list[int]
    # explanation of the points
    surplus: int = 0  # max(0, c_P − t_P)
    bonus_piece_ids: list[int] = field(default_factory=list)  # the b_P pieces
    penalty: Decimal = ZERO  # penalty·M
    bonus: Decimal = ZERO  # min(bonus·E, cap·S)
    bonus_capped: bool = False
    floored: bool = False
    has_bonus_basis: bool = False
    kind_id: int | None = None
    # §10: points = item (§6, from quota indicators) + per-piece points
    item_points: Decimal | None = None  # None: the same as points (a unit with quota indicators only)
    piece_points: Decimal = ZERO
    coefficient: Decimal = ONE
    has_quota: bool = True
    excluded_piece_ids: list[int] = field(default_factory=list)  # approved but counting for nothing
    # Reported-figure tasks scored as their own items (figure_score), added to the points.
    figures: list[FigureScore] = field(default_factory=list)
    figure_points: Decimal = ZERO
    # Campaigns scored as their own items (campaign_score), added to the points.
    campaigns: list[CampaignScore] = field(default_factory=list)
    campaign_points: Decimal = ZERO

    @property
    def has_per_piece(self) -> bool:
        return any(i.per_piece for i in self.indicators)


def points_for(policy: PolicyFact, missing: int, extra: int) -> tuple[Decimal, Decimal, Decimal, bool, bool]:
    """points = max(floor, S − penalty·M + min(bonus·E, cap·S)), ROUND_HALF_UP to 0.01.

    Returns (points, penalty amount, bonus amount, bonus capped?, floored?)."""
    penalty = policy.penalty_per_piece * missing
    uncapped = policy.bonus_per_piece * extra
    cap = policy.bonus_cap_ratio * policy.full_score
    bonus = min(uncapped, cap)
    raw = policy.full_score - penalty + bonus
    points = max(policy.floor, raw)
    return money(points), money(penalty), money(bonus), uncapped > cap, raw < policy.floor


def piece_points(piece: PieceFact, ind: IndicatorFact) -> tuple[Decimal, PublicationFact | None]:
    """§10 per-piece points of one piece: its best publication (among those meeting the indicator's
    publication criteria) by level points × category factor (1 for a category not listed); the earliest
    wins ties. 0 without a qualifying publication or for a level with no points."""
    if not piece_meets(piece, ind):
        return ZERO, None
    levels = dict(ind.level_points)
    factors = dict(ind.category_factors)
    best, best_points = None, ZERO
    for pub in piece.publications:
        if not publication_meets(pub, ind):
            continue
        pts = levels.get(pub.outlet.level_rank, ZERO) * factors.get(pub.outlet.category_id, ONE)
        if best is None or pts > best_points:
            best, best_points = pub, pts
    return best_points, best


def _capped(value: Decimal, cap: Decimal | None) -> tuple[Decimal, bool]:
    if cap is not None and value > cap:
        return cap, True
    return value, False


def per_piece_score(ind: IndicatorFact, pieces: Sequence[PieceFact], coefficient: Decimal = ONE) -> IndicatorScore:
    """§10: each counted piece's points × the unit coefficient, summed per month (a piece falls in the month
    of its earliest publication), each month capped and rounded to 0.01, then the year capped."""
    ids: list[int] = []
    scored: list[tuple[int, Decimal]] = []
    by_month: dict[int, list[Decimal]] = {}
    for p in pieces:
        if not piece_meets(p, ind):
            continue
        ids.append(p.id)
        pts = piece_points(p, ind)[0] * coefficient
        scored.append((p.id, pts))
        when = p.year_date
        by_month.setdefault(when.month if when else 12, []).append(pts)
    months = []
    for month in sorted(by_month):
        raw = sum(by_month[month], Decimal(0))
        value, capped = _capped(raw, ind.monthly_cap)
        months.append(MonthPoints(month, len(by_month[month]), raw, money(value), capped))
    total, yearly_capped = _capped(sum((m.points for m in months), ZERO), ind.yearly_cap)
    return IndicatorScore(
        code=ind.code,
        name=ind.name,
        target=0,
        achieved=len(ids),
        piece_ids=ids,
        counts_for_penalty=False,
        is_bonus_basis=False,
        indicator_id=ind.id,
        method=METHOD_PER_PIECE,
        points=money(total),
        months=tuple(months),
        yearly_capped=yearly_capped,
        piece_points=tuple(scored),
    )


def score_unit(
    *,
    unit_id: int,
    unit_name: str,
    kind_name: str,
    indicators: Sequence[tuple[IndicatorFact, int]],
    pieces: Sequence[PieceFact],
    policy: PolicyFact,
    rewards: Mapping[int, PieceReward] | None = None,
    kind_id: int | None = None,
    coefficient: Decimal = ONE,
    excluded_piece_ids: Sequence[int] = (),
    figures: Sequence[FigureFact] = (),
    campaigns: Sequence[CampaignFact] = (),
) -> UnitScore:
    """One unit's points (DOMAIN §6, §10). ``indicators`` pairs each indicator with the unit's target;
    ``pieces`` are the unit's counted pieces (approved, not excluded). ``rank`` is 0 until ``rank_units``.

    points = the §6 item over the quota indicators (0 when the unit has none) + the per-piece points
    + the items of the scored reported-figure tasks (``figures``) + the items of the scored campaigns the unit
    takes part in (``campaigns``)."""
    scores: list[IndicatorScore] = []
    basis: tuple[IndicatorFact, IndicatorScore] | None = None
    for ind, target in indicators:
        if ind.per_piece:
            scores.append(per_piece_score(ind, pieces, coefficient))
            continue
        ids = [p.id for p in pieces if piece_meets(p, ind)]  # each piece once per indicator
        score = IndicatorScore(
            code=ind.code,
            name=ind.name,
            target=int(target),
            achieved=len(ids),
            piece_ids=ids,
            counts_for_penalty=ind.counts_for_penalty,
            is_bonus_basis=ind.is_bonus_basis,
            indicator_id=ind.id,
        )
        scores.append(score)
        if ind.is_bonus_basis and basis is None:
            basis = (ind, score)
    has_quota = any(not s.per_piece for s in scores) or not scores
    missing = sum(s.missing for s in scores if s.counts_for_penalty)
    surplus, bonus_ids = 0, []
    if basis is not None:
        _, bscore = basis
        counted = set(bscore.piece_ids)
        bonus_ids = [
            p.id for p in pieces if p.id in counted and any(bonus_eligible(pub, policy) for pub in p.publications)
        ]
        surplus = max(0, bscore.achieved - bscore.target)
    extra = min(surplus, len(bonus_ids))
    item, penalty, bonus, capped, floored = points_for(policy, missing, extra)
    if not has_quota:
        item, floored = ZERO, False
    per_piece = sum((s.points for s in scores if s.per_piece and s.points is not None), ZERO)
    figure_scores = [figure_score(f) for f in figures]
    figure_total = sum((f.points for f in figure_scores), ZERO)
    campaign_scores = [campaign_score(c) for c in campaigns]
    campaign_total = sum((c.points for c in campaign_scores), ZERO)
    rewards = rewards or {}
    reward = sum((rewards[p.id].amount for p in pieces if p.id in rewards), ZERO)
    return UnitScore(
        unit_id=unit_id,
        unit_name=unit_name,
        kind_name=kind_name,
        rank=0,
        points=money(item + per_piece + figure_total + campaign_total),
        reward=money(reward),
        missing=missing,
        extra=extra,
        bonus_base=len(bonus_ids),
        indicators=scores,
        piece_ids=[p.id for p in pieces],
        surplus=surplus,
        bonus_piece_ids=bonus_ids,
        penalty=penalty if has_quota else ZERO,
        bonus=bonus if has_quota else ZERO,
        bonus_capped=capped and has_quota,
        floored=floored,
        has_bonus_basis=basis is not None,
        kind_id=kind_id,
        item_points=item,
        piece_points=money(per_piece),
        coefficient=coefficient,
        has_quota=has_quota,
        excluded_piece_ids=list(excluded_piece_ids),
        figures=figure_scores,
        figure_points=money(figure_total),
        campaigns=campaign_scores,
        campaign_points=money(campaign_total),
    )


# ------------------------------------------------------------- duplicate claims, timeliness (§10)


@dataclass(frozen=True)
class PieceNote:
    """Why a counted piece is flagged, or an approved piece counts for nothing (DOMAIN §10).

    ``late_days``: days from the earliest publication to the first submission, when over the year's limit.
    ``duplicate_of``: other units' pieces claiming the same publication; ``reported_first``: this piece was
    submitted before all of them. ``excluded`` with ``reason`` "late" or "duplicate": it counts for no
    indicator, points or reward."""

    piece_id: int
    unit_id: int
    title: str = ""
    late_days: int | None = None
    duplicate_of: tuple[int, ...] = ()
    reported_first: bool = False
    excluded: bool = False
    reason: str = ""
    same_proof: bool = False  # the claim is (also) the same proof file on another unit's piece

    @property
    def late(self) -> bool:
        return self.late_days is not None

    @property
    def duplicate(self) -> bool:
        return bool(self.duplicate_of)


def days_late(piece: PieceFact, policy: PolicyFact) -> int | None:
    """Days from the earliest publication to the first submission when more than the year's limit, else
    None (also with timeliness off, for an unpublished piece, or one never submitted)."""
    if policy.timeliness not in (TIMELINESS_FLAG, TIMELINESS_EXCLUDE):
        return None
    first = piece.first_published
    if first is None or piece.submitted_on is None:
        return None
    delay = (piece.submitted_on - first).days
    return delay if delay > policy.timeliness_days else None


def duplicate_groups(pieces: Sequence[PieceFact]) -> dict[int, tuple[int, ...]]:
    """{piece id: other units' pieces claiming one of its publications} (same outlet and URL, or same
    outlet, date and normalised title, or the same proof file). Pieces of the same unit are not each other's
    duplicates."""
    return {pid: others for pid, (others, _proof) in duplicate_matches(pieces).items()}


def duplicate_matches(pieces: Sequence[PieceFact]) -> dict[int, tuple[tuple[int, ...], bool]]:
    """{piece id: (other units' pieces claiming one of its publications, whether a proof file is shared)}."""
    by_key: dict[tuple, list[PieceFact]] = {}
    keys_of: dict[int, set] = {}
    for p in pieces:
        keys_of[p.id] = p.claim_keys
        for key in keys_of[p.id]:
            by_key.setdefault(key, []).append(p)
    groups: dict[int, tuple[tuple[int, ...], bool]] = {}
    for p in pieces:
        others, proof = set(), False
        for key in keys_of[p.id]:
            for q in by_key[key]:
                if q.unit_id != p.unit_id:
                    others.add(q.id)
                    proof = proof or is_proof_key(key)
        if others:
            groups[p.id] = (tuple(sorted(others)), proof)
    return groups


def piece_notes(
    pieces: Sequence[PieceFact], policy: PolicyFact, context: Sequence[PieceFact] = ()
) -> dict[int, PieceNote]:
    """Timeliness first (``exclude``: a late piece counts for nothing, so it claims nothing either), then
    duplicate claims among the rest: under ``first_reported`` a piece counts only if no other unit's piece
    claiming the same publication was submitted before it (以先报为准); under ``warn`` both count, flagged.

    ``context`` are other units' pieces that only take part in the duplicate decision (a narrowed scoring
    of some units still has to know who reported first)."""
    notes: dict[int, PieceNote] = {}
    late: dict[int, int] = {}
    for p in (*pieces, *context):
        days = days_late(p, policy)
        if days is not None:
            late[p.id] = days
    drop_late = policy.timeliness == TIMELINESS_EXCLUDE
    competing = [p for p in (*pieces, *context) if not (drop_late and p.id in late)]
    order = {p.id: p.reported_order for p in competing}
    groups = duplicate_matches(competing)
    for p in pieces:
        days = late.get(p.id)
        others, same_proof = groups.get(p.id, ((), False))
        first = bool(others) and all(order[p.id] < order[o] for o in others)
        if days is not None and drop_late:
            notes[p.id] = PieceNote(p.id, p.unit_id, p.title, late_days=days, excluded=True, reason="late")
        elif others:
            excluded = policy.duplicates == DUPLICATES_FIRST_REPORTED and not first
            notes[p.id] = PieceNote(
                p.id,
                p.unit_id,
                p.title,
                late_days=days,
                duplicate_of=others,
                reported_first=first,
                excluded=excluded,
                reason="duplicate" if excluded else "",
                same_proof=same_proof,
            )
        elif days is not None:
            notes[p.id] = PieceNote(p.id, p.unit_id, p.title, late_days=days)
    return notes


def rank_units(units: Iterable[UnitScore]) -> list[UnitScore]:
    """Points, then reward, both descending; equal figures share a rank (1, 1, 3).
    The input order breaks ties for display only (pass units in the bureau's unit order)."""
    ordered = sorted(units, key=lambda u: (-u.points, -u.reward))
    ranked: list[UnitScore] = []
    for i, u in enumerate(ordered):
        prev = ranked[-1] if ranked else None
        same = prev is not None and (prev.points, prev.reward) == (u.points, u.reward)
        ranked.append(replace(u, rank=prev.rank if same else i + 1))
    return ranked


@dataclass(frozen=True)
class PersonReward:
    name: str
    unit_name: str
    reward: Decimal
    piece_count: int
    unit_id: int | None = None


def people_rewards(rewards: Iterable[PieceReward], unit_names: Mapping[int, str]) -> list[PersonReward]:
    """Every author with the sum of their shares, per unit; reward descending, then name."""
    totals: dict[tuple[int | None, str], list] = {}
    for r in rewards:
        for name, share in r.shares:
            entry = totals.setdefault((r.unit_id, name), [ZERO, 0])
            entry[0] += share
            entry[1] += 1
    people = [
        PersonReward(name=name, unit_name=unit_names.get(uid, ""), reward=money(t[0]), piece_count=t[1], unit_id=uid)
        for (uid, name), t in totals.items()
    ]
    return sorted(people, key=lambda p: (-p.reward, p.name, p.unit_name))


@dataclass
class YearScore:
    year: int
    units: list[UnitScore]
    people: list[PersonReward]
    pieces: dict[int, PieceReward]
    policy: dict[str, str]
    as_of: dt.date | None = None
    source: str = "live"  # "live" or "snapshot"
    # Rewards under a unit's own schedule (seed 004 §6), by owner unit id: not part of the bureau's
    # figures above, which are paid by the bureau schedule.
    own_rewards: dict[int, dict[int, PieceReward]] = field(default_factory=dict)
    # §10 flags and exclusions by piece id (late, duplicate claims); excluded pieces are not in ``pieces``.
    notes: dict[int, PieceNote] = field(default_factory=dict)

    def unit(self, unit_id: int) -> UnitScore:
        for u in self.units:
            if u.unit_id == unit_id:
                return u
        raise LookupError(f"unit {unit_id} is not scored in {self.year}")

    @property
    def unmatched(self) -> list[PieceReward]:
        """Pieces with publications that no reward rule matched: listed for staff (DOMAIN §7)."""
        return [p for p in self.pieces.values() if p.no_rule_matched]

    def unit_notes(self, unit_id: int) -> list[PieceNote]:
        return [n for n in self.notes.values() if n.unit_id == unit_id]


def _up_to(pieces: Sequence[PieceFact], as_of: dt.date) -> list[PieceFact]:
    """Year to date: a piece counts from its year-date, and only with what was published by then."""
    dated = []
    for p in pieces:
        pubs = tuple(pub for pub in p.publications if pub.date is None or pub.date <= as_of)
        if not pubs and p.publications:
            continue
        if not p.publications and (p.report_date is None or p.report_date > as_of):
            continue
        dated.append(replace(p, publications=pubs))
    return dated


def score_year_facts(
    *,
    year: int,
    units: Sequence[tuple[int, str, str, int | None]],
    indicators_by_kind: Mapping[int | None, Sequence[IndicatorFact]],
    targets: Mapping[tuple[int, int], int],
    default_targets: Mapping[int, int],
    pieces: Sequence[PieceFact],
    policy: PolicyFact,
    rules: Sequence[RuleFact],
    policy_params: dict[str, str],
    unit_names: Mapping[int, str],
    own_rules: Mapping[int, Sequence[RuleFact]] | None = None,
    as_of: dt.date | None = None,
    schedule: ScheduleFact = DEFAULT_SCHEDULE,
    own_schedules: Mapping[int, ScheduleFact] | None = None,
    coefficients: Mapping[int, Decimal] | None = None,
    context: Sequence[PieceFact] = (),
    figures: Mapping[int, Sequence[FigureFact]] | None = None,
    campaigns: Mapping[int, Sequence[CampaignFact]] | None = None,
) -> YearScore:
    """A whole year: ``units`` are (id, name, kind name, kind id) in display order; ``targets`` maps
    (unit id, indicator id) to the allocation table's target, else the indicator's default.
    ``coefficients``: unit id → per-piece coefficient (1 when absent). ``context``: other units' approved
    pieces, only to decide duplicate claims when ``pieces`` are some units' only. ``figures``: unit id → the
    scored reported-figure tasks of that unit; ``campaigns``: unit id → the scored campaigns it takes part in."""
    if as_of is not None:
        pieces, context = _up_to(pieces, as_of), _up_to(context, as_of)
        if figures:
            # A monthly circular or an as-of view counts a figure approved by that day only, as it counts pieces.
            figures = {
                unit_id: [
                    f if f.approved_on is None or f.approved_on <= as_of else replace(f, reported=None) for f in facts
                ]
                for unit_id, facts in figures.items()
            }
        if campaigns:
            campaigns = {unit_id: [campaign_as_of(c, as_of) for c in facts] for unit_id, facts in campaigns.items()}
    notes = piece_notes(pieces, policy, context)
    counted = [p for p in pieces if not (p.id in notes and notes[p.id].excluded)]
    index = RuleIndex(rules)
    rewards = {p.id: piece_reward(p, index, schedule) for p in counted}
    by_unit: dict[int, list[PieceFact]] = {}
    for p in counted:
        by_unit.setdefault(p.unit_id, []).append(p)
    excluded_by_unit: dict[int, list[int]] = {}
    for n in notes.values():
        if n.excluded:
            excluded_by_unit.setdefault(n.unit_id, []).append(n.piece_id)
    coefficients = coefficients or {}
    scores = []
    for unit_id, name, kind_name, kind_id in units:
        inds = indicators_by_kind.get(kind_id, ())
        pairs = [(ind, targets.get((unit_id, ind.id), default_targets.get(ind.id, 0))) for ind in inds]
        scores.append(
            score_unit(
                unit_id=unit_id,
                unit_name=name,
                kind_name=kind_name,
                indicators=pairs,
                pieces=by_unit.get(unit_id, []),
                policy=policy,
                rewards=rewards,
                kind_id=kind_id,
                coefficient=coefficients.get(unit_id, ONE),
                excluded_piece_ids=sorted(excluded_by_unit.get(unit_id, [])),
                figures=(figures or {}).get(unit_id, ()),
                campaigns=(campaigns or {}).get(unit_id, ()),
            )
        )
    own: dict[int, dict[int, PieceReward]] = {}
    for owner_id, owner_rules in (own_rules or {}).items():
        owner_index = RuleIndex(owner_rules)
        owner_schedule = (own_schedules or {}).get(owner_id, DEFAULT_SCHEDULE)
        own[owner_id] = {p.id: piece_reward(p, owner_index, owner_schedule) for p in by_unit.get(owner_id, [])}
    return YearScore(
        year=year,
        units=rank_units(scores),
        people=people_rewards(rewards.values(), unit_names),
        pieces=rewards,
        policy=policy_params,
        as_of=as_of,
        own_rewards=own,
        notes=notes,
    )


# ------------------------------------------------------------------------------ serialisation
# A closed year's results are stored as JSON and read back unchanged (DOMAIN §4).


def _dec(value) -> str:
    return f"{money(value)}"


def _pub_to_dict(p: PublicationReward) -> dict:
    return {
        "publication_id": p.publication_id,
        "outlet_name": p.outlet_name,
        "placement": p.placement,
        "amount": _dec(p.amount),
        "rule_id": p.rule_id,
        "rule_note": p.rule_note,
        "matched_rule_ids": list(p.matched_rule_ids),
    }


def piece_reward_to_dict(r: PieceReward) -> dict:
    return {
        "piece_id": r.piece_id,
        "amount": _dec(r.amount),
        "publication_id": r.publication_id,
        "outlet_name": r.outlet_name,
        "rule_id": r.rule_id,
        "rule_note": r.rule_note,
        "no_rule_matched": r.no_rule_matched,
        "shares": [[name, _dec(v)] for name, v in r.shares],
        "title": r.title,
        "unit_id": r.unit_id,
        "kind": r.kind,
        "characters": r.characters,
        "publications": [_pub_to_dict(p) for p in r.publications],
        "paid_publication_ids": list(r.paid_publication_ids),
        "payout": r.payout,
        "top_n": r.top_n,
        "split": r.split,
        "weights": [str(w) for w in r.weights],
    }


def piece_reward_from_dict(d: dict) -> PieceReward:
    # Snapshots from before §10 have no payout keys: they were paid at the highest publication.
    paid = d.get("paid_publication_ids")
    if paid is None:
        paid = [d["publication_id"]] if d.get("rule_id") is not None else []
    return PieceReward(
        piece_id=d["piece_id"],
        amount=Decimal(d["amount"]),
        publication_id=d["publication_id"],
        outlet_name=d["outlet_name"],
        rule_id=d["rule_id"],
        rule_note=d["rule_note"],
        no_rule_matched=d["no_rule_matched"],
        shares=[(n, Decimal(v)) for n, v in d["shares"]],
        title=d["title"],
        unit_id=d["unit_id"],
        kind=d["kind"],
        characters=d["characters"],
        publications=[
            PublicationReward(
                publication_id=p["publication_id"],
                outlet_name=p["outlet_name"],
                placement=p["placement"],
                amount=Decimal(p["amount"]),
                rule_id=p["rule_id"],
                rule_note=p["rule_note"],
                matched_rule_ids=tuple(p["matched_rule_ids"]),
            )
            for p in d["publications"]
        ],
        paid_publication_ids=tuple(paid),
        payout=d.get("payout", PAYOUT_HIGHEST),
        top_n=d.get("top_n", 1),
        split=d.get("split", SPLIT_EQUAL),
        weights=tuple(Decimal(w) for w in d.get("weights", ())),
    )


def _indicator_to_dict(i: IndicatorScore) -> dict:
    data = {
        "indicator_id": i.indicator_id,
        "code": i.code,
        "name": i.name,
        "target": i.target,
        "achieved": i.achieved,
        "piece_ids": i.piece_ids,
        "counts_for_penalty": i.counts_for_penalty,
        "is_bonus_basis": i.is_bonus_basis,
    }
    if i.per_piece:
        data |= {
            "method": i.method,
            "points": _dec(i.points or ZERO),
            "months": [[m.month, m.pieces, str(m.raw), _dec(m.points), m.capped] for m in i.months],
            "yearly_capped": i.yearly_capped,
            "piece_points": [[pid, str(v)] for pid, v in i.piece_points],
        }
    return data


def _indicator_from_dict(d: dict) -> IndicatorScore:
    rest = {k: v for k, v in d.items() if k not in ("points", "months", "piece_points")}
    extra = {}
    if "points" in d:
        extra = {
            "points": Decimal(d["points"]),
            "months": tuple(
                MonthPoints(m, n, Decimal(raw), Decimal(pts), capped) for m, n, raw, pts, capped in d["months"]
            ),
            "piece_points": tuple((pid, Decimal(v)) for pid, v in d["piece_points"]),
        }
    return IndicatorScore(**rest, **extra)


def unit_score_to_dict(u: UnitScore) -> dict:
    return {
        "unit_id": u.unit_id,
        "unit_name": u.unit_name,
        "kind_name": u.kind_name,
        "kind_id": u.kind_id,
        "rank": u.rank,
        "points": _dec(u.points),
        "reward": _dec(u.reward),
        "missing": u.missing,
        "extra": u.extra,
        "bonus_base": u.bonus_base,
        "surplus": u.surplus,
        "bonus_piece_ids": u.bonus_piece_ids,
        "penalty": _dec(u.penalty),
        "bonus": _dec(u.bonus),
        "bonus_capped": u.bonus_capped,
        "floored": u.floored,
        "has_bonus_basis": u.has_bonus_basis,
        "piece_ids": u.piece_ids,
        "indicators": [_indicator_to_dict(i) for i in u.indicators],
        "item_points": _dec(u.item_points if u.item_points is not None else u.points),
        "piece_points": _dec(u.piece_points),
        "coefficient": str(u.coefficient),
        "has_quota": u.has_quota,
        "excluded_piece_ids": u.excluded_piece_ids,
        "figures": [_figure_to_dict(f) for f in u.figures],
        "figure_points": _dec(u.figure_points),
        "campaigns": [_campaign_to_dict(c) for c in u.campaigns],
        "campaign_points": _dec(u.campaign_points),
    }


FIGURE_DECIMALS = ("penalty", "bonus", "points", "full_score")


def _figure_to_dict(f: FigureScore) -> dict:
    return {k: (_dec(v) if k in FIGURE_DECIMALS else v) for k, v in f.__dict__.items()}


def _figure_from_dict(d: dict) -> FigureScore:
    return FigureScore(**{k: (Decimal(v) if k in FIGURE_DECIMALS else v) for k, v in d.items()})


CAMPAIGN_DECIMALS = ("penalty", "points", "full_score")


def _campaign_to_dict(c: CampaignScore) -> dict:
    return {k: (_dec(v) if k in CAMPAIGN_DECIMALS else v) for k, v in c.__dict__.items()}


def _campaign_from_dict(d: dict) -> CampaignScore:
    return CampaignScore(**{k: (Decimal(v) if k in CAMPAIGN_DECIMALS else v) for k, v in d.items()})


def unit_score_from_dict(d: dict) -> UnitScore:
    # Snapshots from before reported figures (or scored campaigns) lack their keys: no such items, 0 points.
    decimals = ("points", "reward", "penalty", "bonus", "item_points", "piece_points", "coefficient", "figure_points")
    decimals += ("campaign_points",)
    dec = {k: Decimal(d[k]) for k in decimals if k in d}
    rest = {k: v for k, v in d.items() if k not in dec and k not in ("indicators", "figures", "campaigns")}
    return UnitScore(
        **rest,
        **dec,
        indicators=[_indicator_from_dict(i) for i in d["indicators"]],
        figures=[_figure_from_dict(f) for f in d.get("figures", [])],
        campaigns=[_campaign_from_dict(c) for c in d.get("campaigns", [])],
    )


def _note_to_dict(n: PieceNote) -> dict:
    return {
        "piece_id": n.piece_id,
        "unit_id": n.unit_id,
        "title": n.title,
        "late_days": n.late_days,
        "duplicate_of": list(n.duplicate_of),
        "reported_first": n.reported_first,
        "excluded": n.excluded,
        "reason": n.reason,
        **({"same_proof": True} if n.same_proof else {}),
    }


def year_score_to_dict(s: YearScore) -> dict:
    return {
        "year": s.year,
        "as_of": s.as_of.isoformat() if s.as_of else None,
        "policy": s.policy,
        "units": [unit_score_to_dict(u) for u in s.units],
        "people": [
            {
                "name": p.name,
                "unit_name": p.unit_name,
                "unit_id": p.unit_id,
                "reward": _dec(p.reward),
                "piece_count": p.piece_count,
            }
            for p in s.people
        ],
        "pieces": [piece_reward_to_dict(r) for r in s.pieces.values()],
        "own_rewards": {str(k): [piece_reward_to_dict(r) for r in v.values()] for k, v in s.own_rewards.items()},
        "notes": [_note_to_dict(n) for n in s.notes.values()],
    }


def year_score_from_dict(d: dict, *, source: str = "snapshot") -> YearScore:
    pieces = [piece_reward_from_dict(r) for r in d["pieces"]]
    notes = [PieceNote(**{**n, "duplicate_of": tuple(n["duplicate_of"])}) for n in d.get("notes", [])]
    return YearScore(
        year=d["year"],
        units=[unit_score_from_dict(u) for u in d["units"]],
        people=[
            PersonReward(
                name=p["name"],
                unit_name=p["unit_name"],
                unit_id=p["unit_id"],
                reward=Decimal(p["reward"]),
                piece_count=p["piece_count"],
            )
            for p in d["people"]
        ],
        pieces={r.piece_id: r for r in pieces},
        policy=d["policy"],
        as_of=dt.date.fromisoformat(d["as_of"]) if d.get("as_of") else None,
        source=source,
        own_rewards={
            int(k): {r["piece_id"]: piece_reward_from_dict(r) for r in v} for k, v in d.get("own_rewards", {}).items()
        },
        notes={n.piece_id: n for n in notes},
    )
