"""Stored scores: every unit's points, reward and indicator counts kept current as data changes, so the
dashboard, unit lists and rankings read rows instead of re-scoring the whole year on every request.

Why materialised rows and not a cache: the pages that grow with the year (a province dashboard, ranked
and searchable lists of 2,000 units) need to sort, page, search and sum in SQL, which a cached blob of the
whole year cannot do without loading it whole (≈ 1 GB for a province). Rows also make "exact" checkable:
``stored_check`` compares them with a full re-score to the fen.

Kept current, always by the one scoring service (``scoring.services.score_year``):
- an approval or rejection (``publicity.signals.counted_changed``, sent inside the service's transaction):
  the units concerned are re-scored at once in that transaction — the piece's unit, plus the units with an
  approved piece claiming the same publication (same outlet and URL, or same outlet and date), whose
  duplicate claims (DOMAIN §10) may turn on it;
- a change to the year's rules (indicators, targets, scoring policy, reward schedules and rules, a unit's
  coefficient): the year is marked stale in the same transaction, and a background task re-scores it whole
  (a province takes minutes); pages show the figures with a note until it has run; ``manage.py
  stored_scores --year Y --refresh`` does it at once.
Ranks are not stored (one approval can move every other unit's rank): they are computed when read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django_tasks import task

from publicity.claims import url_spellings
from publicity.models import AssessmentYear, Piece, PieceStatus, Publication, YearStatus

from .models import StoredIndicatorScore, StoredMonthScore, StoredUnitScore, StoredYear
from .services import score_year_by_month

CHUNK = 2000


def _write(year: AssessmentYear, results, *, replace_units: Iterable[int] | None) -> int:
    from units.models import Unit

    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=[s.unit_id for s in results.units]).only(
            "id", "kind_id", "parent_id", "order"
        )
    }
    existing = StoredUnitScore.objects.filter(year=year)
    if replace_units is not None:
        existing = existing.filter(unit_id__in=list(replace_units))
    existing.delete()
    rows = []
    for s in results.units:
        unit = units[s.unit_id]
        rows.append(
            StoredUnitScore(
                year=year,
                unit_id=s.unit_id,
                kind_id=unit.kind_id,
                parent_id=unit.parent_id,
                unit_name=s.unit_name,
                kind_name=s.kind_name,
                order=unit.order,
                points=s.points,
                reward=s.reward,
                missing=s.missing,
                extra=s.extra,
                bonus_base=s.bonus_base,
                piece_count=len(s.piece_ids),
            )
        )
    StoredUnitScore.objects.bulk_create(rows, batch_size=CHUNK)
    by_unit = {r.unit_id: r for r in rows}
    StoredIndicatorScore.objects.bulk_create(
        [
            StoredIndicatorScore(
                unit_score=by_unit[s.unit_id],
                indicator_id=ind.indicator_id,
                code=ind.code,
                name=ind.name,
                position=n,
                target=ind.target,
                achieved=ind.achieved,
                points=ind.points,
            )
            for s in results.units
            for n, ind in enumerate(s.indicators)
        ],
        batch_size=CHUNK,
    )
    return len(rows)


def _write_month(year: AssessmentYear, month: int, results, units: dict, *, replace_units) -> None:
    existing = StoredMonthScore.objects.filter(year=year, month=month)
    if replace_units is not None:
        existing = existing.filter(unit_id__in=list(replace_units))
    existing.delete()
    StoredMonthScore.objects.bulk_create(
        [
            StoredMonthScore(
                year=year,
                unit_id=s.unit_id,
                kind_id=units[s.unit_id].kind_id,
                month=month,
                unit_name=s.unit_name,
                kind_name=s.kind_name,
                order=units[s.unit_id].order,
                points=s.points,
                reward=s.reward,
                piece_count=len(s.piece_ids),
                approved=len(s.piece_ids) + len(s.excluded_piece_ids),
                indicators=month_indicators(s, month),
            )
            for s in results.units
        ],
        batch_size=CHUNK,
    )


def month_indicators(unit_score, month: int) -> list[list]:
    """What a month row keeps of a unit's indicators: [code, name, target, achieved, counts_for_penalty], and
    for a §10 per-piece indicator also its points to date and ``month``'s points after and before the
    monthly cap (as text: the row is JSON)."""
    rows = []
    for i in unit_score.indicators:
        row = [i.code, i.name, i.target, i.achieved, i.counts_for_penalty]
        if i.per_piece:
            this = next((m for m in i.months if m.month == month), None)
            row += [f"{i.points:.2f}", f"{this.points:.2f}" if this else "0.00", str(this.raw) if this else "0"]
        rows.append(row)
    return rows


def _write_all(year: AssessmentYear, unit_ids: list[int] | None) -> int:
    """The current figures and the twelve month ends, from one gather; one result in memory at a time."""
    from units.models import Unit

    count, units = 0, None
    for month, results in score_year_by_month(year, unit_ids=unit_ids):
        if month is None:
            count = _write(year, results, replace_units=unit_ids)
            units = {
                u.pk: u
                for u in Unit.objects.filter(pk__in=[s.unit_id for s in results.units]).only("id", "kind_id", "order")
            }
        else:
            _write_month(year, month, results, units, replace_units=unit_ids)
        del results
    return count


REFRESH_LOCK = 1300  # PostgreSQL advisory lock class: one writer of a year's stored rows at a time


def _lock_year_rows(year_id: int, *, wait: bool) -> bool:
    """Serialise writers of one year's rows (PostgreSQL advisory lock held to the end of the transaction).
    SQLite serialises every write anyway."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REFRESH_LOCK, year_id])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REFRESH_LOCK, year_id])
        return cursor.fetchone()[0]


@transaction.atomic
def stored_refresh(year: AssessmentYear) -> int:
    """Re-score the whole year and replace its stored rows; the year is current afterwards."""
    _lock_year_rows(year.pk, wait=True)
    state, _ = StoredYear.objects.get_or_create(year=year)
    changed_at = state.changed_at
    count = _write_all(year, None)
    # A change committed while we scored keeps the year stale (its own task runs again after us).
    StoredYear.objects.filter(pk=state.pk, changed_at=changed_at).update(stale=False, computed_at=timezone.now())
    return count


def stored_refresh_units(year: AssessmentYear, unit_ids: Iterable[int]) -> None:
    """Re-score some units inside the caller's transaction; their rows are replaced, others stay.

    Never waits for a whole-year rescoring in progress (minutes for a province): if one holds the year,
    the year is marked stale instead and rescored again after it."""
    unit_ids = sorted(set(unit_ids))
    if not unit_ids or not StoredYear.objects.filter(year=year).exists():
        return  # never stored: the first read stores the whole year
    if not _lock_year_rows(year.pk, wait=False):
        mark_stale(year.pk)
        return
    _write_all(year, unit_ids)


def affected_units(year_id: int, piece_ids: Iterable[int]) -> set[int]:
    """The pieces' units, and the units of approved pieces claiming one of their publications (the same
    outlet with the same link in any spelling, or the same outlet on the same date under the same title,
    publicity.claims): over-inclusive, never missing one."""
    piece_ids = list(piece_ids)
    units = set(Piece.objects.filter(pk__in=piece_ids).values_list("unit_id", flat=True))
    pubs = list(
        Publication.objects.filter(piece_id__in=piece_ids).values_list("outlet_id", "url", "date", "piece__title_key")
    )
    if pubs:
        claim = Q()
        for outlet_id, url, date, title_key in pubs:
            claim |= Q(outlet_id=outlet_id, date=date, piece__title_key=title_key)
            if url:
                claim |= Q(outlet_id=outlet_id, url_lower__in=url_spellings([url], lower=True))
        units |= set(
            Publication.objects.annotate(url_lower=Lower("url"))
            .filter(claim, piece__year_id=year_id, piece__status=PieceStatus.APPROVED)
            .values_list("piece__unit_id", flat=True)
            .distinct()
        )
    return units


def on_counted_changed(sender, *, year_id: int, piece_ids, **kwargs) -> None:
    year = AssessmentYear.objects.get(pk=year_id)
    stored_refresh_units(year, affected_units(year_id, piece_ids))


def on_figures_changed(sender, *, year_id: int, unit_ids, **kwargs) -> None:
    """A unit's approved figure for a scored task, or its deliverables for a scored campaign, changed: only
    that unit's points move."""
    stored_refresh_units(AssessmentYear.objects.get(pk=year_id), unit_ids)


def mark_stale(year_id: int) -> None:
    """A rule or target of the year changed: flag it now, re-score it in the background after commit."""
    if not StoredYear.objects.filter(year_id=year_id).exists():
        return
    StoredYear.objects.filter(year_id=year_id).update(stale=True, changed_at=timezone.now())
    transaction.on_commit(lambda: rescore_year_task.enqueue(year_id=year_id))


@task()
def rescore_year_task(year_id: int) -> int:
    year = AssessmentYear.objects.filter(pk=year_id).first()
    if year is None or year.is_frozen:
        return 0
    if not StoredYear.objects.filter(year=year, stale=True).exists():
        return 0  # an earlier task for the same changes (one is queued per save) already caught up
    return stored_refresh(year)


# ----------------------------------------------------------------------------- reading


def ensure_stored(year: AssessmentYear) -> StoredYear:
    """The year's stored state, storing it first if it never was (a year's first page view)."""
    state = StoredYear.objects.filter(year=year).first()
    if state is None:
        stored_refresh(year)
        state = StoredYear.objects.get(year=year)
    return state


def ranked(year: AssessmentYear, *, within_kind: bool = False):
    """Stored rows with their rank over the whole year (points, then reward; ties share a rank: 1, 1, 3).

    The rank is 1 + the number of units ahead, a correlated subquery on the (year, points, reward) index:
    unlike a window function it stays the whole year's rank when the rows are filtered (one kind, a
    search) and paged, and it is only computed for the rows of the page."""
    ahead = StoredUnitScore.objects.filter(year=OuterRef("year"))
    if within_kind:  # a table of one unit kind ranks county bureaus among county bureaus
        ahead = ahead.filter(kind=OuterRef("kind"))
    ahead = (
        ahead.filter(Q(points__gt=OuterRef("points")) | Q(points=OuterRef("points"), reward__gt=OuterRef("reward")))
        .order_by()
        .values("year")
        .annotate(n=Count("id"))
        .values("n")
    )
    return StoredUnitScore.objects.filter(year=year).annotate(
        rank=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1
    )


def stored_rank(year: AssessmentYear, unit_id: int) -> tuple[int, int] | None:
    """(rank, number of units) of one unit from the stored scores, in one query; None if not stored."""
    total = StoredUnitScore.objects.filter(year=OuterRef("year")).order_by().values("year").annotate(n=Count("id"))
    return (
        ranked(year)
        .filter(unit_id=unit_id)
        .annotate(total=Subquery(total.values("n"), output_field=IntegerField()))
        .values_list("rank", "total")
        .first()
    )


@dataclass(frozen=True)
class Difference:
    unit_name: str
    field: str
    stored: object
    live: object


def stored_check(year: AssessmentYear) -> list[Difference]:
    """Stored rows against a full re-score, to the fen: an empty list when they agree. The month-end rows
    are checked against ``score_year(year, as_of=month end)`` for each month (field "N月…")."""
    out: list[Difference] = []
    for month, results in score_year_by_month(year):
        if month is None:
            out += _check_current(year, results)
        else:
            out += _check_month(year, month, results)
        del results
    return out


def _check_current(year, results) -> list[Difference]:
    live = {u.unit_id: u for u in results.units}
    stored = {s.unit_id: s for s in StoredUnitScore.objects.filter(year=year).prefetch_related("indicators")}
    out: list[Difference] = []
    for unit_id in sorted(set(live) | set(stored)):
        fresh, kept = live.get(unit_id), stored.get(unit_id)
        name = (fresh or kept).unit_name
        if fresh is None or kept is None:
            out.append(Difference(name, "unit", "stored" if kept else "missing", "scored" if fresh else "missing"))
            continue
        for field in ("unit_name", "points", "reward", "missing", "extra", "bonus_base"):
            if getattr(kept, field) != getattr(fresh, field):
                out.append(Difference(name, field, getattr(kept, field), getattr(fresh, field)))
        if kept.piece_count != len(fresh.piece_ids):
            out.append(Difference(name, "piece_count", kept.piece_count, len(fresh.piece_ids)))
        kept_inds = [(i.code, i.target, i.achieved, i.points) for i in kept.indicators.all()]
        fresh_inds = [(i.code, i.target, i.achieved, i.points) for i in fresh.indicators]
        if kept_inds != fresh_inds:
            out.append(Difference(name, "indicators", kept_inds, fresh_inds))
    return out


def _check_month(year, month: int, results) -> list[Difference]:
    live = {u.unit_id: u for u in results.units}
    stored = {s.unit_id: s for s in StoredMonthScore.objects.filter(year=year, month=month)}
    out: list[Difference] = []
    for unit_id in sorted(set(live) | set(stored)):
        fresh, kept = live.get(unit_id), stored.get(unit_id)
        name = (fresh or kept).unit_name
        if fresh is None or kept is None:
            out.append(
                Difference(name, f"{month}月", "stored" if kept else "missing", "scored" if fresh else "missing")
            )
            continue
        pairs = [
            ("unit_name", kept.unit_name, fresh.unit_name),
            ("points", kept.points, fresh.points),
            ("reward", kept.reward, fresh.reward),
            ("piece_count", kept.piece_count, len(fresh.piece_ids)),
            ("approved", kept.approved, len(fresh.piece_ids) + len(fresh.excluded_piece_ids)),
            ("indicators", kept.indicators, month_indicators(fresh, month)),
        ]
        out += [Difference(name, f"{month}月{field}", a, b) for field, a, b in pairs if a != b]
    return out


def ensure_months(year: AssessmentYear) -> StoredYear | None:
    """The year's stored state if its month-end rows are there (storing a never-stored year first, as
    ``ensure_stored``); None for a year stored before month-end rows existed: its re-score is queued (once)
    and the caller computes live meanwhile (a province takes minutes, never in a request)."""
    state = ensure_stored(year)
    if StoredMonthScore.objects.filter(year=year).exists():
        return state
    if not state.stale:
        mark_stale(year.pk)
    return None


# ----------------------------------------------------------------------------- keeping current


def _year_ids_of(instance) -> list[int]:
    """The years a changed row of the scoring data belongs to (all open years for catalogue rows)."""
    from campaigns.models import Campaign, Deliverable
    from figures.models import FigureTarget, FigureTask
    from publicity.models import Indicator, Outlet, OutletCategory, OutletLevel, Topic
    from units.models import Unit, UnitKind

    from .models import RewardSchedule, ScoringPolicy, UnitYearSetting

    if isinstance(instance, RewardSchedule) and instance.owner_unit_id is not None:
        return []  # a unit's own schedule (seed 004 §6) pays apart: no stored figure moves
    if isinstance(instance, Campaign):  # scored campaigns only (or one that was scored until this save)
        scored = instance.is_scored or getattr(instance, "_was_scored", False)
        return [instance.year_id] if scored else []
    if isinstance(instance, Deliverable):
        return list(Campaign.objects.filter(pk=instance.campaign_id, is_scored=True).values_list("year_id", flat=True))
    if isinstance(instance, (Indicator, ScoringPolicy, RewardSchedule, UnitYearSetting, FigureTask)):
        return [instance.year_id]
    if isinstance(instance, FigureTarget):
        return list(FigureTask.objects.filter(pk=instance.task_id).values_list("year_id", flat=True))
    if hasattr(instance, "indicator_id"):  # targets, per-piece level points, category factors
        return list(Indicator.objects.filter(pk=instance.indicator_id).values_list("year_id", flat=True))
    if hasattr(instance, "schedule_id"):  # reward rules, author weights (of the bureau's schedule only)
        return list(
            RewardSchedule.objects.filter(pk=instance.schedule_id, owner_unit__isnull=True).values_list(
                "year_id", flat=True
            )
        )
    if isinstance(instance, (Unit, Outlet, UnitKind, OutletLevel, OutletCategory, Topic)):
        # catalogue rows every year reads: a unit's kind, order or active flag, a kind's name or order (both
        # stored beside the scores), an outlet's level or category, a level's rank, a topic (its deletion
        # unlinks pieces and indicators without a signal)
        return list(
            StoredYear.objects.filter(year__status__in=[YearStatus.DRAFT, YearStatus.OPEN]).values_list(
                "year_id", flat=True
            )
        )
    return []


def _remember_scored(sender, instance, **kwargs) -> None:
    """Before a campaign is saved: was it scored? (Unscoring one moves the points too; 1 query, campaigns
    are saved by hand a few times a year.)"""
    if instance.pk and not kwargs.get("raw"):
        instance._was_scored = sender.objects.filter(pk=instance.pk, is_scored=True).exists()


def on_rules_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    for year_id in _year_ids_of(instance):
        mark_stale(year_id)


def connect() -> None:
    """Model signals here are invalidation only (every door — admin, imports, commands — saves these rows);
    the scoring itself stays in scoring.services."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from campaigns.models import Campaign, Deliverable
    from campaigns.signals import campaign_files_changed
    from figures.models import FigureTarget, FigureTask
    from figures.signals import figures_changed
    from publicity.models import (
        Indicator,
        IndicatorCategoryFactor,
        IndicatorLevelPoints,
        Outlet,
        OutletCategory,
        OutletLevel,
        Topic,
        UnitTarget,
    )
    from publicity.signals import counted_changed, rules_changed
    from units.models import Unit, UnitKind

    from .models import AuthorWeight, RewardRule, RewardSchedule, ScoringPolicy, UnitYearSetting

    counted_changed.connect(on_counted_changed, dispatch_uid="stored_scores_counted")
    figures_changed.connect(on_figures_changed, dispatch_uid="stored_scores_figures")
    campaign_files_changed.connect(on_figures_changed, dispatch_uid="stored_scores_campaign_files")
    pre_save.connect(_remember_scored, sender=Campaign, dispatch_uid="stored_scores_campaign_was_scored")
    rules_changed.connect(
        lambda sender, *, year_id, **kw: mark_stale(year_id), weak=False, dispatch_uid="stored_scores_rules"
    )
    models = (Indicator, UnitTarget, IndicatorLevelPoints, IndicatorCategoryFactor, ScoringPolicy, RewardSchedule)
    models += (RewardRule, AuthorWeight, UnitYearSetting, Unit, Outlet, FigureTask, FigureTarget)
    models += (UnitKind, OutletLevel, OutletCategory, Topic)
    models += (Campaign, Deliverable)  # scored campaigns only (see _year_ids_of)
    for model in models:
        post_save.connect(on_rules_changed, sender=model, dispatch_uid=f"stored_scores_save_{model.__name__}")
        post_delete.connect(on_rules_changed, sender=model, dispatch_uid=f"stored_scores_delete_{model.__name__}")
    for field in (
        Indicator.categories,
        Indicator.outlets,
        Indicator.topics,
        ScoringPolicy.bonus_categories,
        RewardRule.outlets,
        FigureTask.unit_kinds,
        Campaign.units,
    ):
        m2m_changed.connect(
            lambda sender, instance, action, **kw: (
                on_rules_changed(sender, instance)
                if action.startswith("post_") and not isinstance(instance, type)
                else None
            ),
            sender=field.through,
            weak=False,
            dispatch_uid=f"stored_scores_m2m_{field.through.__name__}",
        )
