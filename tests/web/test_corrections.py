"""Issue 11 item 4: corrections the legitimate way (撤销通过, 补登刊发) and the review history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from publicity import review, services
from publicity.models import PieceStatus, Publication, ReviewEvent
from scoring.services import score_year, year_close

from .conftest import png_bytes


def reward_of(year, piece):
    return score_year(year).pieces[piece.pk].amount if piece.pk in score_year(year).pieces else None


@pytest.fixture
def approved(make_piece, units):
    return make_piece(units["a"], "汉滨区招聘会", [("安康日报", "2011-03-05")])  # news in 安康日报: 20 yuan


def correction_post(**extra):
    data = {"outlet": "人民日报", "date": "2011-03-20", "placement": "other", "page": "", "url": "https://people.cn/1"}
    data.update(extra)
    return data


def test_revoke_needs_a_reason_and_returns_the_piece_to_the_liaison(client, users, approved):
    url = reverse("publicity:review-revoke", args=[approved.pk])
    client.force_login(users["reviewer"])
    response = client.post(url, {"version": approved.version, "reason": " "}, follow=True)
    assert "必须填写" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == PieceStatus.APPROVED
    client.post(url, {"version": approved.version, "reason": "刊发日期有误,请更正"})
    approved.refresh_from_db()
    assert approved.status == PieceStatus.REJECTED and approved.reject_reason == "刊发日期有误,请更正"
    event = ReviewEvent.objects.filter(piece=approved).last()
    assert (event.kind, event.reason, event.actor) == ("revoked", "刊发日期有误,请更正", users["reviewer"])
    # The liaison sees it and may now edit it.
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:piece-detail", args=[approved.pk])).content.decode()
    assert "刊发日期有误,请更正" in page and reverse("publicity:piece-edit", args=[approved.pk]) in page


@pytest.mark.parametrize("persona,status", [("liaison_a", 403), ("leader", 403), ("head_a", 403)])
def test_revoke_is_the_reviewers(client, users, approved, persona, status):
    client.force_login(users[persona])
    url = reverse("publicity:review-revoke", args=[approved.pk])
    assert client.post(url, {"version": approved.version, "reason": "x"}).status_code == status
    approved.refresh_from_db()
    assert approved.status == PieceStatus.APPROVED


def test_added_publication_counts_only_once_reviewed(client, users, preset, approved):
    assert reward_of(preset, approved) == Decimal("20.00")
    client.force_login(users["liaison_a"])
    url = reverse("publicity:piece-correction", args=[approved.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, correction_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    approved.refresh_from_db()
    added = Publication.objects.get(piece=approved, outlet__name="人民日报")
    assert added.pending_review and approved.status == PieceStatus.APPROVED
    # The piece keeps counting as approved, at its reviewed publications only.
    assert reward_of(preset, approved) == Decimal("20.00")
    # The year cannot be closed while an addition waits.
    with pytest.raises(ValidationError, match="补登"):
        year_close(actor=users["bureau_admin"], year=preset)
    client.force_login(users["reviewer"])
    page = client.get(reverse("publicity:review-queue") + "?status=correction").content.decode()
    assert f'id="piece-{approved.pk}"' in page
    approve = reverse("publicity:correction-review", args=[added.pk])
    client.post(approve, {"version": approved.version, "decision": "approve"})
    added.refresh_from_db()
    assert not added.pending_review
    assert reward_of(preset, approved) == Decimal("500.00")  # 人民日报: 500
    kinds = list(ReviewEvent.objects.filter(piece=approved).values_list("kind", flat=True))
    assert kinds[-2:] == ["correction_added", "correction_approved"]


def test_rejected_addition_is_removed_with_its_reason_in_the_history(client, users, preset, approved):
    added = review.correction_add(
        actor=users["liaison_a"],
        piece=approved,
        publication=services.PublicationInput(
            approved.publications.get().outlet.__class__.objects.get(name="人民日报"),
            dt.date(2011, 3, 20),
            url="https://people.cn/1",
        ),
    )
    approved.refresh_from_db()
    client.force_login(users["reviewer"])
    url = reverse("publicity:correction-review", args=[added.pk])
    client.post(url, {"version": approved.version, "decision": "reject", "reason": ""})
    assert Publication.objects.filter(pk=added.pk).exists()  # no reason: nothing changes
    client.post(url, {"version": approved.version, "decision": "reject", "reason": "链接打不开"})
    assert not Publication.objects.filter(pk=added.pk).exists()
    event = ReviewEvent.objects.filter(piece=approved).last()
    assert event.kind == "correction_rejected" and event.reason == "链接打不开" and "人民日报" in event.detail
    approved.refresh_from_db()
    assert approved.status == PieceStatus.APPROVED


def test_addition_needs_proof_and_an_approved_piece(client, users, make_piece, units, approved):
    client.force_login(users["liaison_a"])
    url = reverse("publicity:piece-correction", args=[approved.pk])
    response = client.post(url, correction_post(url=""))
    assert response.status_code == 400 and "没有佐证材料" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, correction_post(url="", evidence=SimpleUploadedFile("a.png", png_bytes())))
    assert response.status_code == 302
    draft = make_piece(units["a"], "草稿", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    assert client.get(reverse("publicity:piece-correction", args=[draft.pk])).status_code == 302
    with pytest.raises(ValidationError):
        review.correction_add(
            actor=users["liaison_a"],
            piece=draft,
            publication=services.PublicationInput(
                Publication.objects.first().outlet, dt.date(2011, 3, 20), url="https://x.cn/1"
            ),
        )


@pytest.mark.parametrize("persona,status", [("liaison_b", 404), ("reviewer", 403), ("head_a", 403)])
def test_addition_is_the_units_liaisons(client, users, approved, persona, status):
    client.force_login(users[persona])
    url = reverse("publicity:piece-correction", args=[approved.pk])
    assert client.post(url, correction_post()).status_code == status
    assert approved.publications.count() == 1


def test_own_unit_reviewer_cannot_approve_an_addition(users, units, approved, outlets):
    from units.models import User

    both = User.objects.create_user(username="both", unit=units["a"], is_liaison=True, is_reviewer=True)
    added = review.correction_add(
        actor=both,
        piece=approved,
        publication=services.PublicationInput(outlets["人民日报"], dt.date(2011, 3, 20), url="https://people.cn/1"),
    )
    with pytest.raises(PermissionDenied):
        review.correction_review(actor=both, publication=added, approve=True)


def test_history_is_shown_on_the_piece_page(client, users, approved):
    review.piece_revoke(actor=users["reviewer"], piece=approved, reason="日期错误", expected_version=approved.version)
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:piece-detail", args=[approved.pk])).content.decode()
    assert "审核记录" in page and "撤销通过" in page and "日期错误" in page and "reviewer" in page
