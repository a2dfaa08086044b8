from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from publicity.models import AssessmentYear, Outlet, OutletCategory, OutletLevel, Placement
from units.models import Unit

MONEY = {"max_digits": 12, "decimal_places": 2}
POINTS = {"max_digits": 8, "decimal_places": 2}


class ScoringPolicy(models.Model):
    """A year's assessment-point parameters (DOMAIN §6)."""

    year = models.OneToOneField(AssessmentYear, on_delete=models.PROTECT, related_name="policy", verbose_name=_("年度"))
    full_score = models.DecimalField(_("单项满分 S"), **POINTS, validators=[MinValueValidator(Decimal("0"))])
    bonus_per_piece = models.DecimalField(_("超额每篇加分"), **POINTS, validators=[MinValueValidator(Decimal("0"))])
    bonus_cap_ratio = models.DecimalField(
        _("加分上限(占满分比例)"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("如 0.30 表示不超过单项得分的30%"),
    )
    penalty_per_piece = models.DecimalField(_("每少一篇扣分"), **POINTS, validators=[MinValueValidator(Decimal("0"))])
    floor = models.DecimalField(_("最低得分"), **POINTS, default=Decimal("0"))
    bonus_min_level = models.ForeignKey(
        OutletLevel,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("加分媒体最低级别"),
        help_text=_("含本级"),
    )
    bonus_categories = models.ManyToManyField(
        OutletCategory, related_name="+", verbose_name=_("加分媒体类别"), help_text=_("如 党报、电视台")
    )

    class Meta:
        verbose_name = _("计分规则")
        verbose_name_plural = _("计分规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(full_score__gte=0, bonus_per_piece__gte=0, penalty_per_piece__gte=0),
                name="policy_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(bonus_cap_ratio__gte=0, bonus_cap_ratio__lte=1), name="policy_cap_ratio_range"
            ),
            models.CheckConstraint(condition=Q(floor__lte=models.F("full_score")), name="policy_floor_below_full"),
        ]

    def __str__(self):
        return f"{self.year} 计分规则"


class RewardSchedule(models.Model):
    """Reward amounts a body pays (DOMAIN §7): the bureau (no owner unit) or one unit funding its own."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="reward_schedules", verbose_name=_("年度")
    )
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reward_schedules",
        verbose_name=_("出资单位"),
        help_text=_("留空为市局"),
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["year", "owner_unit", "id"]
        verbose_name = _("奖励标准")
        verbose_name_plural = _("奖励标准")
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(owner_unit__isnull=True), name="one_bureau_schedule_per_year"
            ),
            models.UniqueConstraint(fields=["year", "owner_unit"], name="one_schedule_per_unit_year"),
        ]

    def __str__(self):
        return self.name


class RewardRule(models.Model):
    schedule = models.ForeignKey(
        RewardSchedule, on_delete=models.CASCADE, related_name="rules", verbose_name=_("奖励标准")
    )
    outlets = models.ManyToManyField(Outlet, related_name="reward_rules", verbose_name=_("媒体"))
    kinds = models.JSONField(_("稿件类型"), default=list, blank=True, help_text=_("空表示不限"))
    placement = models.CharField(
        _("版面位置"), max_length=10, choices=Placement.choices, blank=True, help_text=_("空表示不限")
    )
    min_characters = models.PositiveIntegerField(_("最少字数"), null=True, blank=True)
    amount = models.DecimalField(_("奖励金额(元)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    order = models.PositiveIntegerField(_("排序"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["schedule", "order", "id"]
        verbose_name = _("奖励规则")
        verbose_name_plural = _("奖励规则")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reward_amount_positive"),
            models.CheckConstraint(
                condition=Q(placement="") | Q(placement__in=Placement.values), name="reward_placement_valid"
            ),
        ]

    def __str__(self):
        return f"{self.note or '规则'} {self.amount}元"
