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
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, gettext_noop

from campaigns.models import Campaign, CampaignFile
from figures.models import FigureReport, FigureTarget, FigureTask, ReportStatus
from publicity.claims import normalise_title, url_spellings
from publicity.models import (
    AssessmentYear,
    Evidence,
    Indicator,
    IndicatorCategoryFactor,
    IndicatorLevelPoints,
    Piece,
    PieceAuthor,
    PieceStatus,
    Publication,
    UnitTarget,
    YearStatus,
)
from units.models import Unit, User

from .models import (
    AuthorSplit,
    AuthorWeight,
    Payout,
    PersonResult,
    RewardRule,
    RewardSchedule,
    ScoringPolicy,
    Timeliness,
    UnitResult,
    UnitYearSetting,
    YearSnapshot,
    YearStatusLog,
)
from .rollover import RolloverPlan, rollover_plan, year_open, year_rollover
from .rules import (
    DEFAULT_SCHEDULE,
    METHOD_PER_PIECE,
    ZERO,
    CampaignFact,
    FigureFact,
    IndicatorFact,
    IndicatorScore,
    OutletFact,
    PersonReward,
    PieceFact,
    PieceNote,
    PieceReward,
    PolicyFact,
    PublicationFact,
    PublicationReward,
    RuleFact,
    ScheduleFact,
    UnitScore,
    YearScore,
    campaign_as_of,
    campaign_score,
    piece_notes,
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
    "RolloverPlan",
    "rollover_plan",
    "year_open",
    "year_rollover",
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
    "payout": gettext_noop("一稿多投"),
    "author_split": gettext_noop("作者分配"),
    "duplicate_claims": gettext_noop("重复报送"),
    "timeliness": gettext_noop("报送时限"),
}
# The §10 settings' descriptions under the 2011 choices: ``score --json`` lists only the others.
SETTING_KEYS = ("payout", "author_split", "duplicate_claims", "timeliness")
DEFAULT_SETTINGS = {
    "payout": gettext_noop("取最高一档"),
    "author_split": gettext_noop("作者平均分配"),
    "duplicate_claims": gettext_noop("仅提示,均计分"),
    "timeliness": gettext_noop("不限报送时间"),
}
CN_COUNT = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def payout_text(payout: str, top_n: int = 1) -> str:
    """取最高一档 / 各次刊发累加 / 取最高两档 (the words of DOMAIN §10 and seed 004)."""
    if payout == Payout.SUM:
        return gettext("各次刊发累加")
    n = top_n if payout == Payout.TOP_N else 1
    # 一/两/三 are Chinese words: in another language the number is written as a number ("highest 2 levels").
    zh = (get_language() or "zh-hans").startswith("zh")
    return gettext("取最高%(n)s档") % {"n": CN_COUNT.get(n, str(n)) if zh else str(n)}


def split_text(split: str, weights: Iterable = ()) -> str:
    if split == AuthorSplit.WEIGHTS:
        return gettext("按署名顺序权重 %(weights)s") % {"weights": ":".join(_num(w) for w in weights)}
    return gettext("作者平均分配")


def timeliness_text(timeliness: str, days: int) -> str:
    if timeliness == Timeliness.FLAG:
        return gettext("首次提交晚于最早刊发%(days)s天为逾期报送,标记但仍计分") % {"days": days}
    if timeliness == Timeliness.EXCLUDE:
        return gettext("首次提交晚于最早刊发%(days)s天为逾期报送,不计分") % {"days": days}
    return gettext("不限报送时间")


def _num(value) -> str:
    """3.00 → 3, 0.50 → 0.5: weights, points and factors as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def note_text(note: PieceNote) -> str:
    """逾期报送 / 重复报送, in words a liaison may read: the other unit is only ever "另一单位"."""
    parts = []
    if note.duplicate:
        if note.excluded and note.reason == "duplicate":
            parts.append(gettext("重复报送:另一单位先报了同一刊发,以先报为准,本稿不计分"))
        elif note.reported_first:
            parts.append(gettext("重复报送:另一单位也登记了同一刊发,本单位先报"))
        else:
            parts.append(gettext("重复报送:另一单位先报了同一刊发(仅提示,仍计分)"))
        if note.same_proof:
            parts[-1] += gettext("(另一单位的稿件附有同一佐证文件)")
    if note.late:
        text = gettext("逾期报送:首次提交晚于最早刊发%(days)s天") % {"days": note.late_days}
        if note.excluded and note.reason == "late":
            text += gettext(",不计分")
        parts.append(text)
    return ";".join(parts)


def settings_applied(policy: dict[str, str]) -> list[str]:
    """The §10 settings that differ from the 2011 choices, as '一稿多投:取最高两档' lines."""
    return [
        f"{gettext(POLICY_LABELS[k])}:{policy[k]}"
        for k in SETTING_KEYS
        if k in policy and policy[k] not in (DEFAULT_SETTINGS[k], gettext(DEFAULT_SETTINGS[k]))
    ]


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


def _policy(
    year: AssessmentYear, *, figures: list | None = None, campaigns: list | None = None
) -> tuple[PolicyFact, dict[str, str]]:
    """The year's policy (2 queries). ``figures`` / ``campaigns``: lists to append True to when the year has a
    scored reported-figure task / a scored campaign (asked in the same query, so a year without one costs
    nothing more)."""
    scored_figures = FigureTask.objects.filter(year=OuterRef("year"), is_scored=True)
    scored_campaigns = Campaign.objects.filter(year=OuterRef("year"), is_scored=True)
    policy = (
        ScoringPolicy.objects.select_related("bonus_min_level")
        .prefetch_related("bonus_categories")
        .filter(year=year)
        .annotate(has_figures=Exists(scored_figures), has_campaigns=Exists(scored_campaigns))
    ).first()
    if figures is not None:
        if policy is None:
            figures.append(FigureTask.objects.filter(year=year, is_scored=True).exists())
        else:
            figures.append(policy.has_figures)
    if campaigns is not None:
        if policy is None:
            campaigns.append(Campaign.objects.filter(year=year, is_scored=True).exists())
        else:
            campaigns.append(policy.has_campaigns)
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
        duplicates=policy.duplicate_claims,
        timeliness=policy.timeliness,
        timeliness_days=policy.timeliness_days,
    )
    params = {
        "full_score": f"{policy.full_score:.2f}",
        "bonus_per_piece": f"{policy.bonus_per_piece:.2f}",
        "bonus_cap_ratio": f"{policy.bonus_cap_ratio:.4f}",
        "penalty_per_piece": f"{policy.penalty_per_piece:.2f}",
        "floor": f"{policy.floor:.2f}",
        "bonus_min_level": policy.bonus_min_level.name,
        "bonus_categories": "、".join(c.name for c in cats),
        "duplicate_claims": policy.get_duplicate_claims_display(),
        "timeliness": timeliness_text(policy.timeliness, policy.timeliness_days),
    }
    return fact, params


def _schedule(schedule: RewardSchedule, weights: dict[int, list]) -> ScheduleFact:
    return ScheduleFact(
        payout=schedule.payout,
        top_n=schedule.top_n,
        split=schedule.author_split,
        weights=tuple(weights.get(schedule.pk, ())),
    )


def _weights(schedules: list[RewardSchedule]) -> dict[int, list]:
    """Author weights of the schedules that split by weight: one query, none when no schedule does."""
    ids = [s.pk for s in schedules if s.author_split == AuthorSplit.WEIGHTS]
    weights: dict[int, list] = {}
    if ids:
        for schedule_id, weight in (
            AuthorWeight.objects.filter(schedule_id__in=ids)
            .order_by("schedule_id", "position")
            .values_list("schedule_id", "weight")
        ):
            weights.setdefault(schedule_id, []).append(weight)
    return weights


def _schedule_params(schedule: RewardSchedule, weights: dict[int, list]) -> dict[str, str]:
    return {
        "reward_schedule": schedule.name,
        "payout": payout_text(schedule.payout, schedule.top_n),
        "author_split": split_text(schedule.author_split, weights.get(schedule.pk, ())),
    }


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


def _indicator_facts(year: AssessmentYear) -> tuple[list[Indicator], dict[int, list[IndicatorFact]]]:
    """A year's indicators by unit kind: 4 queries, plus 2 (level points, category factors) when the
    year has a per-piece indicator."""
    indicators = list(
        Indicator.objects.filter(year=year)
        .select_related("min_level", "max_level")
        .prefetch_related("categories", "outlets", "topics")
    )
    levels: dict[int, list] = {}
    factors: dict[int, list] = {}
    per_piece = [ind.pk for ind in indicators if ind.method == METHOD_PER_PIECE]
    if per_piece:
        for ind_id, rank, points in IndicatorLevelPoints.objects.filter(indicator_id__in=per_piece).values_list(
            "indicator_id", "level__rank", "points"
        ):
            levels.setdefault(ind_id, []).append((rank, points))
        for ind_id, category_id, factor in IndicatorCategoryFactor.objects.filter(
            indicator_id__in=per_piece
        ).values_list("indicator_id", "category_id", "factor"):
            factors.setdefault(ind_id, []).append((category_id, factor))
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
                method=ind.method,
                level_points=tuple(sorted(levels.get(ind.pk, ()))),
                category_factors=tuple(sorted(factors.get(ind.pk, ()))),
                monthly_cap=ind.monthly_cap,
                yearly_cap=ind.yearly_cap,
            )
        )
    return indicators, by_kind


def _campaign_facts(year: AssessmentYear, unit_ids: list[int] | None) -> dict[int, list[CampaignFact]]:
    """The scored campaigns each unit takes part in (DOMAIN §9, seed 002): what it had to send and what it sent
    by the deadline (the end of that day, local time; each kind counted up to what is required). 4 queries,
    asked only when the year has a scored campaign."""
    from django.db.models import Count

    campaigns = list(Campaign.objects.filter(year=year, is_scored=True).prefetch_related("deliverables"))
    if not campaigns:
        return {}
    ids = [c.pk for c in campaigns]
    links = Campaign.units.through.objects.filter(campaign_id__in=ids)
    in_time = Q()
    for c in campaigns:
        cutoff = timezone.make_aware(dt.datetime.combine(c.deadline + dt.timedelta(days=1), dt.time.min))
        in_time |= Q(campaign_id=c.pk, uploaded_at__lt=cutoff)
    files = CampaignFile.objects.filter(in_time)
    if unit_ids is not None:
        links, files = links.filter(unit_id__in=unit_ids), files.filter(unit_id__in=unit_ids)
    sent = {
        (c, u, k): n
        for c, u, k, n in files.values("campaign_id", "unit_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("campaign_id", "unit_id", "kind", "n")
    }
    by_id = {c.pk: c for c in campaigns}
    facts: dict[int, list[CampaignFact]] = {}
    for campaign_id, unit_id in links.order_by("campaign__deadline", "campaign_id").values_list(
        "campaign_id", "unit_id"
    ):
        c = by_id[campaign_id]
        required = {d.kind: d.count for d in c.deliverables.all()}
        facts.setdefault(unit_id, []).append(
            CampaignFact(
                campaign_id=c.pk,
                title=c.title,
                required=sum(required.values()),
                sent=sum(min(sent.get((c.pk, unit_id, k), 0), n) for k, n in required.items()),
                full_score=c.full_score,
                penalty_per_item=c.penalty_per_item,
                floor=c.floor,
                deadline=c.deadline,
            )
        )
    return facts


def campaign_scores(year: AssessmentYear, as_of: dt.date | None = None) -> dict[int, list]:
    """Unit id → its scored campaign items (``scoring.rules.CampaignScore``) as they stand (or as of a day: before
    a campaign's deadline nothing is deducted yet), for documents that read stored totals (the circular):
    1 query for a year without a scored campaign, 4 with."""
    return {
        unit_id: [campaign_score(campaign_as_of(f, as_of)) for f in facts]
        for unit_id, facts in _campaign_facts(year, None).items()
    }


def _figure_facts(year: AssessmentYear, units: list[Unit], unit_ids: list[int] | None) -> dict[int, list[FigureFact]]:
    """The scored reported-figure tasks of each unit (DOMAIN §9): its target (the unit's own, else the task's
    default) and its approved figure. 4 queries, asked only when the year has such a task."""
    tasks = list(FigureTask.objects.filter(year=year, is_scored=True).prefetch_related("unit_kinds"))
    task_ids = [t.pk for t in tasks]
    targets = {
        (task_id, unit_id): target
        for task_id, unit_id, target in FigureTarget.objects.filter(task_id__in=task_ids).values_list(
            "task_id", "unit_id", "target"
        )
    }
    reported = FigureReport.objects.filter(task_id__in=task_ids, status=ReportStatus.APPROVED)
    if unit_ids is not None:
        reported = reported.filter(unit_id__in=unit_ids)
    values, approved_on = {}, {}
    for t, u, v, at in reported.values_list("task_id", "unit_id", "value", "reviewed_at"):
        values[(t, u)] = v
        approved_on[(t, u)] = timezone.localdate(at) if at is not None else None
    kinds = {t.pk: {k.pk for k in t.unit_kinds.all()} for t in tasks}
    facts: dict[int, list[FigureFact]] = {}
    for unit in units:
        for t in tasks:
            if kinds[t.pk] and unit.kind_id not in kinds[t.pk]:
                continue
            facts.setdefault(unit.pk, []).append(
                FigureFact(
                    task_id=t.pk,
                    name=t.name,
                    target=targets.get((t.pk, unit.pk), t.default_target),
                    reported=values.get((t.pk, unit.pk)),
                    full_score=t.full_score,
                    bonus_per_unit=t.bonus_per_unit,
                    penalty_per_unit=t.penalty_per_unit,
                    bonus_cap=t.bonus_cap,
                    floor=t.floor,
                    unit_label=t.unit_label,
                    approved_on=approved_on.get((t.pk, unit.pk)),
                )
            )
    return facts


def _submitted_on(at: dt.datetime | None) -> dt.date | None:
    """The first submission's date where the bureau is (TIME_ZONE), for timeliness in days."""
    return timezone.localdate(at) if at is not None else None


def claim_context(year: AssessmentYear, pieces: Iterable[PieceFact], *, exclude_unit_ids: Iterable[int]):
    """Other units' approved pieces that may claim a publication of ``pieces`` (same outlet, and the same
    date or URL), each with all its publications: one query. Decides 以先报为准 for a narrowed scoring
    or one piece's page, where the other units' pieces are not otherwise read."""
    outlets, dates, urls, titles, hashes = set(), set(), [], set(), set()
    for p in pieces:
        titles.add(normalise_title(p.title)[:300])  # Piece.title_key: the stored, indexed form
        hashes |= p.proof_hashes
        for pub in p.publications:
            outlets.add(pub.outlet.id)
            if pub.date is not None:
                dates.add(pub.date)
            if pub.url:
                urls.append(pub.url)
    # A claim is the same outlet and link, or the same outlet, date and title (publicity.claims): narrowed
    # in SQL by all three, a province's unit no longer reads every piece on its outlets' busy days.
    # Links compare lower-cased (as claims.normalise_url does), on the index of lower(url).
    same = Q(outlet_id__in=outlets) & (
        Q(date__in=dates, piece__title_key__in=titles) | Q(url_lower__in=url_spellings(urls, lower=True))
    )
    if hashes:  # or the same proof file, whatever the outlet (issue 16 item 5)
        same |= Q(pk__in=Evidence.objects.filter(sha256__in=hashes).values("publication_id"))
    candidates = (
        Publication.objects.reviewed()
        .filter(piece__year=year, piece__status=PieceStatus.APPROVED)
        .exclude(piece__unit_id__in=list(exclude_unit_ids))
        .annotate(url_lower=Lower("url"))
        .filter(same)
        .values("piece_id")
    )
    facts: dict[int, dict] = {}
    for pub_id, piece_id, outlet_id, date, url, unit_id, title, first_at in (
        Publication.objects.reviewed()
        .filter(piece_id__in=candidates)
        .order_by("date", "id")
        .values_list(
            "id", "piece_id", "outlet_id", "date", "url", "piece__unit_id", "piece__title", "piece__first_submitted_at"
        )
    ):
        entry = facts.setdefault(piece_id, {"unit_id": unit_id, "title": title, "at": first_at, "pubs": []})
        entry["pubs"].append(PublicationFact(pub_id, OutletFact(outlet_id, "", 0, 0), date, url=url))
    proofs = _proof_hashes(Q(publication__piece_id__in=list(facts), sha256__in=hashes)) if hashes and facts else {}
    return [
        PieceFact(
            id=pk,
            unit_id=e["unit_id"],
            kind="",
            title=e["title"],
            publications=tuple(e["pubs"]),
            submitted_at=e["at"],
            submitted_on=_submitted_on(e["at"]),
            proof_hashes=proofs.get(pk, frozenset()),
        )
        for pk, e in facts.items()
    ]


def _proof_hashes(where: Q) -> dict[int, frozenset[str]]:
    """{piece id: SHA-256 of the evidence on its reviewed publications}: one query."""
    found: dict[int, set[str]] = {}
    for piece_id, sha in (
        Evidence.objects.filter(where, publication__pending_review=False)
        .values_list("publication__piece_id", "sha256")
        .distinct()
    ):
        found.setdefault(piece_id, set()).add(sha)
    return {pk: frozenset(v) for pk, v in found.items()}


def score_year(
    year: AssessmentYear, *, unit_ids: Iterable[int] | None = None, as_of: dt.date | None = None
) -> YearScore:
    """Live scores over the approved pieces of ``year``: 16 queries whatever the size under the 2011
        settings (one reads the evidence files' hashes: the same proof file on two units' pieces is a duplicate
        claim); a per-piece indicator adds 3 (level points, category factors, unit coefficients), a
        weighted author split 1, a scoring narrowed by ``unit_ids`` 1 (the other units' claims on the same
    <<<<<<< HEAD
        publications: they decide 以先报为准, and flag the claim under warn; 2 when the units' pieces carry
        proof files and other units' pieces are candidates), and a year with a scored reported-figure task 4.
    =======
        publications: they decide 以先报为准, and flag the claim under warn), a year with a scored
        reported-figure task 4, and a year with a scored campaign 4.
    >>>>>>> 8c24ea5 (Campaign points in the year's score as an item of its own (issue 14): per campaign as data (计入考核得分, full score, deduction per deliverable missing at the deadline, floor; admin and /c/ through campaigns.services, Chinese errors by field, nothing written); scoring.rules.campaign_score (pure, exact Decimal, ROUND_HALF_UP) through the scoring services like figure_score, read only when the year has a scored campaign (flag asked in the policy query: no new query otherwise, +4 with); uploads/deletions rescore the unit's stored scores (campaign_files_changed), campaign/deliverable/unit changes mark the year stale; shown on the unit's score page, the year workbook (专题活动计分), the circular page/xlsx/PDF; kept in the closing snapshot; README)

        Units: active units of the kinds that have indicators this year, plus any such unit that has
        approved pieces. ``unit_ids`` narrows the units (ranks are then among those units only)."""
    with translation.override(settings.LANGUAGE_CODE):  # parameters are stored as the bureau reads them
        return _score_year(year, unit_ids=unit_ids, as_of=as_of)


def _score_year(year: AssessmentYear, *, unit_ids: Iterable[int] | None, as_of: dt.date | None) -> YearScore:
    return score_year_facts(**_gather(year, unit_ids=unit_ids), as_of=as_of)


def score_year_by_month(year: AssessmentYear, *, unit_ids: Iterable[int] | None = None):
    """``(None, score_year(year))`` then ``(m, score_year(year, as_of=end of month m))`` for m = 1…12, from
    one gather (the queries of one ``score_year``), computed one at a time as they are taken."""
    import calendar

    def scored(as_of):  # never leaves the language switched while the caller holds the generator
        with translation.override(settings.LANGUAGE_CODE):
            return score_year_facts(**facts, as_of=as_of)

    with translation.override(settings.LANGUAGE_CODE):
        facts = _gather(year, unit_ids=unit_ids)
    yield None, scored(None)
    for month in range(1, 13):
        yield month, scored(dt.date(year.year, month, calendar.monthrange(year.year, month)[1]))


def _gather(year: AssessmentYear, *, unit_ids: Iterable[int] | None) -> dict:
    """Everything ``score_year_facts`` reads, as plain facts (the queries of ``score_year``)."""
    has_figures: list[bool] = []
    has_campaigns: list[bool] = []
    policy, params = _policy(year, figures=has_figures, campaigns=has_campaigns)  # 2 queries
    indicators, by_kind = _indicator_facts(year)  # 4 queries (+2 with per-piece indicators)
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
    coefficients: dict[int, Decimal] = {}
    if any(ind.method == METHOD_PER_PIECE for ind in indicators):  # 1 query, only where it matters
        coefficients = dict(UnitYearSetting.objects.filter(year=year).values_list("unit_id", "coefficient"))

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
    for pub_id, piece_id, outlet_id, date, placement, url, *outlet in (  # 1 query
        # Reviewed publications only: an addition to an approved piece (补登刊发) counts once approved.
        Publication.objects.reviewed()
        .filter(piece_filter)
        .order_by("date", "id")
        .values_list(
            "id",
            "piece_id",
            "outlet_id",
            "date",
            "placement",
            "url",
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
        publications.setdefault(piece_id, []).append(PublicationFact(pub_id, fact, date, placement, url))
    # The evidence files' hashes (the same proof file on two units' pieces is a duplicate claim): 1 query.
    proof_filter = Q(publication__piece__year=year, publication__piece__status=PieceStatus.APPROVED)
    if unit_ids is not None:
        proof_filter &= Q(publication__piece__unit_id__in=unit_ids)
    proofs = _proof_hashes(proof_filter)
    unit_names: dict[int, str] = {u.pk: u.name for u in units}
    pieces: list[PieceFact] = []
    for pk, unit_id, unit_name, kind, characters, title, report_date, first_at in pieces_qs.order_by("id").values_list(
        "id", "unit_id", "unit__name", "kind", "characters", "title", "report_date", "first_submitted_at"
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
                submitted_at=first_at,
                submitted_on=_submitted_on(first_at),
                proof_hashes=proofs.get(pk, frozenset()),
            )
        )
    context: list[PieceFact] = []
    if unit_ids is not None:  # 以先报为准 needs them, and under warn the unit's page still flags the claim
        context = claim_context(year, pieces, exclude_unit_ids=unit_ids)  # 1 query

    bureau_rules: list[RuleFact] = []
    bureau_schedule = DEFAULT_SCHEDULE
    own_rules: dict[int, list[RuleFact]] = {}
    own_schedules: dict[int, ScheduleFact] = {}
    schedules = list(
        RewardSchedule.objects.filter(year=year).prefetch_related(  # 3 queries
            Prefetch("rules", queryset=RewardRule.objects.order_by("order", "id").prefetch_related("outlets"))
        )
    )
    weights = _weights(schedules)  # 1 query when a schedule splits by weight
    for schedule in schedules:
        rules = [_rule(r) for r in schedule.rules.all()]
        if schedule.owner_unit_id is None:
            bureau_rules, bureau_schedule = rules, _schedule(schedule, weights)
            params.update(_schedule_params(schedule, weights))
        else:
            own_rules[schedule.owner_unit_id] = rules
            own_schedules[schedule.owner_unit_id] = _schedule(schedule, weights)

    figures = _figure_facts(year, units, unit_ids) if any(has_figures) else {}  # 4 queries, only where it matters
    campaigns = _campaign_facts(year, unit_ids) if any(has_campaigns) else {}  # 4 queries, likewise

    return dict(
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
        schedule=bureau_schedule,
        own_schedules=own_schedules,
        coefficients=coefficients,
        context=context,
        figures=figures,
        campaigns=campaigns,
    )


@dataclass(frozen=True)
class PieceExplanation:
    """Why a piece is paid what it is: its reward (with every publication's matching rules), the
    schedule's rules by id, whether it counts (approved, and not excluded by a §10 setting) and from
    where (live or snapshot); ``note`` says when it is late or a duplicate claim."""

    reward: PieceReward
    rules: dict[int, RewardRule]
    counted: bool
    source: str
    note: PieceNote | None = None

    @property
    def excluded(self) -> bool:
        return self.note is not None and self.note.excluded

    @property
    def payout_text(self) -> str:
        return payout_text(self.reward.payout, self.reward.top_n)

    @property
    def split_text(self) -> str:
        return split_text(self.reward.split, self.reward.weights)


def piece_fact(piece: Piece) -> PieceFact:
    return PieceFact(
        id=piece.pk,
        unit_id=piece.unit_id,
        kind=piece.kind,
        characters=piece.characters,
        authors=tuple(a.name for a in piece.authors.all()),
        publications=tuple(
            PublicationFact(id=pub.pk, outlet=_outlet(pub.outlet), date=pub.date, placement=pub.placement, url=pub.url)
            for pub in piece.publications.reviewed()
            .select_related("outlet__level", "outlet__category")
            .order_by("date", "id")
        ),
        topic_ids=frozenset(t.pk for t in piece.topics.all()),
        title=piece.title,
        report_date=piece.report_date,
        submitted_at=piece.first_submitted_at,
        submitted_on=_submitted_on(piece.first_submitted_at),
        proof_hashes=_proof_hashes(Q(publication__piece_id=piece.pk)).get(piece.pk, frozenset()),
    )


def piece_note(piece: Piece, fact: PieceFact | None = None) -> PieceNote | None:
    """A piece's §10 flags as the year's scoring decides them (late, duplicate claims), whatever its
    status: the year's policy, then the other units' approved pieces claiming the same publications."""
    fact = fact or piece_fact(piece)
    policy, _params = _policy(piece.year)
    context = claim_context(piece.year, [fact], exclude_unit_ids=[piece.unit_id])
    return piece_notes([fact], policy, context).get(piece.pk)


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
    by_id = {r.pk: r for r in rules}
    approved = piece.status == PieceStatus.APPROVED
    stored_note = None
    if approved and piece.year.is_frozen:
        stored = year_results(piece.year)
        if stored.source == "snapshot":
            if piece.pk in stored.pieces:
                return PieceExplanation(stored.pieces[piece.pk], by_id, True, "snapshot", stored.notes.get(piece.pk))
            stored_note = stored.notes.get(piece.pk)  # excluded at closing: say why, as it was decided then
    weights = _weights([schedule]) if schedule else {}
    fact = piece_fact(piece)
    chosen = _schedule(schedule, weights) if schedule else DEFAULT_SCHEDULE
    reward = piece_reward(fact, [_rule(r) for r in rules], chosen)
    note = stored_note or piece_note(piece, fact)
    counted = approved and not (note is not None and note.excluded)
    return PieceExplanation(reward, by_id, counted, "snapshot" if stored_note else "live", note)


def year_results(year: AssessmentYear) -> YearScore:
    """The stored snapshot of a closed/published year, else the live scores."""
    if year.is_frozen:
        snapshot = YearSnapshot.objects.filter(year=year).only("data", "packed").first()
        if snapshot is not None:
            return year_score_from_dict(snapshot.results)
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
    figures = FigureReport.objects.filter(task__year=locked, status=ReportStatus.SUBMITTED).count()
    if figures:
        raise ValidationError(f"还有{figures}份报送数据(如发行征订)待审核,请审核完毕后再结账。")
    additions = Publication.objects.filter(piece__year=locked, pending_review=True).count()
    if additions:
        raise ValidationError(f"还有{additions}条补登刊发记录待审核,请审核完毕后再结账。")
    results = score_year(locked)
    YearSnapshot.objects.filter(year=locked).delete()
    snapshot = YearSnapshot.objects.create(
        year=locked, closed_by=actor, packed=YearSnapshot.pack(year_score_to_dict(results)), policy=results.policy
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
