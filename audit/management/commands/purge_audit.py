import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent, retention_cutoff
from audit.recorder import record


class Command(BaseCommand):
    help = "清理早于指定日期的审计日志;保存期不少于185天,更近的记录一律拒绝清理。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="日期 YYYY-MM-DD:清理该日零时(北京时间)之前的记录")

    def handle(self, *args, before, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(f"日期“{before}”格式不正确,应为 YYYY-MM-DD。") from exc
        cutoff = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        earliest_allowed = timezone.localtime(retention_cutoff()).date()
        if cutoff > retention_cutoff():
            raise CommandError(
                f"拒绝清理:审计日志至少保留{settings.AUDIT_RETENTION_DAYS}天,"
                f"--before 不能晚于 {earliest_allowed:%Y-%m-%d}(您给的是 {day:%Y-%m-%d})。"
            )
        deleted = AuditEvent.objects.purge_older_than(cutoff)
        record(AuditAction.PURGE, message=f"清理 {day:%Y-%m-%d} 之前的审计日志 {deleted} 条")
        self.stdout.write(f"已清理 {day:%Y-%m-%d} 之前的审计日志 {deleted} 条。")
