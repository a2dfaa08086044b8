"""Writes to reported figures: a unit's liaison reports its number with evidence; a reviewer approves it or
returns it with a reason (DOMAIN §9, seed 001 发行征订任务).

Every door comes through here. Like a piece: only the unit's own liaison reports, a reviewer never reviews
their own unit's report, a review carries the version the reviewer was shown, an approved figure is
locked, and a closed year accepts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity.models import AssessmentYear
from publicity.services import ensure_can_review, ensure_year_editable
from publicity.upload_guard import display_name
from publicity.uploads import validate_evidence
from units.models import Unit, User
from units.text import clean_text

from .models import FigureReport, FigureTarget, FigureTask, ReportStatus
from .signals import figures_changed

MAX_VALUE = 10_000_000


@dataclass(frozen=True)
class UnitLine:
    """One unit's line of a task: its target and its report (None: not reported yet)."""

    unit: Unit
    target: int
    report: FigureReport | None
    task: FigureTask | None = None

    @property
    def approved_value(self) -> int | None:
        return self.report.value if self.report and self.report.status == ReportStatus.APPROVED else None

    @property
    def short(self) -> int:
        return max(0, self.target - (self.approved_value or 0))

    @property
    def pct(self) -> int:
        if not self.target:
            return 100
        return min(100, int((self.approved_value or 0) * 100 / self.target))


def target_for(task: FigureTask, unit: Unit) -> int:
    row = FigureTarget.objects.filter(task=task, unit=unit).values_list("target", flat=True).first()
    return task.default_target if row is None else row


def takes_part(task: FigureTask, unit: Unit) -> bool:
    return FigureTask.objects.filter(pk=task.pk).for_unit(unit).exists()


def task_lines(task: FigureTask, *, unit_name: str = "") -> list[UnitLine]:
    """Every taking-part unit of a task with its target and report: three queries whatever the size."""
    kinds = [k.pk for k in task.unit_kinds.all()]
    units = Unit.objects.active().select_related("kind").order_by("kind__order", "order", "id")
    if kinds:
        units = units.filter(kind_id__in=kinds)
    if unit_name:
        units = units.filter(name__icontains=unit_name)
    targets = dict(FigureTarget.objects.filter(task=task).values_list("unit_id", "target"))
    reports = {r.unit_id: r for r in FigureReport.objects.filter(task=task).select_related("submitted_by")}
    return [UnitLine(u, targets.get(u.pk, task.default_target), reports.get(u.pk), task) for u in units]


def _lock(report: FigureReport) -> FigureReport:
    return FigureReport.objects.select_for_update().select_related("task__year", "unit").get(pk=report.pk)


def _clean_value(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"value": _("完成数“%(value)s”不是整数。") % {"value": value}}) from exc
    if number < 0 or number > MAX_VALUE:
        raise ValidationError({"value": _("完成数须在0到%(max)s之间。") % {"max": MAX_VALUE}})
    return number


def _store_evidence(report: FigureReport, upload) -> None:
    try:
        info = validate_evidence(upload, label=_("佐证材料"))
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    old = report.evidence.name if report.evidence else ""
    report.evidence.save("upload", info.stored or upload, save=False)  # images are stored re-encoded
    report.evidence_name = display_name(getattr(upload, "name", ""))
    report.evidence_type = info.content_type
    report.evidence_sha256 = info.sha256
    if old:
        storage = report.evidence.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def report_submit(
    *,
    actor: User | None,
    task: FigureTask,
    unit: Unit,
    value,
    note: str = "",
    evidence=None,
    expected_version: int | None = None,
) -> FigureReport:
    """Report (or correct and report again) a unit's figure; it waits for review. Evidence is required the
    first time; a correction may keep the evidence already sent."""
    if actor is not None and not (actor.is_liaison and actor.unit_id == unit.pk):
        raise PermissionDenied(_("只有本单位联络员可以报送本单位的数据。"))
    ensure_year_editable(task.year, lock=True)
    if not takes_part(task, unit):
        raise PermissionDenied(_("本单位不参加“%(task)s”。") % {"task": task.name})
    errors: dict[str, list[str]] = {}
    number = note_text = None
    try:
        number = _clean_value(value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        note_text = clean_text(note, field="note", label=_("说明"))
        if len(note_text) > 500:
            raise ValidationError({"note": _("说明不能超过500字。")})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    report = FigureReport.objects.select_for_update().filter(task=task, unit=unit).first()
    if report is not None:
        if report.status == ReportStatus.APPROVED:
            raise ValidationError(_("“%(task)s”的报送数据已审核通过,不能再修改。") % {"task": task.name})
        if expected_version is not None and report.version != expected_version:
            raise ValidationError(_("该报送数据在您打开后已被修改,请刷新后重试。"), code="stale")
    if evidence is None and (report is None or not report.evidence):
        errors.setdefault("evidence", []).append(_("请上传佐证材料(如征订单、发票或回执的照片、扫描件)。"))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if report is None:
        report = FigureReport(task=task, unit=unit, version=0)
    report.value, report.note = number, note_text
    report.status, report.reject_reason = ReportStatus.SUBMITTED, ""
    report.submitted_by, report.submitted_at = actor, now
    report.reviewed_by = report.reviewed_at = None
    report.version += 1
    if evidence is not None:
        _store_evidence(report, evidence)
    try:
        report.save()
    except Exception:
        if evidence is not None and report.evidence:
            report.evidence.storage.delete(report.evidence.name)  # rolled back: no row keeps the new file
        raise
    return report


def ensure_not_own(actor: User | None, report: FigureReport) -> None:
    if actor is None:
        return
    if report.submitted_by_id == actor.pk or (actor.unit_id is not None and actor.unit_id == report.unit_id):
        raise PermissionDenied(_("不能审核本单位或本人报送的数据,请由其他审核员审核。"))


@transaction.atomic
def report_review(
    *,
    actor: User | None,
    report: FigureReport,
    approve: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> FigureReport:
    """Approve the figure as it was shown (``expected_version``), or return it with a reason."""
    ensure_can_review(actor)
    report = _lock(report)
    ensure_year_editable(report.task.year, lock=True)
    ensure_not_own(actor, report)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(
            _("“%(unit)s”的报送数据当前状态为“%(status)s”,已被处理,不能重复审核。")
            % {"unit": report.unit.name, "status": report.get_status_display()}
        )
    if expected_version is not None and report.version != expected_version:
        raise ValidationError(_("该报送数据在您打开后已被修改,请重新审核。"), code="stale")
    if not approve:
        reason = clean_text(reason, field="reason", label=_("退回原因"))
        if not reason:
            raise ValidationError({"reason": _("退回报送数据必须填写退回原因。")})
        if len(reason) > 500:
            raise ValidationError({"reason": _("退回原因不能超过500字。")})
    report.status = ReportStatus.APPROVED if approve else ReportStatus.REJECTED
    report.reject_reason = "" if approve else reason
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    report.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    if approve and report.task.is_scored:
        figures_changed.send(sender=FigureReport, year_id=report.task.year_id, unit_ids=[report.unit_id])
    return report


def pending_count(year: AssessmentYear) -> int:
    return FigureReport.objects.filter(task__year=year, status=ReportStatus.SUBMITTED).count()


@dataclass(frozen=True)
class TaskSummary:
    task: FigureTask
    units: int
    target: int
    approved: int  # the sum of the approved figures
    approved_units: int
    pending: int
    rejected: int

    @property
    def missing(self) -> int:
        return max(0, self.units - self.approved_units - self.pending - self.rejected)

    @property
    def pct(self) -> int:
        return min(100, int(self.approved * 100 / self.target)) if self.target else 100


def year_summaries(year: AssessmentYear) -> list[TaskSummary]:
    """Every task of the year summed over its units, in five queries whatever the number of units."""
    from django.db.models import Count, Sum

    tasks = list(FigureTask.objects.filter(year=year).prefetch_related("unit_kinds").order_by("order", "id"))
    if not tasks:
        return []
    per_kind = dict(Unit.objects.active().values("kind_id").annotate(n=Count("id")).values_list("kind_id", "n"))
    overrides: dict[int, list[tuple[int, int]]] = {}
    for task_id, kind_id, target in FigureTarget.objects.filter(task__year=year, unit__is_active=True).values_list(
        "task_id", "unit__kind_id", "target"
    ):
        overrides.setdefault(task_id, []).append((kind_id, target))
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    for task_id, status, n, total in (
        FigureReport.objects.filter(task__year=year)
        .values("task_id", "status")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by()
        .values_list("task_id", "status", "n", "total")
    ):
        counts[(task_id, status)] = (n, total or 0)
    out = []
    for t in tasks:
        kinds = {k.pk for k in t.unit_kinds.all()}
        units = sum(n for kind_id, n in per_kind.items() if not kinds or kind_id in kinds)
        own = [target for kind_id, target in overrides.get(t.pk, []) if not kinds or kind_id in kinds]
        approved_n, approved_total = counts.get((t.pk, ReportStatus.APPROVED), (0, 0))
        out.append(
            TaskSummary(
                task=t,
                units=units,
                target=t.default_target * (units - len(own)) + sum(own),
                approved=approved_total,
                approved_units=approved_n,
                pending=counts.get((t.pk, ReportStatus.SUBMITTED), (0, 0))[0],
                rejected=counts.get((t.pk, ReportStatus.REJECTED), (0, 0))[0],
            )
        )
    return out


@dataclass(frozen=True)
class Owing:
    """A task with a due date and the taking-part units (target above 0) that still owe their figure: not
    reported, or returned and not sent again."""

    task: FigureTask
    units: list[Unit]
    of: int  # units with a target above 0
    rejected: frozenset[int] = frozenset()  # of ``units``, those whose report was returned


def owing(year: AssessmentYear, *, due_before=None) -> list[Owing]:
    """Tasks of the year with a due date (before ``due_before`` when given) and who still owes them: five
    queries whatever the number of tasks and units."""
    tasks = FigureTask.objects.filter(year=year, due_date__isnull=False)
    if due_before is not None:
        tasks = tasks.filter(due_date__lt=due_before)
    tasks = list(tasks.prefetch_related("unit_kinds").order_by("due_date", "order", "id"))
    if not tasks:
        return []
    units = list(Unit.objects.active().select_related("kind").order_by("kind__order", "order", "id"))
    ids = [t.pk for t in tasks]
    targets = {
        (t, u): n
        for t, u, n in FigureTarget.objects.filter(task_id__in=ids).values_list("task_id", "unit_id", "target")
    }
    status = {
        (t, u): s
        for t, u, s in FigureReport.objects.filter(task_id__in=ids).values_list("task_id", "unit_id", "status")
    }
    out = []
    for task in tasks:
        kinds = {k.pk for k in task.unit_kinds.all()}
        taking = [
            u for u in units if (not kinds or u.kind_id in kinds) and targets.get((task.pk, u.pk), task.default_target)
        ]
        owe = [u for u in taking if status.get((task.pk, u.pk)) in (None, ReportStatus.REJECTED)]
        rejected = frozenset(u.pk for u in owe if status.get((task.pk, u.pk)) == ReportStatus.REJECTED)
        out.append(Owing(task, owe, len(taking), rejected))
    return out


def overdue_figures(year: AssessmentYear, today) -> list:
    """Units that owe a figure past its task's due date, for the reminders (one ``Due`` per unit and due date,
    naming every task due that day)."""
    from collections import defaultdict

    from publicity.models import ReminderKind
    from publicity.reminders import Due

    dues: dict[tuple[int, object], list[str]] = defaultdict(list)
    by_id: dict[int, Unit] = {}
    for row in owing(year, due_before=today):
        for unit in row.units:
            by_id[unit.pk] = unit
            dues[(unit.pk, row.task.due_date)].append(
                _("“%(task)s”(已退回,请改正后重新报送)") % {"task": row.task.name}
                if unit.pk in row.rejected
                else _("“%(task)s”") % {"task": row.task.name}
            )
    return [
        Due(
            by_id[unit_id],
            due,
            ReminderKind.FIGURE,
            _("报送数据(截止%(due)s):%(items)s") % {"due": f"{due:%Y-%m-%d}", "items": "、".join(items)},
            due.month,
        )
        for (unit_id, due), items in sorted(dues.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
