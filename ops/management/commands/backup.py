from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditAction
from audit.recorder import record
from ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库(可移植的JSON)和全部上传文件到一个 .tar.gz,内含 SHA-256 清单。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="备份文件路径,默认 backup-YYYYMMDD-HHMMSS.tar.gz")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        # Recorded first, so the archive holds the record of its own making.
        record(AuditAction.BACKUP, message=f"备份到 {path.name}")
        try:
            manifest = create_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"已备份:{path}({rows} 行数据,{len(manifest['files'])} 个上传文件)")
