"""The piece services every door uses: validation in Chinese, permissions, year rules, nothing half-written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from publicity.models import Piece, PieceAuthor, PieceKind, PieceStatus, Publication
from publicity.services import (
    PublicationInput,
    piece_create,
    piece_delete,
    piece_review,
    piece_submit,
    piece_update,
    piece_withdraw,
)


def counts():
    return Piece.objects.count(), Publication.objects.count(), PieceAuthor.objects.count()


def create(users, units, preset, outlets, who="liaison_a", unit="a", **kw):
    args = dict(
        actor=users[who] if who else None,
        unit=units[unit],
        year=preset,
        title="汉滨区举办招聘会",
        kind=PieceKind.NEWS,
        characters=900,
        authors="张三、李四",
        publications=[
            PublicationInput(outlets["安康日报"], dt.date(2011, 3, 5), url="https://akxw.cn/a/1.html"),
            PublicationInput(outlets["局网站"], dt.date(2011, 3, 4), url="https://ak.gov.cn/1"),
        ],
    )
    args.update(kw)
    return piece_create(**args)


def test_create_writes_piece_authors_in_order_and_publications(users, units, preset, outlets):
    piece = create(users, units, preset, outlets)
    assert piece.status == PieceStatus.DRAFT
    assert list(piece.authors.values_list("name", flat=True)) == ["张三", "李四"]
    assert piece.publications.count() == 2
    assert piece.created_by == users["liaison_a"]


def test_liaison_cannot_create_for_another_unit(users, units, preset, outlets):
    before = counts()
    with pytest.raises(PermissionDenied):
        create(users, units, preset, outlets, who="liaison_b")
    assert counts() == before


@pytest.mark.parametrize("who", ["reviewer", "leader", "head_a", "auditor", "outsider"])
def test_non_liaisons_cannot_create(users, units, preset, outlets, who):
    with pytest.raises(PermissionDenied):
        create(users, units, preset, outlets, who=who)
    assert Piece.objects.count() == 0


@pytest.mark.parametrize(
    "kwargs,field,fragment",
    [
        ({"title": "  "}, "title", "标题不能为空"),
        ({"authors": ""}, "authors", "至少填写一位作者"),
        ({"publications": []}, "publications", "至少要有一条刊发记录"),
        ({"kind": PieceKind.RESEARCH, "publications": []}, "report_date", "须填写报送日期"),
        ({"kind": "poem"}, "kind", "稿件类型"),
        ({"characters": -5}, "characters", "字数"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(users, units, preset, outlets, kwargs, field, fragment):
    with pytest.raises(ValidationError) as exc:
        create(users, units, preset, outlets, **kwargs)
    assert fragment in " ".join(exc.value.message_dict[field])
    assert counts() == (0, 0, 0)


def test_earliest_publication_decides_the_year(users, units, preset, outlets):
    with pytest.raises(ValidationError) as exc:
        create(
            users,
            units,
            preset,
            outlets,
            publications=[
                PublicationInput(outlets["安康日报"], dt.date(2012, 1, 3)),
                PublicationInput(outlets["局网站"], dt.date(2012, 1, 2)),
            ],
        )
    assert "不在2011年度内" in str(exc.value)
    # Earliest in 2011, a later republication in 2012: still a 2011 piece.
    piece = create(
        users,
        units,
        preset,
        outlets,
        publications=[
            PublicationInput(outlets["安康日报"], dt.date(2012, 1, 3)),
            PublicationInput(outlets["局网站"], dt.date(2011, 12, 30)),
        ],
    )
    assert piece.year == preset


def test_same_outlet_twice_is_refused(users, units, preset, outlets):
    with pytest.raises(ValidationError) as exc:
        create(
            users,
            units,
            preset,
            outlets,
            publications=[
                PublicationInput(outlets["安康日报"], dt.date(2011, 3, 5)),
                PublicationInput(outlets["安康日报"], dt.date(2011, 3, 6)),
            ],
        )
    assert "同一媒体只能登记一次" in str(exc.value)
    assert counts() == (0, 0, 0)


def test_duplicate_title_in_same_unit_year_is_refused(users, units, preset, outlets):
    create(users, units, preset, outlets)
    with pytest.raises(ValidationError) as exc:
        create(users, units, preset, outlets)
    assert "已登记过标题" in str(exc.value)
    assert Piece.objects.count() == 1


def test_lifecycle_submit_reject_resubmit_approve_then_locked(users, units, preset, outlets):
    piece = create(users, units, preset, outlets)
    piece = piece_submit(actor=users["liaison_a"], piece=piece)
    assert piece.status == PieceStatus.SUBMITTED
    with pytest.raises(ValidationError) as exc:
        piece_review(actor=users["reviewer"], piece=piece, approve=False, reason="")
    assert "退回原因" in str(exc.value)
    piece = piece_review(actor=users["reviewer"], piece=piece, approve=False, reason="缺少版面照片")
    assert (piece.status, piece.reject_reason) == (PieceStatus.REJECTED, "缺少版面照片")
    piece = piece_submit(actor=users["liaison_a"], piece=piece)
    assert piece.reject_reason == ""
    piece = piece_review(actor=users["reviewer"], piece=piece, approve=True)
    assert piece.status == PieceStatus.APPROVED and piece.reviewed_by == users["reviewer"]
    with pytest.raises(ValidationError):
        piece_update(
            actor=users["liaison_a"], piece=piece, title="改标题", kind=PieceKind.NEWS, characters=1, authors="张三"
        )
    with pytest.raises(ValidationError):
        piece_delete(actor=users["liaison_a"], piece=piece)
    with pytest.raises(ValidationError) as exc:
        piece_review(actor=users["reviewer"], piece=piece, approve=False, reason="再退回")
    assert "不能重复审核" in str(exc.value)
    piece.refresh_from_db()
    assert piece.title == "汉滨区举办招聘会" and piece.status == PieceStatus.APPROVED


def test_liaison_cannot_review_and_reviewer_cannot_edit(users, units, preset, outlets):
    piece = create(users, units, preset, outlets, submit=True)
    with pytest.raises(PermissionDenied):
        piece_review(actor=users["liaison_a"], piece=piece, approve=True)
    with pytest.raises(PermissionDenied):
        piece_update(actor=users["reviewer"], piece=piece, title="x", kind=PieceKind.NEWS, characters=1, authors="张三")
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED


def test_withdraw_and_update_replace_publications(users, units, preset, outlets):
    piece = create(users, units, preset, outlets, submit=True)
    piece = piece_withdraw(actor=users["liaison_a"], piece=piece)
    assert piece.status == PieceStatus.DRAFT
    piece = piece_update(
        actor=users["liaison_a"],
        piece=piece,
        title="新标题",
        kind=PieceKind.INFO,
        characters=300,
        authors=["王五"],
        publications=[PublicationInput(outlets["陕西日报"], dt.date(2011, 5, 1), "front")],
    )
    assert list(piece.publications.values_list("outlet__name", "placement")) == [("陕西日报", "front")]
    assert list(piece.authors.values_list("name", flat=True)) == ["王五"]


def test_frozen_year_refuses_every_service(users, units, preset, outlets):
    piece = create(users, units, preset, outlets, submit=True)
    preset.status = "closed"
    preset.save()
    for call in (
        lambda: create(users, units, preset, outlets, title="另一篇"),
        lambda: piece_review(actor=users["reviewer"], piece=piece, approve=True),
        lambda: piece_withdraw(actor=users["liaison_a"], piece=piece),
        lambda: piece_delete(actor=users["liaison_a"], piece=piece),
        lambda: piece_update(
            actor=users["liaison_a"], piece=piece, title="x", kind="news", characters=1, authors="张三"
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "已结账" in str(exc.value)
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED and Piece.objects.count() == 1
