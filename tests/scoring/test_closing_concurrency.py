"""Closing a year and writing into it cannot interleave (PostgreSQL row locks on the year row)."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction

pytestmark = pytest.mark.postgres


@pytest.fixture
def reload_preset_after(django_db_blocker):
    """Requested before ``transactional_db``: its teardown runs after the flush and puts the
    session's preset back for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


def _run(fn, box, key):
    try:
        box[key] = fn()
    except Exception as exc:
        box[key] = exc
    finally:
        connection.close()


def test_a_submission_in_flight_delays_closing_and_one_after_it_is_refused(reload_preset_after, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole file); run with DATABASE_URL=postgres://…")
    from publicity.models import AssessmentYear, Outlet, Piece
    from publicity.services import PublicationInput, ensure_year_editable, piece_create
    from scoring.services import year_close, year_results
    from units.models import Unit, UnitKind, User

    year = AssessmentYear.objects.get(year=2011)
    unit = Unit.objects.create(name="汉滨区人社局", kind=UnitKind.objects.get(code="county"))
    admin = User.objects.create_user(username="boss", password="x", is_bureau_admin=True)
    outlet = Outlet.objects.get(name="安康日报")

    entered, release, box = threading.Event(), threading.Event(), {}

    def slow_submission():
        with transaction.atomic():
            ensure_year_editable(year, lock=True)  # what every piece service does first
            entered.set()
            release.wait(5)
            return piece_create(
                actor=None,
                unit=unit,
                year=year,
                title="结账前提交",
                authors=["张三"],
                publications=[PublicationInput(outlet, dt.date(2011, 12, 30))],
                approve=True,
                check_proof=False,
            )

    writer = threading.Thread(target=_run, args=(slow_submission, box, "writer"))
    writer.start()
    assert entered.wait(5)
    closer = threading.Thread(target=_run, args=(lambda: year_close(actor=admin, year=year), box, "closer"))
    closer.start()
    time.sleep(0.5)
    assert closer.is_alive() and "closer" not in box  # waiting for the submission's lock
    release.set()
    writer.join(10)
    closer.join(10)
    assert isinstance(box["writer"], Piece) and not isinstance(box["closer"], Exception)
    # the piece submitted before closing is in the snapshot
    assert box["writer"].pk in year_results(AssessmentYear.objects.get(pk=year.pk)).pieces

    # and a write after closing is refused
    with pytest.raises(ValidationError, match="已结账"):
        piece_create(
            actor=None,
            unit=unit,
            year=AssessmentYear.objects.get(pk=year.pk),
            title="结账后提交",
            authors=["张三"],
            publications=[PublicationInput(outlet, dt.date(2011, 12, 31))],
        )
    assert not Piece.objects.filter(title="结账后提交").exists()
