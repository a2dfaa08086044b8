"""Backup and restore: the database as portable JSON (dumpdata, natural keys: SQLite ↔ PostgreSQL)
plus every uploaded file, in one .tar.gz with a manifest of SHA-256s and row counts.

Archive layout::

    manifest.json   {"format": 1, "created_at", "database": vendor, "data": {"name", "sha256"},
                     "counts": {"app.model": rows}, "files": {"media/…": sha256}}
    data.json       dumpdata output
    media/…         MEDIA_ROOT, same relative paths
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from audit.recorder import suspended

FORMAT = 1
# Not backed up: rebuilt by migrate (contenttypes, permissions), or transient (sessions, live lockout counters).
EXCLUDED = ["contenttypes", "auth.permission", "sessions.session", "axes.accessattempt"]


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backed_up_models():
    excluded_apps = {e for e in EXCLUDED if "." not in e}
    excluded_models = {e for e in EXCLUDED if "." in e}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded_apps or label in excluded_models or model._meta.proxy:
            continue
        if not model._meta.managed:
            continue
        yield model


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def media_files(root: Path) -> dict[str, Path]:
    files = {}
    if root.exists():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[str(PurePosixPath("media") / path.relative_to(root).as_posix())] = path
    return files


def create_backup(output: Path) -> dict:
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / "data.json"
        # One snapshot: dump and count inside the same transaction (repeatable on PostgreSQL).
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                # Content types by natural key (their ids differ between databases); every other
                # row keeps its primary key, so ids copied into audit rows still point at the same rows.
                natural_foreign=True,
                output=str(data_path),
                verbosity=0,
            )
            counts = row_counts()
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "data": {"name": "data.json", "sha256": sha256_file(data_path)},
            "counts": counts,
            "files": {name: sha256_file(path) for name, path in files.items()},
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(data_path, arcname="data.json")
            for name, path in files.items():
                tar.add(path, arcname=name)
        os.replace(partial, output)
        os.chmod(output, 0o600)  # the archive holds every account's password hash
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\x00" not in name


def read_archive(archive: Path, workdir: Path) -> dict:
    """Unpack into ``workdir`` after checking every member, then verify every hash."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"无法读取备份文件:{exc}") from exc
    with tar:
        members = tar.getmembers()
        names = {m.name for m in members}
        if "manifest.json" not in names or "data.json" not in names:
            raise BackupError("备份文件缺少 manifest.json 或 data.json,不是本系统的备份。")
        for member in members:
            if not _safe_member(member.name) or not (member.isfile() or member.isdir()):
                raise BackupError(f"备份文件含有不安全的条目:{member.name!r}")
            if (
                member.isfile()
                and member.name not in ("manifest.json", "data.json")
                and not member.name.startswith("media/")
            ):
                raise BackupError(f"备份文件含有未知条目:{member.name!r}")
        tar.extractall(workdir, filter="data")
    manifest = json.loads((workdir / "manifest.json").read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式版本:{manifest.get('format')!r}")
    if sha256_file(workdir / "data.json") != manifest["data"]["sha256"]:
        raise BackupError("data.json 的 SHA-256 与清单不符,备份文件已损坏或被篡改。")
    packed = {n for n in names if n.startswith("media/") and (workdir / n).is_file()}
    if packed != set(manifest["files"]):
        raise BackupError("备份中的文件与清单不一致。")
    for name, digest in manifest["files"].items():
        if sha256_file(workdir / name) != digest:
            raise BackupError(f"文件 {name} 的 SHA-256 与清单不符。")
    return manifest


AUDIT_LABEL = "audit.auditevent"
# Kept through a restore: the audit trail (append-only, below), and what migrate builds.
KEPT_TABLES = {"audit_auditevent", "django_content_type", "auth_permission"}


def database_is_empty() -> bool:
    """No business data (the audit trail does not count: a restore keeps it and only appends)."""
    return not any(count for label, count in row_counts().items() if label != AUDIT_LABEL)


def _flush_all_but_kept() -> None:
    """Empty every table except the audit trail (and the content types/permissions migrate made)."""
    from django.core.management.color import no_style

    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in KEPT_TABLES]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _audit_plan(rows: list[dict]) -> tuple[list[dict], int]:
    """The backup's audit rows not yet in the database, and how many it has that are. A backup row
    whose id exists with other content would rewrite the trail: BackupError, nothing is touched."""
    from django.core import serializers

    from audit.models import AuditEvent

    by_pk = {row["pk"]: row for row in rows}
    live = {}
    pks = sorted(by_pk)
    for i in range(0, len(pks), 500):
        batch = AuditEvent.objects.filter(pk__in=pks[i : i + 500]).order_by("pk")
        for row in json.loads(serializers.serialize("json", batch)):
            live[row["pk"]] = row
    differing = [pk for pk, row in live.items() if _comparable(row) != _comparable(by_pk[pk])]
    if differing:
        shown = "、".join(str(pk) for pk in sorted(differing)[:10])
        raise BackupError(
            f"备份中有{len(differing)}条审计日志与现有记录内容不同(编号 {shown}"
            f"{'……' if len(differing) > 10 else ''}),恢复会改写审计日志,已拒绝。"
            "请确认备份来自本系统,或在空数据库上恢复。"
        )
    return [row for pk, row in by_pk.items() if pk not in live], len(live)


def _comparable(row: dict) -> dict:
    """A serialised audit row with values as they compare across databases (time to the second
    in UTC, JSON as parsed)."""
    fields = dict(row["fields"])
    at = fields.get("at")
    if at:
        fields["at"] = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(dt.UTC).replace(microsecond=0)
    return fields


def _append_audit(rows: list[dict]) -> None:
    from django.core import serializers
    from django.core.management.color import no_style

    from audit.models import AuditEvent

    objects = [d.object for d in serializers.deserialize("json", json.dumps(rows))]
    AuditEvent.objects.bulk_create(objects, batch_size=500)
    with connection.cursor() as cursor:  # ids were given: the next new row must not collide
        for sql in connection.ops.sequence_reset_sql(no_style(), [AuditEvent]):
            cursor.execute(sql)


def restore_backup(archive: Path, *, force: bool = False) -> dict:
    """Restore the archive. Business tables are replaced; the audit trail is **not**: its rows stay,
    the backup's rows that are missing are appended (same ids), and a backup whose audit row differs
    from the live row of the same id is refused before anything is touched. The manifest returned
    carries ``audit`` = {"in_backup", "already_present", "appended"} for the restore's own record."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = read_archive(archive, workdir)
        unknown = set(manifest["counts"]) - {m._meta.label_lower for m in backed_up_models()}
        if unknown:
            raise BackupError(f"备份含有本版本没有的数据表:{'、'.join(sorted(unknown))};请先升级程序并执行 migrate。")
        rows = json.loads((workdir / "data.json").read_text("utf-8"))
        audit_rows = [r for r in rows if r["model"] == AUDIT_LABEL]
        (workdir / "data.json").write_text(
            json.dumps([r for r in rows if r["model"] != AUDIT_LABEL], ensure_ascii=False), "utf-8"
        )
        missing, present = _audit_plan(audit_rows)  # refuses a rewriting backup before the flush
        if not database_is_empty():
            if not force:
                raise BackupError("数据库不是空的。恢复会清空现有数据(审计日志保留),确认无误请加 --force。")
            _flush_all_but_kept()
        with transaction.atomic(), suspended():
            call_command("loaddata", str(workdir / "data.json"), verbosity=0)
            _append_audit(missing)
            counts = row_counts()
            wrong = {
                k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v and k != AUDIT_LABEL
            }
            if counts.get(AUDIT_LABEL, 0) < manifest["counts"].get(AUDIT_LABEL, 0):
                wrong[AUDIT_LABEL] = (manifest["counts"][AUDIT_LABEL], counts.get(AUDIT_LABEL, 0))
            if wrong:
                details = "、".join(f"{k} 应为{want}行,实际{got}行" for k, (want, got) in sorted(wrong.items()))
                raise BackupError(f"恢复后行数与备份不一致,已回滚:{details}")
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        for name, digest in manifest["files"].items():
            target = media_root / PurePosixPath(name).relative_to("media")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(workdir / name, target)
            if sha256_file(target) != digest:
                raise BackupError(f"文件 {name} 恢复后校验失败。")
    manifest["audit"] = {"in_backup": len(audit_rows), "already_present": present, "appended": len(missing)}
    return manifest
