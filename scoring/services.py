"""The ORM side of scoring: gather a year's facts in a fixed number of queries, hand them to
``scoring.rules``, and close / publish / reopen a year (DOMAIN §6, §7, §8).

Reward choice: the bureau schedule (``owner_unit`` empty) pays the rewards in ``YearScore``
(units' reward totals, the people list, piece rewards). A unit that keeps its own schedule
(seed 004 §6) gets its own pieces priced under that schedule in ``YearScore.own_rewards[unit_id]``,
shown separately because that unit funds it itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from publicity.models import (
    AssessmentYear,
    Indicator,
    Piece,
    PieceAuthor,
    PieceStatus,
    Publication,
    UnitTarget,
    YearStatus,
)
from units.models import Unit, User

from .models import PersonResult, RewardRule, RewardSchedule, ScoringPolicy, UnitResult, YearSnapshot, YearStatusLog
from .rules import (
    ZERO,
    IndicatorFact,
    IndicatorScore,
    OutletFact,
    PersonReward,
    PieceFact,
    PieceReward,
    PolicyFact,
    PublicationFact,
    PublicationReward,
    RuleFact,
    UnitScore,
    YearScore,
    piece_reward,
    score_year_facts,
    year_score_from_dict,
    year_score_to_dict,
)

__all__ = [
    "IndicatorScore",
    "PersonReward",
    "PieceReward",
    "PublicationReward",
    "UnitScore",
    "policy_lines",
    "YearScore",
    "score_year",
    "year_close",
    "year_publish",
    "year_reopen",
    "year_results",
]


# Marked for the English catalogue; pages translate them with {% translate label %}.
POLICY_LABELS = {
    "full_score": gettext_noop("单项满分S"),
    "bonus_per_piece": gettext_noop("超额每篇加分"),
    "bonus_cap_ratio": gettext_noop("加分上限(占满分比例)"),
    "penalty_per_piece": gettext_noop("每少一篇扣分"),
    "floor": gettext_noop("最低得分"),
    "bonus_min_level": gettext_noop("加分媒体最低级别(含本级)"),
    "bonus_categories": gettext_noop("加分媒体类别"),
    "reward_schedule": gettext_noop("奖励标准"),
}


def policy_lines(policy: dict[str, str]) -> list[tuple[str, str]]:
    """The rule parameters used, labelled in Chinese for pages and the command."""
    return [(POLICY_LABELS.get(k, k), v) for k, v in policy.items()]


def _outlet(o) -> OutletFact:
    return OutletFact(
        id=o.pk,
        name=o.name,
        level_rank=o.level.rank,
        category_id=o.category_id,
        level_name=o.level.name,
        category_name=o.category.name,
    )


def _policy(year: AssessmentYear) -> tuple[PolicyFact, dict[str, str]]:
    policy = (
        ScoringPolicy.objects.select_related("bonus_min_level").prefetch_related("bonus_categories").filter(year=year)
    ).first()
    if policy is None:
        return PolicyFact(ZERO, ZERO, ZERO, ZERO, ZERO), {"未设置": "该年度尚未设置计分规则,得分按0计"}
    cats = list(policy.bonus_categories.all())
    fact = PolicyFact(
        full_score=policy.full_score,
        bonus_per_piece=policy.bonus_per_piece,
        bonus_cap_ratio=policy.bonus_cap_ratio,
        penalty_per_piece=policy.penalty_per_piece,
        floor=policy.floor,
        bonus_min_rank=policy.bonus_min_level.rank,
        bonus_category_ids=frozenset(c.pk for c in cats),
    )
    params = {
        "full_score": f"{policy.full_score:.2f}",
        "bonus_per_piece": f"{policy.bonus_per_piece:.2f}",
        "bonus_cap_ratio": f"{policy.bonus_cap_ratio:.4f}",
        "penalty_per_piece": f"{policy.penalty_per_piece:.2f}",
        "floor": f"{policy.floor:.2f}",
        "bonus_min_level": policy.bonus_min_level.name,
        "bonus_categories": "、".join(c.name for c in cats),
    }
    return fact, params


def _rule(r: RewardRule) -> RuleFact:
    return RuleFact(
        id=r.pk,
        amount=r.amount,
        outlet_ids=frozenset(o.pk for o in r.outlets.all()),
        kinds=frozenset(r.kinds or ()),
        placement=r.placement,
        min_characters=r.min_characters,
        note=r.note,
    )


def score_year(
    year: AssessmentYear, *, unit_ids: Iterable[int] | None = None, as_of: dt.date | None = None
) -> YearScore:
    """Live scores over the approved pieces of ``year`` (15 queries whatever the size).

    Units: active units of the kinds that have indicators this year, plus any such unit that has
    approved pieces. ``unit_ids`` narrows the units (ranks are then among those units only)."""
    policy, params = _policy(year)  # 2 queries

    indicators = list(  # 4 queries
        Indicator.objects.filter(year=year)
        .select_related("min_level", "max_level")
        .prefetch_related("categories", "outlets", "topics")
    )
    by_kind: dict[int, list[IndicatorFact]] = {}
    for ind in indicators:
        by_kind.setdefault(ind.unit_kind_id, []).append(
            IndicatorFact(
                id=ind.pk,
                code=ind.code,
                name=ind.name,
                min_rank=ind.min_level.rank if ind.min_level else None,
                max_rank=ind.max_level.rank if ind.max_level else None,
                category_ids=frozenset(c.pk for c in ind.categories.all()),
                outlet_ids=frozenset(o.pk for o in ind.outlets.all()),
                kinds=frozenset(ind.kinds or ()),
                topic_ids=frozenset(t.pk for t in ind.topics.all()),
                requires_publication=ind.requires_publication,
                counts_for_penalty=ind.counts_for_penalty,
                is_bonus_basis=ind.is_bonus_basis,
            )
        )
    defaults = {ind.pk: ind.default_target for ind in indicators}

    approved = Q(pieces__year=year, pieces__status=PieceStatus.APPROVED)
    units_qs = Unit.objects.filter(kind_id__in=list(by_kind)).filter(Q(is_active=True) | approved)
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        units_qs = units_qs.filter(pk__in=unit_ids)
    units = list(units_qs.select_related("kind").distinct().order_by("kind__order", "order", "id"))  # 1 query
    targets = {  # 1 query
        (t.unit_id, t.indicator_id): t.target
        for t in UnitTarget.objects.filter(indicator__year=year).only("unit_id", "indicator_id", "target")
    }

    # Facts are read as plain rows (values_list), not model instances: a province-sized year has
    # hundreds of thousands of publications, and instances plus prefetch bookkeeping cost ~40x the I/O.
    piece_filter = Q(piece__year=year, piece__status=PieceStatus.APPROVED)
    pieces_qs = Piece.objects.filter(year=year, status=PieceStatus.APPROVED)
    if unit_ids is not None:
        pieces_qs = pieces_qs.filter(unit_id__in=unit_ids)
        piece_filter &= Q(piece__unit_id__in=unit_ids)
    authors: dict[int, list[str]] = {}
    for piece_id, name in (  # 1 query
        PieceAuthor.objects.filter(piece_filter).order_by("piece_id", "position").values_list("piece_id", "name")
    ):
        authors.setdefault(piece_id, []).append(name)
    topics: dict[int, set[int]] = {}
    for piece_id, topic_id in Piece.topics.through.objects.filter(piece_filter).values_list(  # 1 query
        "piece_id", "topic_id"
    ):
        topics.setdefault(piece_id, set()).add(topic_id)
    outlets: dict[int, OutletFact] = {}
    publications: dict[int, list[PublicationFact]] = {}
    for pub_id, piece_id, outlet_id, date, placement, *outlet in (  # 1 query
        Publication.objects.filter(piece_filter)
        .order_by("date", "id")
        .values_list(
            "id",
            "piece_id",
            "outlet_id",
            "date",
            "placement",
            "outlet__name",
            "outlet__level__rank",
            "outlet__category_id",
            "outlet__level__name",
            "outlet__category__name",
        )
    ):
        fact = outlets.get(outlet_id)
        if fact is None:
            name, rank, category_id, level_name, category_name = outlet
            fact = outlets[outlet_id] = OutletFact(outlet_id, name, rank, category_id, level_name, category_name)
        publications.setdefault(piece_id, []).append(PublicationFact(pub_id, fact, date, placement))
    unit_names: dict[int, str] = {u.pk: u.name for u in units}
    pieces: list[PieceFact] = []
    for pk, unit_id, unit_name, kind, characters, title, report_date in pieces_qs.order_by("id").values_list(
        "id", "unit_id", "unit__name", "kind", "characters", "title", "report_date"
    ):  # 1 query
        unit_names.setdefault(unit_id, unit_name)
        pieces.append(
            PieceFact(
                id=pk,
                unit_id=unit_id,
                kind=kind,
                characters=characters,
                authors=tuple(authors.get(pk, ())),
                publications=tuple(publications.get(pk, ())),
                topic_ids=frozenset(topics.get(pk, ())),
                title=title,
                report_date=report_date,
            )
        )

    bureau_rules: list[RuleFact] = []
    own_rules: dict[int, list[RuleFact]] = {}
    schedules = RewardSchedule.objects.filter(year=year).prefetch_related(  # 3 queries
        Prefetch("rules", queryset=RewardRule.objects.order_by("order", "id").prefetch_related("outlets"))
    )
    for schedule in schedules:
        rules = [_rule(r) for r in schedule.rules.all()]
        if schedule.owner_unit_id is None:
            bureau_rules = rules
            params["reward_schedule"] = schedule.name
        else:
            own_rules[schedule.owner_unit_id] = rules

    return score_year_facts(
        year=year.year,
        units=[(u.pk, u.name, u.kind.name, u.kind_id) for u in units],
        indicators_by_kind=by_kind,
        targets=targets,
        default_targets=defaults,
        pieces=pieces,
        policy=policy,
        rules=bureau_rules,
        policy_params=params,
        unit_names=unit_names,
        own_rules=own_rules,
        as_of=as_of,
    )


@dataclass(frozen=True)
class PieceExplanation:
    """Why a piece is paid what it is: its reward (with every publication's matching rules), the
    schedule's rules by id, and whether it counts (approved) and from where (live or snapshot)."""

    reward: PieceReward
    rules: dict[int, RewardRule]
    counted: bool
    source: str


def piece_fact(piece: Piece) -> PieceFact:
    return PieceFact(
        id=piece.pk,
        unit_id=piece.unit_id,
        kind=piece.kind,
        characters=piece.characters,
        authors=tuple(a.name for a in piece.authors.all()),
        publications=tuple(
            PublicationFact(id=pub.pk, outlet=_outlet(pub.outlet), date=pub.date, placement=pub.placement)
            for pub in piece.publications.select_related("outlet__level", "outlet__category").order_by("date", "id")
        ),
        topic_ids=frozenset(t.pk for t in piece.topics.all()),
        title=piece.title,
        report_date=piece.report_date,
    )


def explain_piece(piece: Piece) -> PieceExplanation:
    """A piece's reward under the bureau schedule; a closed year's counted pieces read the snapshot."""
    schedule = (
        RewardSchedule.objects.filter(year_id=piece.year_id, owner_unit__isnull=True)
        .prefetch_related(
            Prefetch("rules", queryset=RewardRule.objects.order_by("order", "id").prefetch_related("outlets"))
        )
        .first()
    )
    rules = list(schedule.rules.all()) if schedule else []
    counted = piece.status == PieceStatus.APPROVED
    if counted and piece.year.is_frozen:
        stored = year_results(piece.year)
        if stored.source == "snapshot" and piece.pk in stored.pieces:
            return PieceExplanation(stored.pieces[piece.pk], {r.pk: r for r in rules}, True, "snapshot")
    reward = piece_reward(piece_fact(piece), [_rule(r) for r in rules])
    return PieceExplanation(reward, {r.pk: r for r in rules}, counted, "live")


def year_results(year: AssessmentYear) -> YearScore:
    """The stored snapshot of a closed/published year, else the live scores."""
    if year.is_frozen:
        snapshot = YearSnapshot.objects.filter(year=year).only("data").first()
        if snapshot is not None:
            return year_score_from_dict(snapshot.data)
    return score_year(year)


# ----------------------------------------------------------------------------- closing a year


def _ensure_bureau_admin(actor: User | None) -> None:
    if actor is None or not actor.is_bureau_admin:
        raise PermissionDenied("只有市局管理员可以结账、发布或重新开放年度。")


def _log(year: AssessmentYear, actor: User | None, old: str, new: str, reason: str = "") -> None:
    YearStatusLog.objects.create(year=year, actor=actor, from_status=old, to_status=new, reason=reason)


@transaction.atomic
def year_close(*, actor: User | None, year: AssessmentYear) -> YearSnapshot:
    """Freeze a year: store every unit's, person's and piece's results with the rule parameters.

    The year row is locked first, so a piece submission (which locks the same row through
    ``ensure_year_editable(lock=True)``) either finishes before the snapshot or fails after it."""
    _ensure_bureau_admin(actor)
    locked = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if locked.status not in (YearStatus.OPEN, YearStatus.DRAFT):
        raise ValidationError(f"{locked.year}年度当前状态为“{locked.get_status_display()}”,不能结账。")
    pending = Piece.objects.filter(year=locked, status=PieceStatus.SUBMITTED).count()
    if pending:
        raise ValidationError(f"还有{pending}篇稿件待审核,请审核完毕后再结账。")
    results = score_year(locked)
    YearSnapshot.objects.filter(year=locked).delete()
    snapshot = YearSnapshot.objects.create(
        year=locked, closed_by=actor, data=year_score_to_dict(results), policy=results.policy
    )
    UnitResult.objects.bulk_create(
        [
            UnitResult(
                snapshot=snapshot,
                unit_id=u.unit_id,
                unit_name=u.unit_name,
                kind_name=u.kind_name,
                rank=u.rank,
                points=u.points,
                reward=u.reward,
                missing=u.missing,
                extra=u.extra,
                bonus_base=u.bonus_base,
                indicators=[{"code": i.code, "target": i.target, "achieved": i.achieved} for i in u.indicators],
            )
            for u in results.units
        ]
    )
    PersonResult.objects.bulk_create(
        [
            PersonResult(
                snapshot=snapshot,
                position=i,
                name=p.name,
                unit_name=p.unit_name,
                reward=p.reward,
                piece_count=p.piece_count,
            )
            for i, p in enumerate(results.people, 1)
        ]
    )
    old = locked.status
    locked.status = YearStatus.CLOSED
    locked.save(update_fields=["status"])
    _log(locked, actor, old, YearStatus.CLOSED)
    year.status = locked.status
    return snapshot


@transaction.atomic
def year_publish(*, actor: User | None, year: AssessmentYear) -> AssessmentYear:
    _ensure_bureau_admin(actor)
    locked = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if locked.status != YearStatus.CLOSED:
        raise ValidationError(f"{locked.year}年度须先结账才能发布(当前状态:{locked.get_status_display()})。")
    locked.status = YearStatus.PUBLISHED
    locked.save(update_fields=["status"])
    YearSnapshot.objects.filter(year=locked).update(published_at=timezone.now())
    _log(locked, actor, YearStatus.CLOSED, YearStatus.PUBLISHED)
    year.status = locked.status
    return locked


@transaction.atomic
def year_reopen(*, actor: User | None, year: AssessmentYear, reason: str) -> AssessmentYear:
    """An explicit, logged act: the snapshot is discarded and the year accepts changes again."""
    _ensure_bureau_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "重新开放年度必须填写原因。"})
    locked = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if not locked.is_frozen:
        raise ValidationError(f"{locked.year}年度当前状态为“{locked.get_status_display()}”,无需重新开放。")
    old = locked.status
    YearSnapshot.objects.filter(year=locked).delete()
    locked.status = YearStatus.OPEN
    locked.save(update_fields=["status"])
    _log(locked, actor, old, YearStatus.OPEN, reason)
    year.status = locked.status
    return locked
