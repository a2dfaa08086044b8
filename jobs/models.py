"""Long work done by the background worker, as people see it: what, whose, how far, the file.

The queue itself is django-tasks (``django_tasks_db`` in the database); a ``Job`` is the visible side
of one task run: its owner, progress (done/total and a Chinese message), the result file in private
storage (never a public URL; downloaded through an access-checked view) and, on failure, an error
text in Chinese that names what to fix.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


def result_path(instance, filename):
    # Server-generated name (like evidence): the download name is kept in ``result_name``.
    return f"jobs/{instance.created_at:%Y}/{uuid.uuid4().hex}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is seen by its owner and by the bureau admin; nobody else (others get a 404)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_bureau_admin:
            return self
        return self.filter(owner=user)


class Job(models.Model):
    kind = models.CharField(_("任务类型"), max_length=40)
    title = models.CharField(_("任务名称"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("发起人")
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    result = models.FileField(_("结果文件"), upload_to=result_path, max_length=200, blank=True)
    result_name = models.CharField(_("文件名"), max_length=200, blank=True)
    result_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(condition=~Q(status=JobStatus.FAILED) | ~Q(error=""), name="failed_job_has_error"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")), name="job_done_le_total"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def has_file(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.result)
