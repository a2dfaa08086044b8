"""Reported-figure tasks (发行征订任务 and the like, DOMAIN §9, seed 001): a target that is a number each unit
reports with evidence — e.g. 安康日报 subscriptions, target 50 copies — reviewed like pieces and, when the
bureau says so, scored as an item of its own (full score, bonus per unit over, deduction per unit short, cap).

Everything here is data per year: the task, its unit of measure, its default target, the per-unit targets
and its scoring parameters. The points themselves are decided in ``scoring.rules.figure_score``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from publicity.models import AssessmentYear
from units.models import Unit, UnitKind
from units.validators import reject_control_chars

POINTS = {"max_digits": 8, "decimal_places": 2}


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class FigureTaskQuerySet(models.QuerySet):
    def for_unit(self, unit: Unit):
        """Tasks a unit takes part in: those of its kind, or of every kind when the task names none."""
        return self.filter(Q(unit_kinds=unit.kind_id) | Q(unit_kinds__isnull=True)).distinct()


class FigureTask(models.Model):
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="figure_tasks", verbose_name=_("年度")
    )
    name = models.CharField(_("任务名称"), max_length=100, validators=[reject_control_chars])
    unit_label = models.CharField(
        _("计量单位"), max_length=10, default="份", validators=[reject_control_chars], help_text=_("如 份、册、人")
    )
    description = models.CharField(_("说明"), max_length=500, blank=True, validators=[reject_control_chars])
    unit_kinds = models.ManyToManyField(
        UnitKind, blank=True, related_name="+", verbose_name=_("参加单位类型"), help_text=_("空表示全部单位")
    )
    default_target = models.PositiveIntegerField(_("默认任务数"), default=0)
    due_date = models.DateField(_("报送截止日期"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    # Scored as its own item (data per year): points = max(floor, S − penalty·short + min(bonus·over, cap)).
    is_scored = models.BooleanField(_("单独计分"), default=False)
    full_score = models.DecimalField(
        _("单项满分"), **POINTS, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    bonus_per_unit = models.DecimalField(
        _("超额每单位加分"), **POINTS, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    bonus_cap = models.DecimalField(
        _("加分上限"),
        **POINTS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("空表示不设上限"),
    )
    penalty_per_unit = models.DecimalField(
        _("每少一单位扣分"), **POINTS, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    floor = models.DecimalField(_("最低得分"), **POINTS, default=Decimal("0"))

    objects = FigureTaskQuerySet.as_manager()

    class Meta:
        ordering = ["year", "order", "id"]
        verbose_name = _("报送数据任务")
        verbose_name_plural = _("报送数据任务(如发行征订)")
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="figure_task_name_once_per_year"),
            models.CheckConstraint(condition=~Q(name=""), name="figure_task_name_not_blank"),
            models.CheckConstraint(
                condition=Q(full_score__gte=0, bonus_per_unit__gte=0, penalty_per_unit__gte=0),
                name="figure_task_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(bonus_cap__isnull=True) | Q(bonus_cap__gte=0), name="figure_task_cap_not_negative"
            ),
            models.CheckConstraint(condition=Q(floor__lte=models.F("full_score")), name="figure_task_floor_below_full"),
        ]

    def __str__(self):
        return f"{self.year.year} {self.name}"


class FigureTarget(models.Model):
    """A unit's own target for a task (overrides the task's default; 0 exempts the unit)."""

    task = models.ForeignKey(FigureTask, on_delete=models.CASCADE, related_name="targets", verbose_name=_("任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    target = models.PositiveIntegerField(_("任务数"))

    class Meta:
        ordering = ["task", "unit__order", "unit_id"]
        verbose_name = _("单位任务数")
        verbose_name_plural = _("单位任务数")
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="figure_target_once")]

    def __str__(self):
        return f"{self.unit} {self.target}"


class FigureReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau readers see every unit's reports; a liaison or head only their unit's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_bureau_staff:
            return self
        if user.unit_id and user.has_role("liaison", "unit_head"):
            return self.filter(unit_id=user.unit_id)
        return self.none()


def evidence_path(instance, filename):
    import uuid

    return f"figures/{instance.task.year.year}/{uuid.uuid4().hex}"


class FigureReport(models.Model):
    """A unit's reported number for a task, with its evidence. One per unit and task: a rejected report is
    corrected and sent again; an approved one is locked. ``version`` rises with every change, so a reviewer
    acts on the figure they were shown."""

    task = models.ForeignKey(FigureTask, on_delete=models.PROTECT, related_name="reports", verbose_name=_("任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="figure_reports", verbose_name=_("单位"))
    value = models.PositiveIntegerField(_("完成数"))
    note = models.CharField(_("说明"), max_length=500, blank=True, validators=[reject_control_chars])
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    reject_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("佐证文件名"), max_length=255, blank=True)
    evidence_type = models.CharField(_("佐证文件类型"), max_length=50, blank=True)
    evidence_sha256 = models.CharField(_("佐证SHA-256"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("报送人")
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = FigureReportQuerySet.as_manager()

    class Meta:
        ordering = ["task", "unit__order", "unit_id"]
        verbose_name = _("报送数据")
        verbose_name_plural = _("报送数据")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="figure_report_once_per_unit"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="figure_report_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.REJECTED) | ~Q(reject_reason=""), name="figure_rejected_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["task", "status"])]

    def __str__(self):
        return f"{self.unit} {self.task.name} {self.value}"

    @property
    def is_editable(self) -> bool:
        return self.status != ReportStatus.APPROVED and not self.task.year.is_frozen
