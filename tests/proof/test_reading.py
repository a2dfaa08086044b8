"""Stored readings: each uploaded file is read once in the background (the task), and a missing or
failing engine leaves the upload as it was. A fake engine stands in for OCR here (tests/proof/test_engine.py
covers the real one)."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from proof import engine
from proof.engine import Line
from publicity import services
from publicity.models import Evidence, EvidenceReading, PieceStatus, ReadingStatus, StagedEvidence
from publicity.proofs import read_stored
from tests.web.conftest import png_bytes


class CountingOcr:
    name = "counting-ocr 1"

    def __init__(self, lines=None, error=None):
        self.calls = 0
        self.error = error
        self.lines = lines or [
            Line("安康日报", 300, 40, 240, 65),
            Line("2011年3月5日 星期六 第1版", 40, 120, 400, 30),
            Line("我市人社系统扎实推进就业再就业工作", 60, 170, 620, 40),
            Line("本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动,组织各类招聘会二十余场。", 40, 240, 650, 27),
        ]

    def read_image(self, image):
        self.calls += 1
        if self.error:
            raise self.error
        return self.lines


@pytest.fixture
def ocr():
    fake = CountingOcr()
    engine.set_engine(fake)
    yield fake
    engine.set_engine(None)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def publication(units, make_piece):
    def make(unit=None, title="我市人社系统扎实推进就业再就业工作", outlet="安康日报"):
        piece = make_piece(unit or units["a"], title, [(outlet, "2011-03-05", "headline")], status=PieceStatus.DRAFT)
        return piece.publications.select_related("piece__year", "outlet").get()

    return make


def attach(pub, data, actor=None):
    return services.evidence_attach(actor=actor, publication=pub, upload=SimpleUploadedFile("clip.png", data))


def test_an_upload_is_read_after_it_commits(ocr, publication, django_capture_on_commit_callbacks):
    data = png_bytes(40, 30)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ev = attach(publication(), data)
    # Nothing is read inside the upload's transaction (a web request): only once it commits.
    assert ocr.calls == 0
    for callback in callbacks:
        callback()  # the immediate task backend of the tests runs the task here; the worker does in production
    reading = EvidenceReading.objects.get(sha256=ev.sha256)
    assert reading.status == ReadingStatus.DONE and ocr.calls == 1
    assert reading.engine == "counting-ocr 1" and reading.source == "ocr"
    assert reading.fields["outlet"] == "安康日报" and reading.fields["title"] == "我市人社系统扎实推进就业再就业工作"
    assert reading.fields["date"] == "2011-03-05" and reading.fields["placement"] == "headline"
    assert "本报讯" in reading.text and reading.lines[0]["text"] == "安康日报"
    assert len(reading.signature) == 24 * 16


def test_each_file_is_read_once(ocr, units, publication, django_capture_on_commit_callbacks):
    data = png_bytes(40, 30)
    with django_capture_on_commit_callbacks(execute=True):
        first = attach(publication(), data)
    with django_capture_on_commit_callbacks(execute=True):
        attach(publication(units["b"], title="另一单位的稿件"), data)  # the same file again
    assert read_stored(sha256=first.sha256, file_name=first.file.name) == ReadingStatus.DONE  # a retry
    assert ocr.calls == 1
    assert EvidenceReading.objects.filter(sha256=first.sha256).count() == 1


def test_no_engine_leaves_the_upload_as_today_then_stored_files_are_read(
    publication, monkeypatch, django_capture_on_commit_callbacks, capsys
):
    engine.set_engine(None)
    monkeypatch.setenv("PROOF_OCR", "off")
    with django_capture_on_commit_callbacks(execute=True):
        ev = attach(publication(), png_bytes(40, 30))
    assert Evidence.objects.filter(pk=ev.pk).exists() and hashlib.sha256(ev.file.read()).hexdigest() == ev.sha256
    reading = EvidenceReading.objects.get(sha256=ev.sha256)
    assert reading.status == ReadingStatus.UNAVAILABLE and "PROOF_OCR" in reading.error

    # The engine is installed later: the stored file is read by the command, once.
    monkeypatch.delenv("PROOF_OCR")
    fake = CountingOcr()
    engine.set_engine(fake)
    try:
        call_command("read_evidence", "--stored")
        call_command("read_evidence", "--stored")
    finally:
        engine.set_engine(None)
    assert fake.calls == 1
    assert EvidenceReading.objects.get(sha256=ev.sha256).status == ReadingStatus.DONE
    out = capsys.readouterr().out
    assert "待识别的佐证材料 1 个:已识别 1 个" in out and "没有需要识别的文件" in out


def test_an_engine_crash_is_recorded_and_not_retried(publication, django_capture_on_commit_callbacks):
    fake = CountingOcr(error=RuntimeError("onnx exploded"))
    engine.set_engine(fake)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ev = attach(publication(), png_bytes(40, 30))
        assert read_stored(sha256=ev.sha256, file_name=ev.file.name) == ReadingStatus.FAILED
    finally:
        engine.set_engine(None)
    reading = EvidenceReading.objects.get(sha256=ev.sha256)
    assert (reading.status, reading.error, fake.calls) == (ReadingStatus.FAILED, "识别出错:RuntimeError", 1)
    assert Evidence.objects.filter(pk=ev.pk).exists()


def test_a_file_that_changed_under_its_hash_is_not_trusted(ocr, publication):
    ev = attach(publication(), png_bytes(40, 30))
    other = hashlib.sha256(b"something else").hexdigest()
    assert read_stored(sha256=other, file_name=ev.file.name) == ReadingStatus.FAILED
    assert "SHA-256" in EvidenceReading.objects.get(sha256=other).error
    assert read_stored(sha256=ev.sha256, file_name="evidence/missing") == ReadingStatus.FAILED
    assert ocr.calls == 0


def test_a_queue_that_refuses_does_not_break_the_upload(publication, monkeypatch, django_capture_on_commit_callbacks):
    from publicity import tasks

    def refuse(**kwargs):
        raise RuntimeError("queue down")

    from types import SimpleNamespace

    monkeypatch.setattr(tasks, "read_evidence_file", SimpleNamespace(enqueue=refuse))
    with django_capture_on_commit_callbacks(execute=True):
        ev = attach(publication(), png_bytes(40, 30))
    assert Evidence.objects.filter(pk=ev.pk).exists()
    assert EvidenceReading.objects.get(sha256=ev.sha256).status == ReadingStatus.PENDING


# --- staged uploads (the piece form's pre-fill) ------------------------------------------------


def test_stage_then_attach_moves_the_file_and_keeps_the_reading(
    ocr, users, publication, django_capture_on_commit_callbacks
):
    data = png_bytes(40, 30)
    with django_capture_on_commit_callbacks(execute=True):
        staged = services.evidence_stage(actor=users["liaison_a"], upload=SimpleUploadedFile("手机照片.png", data))
    assert (staged.unit, staged.original_name, staged.content_type) == (
        users["liaison_a"].unit,
        "手机照片.png",
        "image/png",
    )
    assert EvidenceReading.objects.get(sha256=staged.sha256).status == ReadingStatus.DONE
    staged_name = staged.file.name

    pub = publication()
    with django_capture_on_commit_callbacks(execute=True):
        ev = services.evidence_attach_staged(actor=users["liaison_a"], publication=pub, staged=staged)
    # The file moved is the stored (re-encoded) one, its hash unchanged.
    assert hashlib.sha256(ev.file.read()).hexdigest() == ev.sha256 == staged.sha256
    assert ev.original_name == "手机照片.png"
    assert not StagedEvidence.objects.exists()
    assert not ev.file.storage.exists(staged_name)
    assert ocr.calls == 1  # read while staged, not again when attached


def test_staging_is_for_liaisons_and_checks_the_file(users):
    with pytest.raises(PermissionDenied):
        services.evidence_stage(actor=users["reviewer"], upload=SimpleUploadedFile("a.png", png_bytes()))
    with pytest.raises(ValidationError, match="不是"):
        services.evidence_stage(actor=users["liaison_a"], upload=SimpleUploadedFile("a.png", b"GIF89a not a proof"))
    assert not StagedEvidence.objects.exists()


def test_another_persons_staged_file_cannot_be_attached(ocr, users, publication):
    staged = services.evidence_stage(actor=users["liaison_b"], upload=SimpleUploadedFile("a.png", png_bytes()))
    with pytest.raises(ValidationError, match="已失效"):
        services.evidence_attach_staged(actor=users["liaison_a"], publication=publication(), staged=staged)
    assert StagedEvidence.objects.filter(pk=staged.pk).exists()


def test_day_old_staged_files_are_cleared_on_the_next_upload(ocr, users):
    import datetime as dt

    from django.utils import timezone

    old = services.evidence_stage(actor=users["liaison_a"], upload=SimpleUploadedFile("a.png", png_bytes()))
    StagedEvidence.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=2))
    services.evidence_stage(actor=users["liaison_a"], upload=SimpleUploadedFile("b.png", png_bytes(5, 5)))
    assert list(StagedEvidence.objects.values_list("original_name", flat=True)) == ["b.png"]


def test_admin_lists_readings_read_only_and_reads_a_failed_one_again(
    client, users, publication, django_capture_on_commit_callbacks, settings
):
    from django.urls import reverse

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    failing = CountingOcr(error=RuntimeError("boom"))
    engine.set_engine(failing)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ev = attach(publication(), png_bytes(40, 30))
        reading = EvidenceReading.objects.get(sha256=ev.sha256)
        assert reading.status == ReadingStatus.FAILED and "RuntimeError" in reading.error

        changelist = reverse("admin:publicity_evidencereading_changelist")
        client.force_login(users["reviewer"])  # may look, may not queue
        page = client.get(changelist).content.decode()
        assert ev.sha256[:16] in page and "识别失败" in page
        assert client.get(reverse("admin:publicity_evidencereading_add")).status_code == 403
        client.post(changelist, {"action": "read_again", "_selected_action": [reading.pk]})
        assert EvidenceReading.objects.get(pk=reading.pk).status == ReadingStatus.FAILED

        fixed = CountingOcr()
        engine.set_engine(fixed)
        client.force_login(users["bureau_admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(changelist, {"action": "read_again", "_selected_action": [reading.pk]}, follow=True)
        assert "已安排重新识别1份佐证" in response.content.decode()
        reading.refresh_from_db()
        assert reading.status == ReadingStatus.DONE and fixed.calls == 1 and reading.error == ""
        assert (
            "安康日报"
            in client.get(reverse("admin:publicity_evidencereading_change", args=[reading.pk])).content.decode()
        )
    finally:
        engine.set_engine(None)
