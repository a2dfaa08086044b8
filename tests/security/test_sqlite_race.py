"""Issue 11 item 12: on SQLite (a file, two connections, as two gunicorn threads), the loser of a race
waits for the winner and gets the service's Chinese message, never "database is locked"; and a wait
past the timeout is a Chinese 503, not a 500."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, transaction
from django.test import RequestFactory

from config.database import SQLITE_OPTIONS, database_settings

ALIAS = "sqlite_race"


@pytest.fixture
def race_db(tmp_path, django_db_blocker):
    """A file-based SQLite database configured as the project configures one (config.database)."""
    settings = connections.settings
    configured = {"default": settings["default"], ALIAS: database_settings(f"sqlite:///{tmp_path / 'race.db'}")}
    settings[ALIAS] = connections.configure_settings(configured)[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE piece (id INTEGER PRIMARY KEY, version INTEGER, status TEXT)")
            cursor.execute("INSERT INTO piece VALUES (1, 1, 'submitted')")
        yield connections[ALIAS]
        connections[ALIAS].close()
    del connections[ALIAS]
    del settings[ALIAS]


def review(decision: str, seen_version: int, pause: float = 0.3) -> str:
    """What a review service does: in one transaction read the piece, check the version the reviewer
    saw, then write. The pause stands for the work between the read and the write."""
    try:
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT version FROM piece WHERE id = 1")
                (version,) = cursor.fetchone()
                if version != seen_version:
                    raise ValidationError("该稿件在您打开后已被修改,请重新审核")
                time.sleep(pause)
                cursor.execute("UPDATE piece SET version = version + 1, status = %s WHERE id = 1", [decision])
        return decision
    finally:
        connections[ALIAS].close()


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        barrier.wait(10)
        try:
            results[i] = fn()
        except Exception as exc:  # the loser's error is the point
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
        assert not t.is_alive()
    return results


def test_the_project_configures_sqlite_for_concurrent_writers(race_db):
    assert race_db.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with race_db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == SQLITE_OPTIONS["timeout"] * 1000


@pytest.mark.parametrize("round_", range(3))
def test_the_loser_of_a_review_race_gets_the_friendly_message(race_db, round_):
    with race_db.cursor() as cursor:
        cursor.execute("UPDATE piece SET version = 1, status = 'submitted' WHERE id = 1")
    results = race(lambda: review("approved", 1), lambda: review("rejected", 1))
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], ValidationError), repr(losers[0])  # not OperationalError "database is locked"
    assert losers[0].messages == ["该稿件在您打开后已被修改,请重新审核"]
    with race_db.cursor() as cursor:
        cursor.execute("SELECT version, status FROM piece WHERE id = 1")
        assert cursor.fetchone() == (2, winners[0])


def test_a_reader_does_not_wait_for_a_writer(race_db):
    started = threading.Event()
    release = threading.Event()

    def writer():
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("UPDATE piece SET status = 'draft' WHERE id = 1")
                started.set()
                release.wait(10)
        connections[ALIAS].close()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait(10)
    try:
        begun = time.perf_counter()
        with race_db.cursor() as cursor:  # WAL: the committed row, at once
            cursor.execute("SELECT status FROM piece WHERE id = 1")
            assert cursor.fetchone() == ("submitted",)
        assert time.perf_counter() - begun < 1
    finally:
        release.set()
        thread.join(10)


def test_still_locked_after_the_timeout_is_a_chinese_503(client, settings):
    from config.middleware import DatabaseBusyMiddleware

    request = RequestFactory().post("/pieces/1/approve/")
    middleware = DatabaseBusyMiddleware(lambda r: None)
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
    assert "config.middleware.DatabaseBusyMiddleware" in settings.MIDDLEWARE
