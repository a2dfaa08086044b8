"""The reviewer's check: per publication, does the proof agree with the claim (title, outlet, date,
page)? Flags on the piece page and in the queue, a filter for flagged pieces, the same for imported
pieces once evidence is attached, and the same proof on two units' pieces named to bureau staff only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proof import similar
from proof.fields import extract_text
from publicity import services
from publicity.models import EvidenceReading, PieceStatus, ReadingStatus
from publicity.proofs import outlet_catalogue

from .conftest import png_bytes

QUEUE = reverse("publicity:review-queue")
BODY = "本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动,组织各类招聘会二十余场,帮助农民工实现转移就业。"


def proof_text(title="我市人社系统扎实推进就业再就业工作", date="2011年3月5日 星期六", page="第1版", outlet="安康日报"):
    return f"{outlet}\n{date} {page}\n{title}\n{BODY}"


def attach_read(pub, text, data=None):
    """Evidence on ``pub`` whose reading (as the worker would store it) saw ``text``."""
    ev = services.evidence_attach(
        actor=None, publication=pub, upload=SimpleUploadedFile("clip.png", data or png_bytes(9, 9 + pub.pk % 50))
    )
    fields = extract_text(text, outlet_catalogue())
    EvidenceReading.objects.update_or_create(
        sha256=ev.sha256,
        defaults={
            "status": ReadingStatus.DONE,
            "text": text,
            "lines": [{"text": line} for line in text.splitlines()],
            "fields": fields.to_dict(),
            "signature": similar.signature(text),
            "engine": "test",
        },
    )
    return ev


@pytest.fixture
def submitted(units, make_piece):
    def make(title="我市人社系统扎实推进就业再就业工作", unit=None, pubs=(("安康日报", "2011-03-05", "headline"),)):
        piece = make_piece(unit or units["a"], title, list(pubs), status=PieceStatus.DRAFT)
        return piece

    def finish(piece):
        piece.status = PieceStatus.SUBMITTED
        piece.save()
        return piece

    make.finish = finish
    return make


def test_piece_page_shows_agreement_and_disagreement(client, users, submitted):
    piece = submitted()
    attach_read(piece.publications.get(), proof_text(date="2011年3月6日 星期日", page="第2版"))
    submitted.finish(piece)
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    assert "✓ 佐证中有该标题" in page
    assert "✓ 佐证显示媒体“安康日报”" in page
    assert "⚠ 佐证日期为2011-03-06" in page
    assert "⚠ 佐证版面为第2版" in page  # 头版头条 was claimed


def test_title_not_on_the_proof_is_flagged_and_its_unit_liaison_sees_it_too(client, users, submitted):
    piece = submitted()
    attach_read(piece.publications.get(), proof_text(title="全市社会保险扩面征缴工作会议召开"))
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    assert "⚠ 佐证中未找到该标题" in page


def test_unread_or_unreadable_proof_is_said_plainly(client, users, submitted):
    piece = submitted()
    pub = piece.publications.get()
    ev = services.evidence_attach(actor=None, publication=pub, upload=SimpleUploadedFile("a.png", png_bytes()))
    client.force_login(users["reviewer"])
    url = reverse("publicity:piece-detail", args=[piece.pk])
    assert "佐证正在自动识别" in client.get(url).content.decode()
    EvidenceReading.objects.create(sha256=ev.sha256, status=ReadingStatus.UNAVAILABLE)
    assert "佐证未能自动识别,请人工核对" in client.get(url).content.decode()


def test_queue_badges_and_the_flagged_filter(client, users, units, submitted):
    good = submitted("我市人社系统扎实推进就业再就业工作")
    attach_read(good.publications.get(), proof_text())
    bad = submitted("旬阳县农民工返乡创业培训班开班", unit=units["b"])
    attach_read(bad.publications.get(), proof_text(title="旬阳县农民工返乡创业培训班开班", outlet="陕西日报"))
    none = submitted("没有佐证的稿件")
    for p in (good, bad, none):
        submitted.finish(p)
    client.force_login(users["reviewer"])
    page = client.get(QUEUE).content.decode()
    assert page.count('class="badge proofflag"') == 1
    assert "✓ 佐证与登记一致" in page and "⚠ 佐证显示的媒体为“陕西日报”" in page
    flagged = client.get(QUEUE, {"proof": "on"}).content.decode()
    assert "旬阳县农民工返乡创业培训班开班" in flagged
    assert "我市人社系统扎实推进就业再就业工作" not in flagged and "没有佐证的稿件" not in flagged


def test_queue_queries_do_not_grow_with_the_pieces(client, users, units, submitted):
    client.force_login(users["reviewer"])

    def add(n, start):
        for i in range(n):
            p = submitted(f"稿件{start + i:03d}号扎实推进就业工作")
            attach_read(p.publications.get(), proof_text(title=f"稿件{start + i:03d}号扎实推进就业工作"))
            submitted.finish(p)

    add(2, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"proof": "on"})
    add(5, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(QUEUE, {"proof": "on"}).status_code == 200
    assert len(many) == len(few)


def test_imported_pieces_are_checked_once_evidence_is_attached(client, users, units, tmp_path):
    import openpyxl
    from django.core.management import call_command

    from publicity.models import Piece

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "标题", "作者", "稿件类型", "专题", "字数", "媒体", "刊发日期", "版面", "链接"])
    ws.append(
        [
            "汉滨区人社局",
            "我市人社系统扎实推进就业再就业工作",
            "张三",
            "新闻",
            "",
            900,
            "安康日报",
            "2011-03-05",
            "头版头条",
            "",
        ]
    )
    path = tmp_path / "pieces.xlsx"
    wb.save(path)
    call_command("import_pieces", str(path), "--year", "2011", stdout=io.StringIO())
    piece = Piece.objects.get(title="我市人社系统扎实推进就业再就业工作")
    attach_read(piece.publications.get(), proof_text(date="2011年3月4日 星期五"))
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    assert "⚠ 佐证日期为2011-03-04" in page
    assert 'class="badge proofflag"' in client.get(QUEUE).content.decode()


# --- duplicate proof --------------------------------------------------------------------------


def test_same_file_on_two_units_is_named_to_the_reviewer_only(client, users, units, submitted):
    data = png_bytes(31, 17)
    a = submitted("我市人社系统扎实推进就业再就业工作")
    b = submitted("旬阳县就业工作扎实推进", unit=units["b"])
    attach_read(a.publications.get(), proof_text(), data)
    attach_read(b.publications.get(), proof_text(), data)
    same_unit = submitted("汉滨区另一篇稿件")
    attach_read(same_unit.publications.get(), proof_text(), data)  # the same unit reusing its proof: not flagged
    for p in (a, b, same_unit):
        submitted.finish(p)

    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[a.pk])).content.decode()
    assert "佐证重复" in page and "同一佐证文件——旬阳县人社局“旬阳县就业工作扎实推进”" in page
    assert reverse("publicity:piece-detail", args=[b.pk]) in page
    assert "汉滨区另一篇稿件" not in page
    queue = client.get(QUEUE, {"proof": "on"}).content.decode()
    assert (
        "旬阳县就业工作扎实推进" in queue and "同一佐证文件——汉滨区人社局“我市人社系统扎实推进就业再就业工作”" in queue
    )

    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:piece-detail", args=[a.pk])).content.decode()
    assert "佐证重复" not in page and "旬阳县" not in page


def test_near_identical_text_in_different_files_is_flagged(client, users, units, submitted):
    a = submitted("我市人社系统扎实推进就业再就业工作")
    b = submitted("旬阳县就业工作扎实推进", unit=units["b"])
    attach_read(a.publications.get(), proof_text())
    attach_read(b.publications.get(), proof_text().replace("二十余场", "二十余汤").replace("安康日报", "安康日极"))
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[b.pk])).content.decode()
    assert "佐证文字几乎相同——汉滨区人社局“我市人社系统扎实推进就业再就业工作”" in page
