"""Logging and editing a piece in one form: publications, evidence, duplicates, states, access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity.models import Evidence, Piece, PieceStatus, Publication

from .conftest import PDF_BYTES, add_pub, piece_post, png_bytes

CREATE = reverse("publicity:piece-create")


def test_create_with_two_outlets_and_evidence_then_submit(client, users, units, png_upload):
    client.force_login(users["liaison_a"])
    data = add_pub(piece_post(), 1, "people.com.cn", "2011-03-06", url="http://www.people.com.cn/n/2011/0306/a.html")
    data["pub-0-photo"] = png_upload()
    data["pub-1-evidence"] = SimpleUploadedFile("page.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(CREATE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    piece = Piece.objects.get(title="汉滨区举办春风行动招聘会")
    assert response["Location"] == reverse("publicity:piece-detail", args=[piece.pk])
    assert piece.unit == units["a"] and piece.status == PieceStatus.SUBMITTED and piece.created_by == users["liaison_a"]
    assert [a.name for a in piece.authors.all()] == ["张三", "李四"]
    pubs = {p.outlet.name: p for p in piece.publications.select_related("outlet")}
    assert set(pubs) == {"安康日报", "人民网"}  # the domain typed in the outlet box resolves to 人民网
    png = pubs["安康日报"].evidence.get()
    assert png.content_type == "image/png" and len(png.sha256) == 64 and png.original_name == "clip.png"
    assert "clip" not in png.file.name  # server-generated name
    assert pubs["人民网"].evidence.get().content_type == "application/pdf"


def test_save_as_draft(client, users):
    client.force_login(users["liaison_a"])
    client.post(CREATE, piece_post(action="draft"))
    assert Piece.objects.get().status == PieceStatus.DRAFT


def test_research_without_publication(client, users):
    client.force_login(users["liaison_a"])
    data = piece_post(
        kind="research", report_date="2011-04-01", **{"pub-0-outlet": "", "pub-0-date": "", "pub-0-page": ""}
    )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    piece = Piece.objects.get()
    assert piece.kind == "research" and not piece.publications.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"title": ""}, "请填写标题"),
        ({"authors": ""}, "请至少填写一位作者"),
        ({"characters": "abc"}, "字数必须是整数"),
        ({"pub-0-outlet": "不存在的报纸"}, "第1条刊发记录:找不到媒体“不存在的报纸”"),
        ({"pub-0-date": "2011-02-30"}, "刊发日期格式应为"),
        ({"pub-0-url": "not a url"}, "链接格式不正确"),
        ({"pub-0-date": "2010-12-30"}, "2010年度尚未设立"),
        ({"pub-0-outlet": "", "pub-0-date": "", "pub-0-page": ""}, "除未刊发的调研文章外,稿件至少要有一条刊发记录"),
    ],
)
def test_bad_input_writes_nothing(client, users, overrides, message):
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, piece_post(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, page[:3000]
    assert "稿件未保存" in page
    assert not Piece.objects.exists() and not Publication.objects.exists()


def test_same_outlet_twice_is_refused(client, users):
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, add_pub(piece_post(), 1, "安康日报社", "2011-03-07"))
    assert "第2条刊发记录与第1条刊发记录是同一媒体“安康日报”" in response.content.decode()
    assert not Piece.objects.exists()


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"MZ\x90\x00 this is an exe", "photo.jpg", "文件内容不是JPEG、PNG、WebP 图片或 PDF 文件"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "x.png", "文件内容不是"),
        (b"", "empty.png", "文件是空的"),
    ],
)
def test_bad_evidence_writes_nothing(client, users, content, name, message):
    client.force_login(users["liaison_a"])
    data = piece_post()
    data["pub-0-evidence"] = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "第1条刊发记录的佐证材料" in page
    assert not Piece.objects.exists() and not Evidence.objects.exists()


def test_oversized_evidence(client, users, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(users["liaison_a"])
    data = piece_post()
    data["pub-0-evidence"] = SimpleUploadedFile("big.png", png_bytes(40, 40), content_type="image/png")
    response = client.post(CREATE, data)
    assert "超过上限" in response.content.decode()
    assert not Piece.objects.exists()


def test_duplicate_warning_needs_confirmation(client, users, units, make_piece):
    make_piece(units["b"], "汉滨区举办“春风行动”招聘会!", [("安康日报", "2011-03-05")])
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, piece_post())
    page = response.content.decode()
    assert response.status_code == 400
    # another unit's piece is "另一单位" to a liaison: neither its unit, nor its title, nor a link to it
    assert "疑似重复稿件" in page and "另一单位的稿件(标题相同)" in page
    assert "旬阳县人社局" not in page and "“春风行动”招聘会" not in page
    assert Piece.objects.filter(unit=units["a"]).count() == 0
    response = client.post(CREATE, piece_post(confirm_duplicate="on"))
    assert response.status_code == 302
    assert Piece.objects.filter(unit=units["a"]).count() == 1


def test_duplicate_by_url(client, users, units, make_piece):
    other = make_piece(units["b"], "完全不同的标题内容", [("人民网", "2011-03-05")])
    Publication.objects.filter(piece=other).update(url="http://www.people.com.cn/n/1.html")
    client.force_login(users["liaison_a"])
    data = piece_post(**{"pub-0-outlet": "人民网", "pub-0-url": "http://www.people.com.cn/n/1.html/"})
    page = client.post(CREATE, data).content.decode()
    assert "另一单位的稿件(链接相同)" in page and "完全不同的标题内容" not in page
    assert not Piece.objects.filter(unit=units["a"]).exists()


def _edit_data(piece, **overrides):
    data = piece_post(
        title=piece.title,
        version=str(piece.version),
        **{"pub-INITIAL_FORMS": "1"},
    )
    data.update(overrides)
    return data


def test_edit_rejected_piece_and_resubmit(client, users, units, make_piece):
    piece = make_piece(
        units["a"], "汉滨区举办春风行动招聘会", [("安康日报", "2011-03-05")], status=PieceStatus.REJECTED
    )
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:piece-edit", args=[piece.pk])).content.decode()
    assert 'value="安康日报"' in page and "证据不清晰" in page
    response = client.post(reverse("publicity:piece-edit", args=[piece.pk]), _edit_data(piece, characters="1500"))
    assert response.status_code == 302
    piece.refresh_from_db()
    assert piece.characters == 1500 and piece.status == PieceStatus.SUBMITTED and piece.reject_reason == ""


def test_edit_conflict_is_refused(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区举办春风行动招聘会", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    data = _edit_data(piece, characters="1500")
    Piece.objects.filter(pk=piece.pk).update(characters=7, version=piece.version + 1)  # someone else saved meanwhile
    piece.refresh_from_db()
    client.force_login(users["liaison_a"])
    response = client.post(reverse("publicity:piece-edit", args=[piece.pk]), data)
    assert "稿件已被他人修改或审核,请刷新页面后重试" in response.content.decode()
    piece.refresh_from_db()
    assert piece.characters == 7


def test_approved_piece_is_read_only(client, users, units, make_piece):
    piece = make_piece(units["a"], "已通过的稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["liaison_a"])
    edit = reverse("publicity:piece-edit", args=[piece.pk])
    assert client.get(edit)["Location"] == reverse("publicity:piece-detail", args=[piece.pk])
    client.post(edit, _edit_data(piece, title="改过的标题"))
    for action in ("piece-withdraw", "piece-delete", "piece-submit"):
        client.post(reverse(f"publicity:{action}", args=[piece.pk]))
    piece.refresh_from_db()
    assert piece.title == "已通过的稿件" and piece.status == PieceStatus.APPROVED
    detail = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    assert "稿件已审核通过,只读" in detail and reverse("publicity:piece-edit", args=[piece.pk]) not in detail


def test_withdraw_then_delete(client, users, units, make_piece):
    piece = make_piece(units["a"], "待审核稿件", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    client.force_login(users["liaison_a"])
    client.post(reverse("publicity:piece-withdraw", args=[piece.pk]))
    piece.refresh_from_db()
    assert piece.status == PieceStatus.DRAFT
    client.post(reverse("publicity:piece-submit", args=[piece.pk]))
    piece.refresh_from_db()
    assert piece.status == PieceStatus.DRAFT  # no file and no link: the 2011 preset asks for proof
    piece.publications.update(url="https://akxw.cn/news/1.html")
    client.post(reverse("publicity:piece-submit", args=[piece.pk]))
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED
    client.post(reverse("publicity:piece-delete", args=[piece.pk]))
    assert not Piece.objects.filter(pk=piece.pk).exists()


def test_another_units_piece_is_404(client, users, units, make_piece):
    piece = make_piece(units["b"], "旬阳县稿件", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    client.force_login(users["liaison_a"])
    for name in ("piece-detail", "piece-edit"):
        assert client.get(reverse(f"publicity:{name}", args=[piece.pk])).status_code == 404
    for name in ("piece-submit", "piece-withdraw", "piece-delete"):
        assert client.post(reverse(f"publicity:{name}", args=[piece.pk])).status_code == 404
    response = client.post(reverse("publicity:piece-edit", args=[piece.pk]), _edit_data(piece, title="改"))
    assert response.status_code == 404
    piece.refresh_from_db()
    assert piece.title == "旬阳县稿件" and piece.status == PieceStatus.DRAFT


@pytest.mark.parametrize("persona", ["head_a", "reviewer", "leader", "bureau_admin", "auditor"])
def test_non_liaisons_cannot_write(client, users, units, make_piece, persona):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    client.force_login(users[persona])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, piece_post(title="新的")).status_code == 403
    assert client.post(reverse("publicity:piece-delete", args=[piece.pk])).status_code == 403
    assert Piece.objects.count() == 1


def test_frozen_year_refuses(client, users, units, make_piece, year):
    piece = make_piece(units["a"], "草稿", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    year.status = "closed"
    year.save()
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, piece_post())
    assert "2011年度已结账" in response.content.decode()
    client.post(reverse("publicity:piece-submit", args=[piece.pk]))
    piece.refresh_from_db()
    assert Piece.objects.count() == 1 and piece.status == PieceStatus.DRAFT


def test_form_page_has_camera_upload_and_autocomplete(client, users):
    client.force_login(users["liaison_a"])
    page = client.get(CREATE).content.decode()
    assert 'accept="image/*,application/pdf"' in page and 'capture="environment"' in page
    assert reverse("publicity:outlet-search") in page and "piece_form.js" in page
    assert 'enctype="multipart/form-data"' in page


def test_form_query_count_is_fixed(client, users, units, make_piece):
    """Saving one piece costs the same number of queries with 5 or 40 pieces already in the year
    (the duplicate check is two queries over the year)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_many

    client.force_login(users["liaison_a"])
    make_many(make_piece, units["b"], 5)
    with CaptureQueriesContext(connection) as few:
        assert client.post(CREATE, piece_post(title="第一篇新稿件标题")).status_code == 302
    make_many(make_piece, units["b"], 35, prefix="更多")
    with CaptureQueriesContext(connection) as many:
        assert client.post(CREATE, piece_post(title="第二篇完全不同")).status_code == 302
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as page:
        assert client.get(CREATE).status_code == 200
    assert len(page) <= 6


def test_readers_of_a_piece(client, users, units, make_piece):
    """Unit head: own unit read-only; leader and reviewer: any unit; the buttons follow the role."""
    own = make_piece(units["a"], "汉滨区待审", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    other = make_piece(units["b"], "旬阳县待审", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    detail = lambda p: reverse("publicity:piece-detail", args=[p.pk])  # noqa: E731
    client.force_login(users["head_a"])
    page = client.get(detail(own)).content.decode()
    assert "汉滨区待审" in page and "piece-edit" not in page and "review-approve" not in page
    assert reverse("publicity:piece-edit", args=[own.pk]) not in page
    assert client.get(detail(other)).status_code == 404
    assert client.get(reverse("publicity:piece-edit", args=[own.pk])).status_code == 403
    client.force_login(users["leader"])
    page = client.get(detail(other)).content.decode()
    assert "旬阳县待审" in page and reverse("publicity:review-approve", args=[other.pk]) not in page
    client.force_login(users["reviewer"])
    page = client.get(detail(other)).content.decode()
    assert reverse("publicity:review-approve", args=[other.pk]) in page
    assert reverse("publicity:piece-edit", args=[other.pk]) not in page
    for persona in ("auditor", "sysadmin", "outsider"):
        client.force_login(users[persona])
        assert client.get(detail(own)).status_code == 403


def test_every_mistake_in_one_round_and_the_photo_is_kept(client, users, png_upload):
    """A bad outlet on one row and a date in a year not set up on another both show at once, and the photo
    chosen for the form is kept (staged) so the corrected form saves it without choosing it again."""
    from publicity.models import StagedEvidence

    client.force_login(users["liaison_a"])
    data = add_pub(piece_post(**{"pub-0-outlet": "不存在的报纸"}), 1, "人民网", "2010-12-30")
    data["pub-0-photo"] = png_upload()
    response = client.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "找不到媒体“不存在的报纸”" in page and "第2条刊发记录:2010年度尚未设立" in page
    assert "第1条刊发记录的佐证“clip.png”已保留" in page
    staged = StagedEvidence.objects.get()
    assert f'value="{staged.token}"' in page  # the row carries the kept proof
    assert not Piece.objects.exists()
    # corrected, without choosing the photo again: saved with it
    fixed = add_pub(
        piece_post(**{"pub-0-staged": str(staged.token)}),
        1,
        "人民网",
        "2011-03-06",
        url="http://www.people.com.cn/a.html",
    )
    response = client.post(CREATE, fixed)
    assert response.status_code == 302, response.content.decode()[:2000]
    ev = Evidence.objects.get(publication__outlet__name="安康日报")
    assert ev.original_name == "clip.png" and ev.content_type == "image/png"


def test_authors_are_read_like_an_import_cell(client, users):
    """QA: 王　伟 (a two-character name padded with a full-width space) was two authors, 王 and 伟, and both
    would have been paid. The form reads the author box as the import reads an author cell."""
    client.force_login(users["liaison_a"])
    response = client.post(CREATE, piece_post(authors="王　伟、本报记者 李四,张三等"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [a.name for a in Piece.objects.get().authors.all()] == ["王伟", "李四", "张三"]
