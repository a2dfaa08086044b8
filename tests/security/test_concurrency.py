"""Races with real threads on PostgreSQL (row locks): each ends in one consistent state and the
loser gets a clear Chinese message. Every race is run 20 times to show it is stable."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    # Decided before any fixture runs, so SQLite does not flush and reload the preset for nothing.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass"),
]

ROUNDS = 20


@pytest.fixture
def pg(reload_preset_after, transactional_db):
    """Committed data that other threads (other connections) see."""


def race(*calls, timeout=30):
    """Run the callables in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout)
            results[i] = fn()
        except Exception as exc:  # the loser's error is the point of the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread hung: deadlock?"
    return results


@pytest.fixture
def world(pg):
    from publicity.models import AssessmentYear, Outlet
    from units.models import Unit, UnitKind, User

    if not AssessmentYear.objects.filter(year=2011).exists():  # an earlier transactional test flushed it
        call_command("loaddata", "ankang_2011", verbosity=0)
    year = AssessmentYear.objects.get(year=2011)
    unit = Unit.objects.create(name="汉滨区人社局", kind=UnitKind.objects.get(code="county"))

    def user(name, **roles):
        return User.objects.create_user(username=name, password="x", unit=roles.pop("unit", None), **roles)

    return {
        "year": year,
        "unit": unit,
        "outlet": Outlet.objects.get(name="安康日报"),
        "liaison": user("liaison", unit=unit, is_liaison=True),
        "r1": user("reviewer1", is_reviewer=True),
        "r2": user("reviewer2", is_reviewer=True),
        "admin": user("boss", is_bureau_admin=True),
    }


def _piece(world, title, *, status="submitted"):
    from publicity.services import PublicationInput, piece_create

    return piece_create(
        actor=world["liaison"],
        unit=world["unit"],
        year=world["year"],
        title=title,
        authors=["张三"],
        publications=[PublicationInput(world["outlet"], dt.date(2011, 5, 1))],
        submit=status == "submitted",
        check_proof=False,
    )


def test_two_reviewers_on_one_piece_one_wins(world):
    from publicity.models import Piece, PieceStatus
    from publicity.services import piece_review

    winners = {"approve": 0, "reject": 0}
    for i in range(ROUNDS):
        piece = _piece(world, f"并发审核{i}")
        approve, reject = race(
            lambda p=piece: piece_review(actor=world["r1"], piece=p, approve=True),
            lambda p=piece: piece_review(actor=world["r2"], piece=p, approve=False, reason="重复稿件"),
        )
        outcomes = [r for r in (approve, reject) if isinstance(r, Piece)]
        errors = [r for r in (approve, reject) if isinstance(r, Exception)]
        assert len(outcomes) == 1 and len(errors) == 1, (approve, reject)
        assert isinstance(errors[0], ValidationError)
        assert "已被处理,不能重复审核" in errors[0].messages[0]
        stored = Piece.objects.get(pk=piece.pk)
        if isinstance(approve, Piece):
            winners["approve"] += 1
            assert stored.status == PieceStatus.APPROVED and stored.reviewed_by == world["r1"]
            assert stored.reject_reason == ""
        else:
            winners["reject"] += 1
            assert stored.status == PieceStatus.REJECTED and stored.reviewed_by == world["r2"]
            assert stored.reject_reason == "重复稿件"
    assert sum(winners.values()) == ROUNDS


def test_liaison_editing_while_the_reviewer_approves(world):
    """The reviewer approves the version they opened; the liaison saves a change at the same moment. Either the
    approval comes first (the edit is refused) or the edit does (the piece leaves the queue as a draft and the
    approval of the old version is refused): never an approval of content nobody reviewed (issue 11 item 1)."""
    from audit.models import AuditEvent
    from publicity.models import Piece, PieceStatus
    from publicity.services import PublicationInput, piece_review, piece_update

    edits_won = 0
    for i in range(ROUNDS):
        piece = _piece(world, f"边改边审{i}")
        shown = piece.version

        def edit(p=piece, i=i):
            return piece_update(
                actor=world["liaison"],
                piece=p,
                title=f"边改边审{i}(修改)",
                kind="news",
                characters=1200,
                authors=["张三", "李四"],
                publications=[PublicationInput(world["outlet"], dt.date(2011, 5, 2), "headline")],
            )

        edited, reviewed = race(
            edit, lambda p=piece, v=shown: piece_review(actor=world["r1"], piece=p, approve=True, expected_version=v)
        )
        stored = Piece.objects.get(pk=piece.pk)
        authors = list(stored.authors.values_list("name", flat=True))
        publication = stored.publications.get()
        if isinstance(edited, Exception):
            # The review came first: the edit is refused in Chinese and nothing of it was written.
            assert isinstance(reviewed, Piece), reviewed
            assert isinstance(edited, ValidationError) and "稿件已审核通过,不能再修改" in edited.messages[0]
            assert stored.status == PieceStatus.APPROVED
            assert (stored.title, stored.characters, authors) == (f"边改边审{i}", 0, ["张三"])
            assert publication.date == dt.date(2011, 5, 1) and publication.placement == "other"
        else:
            # The edit came first: the piece went back to draft and the approval of the old version was refused.
            edits_won += 1
            assert isinstance(reviewed, ValidationError), reviewed
            assert "该稿件在您打开后已被修改,请重新审核" in reviewed.messages[0]
            assert stored.status == PieceStatus.DRAFT and stored.reviewed_by is None
            assert (stored.title, stored.characters, authors) == (f"边改边审{i}(修改)", 1200, ["张三", "李四"])
            assert publication.date == dt.date(2011, 5, 2) and publication.placement == "headline"
            events = AuditEvent.objects.filter(model="publicity.piece", object_id=str(piece.pk), action="update")
            assert not any((e.changes.get("status") or [None, None])[1] == "approved" for e in events)
    assert 0 <= edits_won <= ROUNDS


def test_closing_a_year_while_pieces_are_submitted_and_approved(world):
    from publicity.models import AssessmentYear, Piece, PieceStatus
    from publicity.services import piece_review, piece_submit
    from scoring.models import YearSnapshot
    from scoring.services import year_close, year_reopen

    year = world["year"]
    for i in range(ROUNDS):
        drafts = [_piece(world, f"结账草稿{i}-{n}", status="draft") for n in range(2)]
        submitted = [_piece(world, f"结账待审{i}-{n}") for n in range(2)]
        results = race(
            *[lambda p=p: piece_submit(actor=world["liaison"], piece=p, check_proof=False) for p in drafts],
            *[lambda p=p: piece_review(actor=world["r1"], piece=p, approve=True) for p in submitted],
            lambda: year_close(actor=world["admin"], year=year),
        )
        *writes, closed = results
        if isinstance(closed, ValidationError):
            # A submission got in first: closing is refused while pieces await review, and nothing was stored.
            assert "篇稿件待审核,请审核完毕后再结账" in closed.messages[0], closed
            assert not YearSnapshot.objects.filter(year=year).exists()
            assert not AssessmentYear.objects.get(pk=year.pk).is_frozen
            assert all(not isinstance(r, Exception) for r in writes), writes
            Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED).update(status=PieceStatus.APPROVED)
            continue
        assert isinstance(closed, YearSnapshot), closed
        for result in writes:
            if isinstance(result, Exception):
                assert isinstance(result, ValidationError) and "2011年度已结账" in result.messages[0], result
        snapshot = YearSnapshot.objects.get(year=year)
        # The snapshot is exactly the approved pieces in the database: nothing slipped in after closing.
        approved = set(Piece.objects.filter(year=year, status=PieceStatus.APPROVED).values_list("pk", flat=True))
        assert {p["piece_id"] for p in snapshot.results["pieces"]} == approved
        for piece, result in zip(drafts + submitted, writes, strict=True):
            stored = Piece.objects.get(pk=piece.pk)
            if isinstance(result, Exception):
                assert stored.status == piece.status  # untouched
            else:
                assert stored.status in (PieceStatus.SUBMITTED, PieceStatus.APPROVED)
                stamp = stored.submitted_at if stored.status == PieceStatus.SUBMITTED else stored.reviewed_at
                assert stamp <= snapshot.closed_at
        assert AssessmentYear.objects.get(pk=year.pk).is_frozen
        assert not Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED).exists()
        year_reopen(actor=world["admin"], year=year, reason=f"第{i}轮测试")
