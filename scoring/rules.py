"""The scoring rules of DOMAIN.md §6 (assessment points) and §7 (rewards), in pure Python.

Frozen dataclasses describe the facts (outlets, publications, pieces, indicators, policy, reward
rules); the functions return ``Decimal`` results that carry their own explanation. Nothing here
touches the database: ``scoring.services`` gathers the facts and stores the results, so every
rule can be tested fast and exhaustively (CONVENTIONS §1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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

    @property
    def year_date(self) -> dt.date | None:
        """DOMAIN §4: the earliest publication date, or the report date when unpublished."""
        dates = [p.date for p in self.publications if p.date is not None]
        return min(dates) if dates else self.report_date


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


@dataclass(frozen=True)
class PolicyFact:
    full_score: Decimal
    bonus_per_piece: Decimal
    bonus_cap_ratio: Decimal
    penalty_per_piece: Decimal
    floor: Decimal = ZERO
    bonus_min_rank: int | None = None
    bonus_category_ids: frozenset[int] = frozenset()


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


def piece_reward(piece: PieceFact, rules: Sequence[RuleFact] | RuleIndex) -> PieceReward:
    """一稿多投: the highest publication reward among the piece's publications, never a sum."""
    pubs = [publication_reward(piece, p, rules) for p in piece.publications]
    best = max(pubs, key=lambda p: p.amount, default=None)  # first (earliest) wins ties
    amount = best.amount if best else ZERO
    paid = best if best is not None and best.rule_id is not None else None
    return PieceReward(
        piece_id=piece.id,
        amount=amount,
        publication_id=paid.publication_id if paid else None,
        outlet_name=paid.outlet_name if paid else None,
        rule_id=paid.rule_id if paid else None,
        rule_note=paid.rule_note if paid else "",
        no_rule_matched=bool(pubs) and paid is None,
        shares=split_shares(amount, piece.authors),
        title=piece.title,
        unit_id=piece.unit_id,
        kind=piece.kind,
        characters=piece.characters,
        publications=pubs,
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
class IndicatorScore:
    code: str
    name: str
    target: int
    achieved: int
    piece_ids: list[int]
    counts_for_penalty: bool
    is_bonus_basis: bool
    indicator_id: int | None = None

    @property
    def missing(self) -> int:
        return max(0, self.target - self.achieved)

    @property
    def completion(self) -> Decimal | None:
        """Achieved / target in percent (None without a target)."""
        if not self.target:
            return None
        return (Decimal(self.achieved) * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
) -> UnitScore:
    """One unit's points (DOMAIN §6). ``indicators`` pairs each indicator with the unit's target;
    ``pieces`` are the unit's approved pieces. ``rank`` is 0 until ``rank_units`` sets it."""
    scores: list[IndicatorScore] = []
    basis: tuple[IndicatorFact, IndicatorScore] | None = None
    for ind, target in indicators:
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
    points, penalty, bonus, capped, floored = points_for(policy, missing, extra)
    rewards = rewards or {}
    reward = sum((rewards[p.id].amount for p in pieces if p.id in rewards), ZERO)
    return UnitScore(
        unit_id=unit_id,
        unit_name=unit_name,
        kind_name=kind_name,
        rank=0,
        points=points,
        reward=money(reward),
        missing=missing,
        extra=extra,
        bonus_base=len(bonus_ids),
        indicators=scores,
        piece_ids=[p.id for p in pieces],
        surplus=surplus,
        bonus_piece_ids=bonus_ids,
        penalty=penalty,
        bonus=bonus,
        bonus_capped=capped,
        floored=floored,
        has_bonus_basis=basis is not None,
        kind_id=kind_id,
    )


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

    def unit(self, unit_id: int) -> UnitScore:
        for u in self.units:
            if u.unit_id == unit_id:
                return u
        raise LookupError(f"unit {unit_id} is not scored in {self.year}")

    @property
    def unmatched(self) -> list[PieceReward]:
        """Pieces with publications that no reward rule matched: listed for staff (DOMAIN §7)."""
        return [p for p in self.pieces.values() if p.no_rule_matched]


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
) -> YearScore:
    """A whole year: ``units`` are (id, name, kind name, kind id) in display order; ``targets`` maps
    (unit id, indicator id) to the allocation table's target, else the indicator's default."""
    if as_of is not None:
        # Year to date: a piece counts from its year-date, and only with what was published by then.
        dated = []
        for p in pieces:
            pubs = tuple(pub for pub in p.publications if pub.date is None or pub.date <= as_of)
            if not pubs and p.publications:
                continue
            if not p.publications and (p.report_date is None or p.report_date > as_of):
                continue
            dated.append(replace(p, publications=pubs))
        pieces = dated
    index = RuleIndex(rules)
    rewards = {p.id: piece_reward(p, index) for p in pieces}
    by_unit: dict[int, list[PieceFact]] = {}
    for p in pieces:
        by_unit.setdefault(p.unit_id, []).append(p)
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
            )
        )
    own: dict[int, dict[int, PieceReward]] = {}
    for owner_id, owner_rules in (own_rules or {}).items():
        owner_index = RuleIndex(owner_rules)
        own[owner_id] = {p.id: piece_reward(p, owner_index) for p in by_unit.get(owner_id, [])}
    return YearScore(
        year=year,
        units=rank_units(scores),
        people=people_rewards(rewards.values(), unit_names),
        pieces=rewards,
        policy=policy_params,
        as_of=as_of,
        own_rewards=own,
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
    }


def piece_reward_from_dict(d: dict) -> PieceReward:
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
    )


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
        "indicators": [
            {
                "indicator_id": i.indicator_id,
                "code": i.code,
                "name": i.name,
                "target": i.target,
                "achieved": i.achieved,
                "piece_ids": i.piece_ids,
                "counts_for_penalty": i.counts_for_penalty,
                "is_bonus_basis": i.is_bonus_basis,
            }
            for i in u.indicators
        ],
    }


def unit_score_from_dict(d: dict) -> UnitScore:
    dec = {k: Decimal(d[k]) for k in ("points", "reward", "penalty", "bonus")}
    rest = {k: v for k, v in d.items() if k not in dec and k != "indicators"}
    return UnitScore(**rest, **dec, indicators=[IndicatorScore(**i) for i in d["indicators"]])


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
    }


def year_score_from_dict(d: dict, *, source: str = "snapshot") -> YearScore:
    pieces = [piece_reward_from_dict(r) for r in d["pieces"]]
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
    )
