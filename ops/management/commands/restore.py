from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction
from audit.recorder import record
from ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的备份恢复数据库和上传文件(先校验全部 SHA-256;数据库须为空,或加 --force 清空)。"
        "审计日志不清空、不改写:备份中缺少的记录追加,与现有记录不一致的备份拒绝恢复。"
    )

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
        audit = manifest["audit"]
        rows = sum(n for label, n in manifest["counts"].items() if label != "audit.auditevent")
        tables = sum(1 for label, n in manifest["counts"].items() if n and label != "audit.auditevent")
        summary = (
            f"从 {path.name}(备份于 {manifest['created_at']})恢复:{tables} 张表 {rows} 行数据,"
            f"{len(manifest['files'])} 个上传文件;审计日志只追加不改写:备份中 {audit['in_backup']} 条,"
            f"已存在且一致 {audit['already_present']} 条,追加 {audit['appended']} 条,现有记录全部保留"
        )
        record(
            AuditAction.RESTORE,
            message=summary,
            changes={"counts": manifest["counts"], "files": len(manifest["files"]), "audit": audit},
        )
        self.stdout.write(f"已恢复:{summary}。全部校验一致。")
