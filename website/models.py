"""Bureau-website submissions (局网站信息发布, DOMAIN §9, seed 004 §2).

A unit drafts an item for the bureau's own website; its head signs it off (in the app, or the unit
uploads the signed original / fax scan instead); a 重大事项 also needs the deputy director in charge
(分管领导); the website editor publishes it with its URL, which records a publication in the bureau's
own website outlet on a piece of the unit, so it counts and is rewarded like any other piece.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from publicity.models import AssessmentYear, Piece, PieceKind, Publication
from units.models import Unit, split_list

# A year without its own WebsiteRule row waits this many days for each sign-off and for publishing.
DEFAULT_WAIT_DAYS = 3


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    HEAD = "head", _("待负责人签发")
    DEPUTY = "deputy", _("待分管领导签发")
    EDITOR = "editor", _("待网站编辑发布")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("已退回")


WAITING = (ItemStatus.HEAD, ItemStatus.DEPUTY, ItemStatus.EDITOR)
EDITABLE = (ItemStatus.DRAFT, ItemStatus.RETURNED)


class SignoffMode(models.TextChoices):
    IN_APP = "in_app", _("本单位负责人在系统中签发")
    SCAN = "scan", _("上传领导签字原件或传真件")


class StepKind(models.TextChoices):
    SUBMIT = "submit", _("提交")
    HEAD = "head", _("负责人签发")
    SCAN = "scan", _("附领导签字原件")
    DEPUTY = "deputy", _("分管领导签发")
    PUBLISH = "publish", _("网站发布")
    RETURN = "return", _("退回")
    WITHDRAW = "withdraw", _("撤回")


class WebsiteRule(models.Model):
    """How long each step may wait in a year (shown as deadlines on people's home pages)."""

    year = models.OneToOneField(
        AssessmentYear, on_delete=models.CASCADE, related_name="website_rule", verbose_name=_("年度")
    )
    signoff_days = models.PositiveSmallIntegerField(
        _("签发时限(天)"), default=DEFAULT_WAIT_DAYS, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    publish_days = models.PositiveSmallIntegerField(
        _("发布时限(天)"), default=DEFAULT_WAIT_DAYS, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("局网站发布时限")
        verbose_name_plural = _("局网站发布时限")
        constraints = [
            models.CheckConstraint(
                condition=Q(signoff_days__gte=1, publish_days__gte=1), name="website_rule_days_positive"
            )
        ]

    def __str__(self):
        return _("%(year)s 局网站发布时限") % {"year": self.year}


class DeputyInCharge(models.Model):
    """The deputy director in charge of a unit in a year (分管领导): only they sign its 重大事项.
    A unit without a row may be signed by any user holding the deputy director role."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("分管领导")
    )

    class Meta:
        ordering = ["year", "unit"]
        verbose_name = _("分管领导")
        verbose_name_plural = _("分管领导(按年度、单位)")
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="one_deputy_per_unit_year")]

    def __str__(self):
        return f"{self.unit} · {self.user}"


class WebsiteItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau readers, the website editor and deputies read every unit's items; unit people their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_bureau_staff or user.is_website_editor or user.is_deputy_director:
            return self
        if user.unit_id and user.has_role("liaison", "unit_head"):
            return self.filter(unit_id=user.unit_id)
        return self.none()


def scan_path(instance, filename):
    import uuid

    return f"website/{instance.year.year}/{uuid.uuid4().hex}"


class WebsiteItem(models.Model):
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="website_items", verbose_name=_("年度")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="website_items", verbose_name=_("单位"))
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"), max_length=20000)
    authors = models.CharField(_("作者"), max_length=300)
    kind = models.CharField(_("稿件类型"), max_length=12, choices=PieceKind.choices, default=PieceKind.NEWS)
    is_major = models.BooleanField(_("重大事项"), default=False, help_text=_("须经分管领导签发"))
    signoff_mode = models.CharField(
        _("签发方式"), max_length=10, choices=SignoffMode.choices, default=SignoffMode.IN_APP
    )
    source_url = models.URLField(_("本单位网站原文链接"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    # The signed original or fax scan (SignoffMode.SCAN): checked like piece evidence, stored under a generated name.
    scan = models.FileField(_("签字原件"), upload_to=scan_path, max_length=200, blank=True)
    scan_name = models.CharField(_("原件文件名"), max_length=255, blank=True)
    scan_type = models.CharField(_("原件文件类型"), max_length=50, blank=True)
    scan_sha256 = models.CharField(_("原件SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # When the item entered its current waiting step (the wait shown on home pages is counted from here).
    waiting_since = models.DateTimeField(_("进入当前环节时间"), null=True, blank=True)
    head_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人签发人"),
    )
    head_signed_at = models.DateTimeField(_("负责人签发时间"), null=True, blank=True)
    deputy_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分管领导签发人"),
    )
    deputy_signed_at = models.DateTimeField(_("分管领导签发时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    url = models.URLField(_("局网站链接"), max_length=500, blank=True)
    piece = models.ForeignKey(
        Piece, on_delete=models.SET_NULL, null=True, blank=True, related_name="website_items", verbose_name=_("稿件")
    )
    publication = models.OneToOneField(
        Publication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="website_item",
        verbose_name=_("刊发记录"),
    )

    objects = WebsiteItemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("局网站稿件")
        verbose_name_plural = _("局网站稿件")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="website_item_title_not_blank"),
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="website_item_status_valid"),
            models.CheckConstraint(
                condition=Q(signoff_mode__in=SignoffMode.values), name="website_item_signoff_mode_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ItemStatus.RETURNED) | ~Q(return_reason=""), name="returned_item_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=ItemStatus.PUBLISHED) | (~Q(url="") & Q(published_at__isnull=False)),
                name="published_item_has_url",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["unit", "status"])]

    def __str__(self):
        return self.title

    @property
    def author_list(self) -> list[str]:
        return split_list(self.authors)

    @property
    def characters(self) -> int:
        """Characters of the body without whitespace (the count the reward rules' minimum reads)."""
        return len("".join(self.body.split()))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE and not self.year.is_frozen


class WebsiteStep(models.Model):
    """One step of an item's way to the website: who did it, when, and why it was returned."""

    item = models.ForeignKey(WebsiteItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("稿件"))
    kind = models.CharField(_("环节"), max_length=10, choices=StepKind.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=ItemStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("原因/说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["item", "at", "id"]
        verbose_name = _("局网站稿件流转记录")
        verbose_name_plural = _("局网站稿件流转记录")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=StepKind.values), name="website_step_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=StepKind.RETURN) | ~Q(reason=""), name="website_return_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.get_kind_display()}"
