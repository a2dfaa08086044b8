"""Closing, publishing and reopening a year, and proof that a closed year accepts no write by
any door: services, admin add/change/delete, admin actions and management commands."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from publicity import services as ps
from publicity.models import AssessmentYear, Indicator, Piece, PieceStatus, Publication, UnitTarget
from scoring.models import (
    PersonResult,
    RewardRule,
    RewardSchedule,
    ScoringPolicy,
    UnitResult,
    YearSnapshot,
    YearStatusLog,
)
from scoring.services import score_year, year_close, year_publish, year_reopen, year_results
from tests.conftest import login


@pytest.fixture
def season(units, make_piece):
    """A little year: approved, submitted and draft pieces in two units."""
    return {
        "approved": make_piece(units["a"], "已通过", [("人民网", "2011-03-01")], authors=("张三", "李四")),
        "other": make_piece(units["b"], "乙单位稿件", [("安康日报", "2011-04-01")], authors=("王五",)),
        "submitted": make_piece(units["a"], "待审", [("局网站", "2011-05-01")], status=PieceStatus.SUBMITTED),
        "draft": make_piece(units["a"], "草稿", [("局网站", "2011-05-02")], status=PieceStatus.DRAFT),
    }


def close_leaving_submitted(year, actor, *pieces):
    """Close the year although ``pieces`` are still submitted (year_close refuses pending pieces, so they are
    parked as drafts for the close and put back: old data from before that rule, which every door must still refuse)."""
    Piece.objects.filter(pk__in=[p.pk for p in pieces]).update(status=PieceStatus.DRAFT)
    snapshot = year_close(actor=actor, year=year)
    Piece.objects.filter(pk__in=[p.pk for p in pieces]).update(status=PieceStatus.SUBMITTED)
    return snapshot


@pytest.fixture
def closed(year, users, season):
    close_leaving_submitted(year, users["bureau_admin"], season["submitted"])
    year.refresh_from_db()
    return year


def test_close_is_refused_while_pieces_await_review(year, users, season, units, make_piece):
    make_piece(units["b"], "乙单位待审", [("安康日报", "2011-06-01")], status=PieceStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="还有2篇稿件待审核,请审核完毕后再结账"):
        year_close(actor=users["bureau_admin"], year=year)
    assert AssessmentYear.objects.get(pk=year.pk).status == "open" and not YearSnapshot.objects.exists()


# ----------------------------------------------------------------------------- the acts


def test_close_stores_the_results_and_the_parameters(year, users, season):
    live = score_year(year)
    snapshot = close_leaving_submitted(year, users["bureau_admin"], season["submitted"])
    year.refresh_from_db()
    assert year.status == "closed" and year.is_frozen
    assert snapshot.closed_by == users["bureau_admin"]
    assert snapshot.policy["full_score"] == "4.00" and snapshot.policy["reward_schedule"] == "2011年度市局稿件奖励标准"
    rows = {r.unit_name: r for r in UnitResult.objects.filter(snapshot=snapshot)}
    assert rows["汉滨区人社局"].reward == Decimal("100.00") and rows["旬阳县人社局"].reward == Decimal("20.00")
    assert rows["汉滨区人社局"].indicators == [
        {"code": "C1", "target": 40, "achieved": 1},
        {"code": "R", "target": 4, "achieved": 0},
    ]
    people = list(PersonResult.objects.filter(snapshot=snapshot).values_list("name", "reward"))
    assert people == [("张三", Decimal("50.00")), ("李四", Decimal("50.00")), ("王五", Decimal("20.00"))]
    stored = year_results(year)
    assert stored.source == "snapshot"
    assert [(u.unit_id, u.rank, u.points, u.reward, u.missing, u.extra, u.bonus_base) for u in stored.units] == [
        (u.unit_id, u.rank, u.points, u.reward, u.missing, u.extra, u.bonus_base) for u in live.units
    ]
    assert stored.pieces == live.pieces and stored.people == live.people and stored.policy == live.policy
    # kept compressed (a province's results exceed PostgreSQL's 256 MB jsonb limit as plain JSON)
    snapshot.refresh_from_db()
    assert snapshot.data == {} and len(bytes(snapshot.packed)) > 100 and snapshot.results["units"]
    log = YearStatusLog.objects.get()
    assert (log.actor, log.from_status, log.to_status) == (users["bureau_admin"], "open", "closed")


def test_closed_results_do_not_follow_later_data_changes(closed, season):
    """Even a change that slipped past every door (raw SQL) does not alter what reports read."""
    RewardRule.objects.filter(note="中央及省政府网站").update(amount=Decimal("999"))
    Piece.objects.filter(pk=season["submitted"].pk).update(status=PieceStatus.APPROVED)
    stored = year_results(closed)
    assert stored.pieces[season["approved"].pk].amount == Decimal("100.00")
    assert season["submitted"].pk not in stored.pieces
    assert score_year(closed).pieces[season["approved"].pk].amount == Decimal("999.00")  # live would differ


@pytest.mark.parametrize(
    "who", ["reviewer", "leader", "liaison_a", "head_a", "auditor", "sysadmin", "secadmin", "outsider"]
)
def test_only_the_bureau_admin_closes_publishes_reopens(year, users, who):
    with pytest.raises(PermissionDenied):
        year_close(actor=users[who], year=year)
    year_close(actor=users["bureau_admin"], year=year)
    with pytest.raises(PermissionDenied):
        year_publish(actor=users[who], year=year)
    with pytest.raises(PermissionDenied):
        year_reopen(actor=users[who], year=year, reason="想改")
    with pytest.raises(PermissionDenied):
        year_close(actor=None, year=year)
    assert AssessmentYear.objects.get(pk=year.pk).status == "closed"


def test_publish_then_reopen_with_a_reason(closed, users):
    admin = users["bureau_admin"]
    with pytest.raises(ValidationError, match="不能结账"):
        year_close(actor=admin, year=closed)
    year_publish(actor=admin, year=closed)
    assert AssessmentYear.objects.get(pk=closed.pk).status == "published"
    assert YearSnapshot.objects.get(year=closed).published_at is not None
    assert year_results(closed).source == "snapshot"
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="必须填写原因"):
            year_reopen(actor=admin, year=closed, reason=blank)
    assert AssessmentYear.objects.get(pk=closed.pk).status == "published"
    year_reopen(actor=admin, year=closed, reason="汉滨区补报漏登稿件")
    closed.refresh_from_db()
    assert closed.status == "open" and not YearSnapshot.objects.filter(year=closed).exists()
    assert year_results(closed).source == "live"
    log = YearStatusLog.objects.filter(year=closed).values_list("from_status", "to_status", "reason")
    assert list(log.order_by("id")) == [
        ("open", "closed", ""),
        ("closed", "published", ""),
        ("published", "open", "汉滨区补报漏登稿件"),
    ]
    with pytest.raises(ValidationError, match="无需重新开放"):
        year_reopen(actor=admin, year=closed, reason="再开")
    with pytest.raises(ValidationError, match="须先结账"):
        year_publish(actor=admin, year=closed)


# ----------------------------------------------------------------------------- services


def test_every_piece_service_refuses_a_closed_year(closed, users, units, outlets, season):
    liaison, reviewer = users["liaison_a"], users["reviewer"]
    before = (Piece.objects.count(), Publication.objects.count())
    attempts = [
        lambda: ps.piece_create(
            actor=liaison,
            unit=units["a"],
            year=closed,
            title="新稿件",
            authors=["张三"],
            publications=[ps.PublicationInput(outlets["安康日报"], dt.date(2011, 6, 1))],
        ),
        lambda: ps.piece_update(
            actor=liaison,
            piece=season["draft"],
            title="改标题",
            kind="news",
            characters=100,
            authors=["张三"],
        ),
        lambda: ps.piece_submit(actor=liaison, piece=season["draft"]),
        lambda: ps.piece_withdraw(actor=liaison, piece=season["submitted"]),
        lambda: ps.piece_delete(actor=liaison, piece=season["draft"]),
        lambda: ps.piece_review(actor=reviewer, piece=season["submitted"], approve=True),
        lambda: ps.piece_review(actor=reviewer, piece=season["submitted"], approve=False, reason="不清晰"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="2011年度已结账"):
            attempt()
    assert (Piece.objects.count(), Publication.objects.count()) == before
    assert Piece.objects.get(pk=season["draft"].pk).title == "草稿"
    assert Piece.objects.get(pk=season["submitted"].pk).status == PieceStatus.SUBMITTED


def test_evidence_service_refuses_a_closed_year(closed, users, season):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pub = season["draft"].publications.get()
    png = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    with pytest.raises(ValidationError, match="已结账"):
        ps.evidence_attach(actor=users["liaison_a"], publication=pub, upload=png)
    assert not pub.evidence.exists()


# ----------------------------------------------------------------------------- admin


@pytest.fixture
def admin_client(client, users, closed):
    return login(client, users["bureau_admin"])


def _objects(closed, season, units):
    from django.core.files.base import ContentFile

    from publicity.models import Evidence

    evidence = Evidence(
        publication=season["draft"].publications.get(), content_type="image/png", size=4, sha256="0" * 64
    )
    evidence.file.save("clip.png", ContentFile(b"\x89PNG"), save=True)
    indicator = Indicator.objects.get(year=closed, unit_kind=units["a"].kind, code="C1")
    target = UnitTarget.objects.create(indicator=indicator, unit=units["b"], target=9)
    return {
        "piece": season["draft"],
        "publication": season["draft"].publications.get(),
        "evidence": evidence,
        "indicator": indicator,
        "unittarget": target,
        "scoringpolicy": ScoringPolicy.objects.get(year=closed),
        "rewardschedule": RewardSchedule.objects.get(year=closed, owner_unit=None),
    }


def _admin_url(obj, view):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def test_admin_change_and_delete_posts_are_refused(admin_client, closed, season, units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # created before closing would be the normal case; a target added through the ORM here is still frozen
    objs = _objects(closed, season, units)
    for name, obj in objs.items():
        page = admin_client.get(_admin_url(obj, "change"))
        assert page.status_code == 200, name  # viewable, read-only
        assert b'name="_save"' not in page.content, name
        assert admin_client.post(_admin_url(obj, "change"), {"title": "改", "target": 1}).status_code == 403, name
        assert admin_client.post(_admin_url(obj, "delete"), {"post": "yes"}).status_code == 403, name
    assert Piece.objects.get(pk=objs["piece"].pk).title == "草稿"
    assert UnitTarget.objects.get(pk=objs["unittarget"].pk).target == 9
    assert RewardRule.objects.filter(schedule=objs["rewardschedule"]).count() == 25
    assert ScoringPolicy.objects.filter(year=closed).exists()
    assert objs["publication"].evidence.count() == 1


def test_admin_bulk_delete_is_refused(admin_client, closed, season):
    ids = [season["draft"].pk, season["submitted"].pk]
    response = admin_client.post(
        reverse("admin:publicity_piece_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 403  # the objects of a closed year are not deletable
    assert Piece.objects.filter(pk__in=ids).count() == 2


def _inline(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_add_posts_into_a_closed_year_get_a_clear_error(admin_client, closed, season, units, kinds, outlets):
    from publicity.models import OutletLevel

    city = OutletLevel.objects.get(code="city")
    posts = {
        "publicity_piece": (
            {
                "year": closed.pk,
                "unit": units["a"].pk,
                "title": "后补稿件",
                "kind": "news",
                "authors_text": "张三",
                "characters": 100,
                "status": "draft",
            }
            | _inline("publications"),
            Piece.objects.count,
        ),
        "publicity_indicator": (
            {
                "year": closed.pk,
                "unit_kind": kinds["county"].pk,
                "code": "C9",
                "name": "新指标",
                "min_level": city.pk,
                "kinds": "[]",
                "requires_publication": "on",
                "counts_for_penalty": "on",
                "default_target": 3,
                "order": 9,
            },
            Indicator.objects.count,
        ),
        "publicity_unittarget": (
            {
                "indicator": Indicator.objects.get(year=closed, unit_kind=kinds["county"], code="R").pk,
                "unit": units["a"].pk,
                "target": 8,
            },
            UnitTarget.objects.count,
        ),
        "scoring_rewardschedule": (
            {"year": closed.pk, "owner_unit": units["a"].pk, "name": "汉滨区自定标准"} | _inline("rules"),
            RewardSchedule.objects.count,
        ),
        "scoring_scoringpolicy": (
            {
                "year": closed.pk,
                "full_score": "5",
                "bonus_per_piece": "0.1",
                "bonus_cap_ratio": "0.3",
                "penalty_per_piece": "0.1",
                "floor": "0",
                "bonus_min_level": city.pk,
            },
            ScoringPolicy.objects.count,
        ),
    }
    # Publications are written only with their piece (issue 11 item 3): no add form at all.
    pub = {"piece": season["draft"].pk, "outlet": outlets["人民网"].pk, "date": "2011-05-03", "placement": "other"}
    before = Publication.objects.count()
    assert admin_client.post(reverse("admin:publicity_publication_add"), pub).status_code == 403
    assert Publication.objects.count() == before
    for name, (data, count) in posts.items():
        before = count()
        response = admin_client.post(reverse(f"admin:{name}_add"), data)
        assert response.status_code == 200, name  # the form again, with the error
        assert "2011年度已结账" in response.content.decode(), name
        assert count() == before, name


def test_admin_add_into_an_open_year_still_works(client, users, year, units):
    login(client, users["bureau_admin"])
    indicator = Indicator.objects.get(year=year, unit_kind=units["a"].kind, code="R")
    response = client.post(
        reverse("admin:publicity_unittarget_add"), {"indicator": indicator.pk, "unit": units["a"].pk, "target": 8}
    )
    assert response.status_code == 302
    assert UnitTarget.objects.get(unit=units["a"], indicator=indicator).target == 8


def test_admin_year_form_cannot_set_status_closed(client, users, year):
    login(client, users["bureau_admin"])
    data = {"year": 2011, "title": year.title, "status": "closed", "issuing_office": year.issuing_office} | {
        "reporting_rules-TOTAL_FORMS": "0",
        "reporting_rules-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:publicity_assessmentyear_change", args=[year.pk]), data)
    assert response.status_code == 200 and AssessmentYear.objects.get(pk=year.pk).status == "open"


def test_admin_close_publish_actions_and_reopen_form(client, users, year, season):
    changelist = reverse("admin:publicity_assessmentyear_changelist")
    # a reviewer may look at the admin but the service refuses the act
    login(client, users["reviewer"])
    assert 'value="close_years"' not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "close_years", "_selected_action": [year.pk]}, follow=True)
    assert AssessmentYear.objects.get(pk=year.pk).status == "open"

    login(client, users["bureau_admin"])
    assert 'value="close_years"' in client.get(changelist).content.decode()
    # the action is no unconfirmed click: it opens the console's confirmation page and changes nothing
    response = client.post(changelist, {"action": "close_years", "_selected_action": [year.pk]})
    assert response.status_code == 302 and response.url == reverse("console:year-close", kwargs={"year": 2011})
    page = client.get(response.url).content.decode()
    assert "还有1篇稿件待审核,请审核完毕后再结账" in page  # what blocks it, before anything is done
    assert AssessmentYear.objects.get(pk=year.pk).status == "open"
    # two years at once: asked to pick one, nothing happens
    other = AssessmentYear.objects.create(year=2012, title="2012", status="open")
    response = client.post(changelist, {"action": "close_years", "_selected_action": [year.pk, other.pk]}, follow=True)
    assert "请只选择一个年度" in response.content.decode()
    assert set(AssessmentYear.objects.values_list("status", flat=True)) == {"open"}
    other.delete()
    Piece.objects.filter(pk=season["submitted"].pk).update(status=PieceStatus.DRAFT)  # reviewed/withdrawn
    response = client.post(reverse("console:year-close", kwargs={"year": 2011}), follow=True)
    assert "2011年度已结账" in response.content.decode()
    assert AssessmentYear.objects.get(pk=year.pk).status == "closed" and YearSnapshot.objects.filter(year=year).exists()
    # the year itself is now read-only
    assert client.post(reverse("admin:publicity_assessmentyear_change", args=[year.pk]), {}).status_code == 403
    response = client.post(changelist, {"action": "publish_years", "_selected_action": [year.pk]})
    assert response.url == reverse("console:year-publish", kwargs={"year": 2011})
    assert AssessmentYear.objects.get(pk=year.pk).status == "closed"
    client.post(response.url)
    assert AssessmentYear.objects.get(pk=year.pk).status == "published"

    reopen = reverse("admin:publicity_assessmentyear_reopen", args=[year.pk])
    assert "重新开放原因" in client.get(reopen).content.decode()
    response = client.post(reopen, {"reason": "  "})
    assert "重新开放年度必须填写原因" in response.content.decode()
    assert AssessmentYear.objects.get(pk=year.pk).status == "published"
    response = client.post(reopen, {"reason": "补录遗漏稿件"})
    assert response.status_code == 302
    assert AssessmentYear.objects.get(pk=year.pk).status == "open"
    log = YearStatusLog.objects.latest("id")
    assert (log.actor, log.reason, log.to_status) == (users["bureau_admin"], "补录遗漏稿件", "open")


def test_reopen_form_is_for_the_bureau_admin_only(client, users, closed):
    login(client, users["reviewer"])
    response = client.post(reverse("admin:publicity_assessmentyear_reopen", args=[closed.pk]), {"reason": "想改"})
    assert response.status_code == 403
    assert AssessmentYear.objects.get(pk=closed.pk).status == "closed"


# ----------------------------------------------------------------------------- commands


def test_import_commands_refuse_a_closed_year(closed, tmp_path):
    from tests.imports.conftest import PIECE_HEADERS, piece_row, xlsx_bytes

    pieces = tmp_path / "pieces.xlsx"
    pieces.write_bytes(xlsx_bytes(PIECE_HEADERS, [piece_row(title="结账后导入")]))
    quotas = tmp_path / "quotas.xlsx"
    quotas.write_bytes(xlsx_bytes(["单位", "C1"], [["汉滨区人社局", 45]]))
    before = (Piece.objects.count(), UnitTarget.objects.count())
    for command, path in (("import_pieces", pieces), ("import_quotas", quotas)):
        err = StringIO()
        with pytest.raises(CommandError) as raised:
            call_command(command, str(path), "--year", "2011", stdout=StringIO(), stderr=err)
        assert "2011年度已结账" in str(raised.value) + err.getvalue(), command
    assert (Piece.objects.count(), UnitTarget.objects.count()) == before


def test_score_command_reads_the_snapshot(closed):
    out = StringIO()
    call_command("score", "--year", "2011", stdout=out)
    assert "结账快照" in out.getvalue()


def test_a_snapshot_written_before_compression_still_reads(closed, season):
    """Snapshots closed before ``packed`` existed hold their results in ``data``: they read as before."""
    from scoring.models import YearSnapshot

    snapshot = YearSnapshot.objects.get(year=closed)
    before = year_results(closed)
    YearSnapshot.objects.filter(pk=snapshot.pk).update(data=snapshot.results, packed=None)
    after = year_results(closed)
    assert [(u.unit_id, u.points, u.reward) for u in after.units] == [
        (u.unit_id, u.points, u.reward) for u in before.units
    ]
    assert after.pieces == before.pieces
