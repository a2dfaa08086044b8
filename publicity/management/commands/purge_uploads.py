"""Delete uploads left behind by a step that never came (a piece form's staged proof never saved, an
allocation table previewed in the console but never confirmed). Run daily from cron."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from publicity.services import purge_leftover_uploads


class Command(BaseCommand):
    help = "删除超过保留时间(默认24小时)仍未保存的预上传佐证和未确认导入的任务分解表"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="保留多少小时(默认24,至少1)")
        parser.add_argument("--dry-run", action="store_true", help="只列出数量,不删除")

    def handle(self, *args, hours, dry_run, **options):
        if hours < 1:
            raise CommandError("--hours 至少为1:刚上传、正在填写的表单还要用这些文件。")
        staged, tables = purge_leftover_uploads(keep=dt.timedelta(hours=hours), dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb}超过{hours}小时未保存的预上传佐证{staged}份、未确认导入的任务分解表{tables}份。")
