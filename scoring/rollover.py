"""Roll a year over (结转): create next year from this one with its rules, in one transaction.

Copied: the year's settings, reporting rules, indicators (with their outlet/category/topic criteria and
default targets), every unit's own targets, the scoring policy, the reward schedules with their rules.
Not copied (they are the year's facts, not its rules): pieces, periodic reports, reminders, snapshots,
the status log. Outlets, topics and units are shared by all years and need no copy.

Every field is copied generically (all concrete fields but the primary key and the year link, then
every many-to-many), so a field added to these models later is carried without touching this module;
a new model that hangs off the year must be added to ``COPIED`` or ``NOT_COPIED``
(tests/console/test_rollover.py fails until it is). The source year is only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.recorder import record_many
from publicity.models import AssessmentYear, Indicator, ReportingRule, UnitTarget, YearStatus
from units.models import User

from .models import RewardSchedule, ScoringPolicy, UnitYearSetting, YearStatusLog

# Models linked to AssessmentYear, by "app_label.ModelName": copied by this module, or deliberately not.
COPIED = {
    "publicity.ReportingRule",
    "publicity.Indicator",  # with its CASCADE children: unit targets, per-level points, category factors
    "scoring.ScoringPolicy",
    "scoring.RewardSchedule",  # with its rules and author weights
    "scoring.UnitYearSetting",  # each unit's coefficient
}
NOT_COPIED = {
    "publicity.Piece",  # the year's facts
    "publicity.PeriodReport",
    "publicity.Reminder",
    "scoring.YearSnapshot",
    "scoring.YearStatusLog",
    "scoring.StoredYear",  # stored scores are derived: the new year stores its own on first view
}


def clone(obj: models.Model, **overrides) -> models.Model:
    """An unsaved copy with every concrete field but the primary key; ``overrides`` by attname."""
    data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    data.update(overrides)
    return type(obj)(**data)


def copy_m2m(source: models.Model, target: models.Model) -> None:
    for f in source._meta.many_to_many:
        getattr(target, f.name).set([o.pk for o in getattr(source, f.name).all()])


def _parts(model) -> list:
    """The rows that belong to a row of ``model`` (a foreign key to it with CASCADE): its parts, copied with it."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many and rel.on_delete is models.CASCADE and not rel.related_model._meta.auto_created
    ]


def copy_rows(model, rows: list, link: str, new_parent: dict[int, int] | int, message: str) -> int:
    """Copy ``rows`` of ``model`` with their many-to-many links and, recursively, their parts; ``link`` is the
    attname of the foreign key to the new parent (``new_parent``: one id, or old id → new id). Rows without
    many-to-many links or parts go in bulk (one audit event each); the others one by one (saved, so audited).
    Returns how many rows were written."""
    if not rows:
        return 0

    def parent_of(row):
        return new_parent if isinstance(new_parent, int) else new_parent[getattr(row, link)]

    m2m, parts = model._meta.many_to_many, _parts(model)
    if not m2m and not parts:
        created = model.objects.bulk_create([clone(r, **{link: parent_of(r)}) for r in rows], batch_size=1000)
        record_many(AuditAction.CREATE, created, message=message)
        return len(created)
    mapping: dict[int, int] = {}
    for row in rows:
        new = clone(row, **{link: parent_of(row)})
        new.save()
        copy_m2m(row, new)
        mapping[row.pk] = new.pk
    written = len(rows)
    for rel in parts:
        children = list(rel.related_model.objects.filter(**{f"{rel.field.name}__in": list(mapping)}).order_by("pk"))
        written += copy_rows(rel.related_model, children, rel.field.attname, mapping, message)
    return written


def _shift(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@dataclass
class RolloverPlan:
    """What a roll over copies, for the preview page and ``rollover_year --dry-run``."""

    source: AssessmentYear
    to_year: int
    indicators: list[Indicator] = field(default_factory=list)
    target_count: int = 0
    target_units: int = 0
    reporting_rules: list[ReportingRule] = field(default_factory=list)
    policy: ScoringPolicy | None = None
    schedules: list[tuple[RewardSchedule, int]] = field(default_factory=list)
    unit_settings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The plan in words (the command prints these; the page shows the same facts as tables)."""
        out = [
            _("从%(source)s年度结转到%(to)s年度(新年度状态:筹备中,%(source)s年度不变):")
            % {"source": self.source.year, "to": self.to_year}
        ]
        out.append(_("考核指标 %(n)s 项(含默认任务数和计入条件)") % {"n": len(self.indicators)})
        out.append(_("单位单设任务 %(n)s 条(%(units)s个单位)") % {"n": self.target_count, "units": self.target_units})
        out.append(_("报送规则 %(n)s 条") % {"n": len(self.reporting_rules)})
        out.append(_("计分规则 %(n)s 套") % {"n": 1 if self.policy else 0})
        for schedule, n in self.schedules:
            out.append(_("奖励标准“%(name)s”及其 %(n)s 条奖励规则") % {"name": schedule.name, "n": n})
        out.append(_("单位年度系数 %(n)s 条") % {"n": self.unit_settings})
        out.append(_("媒体目录、专题、单位为各年度共用,无需复制;稿件、报送记录、提醒和结账快照不复制。"))
        out += self.problems
        return out


def rollover_plan(source: AssessmentYear, to_year: int | None = None) -> RolloverPlan:
    to_year = to_year or source.year + 1
    plan = RolloverPlan(source=source, to_year=to_year)
    if AssessmentYear.objects.filter(year=to_year).exists():
        plan.problems.append(_("%(year)s年度已存在,不能再结转生成。") % {"year": to_year})
    if to_year <= source.year:
        plan.problems.append(_("新年度须晚于%(year)s年度。") % {"year": source.year})
    plan.indicators = list(Indicator.objects.filter(year=source).select_related("unit_kind"))
    targets = UnitTarget.objects.filter(indicator__year=source)
    plan.target_count = targets.count()
    plan.target_units = targets.values("unit_id").distinct().count()
    plan.reporting_rules = list(ReportingRule.objects.filter(year=source).select_related("unit_kind"))
    plan.policy = ScoringPolicy.objects.filter(year=source).first()
    plan.schedules = [
        (s, s.n)
        for s in RewardSchedule.objects.filter(year=source)
        .annotate(n=models.Count("rules"))
        .select_related("owner_unit")
    ]
    plan.unit_settings = UnitYearSetting.objects.filter(year=source).count()
    return plan


@transaction.atomic
def year_rollover(*, actor: User | None, source: AssessmentYear, to_year: int | None = None) -> AssessmentYear:
    """Create ``to_year`` (default: the next year) from ``source``; the new year is 筹备中 (draft) until the
    bureau opens it, so liaisons keep filing into the current year meanwhile."""
    if actor is not None and not actor.is_bureau_admin:
        raise PermissionDenied(_("只有市局管理员可以结转年度。"))
    plan = rollover_plan(source, to_year)
    if not plan.ok:
        raise ValidationError(plan.problems)
    years = plan.to_year - source.year
    title = source.title.replace(str(source.year), str(plan.to_year)) if source.title else ""
    new_year = clone(
        source, year=plan.to_year, status=YearStatus.DRAFT, title=title, roster_due=_shift(source.roster_due, years)
    )
    new_year.full_clean(validate_unique=False, validate_constraints=False)
    new_year.save()

    message = _("由%(year)s年度结转") % {"year": source.year}
    for label in sorted(COPIED):
        model = apps.get_model(label)
        year_field = next(f for f in model._meta.concrete_fields if f.related_model is AssessmentYear)
        rows = list(
            model.objects.filter(**{year_field.name: source})
            .prefetch_related(*[f.name for f in model._meta.many_to_many])
            .order_by("pk")
        )
        copy_rows(model, rows, year_field.attname, new_year.pk, message)

    YearStatusLog.objects.create(
        year=new_year,
        actor=actor,
        from_status=YearStatus.DRAFT,
        to_status=YearStatus.DRAFT,
        reason=_("由%(year)s年度结转生成") % {"year": source.year},
    )
    return new_year


@transaction.atomic
def year_open(*, actor: User | None, year: AssessmentYear) -> AssessmentYear:
    """筹备中 → 进行中: the year becomes the one liaisons file into (the latest open year)."""
    if actor is not None and not actor.is_bureau_admin:
        raise PermissionDenied(_("只有市局管理员可以开放年度。"))
    locked = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if locked.status != YearStatus.DRAFT:
        raise ValidationError(
            _("%(year)s年度当前状态为“%(status)s”,不能开放。")
            % {"year": locked.year, "status": locked.get_status_display()}
        )
    locked.status = YearStatus.OPEN
    locked.save(update_fields=["status"])
    YearStatusLog.objects.create(
        year=locked, actor=actor, from_status=YearStatus.DRAFT, to_status=YearStatus.OPEN, reason=_("开放年度")
    )
    year.status = locked.status
    return locked
