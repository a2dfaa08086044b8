import json
import zlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from publicity.models import AssessmentYear, Indicator, Outlet, OutletCategory, OutletLevel, Placement, YearStatus
from units.models import Unit, UnitKind
from units.validators import reject_control_chars

MONEY = {"max_digits": 12, "decimal_places": 2}
POINTS = {"max_digits": 8, "decimal_places": 2}


# DOMAIN §10 settings. The values are the strings scoring.rules decides on; the first choice of each
# is the 2011 preset's (the default), under which §6–§7 hold exactly.
class DuplicatePolicy(models.TextChoices):
    WARN = "warn", _("仅提示,均计分")
    FIRST_REPORTED = "first_reported", _("以先报为准,后报的不计分")


class Timeliness(models.TextChoices):
    NONE = "none", _("不限报送时间")
    FLAG = "flag", _("逾期标记,仍计分")
    EXCLUDE = "exclude", _("逾期不计分")


class Payout(models.TextChoices):
    HIGHEST = "highest", _("取最高一档")
    SUM = "sum", _("各次刊发累加")
    TOP_N = "top_n", _("取最高N档相加")


class AuthorSplit(models.TextChoices):
    EQUAL = "equal", _("作者平均分配")
    WEIGHTS = "weights", _("按署名顺序权重分配")


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
    duplicate_claims = models.CharField(
        _("重复报送"),
        max_length=20,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.WARN,
        help_text=_("两个单位的稿件登记了同一刊发(同一媒体同一链接,或同一媒体同日同标题)时如何处理"),
    )
    timeliness = models.CharField(_("报送时限"), max_length=10, choices=Timeliness.choices, default=Timeliness.NONE)
    timeliness_days = models.PositiveSmallIntegerField(
        _("报送时限(天)"), default=30, help_text=_("首次提交晚于最早刊发日期超过此天数即为逾期报送")
    )

    class Meta:
        verbose_name = _("计分规则")
        verbose_name_plural = _("计分规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(duplicate_claims__in=DuplicatePolicy.values), name="policy_duplicate_claims_valid"
            ),
            models.CheckConstraint(condition=Q(timeliness__in=Timeliness.values), name="policy_timeliness_valid"),
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
        return _("%(year)s 计分规则") % {"year": self.year}


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
    name = models.CharField(_("名称"), max_length=100, validators=[reject_control_chars])
    payout = models.CharField(
        _("一稿多投奖励方式"),
        max_length=10,
        choices=Payout.choices,
        default=Payout.HIGHEST,
        help_text=_("一篇稿件在多家媒体刊发时:按最高一档奖励一次、各次累加,或取最高N档相加"),
    )
    top_n = models.PositiveSmallIntegerField(_("N(取最高N档时)"), default=2)
    author_split = models.CharField(
        _("作者分配方式"),
        max_length=10,
        choices=AuthorSplit.choices,
        default=AuthorSplit.EQUAL,
        help_text=_("按权重时各份向下取整到分,余数计入第一作者;超出权重个数的作者取最后一个权重"),
    )

    class Meta:
        ordering = ["year", "owner_unit", "id"]
        verbose_name = _("奖励标准")
        verbose_name_plural = _("奖励标准")
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(owner_unit__isnull=True), name="one_bureau_schedule_per_year"
            ),
            models.UniqueConstraint(fields=["year", "owner_unit"], name="one_schedule_per_unit_year"),
            models.CheckConstraint(condition=Q(payout__in=Payout.values), name="schedule_payout_valid"),
            models.CheckConstraint(
                condition=~Q(payout=Payout.TOP_N) | Q(top_n__gte=1),
                name="schedule_top_n_at_least_one",
                violation_error_message=_("取最高N档时,N至少为1。"),
            ),
            models.CheckConstraint(condition=Q(author_split__in=AuthorSplit.values), name="schedule_split_valid"),
        ]

    def __str__(self):
        return self.name


class AuthorWeight(models.Model):
    """The weight of the author at ``position`` (1 = first) when a schedule splits by weights (DOMAIN §10)."""

    schedule = models.ForeignKey(
        RewardSchedule, on_delete=models.CASCADE, related_name="author_weights", verbose_name=_("奖励标准")
    )
    position = models.PositiveSmallIntegerField(_("署名顺序"), validators=[MinValueValidator(1)])
    weight = models.DecimalField(
        _("权重"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["schedule", "position"]
        verbose_name = _("作者权重")
        verbose_name_plural = _("作者权重")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "position"], name="author_weight_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="author_weight_positive"),
            models.CheckConstraint(condition=Q(position__gte=1), name="author_weight_position_from_one"),
        ]

    def __str__(self):
        return _("第%(position)s作者 权重%(weight)s") % {"position": self.position, "weight": self.weight}


class UnitYearSetting(models.Model):
    """A unit's coefficient for a year (DOMAIN §10): its per-piece points are multiplied by it before the
    caps (to be fair to small units); quota targets are unaffected. No row = 1."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="unit_settings", verbose_name=_("年度")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="year_settings", verbose_name=_("单位"))
    coefficient = models.DecimalField(
        _("单位系数"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("按篇计分的积分乘以此系数后再封顶,如按人数分档 1.0–2.0"),
    )

    class Meta:
        ordering = ["year", "unit"]
        verbose_name = _("单位年度系数")
        verbose_name_plural = _("单位年度系数")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="unit_setting_once_per_year"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="unit_coefficient_positive"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}: ×{self.coefficient}"


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
    note = models.CharField(_("说明"), max_length=200, blank=True, validators=[reject_control_chars])

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
        return _("%(note)s %(amount)s元") % {"note": self.note or _("规则"), "amount": self.amount}


class YearSnapshot(models.Model):
    """A closed year's results as they were at closing (DOMAIN §8): what reports read afterwards.

    ``data`` is the whole ``YearScore`` (units, people, pieces with their explanations) as JSON;
    ``policy`` the rule parameters used. Unit and person rows repeat the headline figures for lists."""

    year = models.OneToOneField(
        AssessmentYear, on_delete=models.CASCADE, related_name="snapshot", verbose_name=_("年度")
    )
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("结账人")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    policy = models.JSONField(_("计分参数"), default=dict)
    data = models.JSONField(_("结果数据"), default=dict)
    # The results as zlib-compressed JSON: a province's year (300,000 pieces with their explanations) is over
    # PostgreSQL's 256 MB limit for one jsonb value, compressed it is a few tens of MB. ``data`` stays for
    # snapshots written before; ``results`` reads whichever holds them.
    packed = models.BinaryField(_("结果数据(压缩)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("年度结账快照")
        verbose_name_plural = _("年度结账快照")

    def __str__(self):
        return _("%(year)s 结账快照") % {"year": self.year}

    @staticmethod
    def pack(results: dict) -> bytes:
        return zlib.compress(json.dumps(results, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)

    @property
    def results(self) -> dict:
        if self.packed:
            return json.loads(zlib.decompress(bytes(self.packed)).decode("utf-8"))
        return self.data


class UnitResult(models.Model):
    snapshot = models.ForeignKey(
        YearSnapshot, on_delete=models.CASCADE, related_name="unit_results", verbose_name=_("快照")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    unit_name = models.CharField(_("单位名称"), max_length=100)
    kind_name = models.CharField(_("单位类型"), max_length=50)
    rank = models.PositiveIntegerField(_("名次"))
    points = models.DecimalField(_("得分"), **POINTS)
    reward = models.DecimalField(_("奖励金额(元)"), **MONEY)
    missing = models.PositiveIntegerField(_("少发篇数 M"))
    extra = models.PositiveIntegerField(_("加分篇数 E"))
    bonus_base = models.PositiveIntegerField(_("加分基数篇数 b_P"))
    indicators = models.JSONField(_("各项指标"), default=list)

    class Meta:
        ordering = ["snapshot", "rank", "id"]
        verbose_name = _("单位结果")
        verbose_name_plural = _("单位结果")
        constraints = [models.UniqueConstraint(fields=["snapshot", "unit"], name="unit_result_once")]

    def __str__(self):
        return f"{self.unit_name} {self.points}"


class PersonResult(models.Model):
    snapshot = models.ForeignKey(
        YearSnapshot, on_delete=models.CASCADE, related_name="person_results", verbose_name=_("快照")
    )
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=50)
    unit_name = models.CharField(_("单位"), max_length=100)
    reward = models.DecimalField(_("奖励金额(元)"), **MONEY)
    piece_count = models.PositiveIntegerField(_("稿件数"))

    class Meta:
        ordering = ["snapshot", "position"]
        verbose_name = _("个人奖励")
        verbose_name_plural = _("个人奖励")

    def __str__(self):
        return f"{self.name} {self.reward}"


class YearStatusLog(models.Model):
    """Who closed, published or reopened a year, when, and why (reopening needs a reason)."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="status_logs", verbose_name=_("年度")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=10, choices=YearStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=YearStatus.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True, validators=[reject_control_chars])

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("年度状态记录")
        verbose_name_plural = _("年度状态记录")
        constraints = [
            models.CheckConstraint(condition=~Q(to_status=YearStatus.OPEN) | ~Q(reason=""), name="reopen_needs_reason"),
        ]

    def __str__(self):
        return f"{self.year} {self.from_status}→{self.to_status}"


class StoredYear(models.Model):
    """The state of a year's stored scores (scoring.stored): current, or waiting for a full rescoring
    after a rule or target change (``stale``)."""

    year = models.OneToOneField(
        AssessmentYear, on_delete=models.CASCADE, related_name="stored_scores", verbose_name=_("年度")
    )
    stale = models.BooleanField(_("待重新计算"), default=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    changed_at = models.DateTimeField(_("规则变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("得分存储状态")
        verbose_name_plural = _("得分存储状态")

    def __str__(self):
        return str(self.year)


class StoredUnitScore(models.Model):
    """A unit's current points and reward, written by ``scoring.stored`` in the same transaction as the
    change that moves them (approval, a rule or target edit), so pages read figures instead of re-scoring
    the year. Rank is computed when read (it depends on every unit)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    kind = models.ForeignKey(UnitKind, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位类型"))
    parent = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("上级单位")
    )
    unit_name = models.CharField(_("单位名称"), max_length=100)
    kind_name = models.CharField(_("单位类型"), max_length=50)
    order = models.PositiveIntegerField(_("显示顺序"), default=0)
    points = models.DecimalField(_("得分"), **POINTS)
    reward = models.DecimalField(_("奖励金额(元)"), **MONEY)
    missing = models.PositiveIntegerField(_("少发篇数 M"), default=0)
    extra = models.PositiveIntegerField(_("加分篇数 E"), default=0)
    bonus_base = models.PositiveIntegerField(_("加分基数篇数 b_P"), default=0)
    piece_count = models.PositiveIntegerField(_("计入稿件数"), default=0)

    class Meta:
        verbose_name = _("单位得分(存储)")
        verbose_name_plural = _("单位得分(存储)")
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="stored_unit_score_once")]
        indexes = [
            models.Index(fields=["year", "kind", "-points", "-reward"], name="stored_rank_by_kind"),
            models.Index(fields=["year", "-points", "-reward"], name="stored_rank"),
        ]

    def __str__(self):
        return f"{self.unit_name} {self.points}"


class StoredIndicatorScore(models.Model):
    """A unit's target and achieved count for one indicator (the allocation table, filled in)."""

    unit_score = models.ForeignKey(
        StoredUnitScore, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("单位得分")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("指标")
    )
    code = models.CharField(_("代码"), max_length=10)
    name = models.CharField(_("指标名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    target = models.PositiveIntegerField(_("任务数"), default=0)
    achieved = models.PositiveIntegerField(_("完成数"), default=0)
    points = models.DecimalField(_("按篇计分"), **POINTS, null=True, blank=True)

    class Meta:
        ordering = ["unit_score", "position"]
        verbose_name = _("指标完成(存储)")
        verbose_name_plural = _("指标完成(存储)")

    def __str__(self):
        return f"{self.code} {self.achieved}/{self.target}"

    @property
    def per_piece(self) -> bool:
        """A §10 per-piece indicator: it has points and no target (as ``IndicatorScore.per_piece``)."""
        return self.points is not None


class StoredMonthScore(models.Model):
    """A unit's year-to-date figures at the end of one month (``score_year(year, as_of=month end)``), kept
    current with the unit's stored score (same writer, same transaction), so the monthly circular reads
    two months' rows instead of scoring the whole year twice per request. ``indicators`` is the list the
    circular prints: ``[code, name, target, achieved, counts_for_penalty]`` in the year's order."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    kind = models.ForeignKey(UnitKind, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位类型"))
    month = models.PositiveSmallIntegerField(_("月份"))
    unit_name = models.CharField(_("单位名称"), max_length=100)
    kind_name = models.CharField(_("单位类型"), max_length=50)
    order = models.PositiveIntegerField(_("显示顺序"), default=0)
    points = models.DecimalField(_("得分"), **POINTS)
    reward = models.DecimalField(_("奖励金额(元)"), **MONEY)
    piece_count = models.PositiveIntegerField(_("计入稿件数"), default=0)
    # approved by the month's end, counted or not (a late or duplicate claim): the dashboard's monthly chart
    approved = models.PositiveIntegerField(_("已通过稿件数"), default=0)
    indicators = models.JSONField(_("指标完成"), default=list)

    class Meta:
        verbose_name = _("月末累计得分(存储)")
        verbose_name_plural = _("月末累计得分(存储)")
        constraints = [models.UniqueConstraint(fields=["year", "month", "unit"], name="stored_month_score_once")]

    def __str__(self):
        return f"{self.unit_name} {self.month}月 {self.points}"
