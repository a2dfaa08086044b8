"""Reviewer queue: filters, evidence previews, approve, reject with a reason, batch, races."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity import services
from publicity.models import Piece, PieceStatus

from .conftest import make_many, png_bytes

QUEUE = reverse("publicity:review-queue")
S = PieceStatus.SUBMITTED


def test_queue_lists_submitted_pieces_with_thumbnails(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区待审稿件", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    ev = services.evidence_attach(
        actor=None, publication=piece.publications.get(), upload=SimpleUploadedFile("a.png", png_bytes())
    )
    services.piece_submit(actor=None, piece=piece)
    make_piece(units["b"], "旬阳县已通过稿件", [("安康日报", "2011-03-05")])
    make_piece(units["b"], "旬阳县草稿", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    client.force_login(users["reviewer"])
    page = client.get(QUEUE).content.decode()
    assert "汉滨区待审稿件" in page
    assert "旬阳县已通过稿件" not in page and "旬阳县草稿" not in page
    assert f'src="{reverse("publicity:evidence", args=[ev.pk])}"' in page


@pytest.mark.parametrize(
    "params,shown,hidden",
    [
        ("unit={b}", "旬阳县六月国家级", "汉滨区三月市级"),
        ("month=3", "汉滨区三月市级", "旬阳县六月国家级"),
        ("level=1", "旬阳县六月国家级", "汉滨区三月市级"),  # pk 1 = 中央/国家级
        ("kind=research", "汉滨区调研", "汉滨区三月市级"),
        ("status=approved", "已通过的稿件", "汉滨区三月市级"),
        ("dup=on", "汉滨区三月市级", "旬阳县六月国家级"),
    ],
)
def test_filters(client, users, units, make_piece, params, shown, hidden):
    made = {
        "汉滨区三月市级": make_piece(units["a"], "汉滨区三月市级", [("安康日报", "2011-03-05")], status=S),
        # the same title once punctuation is removed: a duplicate warning
        "旬阳县三月": make_piece(units["b"], "汉滨区“三月市级”", [("安康日报", "2011-03-09")], status=S),
        "旬阳县六月国家级": make_piece(units["b"], "旬阳县六月国家级", [("人民日报", "2011-06-05")], status=S),
        "汉滨区调研": make_piece(units["a"], "汉滨区调研", kind="research", status=S),
        "已通过的稿件": make_piece(units["a"], "已通过的稿件", [("安康日报", "2011-03-05")]),
    }
    client.force_login(users["reviewer"])
    page = client.get(f"{QUEUE}?{params.format(b=units['b'].pk)}").content.decode()
    assert f'id="piece-{made[shown].pk}"' in page
    assert f'id="piece-{made[hidden].pk}"' not in page


def test_duplicate_warning_visible_to_reviewer(client, users, units, make_piece):
    make_piece(units["a"], "汉滨区开展春风行动", [("安康日报", "2011-03-05")], status=S)
    make_piece(units["b"], "汉滨区开展“春风行动”", [("安康日报", "2011-03-06")])
    client.force_login(users["reviewer"])
    page = client.get(QUEUE).content.decode()
    assert "疑似重复" in page and "标题相同" in page


def test_approve_and_liaison_sees_it(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")], status=S)
    client.force_login(users["reviewer"])
    response = client.post(
        reverse("publicity:review-approve", args=[piece.pk]), {"next": QUEUE, "version": piece.version}
    )
    assert response["Location"] == QUEUE
    piece.refresh_from_db()
    assert piece.status == PieceStatus.APPROVED and piece.reviewed_by == users["reviewer"]
    client.force_login(users["liaison_a"])
    home = client.get(reverse("publicity:unit-home")).content.decode()
    assert '<span class="achieved">1</span> / 40' in home


def test_reject_needs_reason(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")], status=S)
    client.force_login(users["reviewer"])
    response = client.post(
        reverse("publicity:review-reject", args=[piece.pk]), {"reason": "  ", "version": piece.version}, follow=True
    )
    assert "退回稿件必须填写退回原因" in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == S and piece.reject_reason == ""
    client.post(
        reverse("publicity:review-reject", args=[piece.pk]), {"reason": "照片看不清版面", "version": piece.version}
    )
    piece.refresh_from_db()
    assert piece.status == PieceStatus.REJECTED and piece.reject_reason == "照片看不清版面"
    client.force_login(users["liaison_a"])
    assert "照片看不清版面" in client.get(reverse("publicity:unit-home")).content.decode()


def test_second_reviewer_gets_a_clear_message(client, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")], status=S)
    shown = piece.version
    services.piece_review(actor=users["bureau_admin"], piece=piece, approve=False, reason="重复")
    client.force_login(users["reviewer"])
    response = client.post(reverse("publicity:review-approve", args=[piece.pk]), {"version": shown}, follow=True)
    assert "已被处理,不能重复审核" in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == PieceStatus.REJECTED and piece.reviewed_by == users["bureau_admin"]


def test_batch_approve(client, users, units, make_piece):
    pieces = make_many(make_piece, units["a"], 3, status=S)
    done = make_piece(units["b"], "已被退回", [("安康日报", "2011-03-05")], status=PieceStatus.REJECTED)
    client.force_login(users["reviewer"])
    ids = [f"{p.pk}:{p.version}" for p in [*pieces, done]]
    response = client.post(reverse("publicity:review-batch"), {"ids": ids, "confirm_noproof": "1"}, follow=True)
    page = response.content.decode()
    assert "已批量通过 3 篇稿件" in page and "已被处理" in page
    assert Piece.objects.filter(pk__in=[p.pk for p in pieces], status=PieceStatus.APPROVED).count() == 3
    done.refresh_from_db()
    assert done.status == PieceStatus.REJECTED
    assert "请先勾选" in client.post(reverse("publicity:review-batch"), {}, follow=True).content.decode()


@pytest.mark.parametrize("persona", ["liaison_a", "head_a", "leader", "auditor"])
def test_wrong_roles_cannot_review(client, users, units, make_piece, persona):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")], status=S)
    client.force_login(users[persona])
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("publicity:review-approve", args=[piece.pk])).status_code == 403
    assert client.post(reverse("publicity:review-reject", args=[piece.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("publicity:review-batch"), {"ids": [piece.pk]}).status_code == 403
    piece.refresh_from_db()
    assert piece.status == S


def test_unknown_piece_is_404(client, users):
    client.force_login(users["reviewer"])
    assert client.post(reverse("publicity:review-approve", args=[999999])).status_code == 404


def test_queue_query_count_does_not_grow(client, users, units, make_piece):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["reviewer"])
    make_many(make_piece, units["a"], 5, status=S)
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    make_many(make_piece, units["b"], 35, status=S, prefix="更多")
    with CaptureQueriesContext(connection) as many:
        page = client.get(QUEUE).content.decode()
    assert page.count('name="ids"') == 40
    assert len(many) == len(few), (len(few), len(many))


def test_a_queue_page_costs_a_page_whatever_the_year(client, users, units, make_piece, monkeypatch):
    """Issue 13: paging in SQL, duplicates looked up for the page's cards only, no per-card query: the same
    queries for a queue of one page and of three, with a year of approved pieces behind it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import desk.review
    from publicity import duplicates

    monkeypatch.setattr(desk.review, "PAGE_SIZE", 4)
    looked_up: list[int] = []
    monkeypatch.setattr(
        desk.review,
        "duplicates_for_many",
        lambda **kw: looked_up.append(len(kw["items"])) or duplicates.duplicates_for_many(**kw),
    )
    client.force_login(users["reviewer"])
    client.get(QUEUE)  # the session's first touch
    make_many(make_piece, units["a"], 3, status=S)
    with CaptureQueriesContext(connection) as small:
        first = client.get(QUEUE).content.decode()
    make_many(make_piece, units["b"], 9, status=S, prefix="更多")
    make_many(make_piece, units["dept"], 12, prefix="已通过")  # the year grows behind the queue
    with CaptureQueriesContext(connection) as big:
        page = client.get(QUEUE).content.decode()
    assert first.count('name="ids"') == 3 and page.count('name="ids"') == 4 and "共 12 篇" in page
    assert looked_up == [0, 3, 4]  # the page's cards only (none on the first, empty view)
    assert len(big) == len(small), (len(small), len(big))
