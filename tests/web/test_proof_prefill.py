"""Pre-fill on the piece form: a proof uploaded before saving is read in the background and its
fields offered as suggestions (JSON the form polls); saving attaches the staged proof."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proof import engine
from proof.engine import Line
from publicity.models import Evidence, EvidenceReading, Piece, ReadingStatus, StagedEvidence

from .conftest import piece_post, png_bytes

STAGE = reverse("publicity:evidence-stage")
CREATE = reverse("publicity:piece-create")


class FakeOcr:
    name = "fake-ocr 1"

    def read_image(self, image):
        body = "本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动,组织各类招聘会二十余场,帮助农民工就业。"
        return [
            Line("安康日报", 300, 40, 240, 65),
            Line("2011年3月5日 星期六 第1版", 40, 120, 400, 30),
            Line("汉滨区举办春风行动招聘会", 60, 170, 620, 40),
            *[Line(body, 40, 240 + 36 * i, 650, 27) for i in range(3)],
        ]


@pytest.fixture
def fake_ocr():
    engine.set_engine(FakeOcr())
    yield
    engine.set_engine(None)


def stage(client, data=None, name="clip.png"):
    return client.post(STAGE, {"file": SimpleUploadedFile(name, data or png_bytes(30, 20))})


def test_stage_then_poll_offers_the_fields(client, users, fake_ocr, django_capture_on_commit_callbacks):
    client.force_login(users["liaison_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(client)
    assert response.status_code == 201
    body = response.json()
    staged = StagedEvidence.objects.get()
    assert body["token"] == str(staged.token) and body["name"] == "clip.png"
    assert body["reading_url"] == reverse("publicity:staged-reading", args=[staged.token])

    data = client.get(body["reading_url"]).json()
    assert data["status"] == "done"
    offered = {s["field"]: s["value"] for s in data["suggestions"]}
    assert offered == {
        "title": "汉滨区举办春风行动招聘会",
        "outlet": "安康日报",
        "date": "2011-03-05",
        "placement": "headline",
        "page": "第1版",
        "characters": 150,
    }
    texts = {s["field"]: s["text"] for s in data["suggestions"]}
    assert (
        texts["outlet"] == "安康日报(据报头)" and texts["date"] == "2011年3月5日" and texts["characters"] == "约 150 字"
    )


def test_while_waiting_and_when_nothing_could_be_read(client, users, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(users["liaison_a"])
    body = stage(client).json()  # no commit yet: the reading is not even queued
    assert client.get(body["reading_url"]).json()["status"] == "pending"
    engine.set_engine(None)
    monkeypatch.setenv("PROOF_OCR", "off")
    with django_capture_on_commit_callbacks(execute=True):
        body = stage(client, png_bytes(7, 7)).json()
    data = client.get(body["reading_url"]).json()
    assert data["status"] == ReadingStatus.UNAVAILABLE and data["suggestions"] == []
    assert "请手工填写" in data["status_text"]


def test_only_the_uploader_sees_the_reading(client, users, fake_ocr):
    client.force_login(users["liaison_a"])
    url = stage(client).json()["reading_url"]
    client.force_login(users["liaison_b"])
    assert client.get(url).status_code == 404
    client.force_login(users["reviewer"])
    assert client.get(url).status_code == 403


def test_stage_refuses_other_roles_and_bad_files(client, users):
    client.force_login(users["reviewer"])
    assert stage(client).status_code == 403
    client.force_login(users["liaison_a"])
    response = stage(client, b"GIF89a fake", "x.gif")
    assert response.status_code == 400 and "不是" in response.json()["error"]
    assert client.post(STAGE, {}).status_code == 400
    assert client.get(STAGE).status_code == 405
    assert not StagedEvidence.objects.exists()


def test_saving_the_form_attaches_the_staged_proof(client, users, fake_ocr, django_capture_on_commit_callbacks):
    client.force_login(users["liaison_a"])
    with django_capture_on_commit_callbacks(execute=True):
        token = stage(client).json()["token"]
    response = client.post(CREATE, piece_post(**{"pub-0-staged": token}))
    assert response.status_code == 302, response.content.decode()[:2000]
    ev = Evidence.objects.get()
    assert ev.publication.piece == Piece.objects.get() and ev.original_name == "clip.png"
    assert not StagedEvidence.objects.exists()
    assert EvidenceReading.objects.get(sha256=ev.sha256).status == ReadingStatus.DONE


def test_a_staged_proof_alone_makes_the_row_count(client, users, fake_ocr):
    client.force_login(users["liaison_a"])
    token = stage(client).json()["token"]
    response = client.post(
        CREATE, piece_post(**{"pub-0-outlet": "", "pub-0-date": "", "pub-0-page": "", "pub-0-staged": token})
    )
    assert response.status_code == 400
    assert "请填写媒体" in response.content.decode()
    assert StagedEvidence.objects.exists() and not Piece.objects.exists()


def test_someone_elses_or_an_expired_token_is_refused(client, users, fake_ocr):
    client.force_login(users["liaison_b"])
    token = stage(client).json()["token"]
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, piece_post(**{"pub-0-staged": token}))
    assert response.status_code == 400
    assert "佐证材料已失效" in response.content.decode()
    assert not Piece.objects.exists() and not Evidence.objects.exists()
    assert StagedEvidence.objects.filter(token=token).exists()  # still the other liaison's


def test_the_form_carries_the_upload_address(client, users):
    client.force_login(users["liaison_a"])
    page = client.get(CREATE).content.decode()
    assert f'data-stage-url="{STAGE}"' in page
    assert 'class="staged-input"' in page and 'class="proof-box"' in page


def test_leftover_uploads_are_purged_after_a_day(client, users, fake_ocr, settings):
    """A staged proof never saved and an allocation table previewed but never confirmed: after a day the form
    refuses the stale token, and purge_uploads deletes both files (a dry run only counts them)."""
    import datetime as dt
    import io
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    from publicity.services import QUOTA_UPLOAD_DIR

    client.force_login(users["liaison_a"])
    token = stage(client).json()["token"]
    staged = StagedEvidence.objects.get()
    table = default_storage.save(f"{QUOTA_UPLOAD_DIR}/1-{'a' * 32}.xlsx", ContentFile(b"x"))
    fresh_table = default_storage.save(f"{QUOTA_UPLOAD_DIR}/1-{'b' * 32}.xlsx", ContentFile(b"x"))
    old = timezone.now() - dt.timedelta(hours=25)
    StagedEvidence.objects.filter(pk=staged.pk).update(uploaded_at=old)
    os.utime(default_storage.path(table), (old.timestamp(), old.timestamp()))

    response = client.post(CREATE, piece_post(**{"pub-0-staged": token}))
    assert response.status_code == 400 and "佐证材料已失效" in response.content.decode()

    out = io.StringIO()
    call_command("purge_uploads", "--dry-run", stdout=out)
    assert "将删除超过24小时未保存的预上传佐证1份、未确认导入的任务分解表1份" in out.getvalue()
    assert StagedEvidence.objects.exists() and default_storage.exists(table)
    call_command("purge_uploads", stdout=io.StringIO())
    assert not StagedEvidence.objects.exists() and not default_storage.exists(staged.file.name)
    assert not default_storage.exists(table) and default_storage.exists(fresh_table)
