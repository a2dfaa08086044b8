import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from units.models import Unit, UnitKind, split_list
from units.validators import reject_control_chars

from .claims import normalise_title


class OutletLevel(models.Model):
    """中央/国家级 > 省级 > 市级 > 县级. ``rank``: higher is a higher level."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True, validators=[reject_control_chars])
    rank = models.PositiveSmallIntegerField(_("级别序号"), unique=True, help_text=_("数字越大级别越高"))

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("媒体级别")
        verbose_name_plural = _("媒体级别")

    def __str__(self):
        return self.name


class OutletCategory(models.Model):
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True, validators=[reject_control_chars])
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("媒体类别")
        verbose_name_plural = _("媒体类别")

    def __str__(self):
        return self.name


class Outlet(models.Model):
    name = models.CharField(_("媒体名称"), max_length=100, unique=True, validators=[reject_control_chars])
    aliases = models.CharField(
        _("别名"),
        max_length=300,
        blank=True,
        help_text=_("多个用顿号、逗号或空格分隔"),
        validators=[reject_control_chars],
    )
    domains = models.CharField(
        _("网站域名"),
        max_length=300,
        blank=True,
        help_text=_("如 people.com.cn,多个用逗号分隔"),
        validators=[reject_control_chars],
    )
    level = models.ForeignKey(OutletLevel, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("级别"))
    category = models.ForeignKey(
        OutletCategory, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("类别")
    )
    is_own_website = models.BooleanField(_("本局网站"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["-level__rank", "category__order", "order", "id"]
        verbose_name = _("媒体")
        verbose_name_plural = _("媒体")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="outlet_name_not_blank"),
            models.UniqueConstraint(
                fields=["is_own_website"], condition=Q(is_own_website=True), name="one_own_website"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return split_list(self.aliases)

    @property
    def domain_list(self) -> list[str]:
        return [d.lower() for d in split_list(self.domains)]


class Topic(models.Model):
    name = models.CharField(_("专题名称"), max_length=50, unique=True, validators=[reject_control_chars])
    aliases = models.CharField(_("别名"), max_length=200, blank=True, validators=[reject_control_chars])
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("专题")
        verbose_name_plural = _("专题")

    def __str__(self):
        return self.name


# The most pieces one indicator can ask of one unit in a year: far above any real quota (2011: 40), far
# below what the database column holds, so a typo of a few extra digits is refused, not saved.
TARGET_MAX = 10_000


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结账")
    PUBLISHED = "published", _("已发布")


class AssessmentYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=[MinValueValidator(2000)])
    title = models.CharField(_("标题"), max_length=100, blank=True, validators=[reject_control_chars])
    status = models.CharField(_("状态"), max_length=10, choices=YearStatus.choices, default=YearStatus.DRAFT)
    roster_due = models.DateField(_("联络员名单报送截止"), null=True, blank=True)
    issuing_office = models.CharField(_("发文单位"), max_length=100, blank=True, validators=[reject_control_chars])
    require_proof = models.BooleanField(
        _("提交须有佐证"),
        default=True,
        help_text=_("勾选后,每条刊发记录须有佐证文件或链接才能提交审核(2011年预设:是)"),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核年度")
        verbose_name_plural = _("考核年度")
        constraints = [models.CheckConstraint(condition=Q(year__gte=2000), name="year_sane")]

    def __str__(self):
        return _("%(year)s年度") % {"year": self.year}

    @property
    def is_frozen(self) -> bool:
        """A closed or published year accepts no change (DOMAIN §4)."""
        return self.status in (YearStatus.CLOSED, YearStatus.PUBLISHED)


class PieceKind(models.TextChoices):
    NEWS = "news", _("新闻稿件")
    RESEARCH = "research", _("调研文章")
    FEATURE = "feature", _("专题")
    INFO = "info", _("信息")
    EXPERIENCE = "experience", _("经验交流材料")


class PieceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class Placement(models.TextChoices):
    HEADLINE = "headline", _("头版头条")
    FRONT = "front", _("头版")
    OTHER = "other", _("其他版面")


class PieceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Pieces a user may read: bureau staff all, unit people their own unit's (DOMAIN §1)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_bureau_staff:
            return self
        if user.unit_id and user.has_role("liaison", "unit_head"):
            return self.filter(unit_id=user.unit_id)
        return self.none()

    def counted(self):
        return self.filter(status=PieceStatus.APPROVED)


class Piece(models.Model):
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, related_name="pieces", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pieces", verbose_name=_("单位"))
    title = models.CharField(_("标题"), max_length=300, validators=[reject_control_chars])
    kind = models.CharField(_("稿件类型"), max_length=12, choices=PieceKind.choices, default=PieceKind.NEWS)
    topics = models.ManyToManyField(Topic, blank=True, related_name="pieces", verbose_name=_("专题"))
    characters = models.PositiveIntegerField(_("字数"), default=0)
    report_date = models.DateField(
        _("报送日期"), null=True, blank=True, help_text=_("未刊发的调研文章以报送日期计入年度")
    )
    status = models.CharField(
        _("审核状态"), max_length=10, choices=PieceStatus.choices, default=PieceStatus.DRAFT, db_index=True
    )
    reject_reason = models.CharField(_("退回原因"), max_length=500, blank=True, validators=[reject_control_chars])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Derived (publicity.claims.normalise_title), for finding likely duplicates by index (publicity.duplicates).
    title_key = models.CharField(_("标题检索键"), max_length=300, blank=True, default="", editable=False, db_index=True)
    # Set by the first submission and never reset (a re-submission after a rejection keeps it): who
    # reported a publication first (以先报为准) and whether the report was late (DOMAIN §10).
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Raised by every change that goes through publicity.services (the piece, its authors, topics,
    # publications, evidence, its status). A review carries the version the reviewer was shown, so
    # an approval covers exactly what was seen (issue 11 item 1).
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PieceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("稿件")
        verbose_name_plural = _("稿件")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "title"], name="piece_unique_title_per_unit_year"),
            models.CheckConstraint(condition=~Q(title=""), name="piece_title_not_blank"),
            models.CheckConstraint(
                condition=~Q(status=PieceStatus.REJECTED) | ~Q(reject_reason=""), name="rejected_piece_has_reason"
            ),
            models.CheckConstraint(condition=Q(status__in=PieceStatus.values), name="piece_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=PieceKind.values), name="piece_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["year", "unit", "status"]),
            # The review queue's order (first submitted first): a page is read off the index, not sorted
            # out of a province's 20,000 waiting pieces.
            models.Index(fields=["year", "status", "submitted_at", "id"], name="piece_queue_order"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The search key follows the title through every door (forms, admin, imports); it decides nothing.
        self.title_key = normalise_title(self.title)[:300]
        if kwargs.get("update_fields") is not None and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "title_key"}
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == PieceStatus.APPROVED or self.year.is_frozen


class PieceAuthor(models.Model):
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="authors", verbose_name=_("稿件"))
    position = models.PositiveSmallIntegerField(_("署名顺序"))
    name = models.CharField(_("作者"), max_length=50, validators=[reject_control_chars])

    class Meta:
        ordering = ["piece", "position"]
        verbose_name = _("作者")
        verbose_name_plural = _("作者")
        constraints = [
            models.UniqueConstraint(fields=["piece", "position"], name="author_unique_position"),
            models.UniqueConstraint(fields=["piece", "name"], name="author_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="author_name_not_blank"),
        ]

    def __str__(self):
        return self.name


class PublicationQuerySet(models.QuerySet):
    def reviewed(self):
        """Publications that count: all but additions still waiting for review (补登待审)."""
        return self.filter(pending_review=False)


class Publication(models.Model):
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="publications", verbose_name=_("稿件"))
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="publications", verbose_name=_("媒体"))
    date = models.DateField(_("刊发日期"))
    placement = models.CharField(_("版面位置"), max_length=10, choices=Placement.choices, default=Placement.OTHER)
    page = models.CharField(_("版面/栏目"), max_length=100, blank=True, validators=[reject_control_chars])
    url = models.URLField(_("链接"), max_length=500, blank=True)
    # 补登刊发: a publication added to an approved piece waits for review. Until then it counts for
    # nothing (scoring reads reviewed publications only); the piece keeps counting as approved.
    pending_review = models.BooleanField(_("补登待审"), default=False, db_index=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("刊发记录")
        verbose_name_plural = _("刊发记录")
        constraints = [
            models.UniqueConstraint(fields=["piece", "outlet"], name="publication_once_per_outlet"),
            models.CheckConstraint(condition=Q(placement__in=Placement.values), name="publication_placement_valid"),
        ]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["url"]),
            # duplicate claims compare links lower-cased (claims.normalise_url): scoring.services.claim_context
            models.Index(Lower("url"), name="publication_url_lower"),
        ]

    def __str__(self):
        return f"{self.outlet} {self.date:%Y-%m-%d}"


def evidence_path(instance, filename):
    # Server-generated name: the uploader's file name never reaches the filesystem.
    import uuid

    return f"evidence/{instance.publication.piece.year.year}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("刊发记录")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "image/webp", "application/pdf"]),
                name="evidence_type_allowed",
            ),
        ]

    def __str__(self):
        return self.original_name or self.file.name


EVIDENCE_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"]


class ReadingStatus(models.TextChoices):
    PENDING = "pending", _("等待识别")
    DONE = "done", _("已识别")
    FAILED = "failed", _("识别失败")
    UNAVAILABLE = "unavailable", _("识别引擎不可用")


class EvidenceReading(models.Model):
    """What the proof reader (``proof``) saw in one file, keyed by the file's SHA-256: a file is read
    once however often it is uploaded, and evidence finds its reading by its ``sha256``. Written only
    by the background task (``publicity.tasks``); OCR never runs inside a web request."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    status = models.CharField(
        _("识别状态"), max_length=12, choices=ReadingStatus.choices, default=ReadingStatus.PENDING, db_index=True
    )
    engine = models.CharField(_("识别引擎"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=10, blank=True, help_text=_("ocr 或 pdf-text(PDF 文字层)"))
    text = models.TextField(_("识别出的文字"), blank=True)
    lines = models.JSONField(_("文字行及位置"), default=list, blank=True)
    fields = models.JSONField(_("识别出的信息"), default=dict, blank=True)
    signature = models.CharField(_("文字指纹"), max_length=400, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    seconds = models.FloatField(_("识别用时(秒)"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("识别时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("佐证识别结果")
        verbose_name_plural = _("佐证识别结果")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReadingStatus.values), name="reading_status_valid"),
        ]

    def __str__(self):
        return f"{self.sha256[:12]} {self.get_status_display()}"


def staged_evidence_path(instance, filename):
    return f"evidence/staged/{uuid.uuid4().hex}"


class StagedEvidence(models.Model):
    """A proof uploaded while a piece form is being filled in, before its publication exists: read in
    the background so the form can offer what it shows, then attached when the form is saved."""

    token = models.UUIDField(_("令牌"), default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("上传人")
    )
    file = models.FileField(_("文件"), upload_to=staged_evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("待保存的佐证材料")
        verbose_name_plural = _("待保存的佐证材料")
        constraints = [
            models.CheckConstraint(condition=Q(content_type__in=EVIDENCE_TYPES), name="staged_evidence_type_allowed"),
        ]

    def __str__(self):
        return self.original_name or self.file.name


class IndicatorMethod(models.TextChoices):
    QUOTA = "quota", _("任务数考核")
    PER_PIECE = "per_piece", _("按篇计分")


class Indicator(models.Model):
    """A quota line of a year for one unit kind (DOMAIN §5), with the criteria a piece must meet.

    ``method`` per_piece (DOMAIN §10): no target and no penalty; each counted piece scores its best
    publication's level points × category factor, summed per month up to ``monthly_cap`` and per year
    up to ``yearly_cap`` (points and factors are the ``level_points`` / ``category_factors`` rows)."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("年度")
    )
    unit_kind = models.ForeignKey(
        UnitKind, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("单位类型")
    )
    code = models.CharField(_("代码"), max_length=10, validators=[reject_control_chars])
    name = models.CharField(_("指标名称"), max_length=100, validators=[reject_control_chars])
    min_level = models.ForeignKey(
        OutletLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最低级别"),
        help_text=_("含本级(“以上”含本数)"),
    )
    max_level = models.ForeignKey(
        OutletLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("最高级别")
    )
    categories = models.ManyToManyField(OutletCategory, blank=True, related_name="+", verbose_name=_("媒体类别"))
    outlets = models.ManyToManyField(Outlet, blank=True, related_name="+", verbose_name=_("指定媒体"))
    kinds = models.JSONField(_("稿件类型"), default=list, blank=True, help_text=_("空表示不限"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("专题"))
    requires_publication = models.BooleanField(_("须已刊发"), default=True)
    counts_for_penalty = models.BooleanField(_("未完成扣分"), default=True)
    is_bonus_basis = models.BooleanField(_("加分基数"), default=False)
    default_target = models.PositiveIntegerField(
        _("默认任务数"),
        default=0,
        validators=[MaxValueValidator(TARGET_MAX, _("任务数太大:每项指标最多%(limit_value)s篇。"))],
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    method = models.CharField(
        _("考核方式"),
        max_length=10,
        choices=IndicatorMethod.choices,
        default=IndicatorMethod.QUOTA,
        help_text=_("按篇计分:不设任务数、不扣分,每篇按最高媒体级别计分(乘类别系数),按月、按年封顶"),
    )
    monthly_cap = models.DecimalField(
        _("每月积分上限"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("按篇计分时适用;空为不限")
    )
    yearly_cap = models.DecimalField(
        _("全年积分上限"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("按篇计分时适用;空为不限")
    )

    class Meta:
        ordering = ["year", "unit_kind__order", "order", "id"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit_kind", "code"], name="indicator_unique_code"),
            models.UniqueConstraint(
                fields=["year", "unit_kind"], condition=Q(is_bonus_basis=True), name="one_bonus_basis_per_kind"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="indicator_code_not_blank"),
            models.CheckConstraint(condition=Q(method__in=IndicatorMethod.values), name="indicator_method_valid"),
            # A per-piece indicator has no target and cannot be the quota bonus basis (DOMAIN §10).
            models.CheckConstraint(
                condition=Q(method=IndicatorMethod.QUOTA) | Q(is_bonus_basis=False, default_target=0),
                name="per_piece_indicator_no_target",
                violation_error_message=_("按篇计分的指标不设任务数(默认任务数填0),也不能作为加分基数。"),
            ),
            models.CheckConstraint(
                condition=(Q(monthly_cap__isnull=True) | Q(monthly_cap__gte=0))
                & (Q(yearly_cap__isnull=True) | Q(yearly_cap__gte=0)),
                name="indicator_caps_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}({self.unit_kind})"

    @property
    def is_per_piece(self) -> bool:
        return self.method == IndicatorMethod.PER_PIECE


class IndicatorLevelPoints(models.Model):
    """Points a per-piece indicator gives a piece whose best publication is at this level (DOMAIN §10)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="level_points", verbose_name=_("指标")
    )
    level = models.ForeignKey(OutletLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("媒体级别"))
    points = models.DecimalField(
        _("每篇积分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["indicator", "-level__rank"]
        verbose_name = _("按级别积分")
        verbose_name_plural = _("按级别积分")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="level_points_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="level_points_not_negative"),
        ]

    def __str__(self):
        return f"{self.level}: {self.points}"


class IndicatorCategoryFactor(models.Model):
    """A category's multiplier on per-piece points, e.g. websites × 0.5 (DOMAIN §10); unlisted categories × 1."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="category_factors", verbose_name=_("指标")
    )
    category = models.ForeignKey(OutletCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("媒体类别"))
    factor = models.DecimalField(
        _("系数"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["indicator", "category__order"]
        verbose_name = _("类别系数")
        verbose_name_plural = _("类别系数")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "category"], name="category_factor_once"),
            models.CheckConstraint(condition=Q(factor__gte=0), name="category_factor_not_negative"),
        ]

    def __str__(self):
        return f"{self.category} × {self.factor}"


class UnitTarget(models.Model):
    """A unit's target for one indicator (任务分解表); absent = the indicator's default."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("单位"))
    target = models.PositiveIntegerField(
        _("任务数"), validators=[MaxValueValidator(TARGET_MAX, _("任务数太大:每项指标最多%(limit_value)s篇。"))]
    )

    class Meta:
        ordering = ["unit", "indicator"]
        verbose_name = _("单位任务")
        verbose_name_plural = _("单位任务(任务分解表)")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="target_once_per_unit"),
            models.CheckConstraint(condition=Q(target__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.unit} {self.indicator.code}: {self.target}"

    def clean(self):
        # Scoring reads only the indicators of the unit's kind: a target for another kind's indicator
        # would be silently ignored. The database refuses it too (trigger, migration 0006).
        if self.unit_id and self.indicator_id and self.indicator.unit_kind_id != self.unit.kind_id:
            raise ValidationError(target_kind_error(self.unit, self.indicator))


def target_kind_error(unit: Unit, indicator: Indicator) -> str:
    return _("单位“%(unit)s”属于%(kind)s,没有指标“%(code)s %(name)s”(该指标属于%(other)s),不能为它设任务。") % {
        "unit": unit.name,
        "kind": unit.kind.name,
        "code": indicator.code,
        "name": indicator.name,
        "other": indicator.unit_kind.name,
    }


def refuse_kind_change_with_targets(unit: Unit, old_kind_id: int) -> None:
    """A unit whose kind changes keeps its targets for the old kind's indicators, which scoring would then
    silently ignore: refuse the change while an open (or draft) year holds such a target. A closed year's
    results stand in its snapshot, so its targets do not block. The database trigger of migration
    0011_unit_kind_change_guard refuses the same at every other door."""
    rows = list(
        UnitTarget.objects.filter(unit_id=unit.pk)
        .exclude(indicator__unit_kind_id=unit.kind_id)
        .exclude(indicator__year__status__in=[YearStatus.CLOSED, YearStatus.PUBLISHED])
        .order_by("indicator__year__year", "indicator__order", "indicator__code")
        .values_list("indicator__year__year", "indicator__code")
    )
    if rows:
        years = sorted({year for year, _code in rows})
        raise ValidationError(
            {
                "kind": _(
                    "该单位在%(years)s年度有%(n)s项按原类型下达的任务数(%(codes)s),改类型后这些任务不再计分。"
                    "请先在任务分解页把它们恢复默认,再改单位类型。"
                )
                % {
                    "years": "、".join(str(y) for y in years),
                    "n": len(rows),
                    "codes": "、".join(code for _year, code in rows[:10]) + ("…" if len(rows) > 10 else ""),
                }
            }
        )


class ReportCadence(models.TextChoices):
    MONTHLY = "monthly", _("每月报送上月")
    ANNUAL = "annual", _("年度一次报送")


class ReportingRule(models.Model):
    """When a unit kind reports its pieces (DOMAIN §8): data per year and unit kind."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="reporting_rules", verbose_name=_("年度")
    )
    unit_kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位类型"))
    cadence = models.CharField(_("报送方式"), max_length=10, choices=ReportCadence.choices)
    day = models.PositiveSmallIntegerField(_("截止日"), validators=[MinValueValidator(1)])
    month = models.PositiveSmallIntegerField(_("截止月份"), null=True, blank=True, help_text=_("年度报送时填写,如 12"))

    class Meta:
        verbose_name = _("报送规则")
        verbose_name_plural = _("报送规则")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit_kind"], name="one_reporting_rule_per_kind"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="reporting_day_valid"),
            models.CheckConstraint(
                condition=Q(cadence=ReportCadence.MONTHLY) | Q(month__isnull=False, month__gte=1, month__lte=12),
                name="annual_rule_has_month",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.unit_kind} {self.get_cadence_display()}"


class PeriodReport(models.Model):
    """A unit's filed report for a month (month 1–12) or a zero report (本月无稿件)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, related_name="reports", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("单位"))
    month = models.PositiveSmallIntegerField(_("月份"))
    is_zero = models.BooleanField(_("零报告"), default=False)
    piece_count = models.PositiveIntegerField(_("稿件数"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True, validators=[reject_control_chars])
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("报送人")
    )
    filed_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        ordering = ["year", "month", "unit"]
        verbose_name = _("月度报送")
        verbose_name_plural = _("月度报送")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "month"], name="one_report_per_unit_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_valid"),
            models.CheckConstraint(condition=Q(is_zero=False) | Q(piece_count=0), name="zero_report_has_no_pieces"),
        ]

    def __str__(self):
        return _("%(unit)s %(year)s年%(month)s月") % {"unit": self.unit, "year": self.year.year, "month": self.month}


class ReminderKind(models.TextChoices):
    """What a reminder is about; other workflows add their kinds here."""

    REPORT = "report", _("稿件报送")
    CAMPAIGN = "campaign", _("专题活动材料")
    FIGURE = "figure", _("报送数据")  # reported-figure tasks (发行征订): figures registers its overdue ones


class Reminder(models.Model):
    """A nudge to a unit about a task past its deadline: shown on the liaison's home, and e-mailed at most once
    per unit, kind and deadline (``publicity.reminders``)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("单位"))
    month = models.PositiveSmallIntegerField(_("月份"))
    kind = models.CharField(_("事项"), max_length=20, default=ReminderKind.REPORT, editable=False)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    message = models.CharField(_("提醒内容"), max_length=300, validators=[reject_control_chars])
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    emailed_to = models.CharField(_("邮件收件人"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("发送人")
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("催报提醒")
        verbose_name_plural = _("催报提醒")
        constraints = [
            # cron may run send_reminders every day: one e-mail per unit, kind and deadline, ever.
            models.UniqueConstraint(
                fields=["unit", "kind", "deadline"],
                condition=Q(emailed_at__isnull=False),
                name="reminder_emailed_once",
            ),
        ]

    def __str__(self):
        return _("%(unit)s %(month)s月") % {"unit": self.unit, "month": self.month}


class ReviewEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交审核")
    RESUBMITTED = "resubmitted", _("重新提交")
    WITHDRAWN = "withdrawn", _("撤回为草稿")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("退回")
    REVOKED = "revoked", _("撤销通过")
    CORRECTION_ADDED = "correction_added", _("补登刊发")
    CORRECTION_APPROVED = "correction_approved", _("补登通过")
    CORRECTION_REJECTED = "correction_rejected", _("补登退回")


class ReviewEvent(models.Model):
    """One step of a piece's review history (issue 11 item 4): who did what, when, and why.

    Written only by publicity.services, in the same transaction as the step itself."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="review_events", verbose_name=_("稿件"))
    kind = models.CharField(_("环节"), max_length=20, choices=ReviewEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True, validators=[reject_control_chars])
    detail = models.CharField(_("说明"), max_length=300, blank=True, validators=[reject_control_chars])
    version = models.PositiveIntegerField(_("稿件版本"), default=1)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReviewEventKind.values), name="review_event_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=["rejected", "revoked", "correction_rejected"]) | ~Q(reason=""),
                name="review_event_refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["piece", "at"])]

    def __str__(self):
        return f"{self.piece} {self.get_kind_display()}"


class RejectionReason(models.Model):
    """A common rejection reason the reviewer picks from (data: the bureau edits the list)."""

    text = models.CharField(_("退回原因"), max_length=200, unique=True, validators=[reject_control_chars])
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("常用退回原因")
        verbose_name_plural = _("常用退回原因")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="rejection_reason_not_blank")]

    def __str__(self):
        return self.text


class ImportTable(models.TextChoices):
    PIECES = "pieces", _("刊发新闻稿件统计表")
    UNITS = "units", _("单位名单")
    QUOTAS = "quotas", _("任务分解表")


class HeaderAlias(models.Model):
    """Another way offices head a column (稿件标题 for 标题, 撰稿人 for 作者): data the bureau extends."""

    table = models.CharField(_("表格"), max_length=10, choices=ImportTable.choices)
    column = models.CharField(_("标准列名"), max_length=30, help_text=_("导入说明中的列名,如 标题、作者、刊发日期"))
    word = models.CharField(_("表头写法"), max_length=50, help_text=_("表格里实际写的表头,如 稿件标题"))

    class Meta:
        ordering = ["table", "column", "word"]
        verbose_name = _("表头别名")
        verbose_name_plural = _("表头别名")
        constraints = [
            models.UniqueConstraint(fields=["table", "word"], name="header_alias_once_per_table"),
            models.CheckConstraint(condition=~Q(word="") & ~Q(column=""), name="header_alias_not_blank"),
        ]

    def __str__(self):
        return f"{self.word} → {self.column}"


class WordField(models.TextChoices):
    KIND = "kind", _("稿件类型")
    PLACEMENT = "placement", _("版面")


class WordAlias(models.Model):
    """Everyday wording of a kind or placement (消息 → 新闻稿件, 一版 → 头版): data the bureau edits."""

    field = models.CharField(_("列"), max_length=10, choices=WordField.choices)
    word = models.CharField(_("写法"), max_length=30)
    value = models.CharField(
        _("读作"),
        max_length=12,
        choices=[(_("稿件类型"), PieceKind.choices), (_("版面"), Placement.choices)],
        help_text=_("须与“列”相符:稿件类型的别名读作一种稿件类型,版面的别名读作一种版面位置"),
    )

    class Meta:
        ordering = ["field", "value", "word"]
        verbose_name = _("用语别名")
        verbose_name_plural = _("用语别名(稿件类型、版面)")
        constraints = [
            models.UniqueConstraint(fields=["field", "word"], name="word_alias_once_per_field"),
            models.CheckConstraint(
                condition=(Q(field="kind") & Q(value__in=PieceKind.values))
                | (Q(field="placement") & Q(value__in=Placement.values)),
                name="word_alias_value_valid",
            ),
        ]

    def __str__(self):
        choices = PieceKind if self.field == WordField.KIND else Placement
        label = dict(choices.choices).get(self.value, self.value)
        return f"{self.word} → {label}"
