import re

from django.contrib.auth.models import AbstractUser, _user_has_module_perms, _user_has_perm
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import reject_control_chars

ALIAS_SPLIT = re.compile(r"[、，,;；\s]+")


def split_list(value: str) -> list[str]:
    """Split a list typed the way bureau tables type them: 、，, ; or spaces."""
    return [part for part in ALIAS_SPLIT.split(value or "") if part]


class UnitKind(models.Model):
    """A kind of unit (县区人社局, 机关科室, 局属单位 …): data, not code."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True, validators=[reject_control_chars])
    order = models.PositiveIntegerField(_("排序"), default=0)
    # Seed 004 §6: county bureaus and affiliated units may set their own reward schedule and fund it
    # (奖励资金自筹); the bureau's own departments are rewarded by the bureau only.
    funds_own_rewards = models.BooleanField(
        _("可自筹奖励"),
        default=False,
        help_text=_("勾选后,此类单位可以制定本单位的奖励标准(奖励资金自筹);不勾选的单位只按市局标准奖励。"),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("单位类型")
        verbose_name_plural = _("单位类型")

    def __str__(self):
        return self.name


# Checks that floors above register (publicity: targets given for the old kind's indicators), each
# called as check(unit, old_kind_id) by Unit.clean() when a saved unit's kind changes, and raising
# ValidationError({"kind": ...}) when it may not. units imports nothing of ours, so they come to it.
KIND_CHANGE_CHECKS: list = []


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    name = models.CharField(_("单位名称"), max_length=100, unique=True, validators=[reject_control_chars])
    aliases = models.CharField(
        _("简称/别名"),
        max_length=300,
        blank=True,
        help_text=_("多个用顿号、逗号或空格分隔,用于匹配导入表格"),
        validators=[reject_control_chars],
    )
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("单位类型"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级单位")
    )
    head_name = models.CharField(_("负责人"), max_length=50, blank=True, validators=[reject_control_chars])
    liaison_name = models.CharField(_("联络员"), max_length=50, blank=True, validators=[reject_control_chars])
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[reject_control_chars])
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind__order", "order", "id"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="unit_name_not_blank"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return split_list(self.aliases)

    def clean(self):
        super().clean()
        if self.pk and self.kind_id:
            old = Unit.objects.filter(pk=self.pk).values_list("kind_id", flat=True).first()
            if old is not None and old != self.kind_id:
                for check in KIND_CHANGE_CHECKS:
                    check(self, old)


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("市局管理员")
    REVIEWER = "reviewer", _("审核员")
    LIAISON = "liaison", _("单位联络员")
    UNIT_HEAD = "unit_head", _("单位负责人")
    LEADER = "leader", _("领导")
    WEBSITE_EDITOR = "website_editor", _("网站编辑")
    DEPUTY_DIRECTOR = "deputy_director", _("分管领导")
    AUDITOR = "auditor", _("审计管理员")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")


UNIT_ROLES = (Role.LIAISON, Role.UNIT_HEAD)


class User(AbstractUser):
    """A person who signs in. Roles are flags so one user may hold several (DOMAIN §1)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[reject_control_chars])
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属单位")
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[reject_control_chars])
    is_bureau_admin = models.BooleanField(_("市局管理员"), default=False)
    is_reviewer = models.BooleanField(_("审核员"), default=False)
    is_liaison = models.BooleanField(_("单位联络员"), default=False)
    is_unit_head = models.BooleanField(_("单位负责人"), default=False)
    is_leader = models.BooleanField(_("领导"), default=False)
    # Bureau-website submissions (DOMAIN §9, seed 004 §2): the editor publishes, the deputy signs 重大事项.
    is_website_editor = models.BooleanField(_("网站编辑"), default=False)
    is_deputy_director = models.BooleanField(_("分管领导"), default=False)
    is_auditor = models.BooleanField(_("审计管理员"), default=False)
    is_sysadmin = models.BooleanField(_("系统管理员"), default=False)
    is_secadmin = models.BooleanField(_("安全管理员"), default=False)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A liaison or unit head belongs to exactly one unit (DOMAIN §1).
            models.CheckConstraint(
                condition=Q(is_liaison=False, is_unit_head=False) | Q(unit__isnull=False),
                name="unit_role_needs_unit",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def roles(self) -> list[str]:
        return [role for role in Role.values if getattr(self, f"is_{role}")]

    def has_role(self, *roles: str) -> bool:
        return any(getattr(self, f"is_{role}") for role in roles)

    def has_perm(self, perm, obj=None):
        # 三员分立: rights come from role flags only (audit.backends.RoleBackend); unlike Django's
        # default, is_superuser is no master key to business data, role grants or the audit trail.
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        return self.is_active and _user_has_module_perms(self, app_label)

    @property
    def is_bureau_staff(self) -> bool:
        """Reads every unit's business data."""
        return self.is_bureau_admin or self.is_reviewer or self.is_leader
