"""Campaign tasks (专题宣传活动, DOMAIN §9, seeds 002 and 003).

The bureau sets up a themed campaign for a period, names the units taking part and what each must
upload — so many photos, videos and written summaries — by a deadline (seed 002: campaign 28 March –
7 April, photos and video due 9 April). Each unit's uploads are ``CampaignFile`` rows; whether a unit is
done, late or missing is computed from them (``campaigns.services.completion``), never stored.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from publicity.models import AssessmentYear
from units.models import Unit
from units.validators import reject_control_chars

MAX_COUNT = 50  # of one kind of deliverable per unit: more is a typo, not a campaign
POINTS = {"max_digits": 8, "decimal_places": 2}
MAX_POINTS = Decimal("100")  # a campaign item's full score: more is a typo (a year's full score is a few points)


class DeliverableKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    VIDEO = "video", _("视频")
    SUMMARY = "summary", _("书面总结")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau readers see every campaign; a unit's people only those their unit takes part in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_bureau_staff:
            return self
        if user.unit_id and user.has_role("liaison", "unit_head"):
            return self.filter(units=user.unit_id)
        return self.none()


class Campaign(models.Model):
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("年度"))
    title = models.CharField(_("活动名称"), max_length=200, validators=[reject_control_chars])
    theme = models.CharField(_("宣传主题"), max_length=200, blank=True, validators=[reject_control_chars])
    starts_on = models.DateField(_("活动开始日期"))
    ends_on = models.DateField(_("活动结束日期"))
    deadline = models.DateField(_("材料报送截止日期"))
    units = models.ManyToManyField(Unit, related_name="campaigns", verbose_name=_("参加单位"))
    # Scored as its own item of the year's score (data per campaign): each taking-part unit gets
    # max(floor, full − deduction × deliverables missing at the deadline) — scoring.rules.campaign_score.
    is_scored = models.BooleanField(_("计入考核得分"), default=False)
    full_score = models.DecimalField(
        _("单项满分"),
        **POINTS,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_POINTS)],
    )
    penalty_per_item = models.DecimalField(
        _("每缺一项扣分"),
        **POINTS,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_POINTS)],
        help_text=_("截止日期前每少报送一张照片、一段视频或一份总结扣的分"),
    )
    floor = models.DecimalField(
        _("最低得分"), **POINTS, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("专题宣传活动")
        verbose_name_plural = _("专题宣传活动")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="campaign_title_not_blank"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_in_order"),
            models.CheckConstraint(condition=Q(deadline__gte=F("starts_on")), name="campaign_deadline_after_start"),
            models.CheckConstraint(
                condition=Q(full_score__gte=0, penalty_per_item__gte=0, floor__gte=0),
                name="campaign_points_not_negative",
                violation_error_message=_("单项满分、每缺一项扣分和最低得分不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(floor__lte=F("full_score")),
                name="campaign_floor_below_full",
                violation_error_message=_("最低得分不能高于单项满分。"),
            ),
        ]
        indexes = [models.Index(fields=["year", "deadline"])]

    def __str__(self):
        return self.title


class Deliverable(models.Model):
    """What each taking-part unit must upload: ``count`` items of one kind."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("活动")
    )
    kind = models.CharField(_("材料类型"), max_length=10, choices=DeliverableKind.choices)
    count = models.PositiveSmallIntegerField(
        _("要求数量"), validators=[MinValueValidator(1), MaxValueValidator(MAX_COUNT)]
    )

    class Meta:
        ordering = ["campaign", "kind"]
        verbose_name = _("报送材料要求")
        verbose_name_plural = _("报送材料要求")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="one_deliverable_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=DeliverableKind.values), name="deliverable_kind_valid"),
            models.CheckConstraint(condition=Q(count__gte=1, count__lte=MAX_COUNT), name="deliverable_count_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} × {self.count}"


def file_path(instance, filename):
    # Generated names only: the uploader's file name is kept for display, never reaches the filesystem.
    return f"campaigns/{instance.campaign_id}/{uuid.uuid4().hex}"


class CampaignFile(models.Model):
    """One deliverable a unit sent: a photo, a video, a summary document, or a summary typed as text."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="files", verbose_name=_("活动"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_files", verbose_name=_("单位"))
    kind = models.CharField(_("材料类型"), max_length=10, choices=DeliverableKind.choices)
    file = models.FileField(_("文件"), upload_to=file_path, max_length=200, blank=True)
    name = models.CharField(_("文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小(字节)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    text = models.TextField(_("总结正文"), max_length=20000, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "unit", "kind", "uploaded_at", "id"]
        verbose_name = _("活动报送材料")
        verbose_name_plural = _("活动报送材料")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DeliverableKind.values), name="campaign_file_kind_valid"),
            # A row is a file or a typed summary, never neither; typed text is a summary only.
            models.CheckConstraint(
                condition=(~Q(file="") & Q(text="")) | (Q(file="") & ~Q(text="") & Q(kind=DeliverableKind.SUMMARY)),
                name="campaign_file_is_file_or_summary_text",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "unit", "kind"])]

    def __str__(self):
        return self.name or self.get_kind_display()

    @property
    def is_text(self) -> bool:
        return not self.file
