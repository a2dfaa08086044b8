"""backup → restore round trip: row counts and file hashes identical; tampered archives refused."""

import hashlib
import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEvent
from ops.backup import backed_up_models, row_counts
from publicity.models import Evidence, Piece, PieceStatus
from tests.conftest import PASSWORD
from units.models import User

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _hashes(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def data(make_piece, units, users, settings):
    for i in range(3):
        make_piece(units["a"], f"汉滨稿件{i}", [("安康日报", "2011-03-05"), ("人民网", "2011-03-06")])
    piece = make_piece(units["b"], "旬阳稿件", [("陕西日报", "2011-04-01")], status=PieceStatus.SUBMITTED)
    for n, body in enumerate((PNG, b"%PDF-1.4\n%%EOF\n")):
        Evidence.objects.create(
            publication=piece.publications.first(),
            file=ContentFile(body, name=f"f{n}"),
            original_name=f"剪报{n}.png",
            content_type="image/png" if n == 0 else "application/pdf",
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
    return settings.MEDIA_ROOT


def test_round_trip_restores_every_row_and_file(reload_preset_after, transactional_db, data, tmp_path):
    # Transactional: restore flushes the database, as on a real server, with no outer transaction.
    media = data
    archive = tmp_path / "b.tar.gz"
    out = io.StringIO()
    call_command("backup", "-o", str(archive), stdout=out)
    assert "已备份" in out.getvalue()
    counts, files = row_counts(), _hashes(media)
    assert counts["publicity.piece"] == 4 and counts["publicity.evidence"] == 2 and counts["units.user"] == 12
    assert len(files) == 2
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # Disaster: the uploads are lost and the database is replaced by one that has nothing.
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--force", stdout=io.StringIO())

    restored = row_counts()
    restore_events = 1  # the restore records itself
    assert {k: v for k, v in restored.items() if k != "audit.auditevent"} == {
        k: v for k, v in counts.items() if k != "audit.auditevent"
    }
    assert restored["audit.auditevent"] == counts["audit.auditevent"] + restore_events
    assert _hashes(media) == files
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP).exists()  # carried in the archive
    assert AuditEvent.objects.order_by("-id").first().action == AuditAction.RESTORE
    # Records and logins work as before.
    assert Piece.objects.filter(title="旬阳稿件").get().authors.get().name == "张三"
    assert User.objects.get(username="liaison_a").check_password(PASSWORD)
    evidence = Evidence.objects.order_by("id").first()
    assert hashlib.sha256(evidence.file.open("rb").read()).hexdigest() == evidence.sha256


def test_manifest_lists_every_model_and_file(data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        data_json = tar.extractfile("data.json").read()
    assert set(manifest["counts"]) == {m._meta.label_lower for m in backed_up_models()}
    assert manifest["data"]["sha256"] == hashlib.sha256(data_json).hexdigest()
    assert len(manifest["files"]) == 2 and all(name.startswith("media/evidence/") for name in manifest["files"])


def _rewrite(archive, target, change):
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    with tarfile.open(target, "w:gz") as tar:
        for member, body in members:
            body, member = change(member, body)
            if body is not None:
                member.size = len(body)
                tar.addfile(member, io.BytesIO(body))


def test_tampered_archives_are_refused_before_anything_is_touched(data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    before = row_counts()

    def flip_file(member, body):
        return (body + b"x", member) if member.name.startswith("media/") else (body, member)

    def flip_data(member, body):
        return (
            (body.replace("张三".encode(), "李四".encode()), member) if member.name == "data.json" else (body, member)
        )

    def traversal(member, body):
        if member.name.startswith("media/"):
            member.name = "../../etc/evil"
        return body, member

    for name, change, message in (
        ("file", flip_file, "SHA-256 与清单不符"),
        ("data", flip_data, "data.json 的 SHA-256"),
        ("trav", traversal, "不安全的条目"),
    ):
        bad = tmp_path / f"{name}.tar.gz"
        _rewrite(archive, bad, change)
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(bad), "--force")
    assert row_counts() == before
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="无法读取备份文件"):
        call_command("restore", str(junk))


# ---- the audit trail through a restore: append-only (issue 11 item 11) ----------------------------


def _audit_ids():
    return set(AuditEvent.objects.values_list("pk", flat=True))


def _wipe_audit_table():
    """What a new, empty server has: no audit rows (tests only; the application cannot do this)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE audit_auditevent" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent"
        )


def test_restore_keeps_the_live_audit_trail_and_records_what_it_restored(
    reload_preset_after, transactional_db, data, tmp_path, users
):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    in_backup = _audit_ids()
    # After the backup, life goes on: a piece is deleted and a sign-in is recorded.
    Piece.objects.filter(title="旬阳稿件").first().publications.first().evidence.all().delete()
    from audit.recorder import record

    later = record(AuditAction.LOGIN, user=users["liaison_a"])
    before = list(AuditEvent.objects.order_by("pk").values())

    out = io.StringIO()
    call_command("restore", str(archive), "--force", stdout=out)
    # Every live row is still there, unchanged; the restore added only its own record.
    after = list(AuditEvent.objects.order_by("pk").values())
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert AuditEvent.objects.filter(pk=later.pk).exists()
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == AuditAction.RESTORE
    assert f"备份中 {len(in_backup)} 条,已存在且一致 {len(in_backup)} 条,追加 0 条" in event.message
    assert event.changes["audit"] == {"in_backup": len(in_backup), "already_present": len(in_backup), "appended": 0}
    assert event.changes["counts"]["publicity.piece"] == 4
    assert "审计日志只追加不改写" in out.getvalue()
    assert Evidence.objects.count() == 2  # the business data is the backup's


def test_restore_on_a_server_without_audit_rows_appends_the_backups(
    reload_preset_after, transactional_db, data, tmp_path
):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    in_backup = _audit_ids()
    _wipe_audit_table()
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert in_backup < _audit_ids()
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == AuditAction.RESTORE and event.pk > max(in_backup)  # the id sequence moved on
    assert event.changes["audit"]["appended"] == len(in_backup)


def test_a_backup_whose_audit_rows_differ_from_the_live_ones_is_refused(
    reload_preset_after, transactional_db, data, tmp_path
):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    target = AuditEvent.objects.filter(action=AuditAction.CREATE).order_by("pk").first()

    def rewrite_history(member, body):
        # A consistent archive (hash fixed in the manifest) whose audit row says something else.
        if member.name == "data.json":
            rows = json.loads(body)
            for row in rows:
                if row["model"] == "audit.auditevent" and row["pk"] == target.pk:
                    row["fields"]["username"] = "somebody_else"
            body = json.dumps(rows, ensure_ascii=False).encode()
            rewrite_history.sha = hashlib.sha256(body).hexdigest()
        return body, member

    def fix_manifest(member, body):
        if member.name == "manifest.json":
            manifest = json.loads(body)
            manifest["data"]["sha256"] = rewrite_history.sha
            body = json.dumps(manifest, ensure_ascii=False).encode()
        return body, member

    step = tmp_path / "step.tar.gz"
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, step, rewrite_history)
    _rewrite(step, bad, fix_manifest)
    before_counts, before_audit = row_counts(), list(AuditEvent.objects.order_by("pk").values())
    with pytest.raises(CommandError, match="审计日志与现有记录内容不同.*已拒绝"):
        call_command("restore", str(bad), "--force")
    assert row_counts() == before_counts
    assert list(AuditEvent.objects.order_by("pk").values()) == before_audit
