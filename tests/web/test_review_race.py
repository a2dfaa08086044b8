"""Two reviewers act on the same piece at the same moment: the row lock lets one win; the other gets
a clear Chinese message (PostgreSQL; SQLite serialises whole-file writes instead)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.postgres


@pytest.fixture
def reload_preset_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


def test_two_reviewers_one_wins(reload_preset_after, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; run with DATABASE_URL=postgres://…")
    from publicity.models import AssessmentYear, Outlet, Piece, PieceStatus
    from publicity.services import PublicationInput, piece_create, piece_review
    from units.models import Unit, UnitKind, User

    if not AssessmentYear.objects.filter(year=2011).exists():  # an earlier transactional test flushed it
        call_command("loaddata", "ankang_2011", verbosity=0)
    year = AssessmentYear.objects.get(year=2011)
    unit = Unit.objects.create(name="汉滨区人社局", kind=UnitKind.objects.get(code="county"))
    one = User.objects.create_user(username="r1", password="x", is_reviewer=True)
    two = User.objects.create_user(username="r2", password="x", is_reviewer=True)
    piece = piece_create(
        actor=None,
        unit=unit,
        year=year,
        title="两位审核员同时处理",
        authors=["张三"],
        publications=[PublicationInput(Outlet.objects.get(name="安康日报"), dt.date(2011, 3, 5))],
        submit=True,
        check_proof=False,
    )
    start, box = threading.Barrier(2), {}

    def review(key, actor, approve):
        try:
            start.wait(5)
            box[key] = piece_review(actor=actor, piece=piece, approve=approve, reason="" if approve else "重复稿件")
        except Exception as exc:
            box[key] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=("approve", one, True)),
        threading.Thread(target=review, args=("reject", two, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    outcomes = sorted(type(v).__name__ for v in box.values())
    assert outcomes == ["Piece", "ValidationError"], box
    loser = next(v for v in box.values() if isinstance(v, ValidationError))
    assert "已被处理,不能重复审核" in loser.messages[0]
    final = Piece.objects.get(pk=piece.pk)
    winner = next(k for k, v in box.items() if not isinstance(v, Exception))
    assert final.status == (PieceStatus.APPROVED if winner == "approve" else PieceStatus.REJECTED)
