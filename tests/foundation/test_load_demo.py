from io import StringIO

from django.core.management import call_command


def test_load_demo_on_empty_db_loads_preset_units_logins_and_pieces(db, client, settings, tmp_path):
    from ops.management.commands.load_demo import DEMO_PASSWORD, LOGINS
    from publicity.models import AssessmentYear, Evidence, Piece, PieceStatus
    from units.models import Unit

    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    # Generated clippings on a few submitted pieces of different units; one photo on two units' pieces.
    evidence = list(Evidence.objects.select_related("publication__piece__unit"))
    assert len(evidence) == 8 and "附上生成的版面照片" in text
    assert {e.publication.piece.status for e in evidence} == {PieceStatus.SUBMITTED}
    assert len({e.publication.piece.unit_id for e in evidence}) == 8
    assert len({e.sha256 for e in evidence}) == 7
    assert AssessmentYear.objects.get(year=2011).status == "open"
    assert Unit.objects.count() == 12
    assert set(Unit.objects.values_list("kind__name", flat=True)) == {"县区人社局", "机关科室", "局属单位"}
    assert 200 <= Piece.objects.count() <= 500
    assert set(Piece.objects.values_list("status", flat=True)) == set(PieceStatus.values)
    assert not Piece.objects.filter(status=PieceStatus.REJECTED, reject_reason="").exists()
    # Pieces spread across the year.
    months = {
        d.month for d in Piece.objects.filter(publications__isnull=False).values_list("publications__date", flat=True)
    }
    assert len(months) == 12
    # Period reports as a real year has them: most filed, some late, some missing (DOMAIN §8).
    from publicity.models import PeriodReport

    reports = PeriodReport.objects.select_related("unit")
    assert reports.filter(unit__name="办公室").count() == 11
    assert not reports.filter(unit__name="就业促进科", month__in=[9, 10]).exists()
    assert reports.get(unit__name="社会保险科", month=6).filed_at.date().isoformat() == "2011-07-08"
    assert all(r.filed_at.year == 2011 for r in reports)
    # Every login is printed and works with the printed password.
    assert DEMO_PASSWORD in text
    for username, *_ in LOGINS:
        assert username in text
        assert client.login(username=username, password=DEMO_PASSWORD), username
    # Every role of DOMAIN §1 has a login.
    from units.models import User

    for role in ("bureau_admin", "reviewer", "liaison", "unit_head", "leader", "auditor"):
        assert User.objects.filter(**{f"is_{role}": True}).exists(), role
    # Issue 14: one of each of the rest of the publicity year's workflows.
    from website.models import ItemStatus, WebsiteItem

    statuses = set(WebsiteItem.objects.values_list("status", flat=True))
    assert {ItemStatus.HEAD, ItemStatus.DEPUTY, ItemStatus.PUBLISHED} <= statuses
    assert WebsiteItem.objects.get(status=ItemStatus.HEAD).unit.name == "汉滨区人社局"
    # A running campaign with units on time, late and missing (judged on 20 December 2011).
    import datetime as dt

    from campaigns.models import Campaign
    from campaigns.services import completion

    states = {r.unit.name: r.state for r in completion(Campaign.objects.get(), dt.date(2011, 12, 20))}
    assert states["汉滨区人社局"] == "done" and states["旬阳县人社局"] == "late"
    assert states["石泉县人社局"] == "missing" and states["紫阳县人社局"] == "missing"


def test_load_demo_twice_adds_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from publicity.models import Piece
    from units.models import Unit, User

    call_command("load_demo", stdout=StringIO())
    counts = (Unit.objects.count(), User.objects.count(), Piece.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Unit.objects.count(), User.objects.count(), Piece.objects.count()) == counts
