"""The audit trail: complete (who, unit, when with zone, what, old → new, IP, outcome), append-only,
kept ≥ 185 days, searchable and exportable by the auditor only."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.context import acting_as
from audit.models import AuditAction, AuditEvent, AuditImmutableError, Outcome
from publicity.models import PieceStatus, UnitTarget
from publicity.services import PublicationInput, piece_delete, piece_review, piece_submit, piece_update

pytestmark = pytest.mark.django_db


def _last(model, action=None, **filters):
    qs = AuditEvent.objects.filter(model=model, **filters)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-id").first()


def test_piece_lifecycle_is_recorded_with_old_and_new_values(make_piece, units, users, outlets):
    with acting_as(users["liaison_a"], ip="192.0.2.7"):
        piece = make_piece(units["a"], "春风行动", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    created = _last("publicity.piece", AuditAction.CREATE, object_id=str(piece.pk))
    assert created.username == "liaison_a" and created.unit_name == "汉滨区人社局" and created.ip == "192.0.2.7"
    assert created.changes["title"] == [None, "春风行动"] and created.changes["status"] == [None, "draft"]
    assert created.at.tzinfo is not None and created.outcome == Outcome.SUCCESS
    assert _last("publicity.publication", AuditAction.CREATE).object_repr.startswith("安康日报")
    assert _last("publicity.pieceauthor", AuditAction.CREATE).object_repr == "张三"

    with acting_as(users["liaison_a"]):
        piece_update(
            actor=users["liaison_a"],
            piece=piece,
            title="春风行动圆满结束",
            kind="news",
            characters=900,
            authors=["张三"],
            publications=[
                PublicationInput(outlets["安康日报"], dt.date(2011, 3, 6), "headline", url="https://akxw.cn/a/2.html")
            ],
        )
        piece_submit(actor=users["liaison_a"], piece=piece)
    update = AuditEvent.objects.filter(model="publicity.piece", action=AuditAction.UPDATE).order_by("id")
    assert update[0].changes["title"] == ["春风行动", "春风行动圆满结束"]
    assert update[0].changes["characters"] == [500, 900]
    assert update[1].changes["status"] == ["draft", "submitted"]
    pub = _last("publicity.publication", AuditAction.UPDATE)
    assert pub.changes["date"] == ["2011-03-05", "2011-03-06"] and pub.changes["placement"] == ["other", "headline"]

    with acting_as(users["reviewer"]):
        piece_review(actor=users["reviewer"], piece=piece, approve=False, reason="佐证不清晰")
    review = _last("publicity.piece", AuditAction.UPDATE)
    assert review.username == "reviewer" and review.changes["status"] == ["submitted", "rejected"]
    assert review.changes["reject_reason"] == ["", "佐证不清晰"]

    with acting_as(users["liaison_a"]):
        piece_delete(actor=users["liaison_a"], piece=piece)
    deleted = _last("publicity.piece", AuditAction.DELETE)
    assert deleted.object_id == str(piece.pk) and deleted.changes["title"] == ["春风行动圆满结束", None]
    assert _last("publicity.publication", AuditAction.DELETE) is not None


def test_web_requests_record_the_user_unit_and_ip(client, users, preset):
    client.force_login(users["bureau_admin"])
    response = client.post(
        reverse("admin:publicity_assessmentyear_change", args=[preset.pk]),
        {
            "year": 2011,
            "title": "改过的标题",
            "status": preset.status,
            "issuing_office": preset.issuing_office,
            "reporting_rules-TOTAL_FORMS": 0,
            "reporting_rules-INITIAL_FORMS": 0,
        },
        REMOTE_ADDR="198.51.100.9",
        follow=False,
    )
    assert response.status_code == 302
    event = _last("publicity.assessmentyear", AuditAction.UPDATE)
    assert event.username == "bureau_admin" and event.ip == "198.51.100.9"
    assert event.changes["title"][1] == "改过的标题"


def test_targets_rules_policies_years_and_results_are_recorded(users, units, preset):
    from publicity.models import Indicator
    from scoring.models import RewardRule, ScoringPolicy
    from scoring.services import year_close, year_reopen

    indicator = Indicator.objects.filter(year=preset, unit_kind=units["a"].kind).first()
    target = UnitTarget.objects.create(indicator=indicator, unit=units["a"], target=40)
    target.target = 42
    target.save()
    assert _last("publicity.unittarget", AuditAction.UPDATE).changes == {"target": [40, 42]}

    rule = RewardRule.objects.filter(schedule__year=preset).first()
    rule.amount = rule.amount + Decimal("1.00")
    rule.save()
    change = _last("scoring.rewardrule", AuditAction.UPDATE)
    assert change.changes["amount"] == [str(rule.amount - 1), str(rule.amount)]
    rule.outlets.remove(rule.outlets.first())
    assert "removed" in _last("scoring.rewardrule", AuditAction.UPDATE).changes["outlets"]

    policy = ScoringPolicy.objects.get(year=preset)
    policy.penalty_per_piece = Decimal("0.20")
    policy.save()
    assert _last("scoring.scoringpolicy", AuditAction.UPDATE).changes["penalty_per_piece"] == ["0.10", "0.20"]

    with acting_as(users["bureau_admin"]):
        year_close(actor=users["bureau_admin"], year=preset)
    assert _last("publicity.assessmentyear", AuditAction.UPDATE).changes["status"] == ["open", "closed"]
    snapshot = _last("scoring.yearsnapshot", AuditAction.CREATE)
    assert snapshot.username == "bureau_admin"
    # The results (compressed, YearSnapshot.packed) are kept as their size and hash, not copied in full.
    packed = snapshot.changes["packed"][1]
    assert "字节, SHA-256" in packed and len(packed) < 200
    with acting_as(users["bureau_admin"]):
        year_reopen(actor=users["bureau_admin"], year=preset, reason="更正")
    assert _last("scoring.yearsnapshot", AuditAction.DELETE) is not None
    target.delete()
    assert _last("publicity.unittarget", AuditAction.DELETE).changes["target"] == [42, None]


def test_password_hash_never_enters_the_trail(users):
    user = users["liaison_a"]
    user.set_password("Another#2011")
    user.save()
    event = _last("units.user", AuditAction.UPDATE)
    assert event.changes["password"] == ["***", "***(已修改)"]
    created = _last("units.user", AuditAction.CREATE, object_id=str(user.pk))
    assert created.changes["password"] == [None, "***"]
    assert "pbkdf2" not in str(list(AuditEvent.objects.values_list("changes", flat=True))).lower()
    assert "md5$" not in str(list(AuditEvent.objects.values_list("changes", flat=True))).lower()


# ---- append-only ---------------------------------------------------------------------------


def test_rows_cannot_be_changed_or_deleted_through_the_orm():
    event = AuditEvent.objects.create(action=AuditAction.LOGIN, username="x")
    event.username = "y"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(username="y")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "x"


def test_the_database_refuses_updates_behind_the_orms_back():
    event = AuditEvent.objects.create(action=AuditAction.LOGIN, username="x")
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET username = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == "x"


def test_on_postgresql_the_database_refuses_deleting_recent_rows():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (SQLite guards updates only)")
    event = AuditEvent.objects.create(action=AuditAction.LOGIN, username="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# ---- retention -----------------------------------------------------------------------------


def _old_event(days):
    return AuditEvent.objects.create(
        action=AuditAction.LOGIN, username=f"d{days}", at=timezone.now() - dt.timedelta(days=days)
    )


def test_purge_refuses_anything_newer_than_185_days():
    recent = _old_event(100)
    too_new = (timezone.localdate() - dt.timedelta(days=180)).isoformat()
    with pytest.raises(CommandError, match="至少保留185天"):
        call_command("purge_audit", before=too_new)
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("purge_audit", before="2011/01/01")


def test_purge_removes_only_rows_older_than_the_date_and_records_itself():
    old, kept = _old_event(400), _old_event(190)
    out = io.StringIO()
    call_command("purge_audit", before=(timezone.localdate() - dt.timedelta(days=300)).isoformat(), stdout=out)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert "1 条" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.PURGE).count() == 1


# ---- search and export ---------------------------------------------------------------------


@pytest.fixture
def trail(users):
    make = AuditEvent.objects.create
    return [
        make(action=AuditAction.LOGIN, username="liaison_a", unit_name="汉滨区人社局", ip="10.0.0.1"),
        make(action=AuditAction.LOGIN_FAILED, username="liaison_b", outcome=Outcome.FAILURE, ip="10.0.0.2"),
        make(
            action=AuditAction.UPDATE,
            username="reviewer",
            model="publicity.piece",
            model_name="稿件",
            object_id="7",
            object_repr='=HYPERLINK("http://x","y")',
            changes={"status": ["submitted", "approved"]},
        ),
        make(
            action=AuditAction.DELETE,
            username="bureau_admin",
            model="scoring.rewardrule",
            object_repr="旧规则",
            at=timezone.now() - dt.timedelta(days=10),
        ),
    ]


def _listed(response):
    return [e.pk for e in response.context["page"]]


def test_auditor_searches_by_user_action_model_date_and_text(client, users, trail):
    client.force_login(users["auditor"])
    url = reverse("audit:log")
    assert trail[1].pk in _listed(client.get(url, {"user": "liaison_b"}))
    assert trail[0].pk not in _listed(client.get(url, {"user": "liaison_b"}))
    assert _listed(client.get(url, {"action": "login_failed"})) == [trail[1].pk]
    assert _listed(client.get(url, {"model": "publicity.piece"})) == [trail[2].pk]
    assert _listed(client.get(url, {"q": "HYPERLINK"})) == [trail[2].pk]
    assert _listed(client.get(url, {"q": "10.0.0.2"})) == [trail[1].pk]
    old_day = timezone.localdate() - dt.timedelta(days=10)
    assert trail[3].pk in _listed(client.get(url, {"since": old_day, "until": old_day}))
    assert trail[3].pk not in _listed(client.get(url, {"since": timezone.localdate()}))
    bad = client.get(url, {"since": "2011-05-01", "until": "2011-04-01"})
    assert "截止日期不能早于起始日期" in bad.content.decode() and _listed(bad) == []


def test_audit_page_query_count_does_not_grow(client, users, trail, django_assert_max_num_queries):
    client.force_login(users["auditor"])
    client.get(reverse("audit:log"))
    for i in range(40):
        AuditEvent.objects.create(action=AuditAction.LOGIN, username=f"u{i}")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audit:log")).status_code == 200


def test_export_csv_is_formula_safe_and_recorded(client, users, trail):
    client.force_login(users["auditor"])
    response = client.get(reverse("audit:log"), {"model": "publicity.piece", "export": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("时间,账号,姓名,单位,操作")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    assert "+08:00" in text  # time with its zone
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert export.username == "auditor" and "1条" in export.message


def test_export_xlsx_cells_are_text(client, users, trail):
    from openpyxl import load_workbook

    client.force_login(users["auditor"])
    response = client.get(reverse("audit:log"), {"model": "publicity.piece", "export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "时间"
    cell = ws["H2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_every_business_model_is_watched():
    """A model added to units/publicity/scoring later is audited without anyone remembering to."""
    from django.apps import apps
    from django.db.models import signals

    from audit.recorder import AUDITED_APPS

    models = [m for m in apps.get_models() if m._meta.app_label in AUDITED_APPS]
    labels = {m._meta.label_lower for m in models}
    assert {
        "publicity.piece",
        "publicity.publication",
        "publicity.pieceauthor",
        "publicity.evidence",
        "publicity.unittarget",
        "publicity.indicator",
        "publicity.assessmentyear",
        "scoring.rewardrule",
        "scoring.rewardschedule",
        "scoring.scoringpolicy",
        "scoring.yearsnapshot",
        "units.user",
        "units.unit",
    } <= labels
    for model in models:
        for signal in (signals.pre_save, signals.post_save, signals.post_delete):
            assert signal.has_listeners(model), (model, signal)
    # and nothing else: framework tables keep Django's fast deletes
    from django.contrib.sessions.models import Session

    assert not signals.post_delete.has_listeners(Session)
