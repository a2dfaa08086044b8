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
