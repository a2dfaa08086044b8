from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction
from audit.recorder import record
from ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 backup 命令生成的备份恢复数据库和上传文件(先校验全部 SHA-256;数据库须为空,或加 --force 清空)。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件 .tar.gz")
        parser.add_argument("--force", action="store_true", help="数据库已有数据时先清空再恢复")

    def handle(self, *args, archive, force=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"找不到备份文件:{path}")
        try:
            manifest = restore_backup(path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record(AuditAction.RESTORE, message=f"从 {path.name}(备份于 {manifest['created_at']})恢复")
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"已恢复:{rows} 行数据,{len(manifest['files'])} 个上传文件,全部校验一致。")
