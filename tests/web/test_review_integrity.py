"""Issue 11 items 1, 2 and 5: an approval covers what the reviewer saw, nobody reviews their own unit's
pieces, and a year says whether each publication needs proof."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity import services
from publicity.models import Piece, PieceStatus, ReviewEvent
from units.models import User

from .conftest import piece_post, png_bytes

S = PieceStatus.SUBMITTED
QUEUE = reverse("publicity:review-queue")
STALE = "该稿件在您打开后已被修改,请重新审核"


def approve_url(piece):
    return reverse("publicity:review-approve", args=[piece.pk])


def reject_url(piece):
    return reverse("publicity:review-reject", args=[piece.pk])


def submitted(make_piece, units, title="汉滨区招聘会", unit="a", outlet="安康日报"):
    piece = make_piece(units[unit], title, [(outlet, "2011-03-05")], status=PieceStatus.DRAFT, characters=300)
    services.evidence_attach(
        actor=None, publication=piece.publications.get(), upload=SimpleUploadedFile("a.png", png_bytes())
    )
    return services.piece_submit(actor=None, piece=piece)


# --- item 1: the version the reviewer was shown -----------------------------------------------------


def test_liaison_change_between_opening_and_approval_is_refused(client, users, units, make_piece):
    piece = submitted(make_piece, units)
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    shown = piece.version
    assert f'name="version" value="{shown}"' in page
    # The liaison raises the placement and length and submits again while the reviewer looks at the old one.
    client.force_login(users["liaison_a"])
    data = piece_post(
        title=piece.title,
        characters="5000",
        **{"pub-0-placement": "headline", "pub-0-url": "https://akxw.cn/a/1.html", "version": str(shown)},
    )
    response = client.post(reverse("publicity:piece-edit", args=[piece.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    piece.refresh_from_db()
    assert piece.status == S and piece.characters == 5000 and piece.version > shown
    client.force_login(users["reviewer"])
    response = client.post(approve_url(piece), {"version": shown}, follow=True)
    assert STALE in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == S and piece.reviewed_by is None
    # The same refusal for a rejection and for a batch approval.
    client.post(reject_url(piece), {"version": shown, "reason": "看不清"})
    response = client.post(reverse("publicity:review-batch"), {"ids": [f"{piece.pk}:{shown}"]}, follow=True)
    assert STALE in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == S
    # With the version now shown, it goes through.
    client.post(approve_url(piece), {"version": piece.version})
    piece.refresh_from_db()
    assert piece.status == PieceStatus.APPROVED


def test_saving_a_submitted_piece_as_draft_takes_it_out_of_the_queue(client, users, units, make_piece):
    piece = submitted(make_piece, units)
    shown = piece.version
    client.force_login(users["liaison_a"])
    data = piece_post(title=piece.title, action="draft", version=str(shown))
    assert client.post(reverse("publicity:piece-edit", args=[piece.pk]), data).status_code == 302
    piece.refresh_from_db()
    assert piece.status == PieceStatus.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.piece_review(actor=users["reviewer"], piece=piece, approve=True, expected_version=shown)
    assert STALE in exc.value.messages[0]


def test_approve_without_a_version_or_with_a_malformed_one_changes_nothing(client, users, units, make_piece):
    piece = submitted(make_piece, units)
    client.force_login(users["reviewer"])
    for data in ({}, {"version": "abc"}, {"version": "9" * 40}, {"version": "-1"}):
        response = client.post(approve_url(piece), data, follow=True)
        assert response.status_code == 200
        assert STALE in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == S


def test_every_service_change_raises_the_version(users, units, make_piece, outlets):
    piece = submitted(make_piece, units)
    seen = {piece.version}
    piece = services.piece_withdraw(actor=None, piece=piece)
    assert piece.version not in seen
    seen.add(piece.version)
    piece = services.piece_update(
        actor=None,
        piece=piece,
        title=piece.title,
        kind=piece.kind,
        characters=600,
        authors="张三",
        publications=[services.PublicationInput(outlets["安康日报"], dt.date(2011, 3, 5), url="https://akxw.cn/1")],
    )
    assert piece.version not in seen
    seen.add(piece.version)
    piece = services.piece_submit(actor=None, piece=piece)
    assert piece.version not in seen


def test_second_reviewer_still_gets_already_handled(client, users, units, make_piece):
    piece = submitted(make_piece, units)
    shown = piece.version
    services.piece_review(
        actor=users["bureau_admin"], piece=piece, approve=False, reason="重复", expected_version=shown
    )
    client.force_login(users["reviewer"])
    response = client.post(approve_url(piece), {"version": shown}, follow=True)
    assert "已被处理,不能重复审核" in response.content.decode()


# --- item 2: nobody reviews their own unit's pieces -----------------------------------------------------


@pytest.fixture
def liaison_reviewer(units):
    return User.objects.create_user(
        username="both", password="x", unit=units["a"], is_liaison=True, is_reviewer=True, display_name="兼任"
    )


def test_reviewer_of_the_unit_cannot_approve_its_piece(client, users, units, make_piece, liaison_reviewer):
    own = submitted(make_piece, units)
    other = submitted(make_piece, units, title="旬阳县稿件", unit="b")
    with pytest.raises(PermissionDenied):
        services.piece_review(actor=liaison_reviewer, piece=own, approve=True, expected_version=own.version)
    client.force_login(liaison_reviewer)
    assert client.post(approve_url(own), {"version": own.version}).status_code == 403
    assert client.post(reject_url(own), {"version": own.version, "reason": "x"}).status_code == 403
    response = client.post(reverse("publicity:review-batch"), {"ids": [f"{own.pk}:{own.version}"]}, follow=True)
    assert "不能审核本单位" in response.content.decode()
    own.refresh_from_db()
    assert own.status == S
    # The queue shows the piece without review buttons; other units' pieces are reviewed as usual.
    page = client.get(QUEUE).content.decode()
    assert f'action="{approve_url(own)}"' not in page and f'action="{approve_url(other)}"' in page
    client.post(approve_url(other), {"version": other.version})
    other.refresh_from_db()
    assert other.status == PieceStatus.APPROVED and other.reviewed_by == liaison_reviewer


def test_a_reviewer_cannot_approve_a_piece_they_entered(users, units, preset, outlets):
    admin = users["bureau_admin"]
    piece = services.piece_create(
        actor=admin,
        unit=units["b"],
        year=preset,
        title="市局代录稿件",
        authors="张三",
        publications=[services.PublicationInput(outlets["安康日报"], dt.date(2011, 3, 5), url="https://akxw.cn/2")],
        submit=True,
    )
    with pytest.raises(PermissionDenied):
        services.piece_review(actor=admin, piece=piece, approve=True, expected_version=piece.version)
    services.piece_review(actor=users["reviewer"], piece=piece, approve=True, expected_version=piece.version)
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.APPROVED


# --- item 5: proof -----------------------------------------------------------------------------------


def test_submission_without_proof_is_refused_when_the_year_asks_for_it(client, users, units, preset):
    assert preset.require_proof  # the 2011 preset: yes
    client.force_login(users["liaison_a"])
    response = client.post(reverse("publicity:piece-create"), piece_post(**{"pub-0-url": ""}))
    assert response.status_code == 400
    assert "没有佐证材料" in response.content.decode()
    assert not Piece.objects.exists()
    # A link is proof enough …
    assert (
        client.post(reverse("publicity:piece-create"), piece_post(**{"pub-0-url": "https://akxw.cn/a/1"})).status_code
        == 302
    )
    # … and so is a file.
    data = piece_post(title="第二篇", **{"pub-0-url": ""})
    data["pub-0-evidence"] = SimpleUploadedFile("c.png", png_bytes(), content_type="image/png")
    assert client.post(reverse("publicity:piece-create"), data).status_code == 302
    assert Piece.objects.filter(status=S).count() == 2


def test_year_without_the_proof_rule_accepts_a_bare_submission(client, users, units, preset):
    preset.require_proof = False
    preset.save()
    client.force_login(users["liaison_a"])
    assert client.post(reverse("publicity:piece-create"), piece_post(**{"pub-0-url": ""})).status_code == 302
    assert Piece.objects.get().status == S


def test_queue_flags_and_filters_pieces_without_proof(client, users, units, make_piece):
    with_proof = submitted(make_piece, units, title="有佐证")
    bare = make_piece(units["b"], "无佐证", [("安康日报", "2011-03-06")], status=S)  # an import: no file, no link
    client.force_login(users["reviewer"])
    page = client.get(QUEUE).content.decode()
    assert page.count("缺佐证") >= 1
    page = client.get(QUEUE + "?noproof=on").content.decode()
    assert f'id="piece-{bare.pk}"' in page and f'id="piece-{with_proof.pk}"' not in page


def test_batch_approve_asks_to_confirm_pieces_without_proof(client, users, units, make_piece):
    with_proof = submitted(make_piece, units, title="有佐证")
    # one publication with a link, one with nothing: the page names the one that lacks proof (QA)
    bare = make_piece(units["b"], "无佐证", [("安康日报", "2011-03-06"), ("人民网", "2011-03-07")], status=S)
    bare.publications.filter(outlet__name="人民网").update(url="http://www.people.com.cn/a.html")
    ids = [f"{with_proof.pk}:{with_proof.version}", f"{bare.pk}:{bare.version}"]
    client.force_login(users["reviewer"])
    response = client.post(reverse("publicity:review-batch"), {"ids": ids})
    page = response.content.decode()
    assert response.status_code == 200 and "有 1 篇的部分刊发记录缺少佐证" in page
    assert "缺佐证:安康日报<" in page and "人民网" not in page.split("缺佐证:")[1].split("</li>")[0]
    assert Piece.objects.filter(status=PieceStatus.APPROVED).count() == 0
    client.post(reverse("publicity:review-batch"), {"ids": ids, "confirm_noproof": "1"})
    assert Piece.objects.filter(status=PieceStatus.APPROVED).count() == 2


def test_history_records_each_step(users, units, make_piece):
    piece = submitted(make_piece, units)
    services.piece_review(
        actor=users["reviewer"], piece=piece, approve=False, reason="照片不清", expected_version=piece.version
    )
    kinds = list(ReviewEvent.objects.filter(piece=piece).values_list("kind", "reason"))
    assert kinds == [("submitted", ""), ("rejected", "照片不清")]


def test_a_resubmitted_piece_shows_its_last_review_as_such(client, users, units, make_piece):
    """QA: 待审核 beside 审核时间 = the rejection's time read as if it had been reviewed already."""
    piece = submitted(make_piece, units)
    services.piece_review(
        actor=users["reviewer"], piece=piece, approve=False, reason="照片不清", expected_version=piece.version
    )
    piece.refresh_from_db()
    client.force_login(users["liaison_a"])
    url = reverse("publicity:piece-detail", args=[piece.pk])
    assert "<dt>审核时间</dt>" in client.get(url).content.decode()  # 已退回: when it was reviewed
    services.piece_submit(actor=users["liaison_a"], piece=piece)
    page = client.get(url).content.decode()
    assert "<dt>上次审核时间</dt>" in page and "<dt>审核时间</dt>" not in page
