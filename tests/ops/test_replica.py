"""Reports read from the read replica when there is one (units.routers); everything else, every write and
anything inside a transaction stays on the primary. The replica here is a second alias on the same
database (a test mirror), as the issue asks."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publicity.models import Piece
from tests.conftest import login
from units.routers import ReplicaRouter, reading_from_replica

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA_ENABLED = True


def test_router_sends_only_marked_reads_to_the_replica(replica_on):
    router = ReplicaRouter()
    assert router.db_for_read(Piece) is None  # unmarked: the default database
    with reading_from_replica():
        assert router.db_for_read(Piece) == "replica"
        assert router.db_for_write(Piece) == "default"
        with transaction.atomic():
            assert router.db_for_read(Piece) is None  # reads its own writes
    assert router.db_for_read(Piece) is None
    assert router.allow_migrate("replica", "publicity") is False


def test_without_a_replica_nothing_changes(settings):
    settings.READ_REPLICA_ENABLED = False
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Piece) is None


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])  # committed: visible to the replica
def test_report_page_reads_from_the_replica(client, replica_on, users, units, make_piece, year):
    from scoring.stored import ensure_stored

    make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05")])
    ensure_stored(year)  # kept current by every approval; the first build writes, so it is on the primary
    login(client, users["leader"])
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get(reverse("reports:year", kwargs={"year": 2011}))
    assert response.status_code == 200 and "汉滨区人社局" in response.content.decode()
    # the year page reads the stored scores, from the replica; the primary serves only the session and user
    assert any("scoring_storedunitscore" in q["sql"] for q in replica.captured_queries)
    bad = [q["sql"][:200] for q in primary.captured_queries if "publicity_" in q["sql"] or "scoring_" in q["sql"]]
    assert not bad, bad
