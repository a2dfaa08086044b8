"""The audit trail (等保2.0 安全审计): append-only rows, never edited or deleted by the application.

Users and units are copied into the row (id + name) instead of foreign keys, so deleting or
renaming a user never rewrites history and no ``ON DELETE`` can touch an audit row.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ROLE_CHANGE = "role_change", _("角色变更")
    USER_ACTIVE = "user_active", _("启用/停用账号")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    ACCESS_DENIED = "access_denied", _("越权访问")
    EXPORT = "export", _("导出审计日志")
    BACKUP = "backup", _("备份")
    RESTORE = "restore", _("恢复")
    PURGE = "purge", _("清理过期审计日志")
    NOT_FOUND = "out_of_scope", _("越权查看(404)")
    UPLOAD_REFUSED = "upload_refused", _("上传被拒")
    IMPORT_REFUSED = "import_refused", _("导入被拒")
    UNLOCK = "unlock", _("解锁账号")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


class AuditImmutableError(Exception):
    """Raised on any attempt to change or delete audit rows through the application."""


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Rows newer than this must be kept (等保: logs kept at least 6 months)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("审计日志不可修改。")

    def delete(self):
        raise AuditImmutableError("审计日志不可删除;过期日志只能用 purge_audit 命令清理。")

    def purge_older_than(self, cutoff: dt.datetime) -> int:
        """The one way rows leave the table: rows older than the retention period (purge_audit)."""
        if cutoff > retention_cutoff():
            raise AuditImmutableError(f"审计日志至少保留{settings.AUDIT_RETENTION_DAYS}天,不能清理更近的记录。")
        qs = self.model.objects.filter(at__lt=cutoff)
        count = qs.count()
        qs._raw_delete(qs.db)
        return count

    def search(
        self,
        *,
        user: str = "",
        action: str = "",
        model: str = "",
        outcome: str = "",
        since=None,
        until=None,
        text: str = "",
    ):
        qs = self
        if user:
            qs = qs.filter(models.Q(username__icontains=user) | models.Q(user_display__icontains=user))
        if action:
            qs = qs.filter(action=action)
        if model:
            qs = qs.filter(model=model)
        if outcome:
            qs = qs.filter(outcome=outcome)
        if since:
            qs = qs.filter(at__gte=since)
        if until:
            qs = qs.filter(at__lt=until)
        if text:
            q = (
                models.Q(object_repr__icontains=text)
                | models.Q(message__icontains=text)
                | models.Q(object_id=text)
                | models.Q(unit_name__icontains=text)
                | models.Q(username__icontains=text)
            )
            if _looks_like_ip(text):
                q |= models.Q(ip=text)
            qs = qs.filter(q)
        return qs


def _looks_like_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(_("用户ID"), null=True, blank=True, db_index=True)
    username = models.CharField(_("账号"), max_length=150, blank=True)
    user_display = models.CharField(_("姓名"), max_length=100, blank=True)
    unit_id = models.BigIntegerField(_("单位ID"), null=True, blank=True)
    unit_name = models.CharField(_("单位"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices, db_index=True)
    model = models.CharField(
        _("对象类型"), max_length=100, blank=True, db_index=True, help_text=_("如 publicity.piece")
    )
    model_name = models.CharField(_("对象类型名称"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(_("变更(原值→新值)"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["model", "object_id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="audit_outcome_valid"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {self.username or '系统'} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("审计日志不可修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("审计日志不可删除。")
