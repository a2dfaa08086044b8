"""Issue 11 item 11: what the audit trail did not record. Probes of objects outside the user's scope
(404), refused uploads and imports (kept although the refusing transaction rolls back), early
unlocks in the admin. (Idle sign-outs: tests/security/test_authentication.py.)"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent, Outcome
from publicity.models import Evidence, PieceStatus
from publicity.services import evidence_attach
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# ---- probing: another unit's object is a 404 and a record --------------------------------------


def test_probing_another_units_piece_and_evidence_is_recorded(client, users, units, make_piece):
    piece = make_piece(units["b"], "旬阳稿件", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    evidence = evidence_attach(
        actor=users["liaison_b"], publication=piece.publications.get(), upload=SimpleUploadedFile("a.png", _png())
    )
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:piece-detail", args=[piece.pk])).status_code == 404
    assert client.get(reverse("publicity:evidence", args=[evidence.pk])).status_code == 404
    first, second = _events(AuditAction.NOT_FOUND)
    assert (first.username, first.model, first.object_id, first.outcome) == (
        "liaison_a",
        "publicity.piece",
        str(piece.pk),
        Outcome.DENIED,
    )
    assert first.unit_name == units["a"].name and reverse("publicity:piece-detail", args=[piece.pk]) in first.message
    assert (second.model, second.object_id) == ("publicity.evidence", str(evidence.pk))


def test_a_missing_object_is_a_plain_404_not_a_probe(client, users):
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:piece-detail", args=[999999])).status_code == 404
    assert not _events(AuditAction.NOT_FOUND)


def test_ones_own_objects_leave_no_probe(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:piece-detail", args=[piece.pk])).status_code == 200
    assert not _events(AuditAction.NOT_FOUND)


# ---- refused uploads -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_is_recorded_although_its_transaction_rolls_back(reload_preset_after, client, users):
    # Transactional: the staging service refuses inside its own transaction, which really rolls back.
    client.force_login(users["liaison_a"])
    response = client.post(reverse("publicity:evidence-stage"), {"file": SimpleUploadedFile("x.png", HTML)})
    assert response.status_code == 400
    [event] = _events(AuditAction.UPLOAD_REFUSED)
    assert event.username == "liaison_a" and event.outcome == Outcome.DENIED and event.object_repr == "x.png"
    assert "文件内容不是" in event.message and f"{len(HTML)}字节" in event.message


def test_a_refused_upload_through_the_service_is_recorded(users, units, make_piece):
    from audit.recorder import keeping_refusals

    piece = make_piece(units["a"], "佐证", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    # What every request does (AuditContextMiddleware): the refusal is written once the service's
    # transaction is over, not inside it.
    with keeping_refusals(), pytest.raises(Exception, match="不予上传"):
        evidence_attach(
            actor=users["liaison_a"],
            publication=piece.publications.get(),
            upload=SimpleUploadedFile("a.png", _png() + HTML),
        )
    assert Evidence.objects.count() == 0
    [event] = _events(AuditAction.UPLOAD_REFUSED)
    assert "网页或脚本代码" in event.message


# ---- refused imports -----------------------------------------------------------------------------


def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_refused_import_file_is_recorded(tmp_path, kinds):
    path = tmp_path / "单位.xlsx"
    path.write_bytes(HTML)
    with pytest.raises(CommandError, match="无法读取该文件"):
        call_command("import_units", str(path))
    [event] = _events(AuditAction.IMPORT_REFUSED)
    assert event.object_repr == "单位.xlsx" and "无法读取该文件" in event.message and event.outcome == Outcome.DENIED


def test_an_import_with_row_errors_is_recorded_as_refused(tmp_path, kinds):
    path = tmp_path / "units.xlsx"
    path.write_bytes(_workbook([["单位名称", "单位类型"], ["汉滨区人社局", "没有这种类型"]]))
    with pytest.raises(CommandError):
        call_command("import_units", str(path), stdout=io.StringIO())
    [event] = _events(AuditAction.IMPORT_REFUSED)
    assert event.object_repr == "单位导入" and "没有这种类型" in event.message and "未写入任何数据" in event.message


def test_a_clean_import_records_no_refusal(tmp_path, kinds):
    path = tmp_path / "units.xlsx"
    path.write_bytes(_workbook([["单位名称", "单位类型"], ["汉滨区人社局", "县区人社局"]]))
    call_command("import_units", str(path), stdout=io.StringIO())
    assert not _events(AuditAction.IMPORT_REFUSED)


# ---- unlocks -----------------------------------------------------------------------------------


def test_an_early_unlock_in_the_admin_is_recorded(users, login_post):
    from axes.models import AccessAttempt

    for _ in range(5):
        login_post("liaison_a", "Wrong#pass1", c=Client())
    attempt = AccessAttempt.objects.get(username="liaison_a")
    admin = Client()
    admin.force_login(users["sysadmin"])
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    [event] = _events(AuditAction.UNLOCK)
    assert event.username == "sysadmin" and event.object_repr == "liaison_a"
    assert event.object_id == str(users["liaison_a"].pk) and "提前解锁" in event.message
    assert login_post("liaison_a", PASSWORD, c=Client()).status_code == 302


def test_unlocking_several_from_the_list_records_each(users, login_post):
    from axes.models import AccessAttempt

    for name in ("liaison_a", "liaison_b"):
        for _ in range(5):
            login_post(name, "Wrong#pass1", c=Client())
    admin = Client()
    admin.force_login(users["sysadmin"])
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert sorted(e.object_repr for e in _events(AuditAction.UNLOCK)) == ["liaison_a", "liaison_b"]
