"""The website workflow's services: each step, who may take it, refusals with a reason, publishing into a piece."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from publicity.models import Piece, PieceStatus, YearStatus
from scoring.services import score_year
from website import services
from website.models import DeputyInCharge, ItemStatus, StepKind, WebsiteItem

pytestmark = pytest.mark.django_db
URL = "http://www.akhrss.gov.cn/xxgk/2011/0305/1.html"


def _publish(item, staff, day=dt.date(2011, 3, 5), url=URL):
    return services.item_publish(actor=staff["editor"], item=item, url=url, date=day)


def test_general_item_head_signs_editor_publishes_into_an_approved_piece(staff, draft):
    item = draft(submit=True)
    assert item.status == ItemStatus.HEAD and item.waiting_since is not None
    item = services.item_sign(actor=staff["head_a"], item=item)
    assert item.status == ItemStatus.EDITOR
    assert item.head_signed_by == staff["head_a"] and item.head_signed_at is not None
    item = _publish(item, staff)
    assert item.status == ItemStatus.PUBLISHED and item.url == URL and item.published_by == staff["editor"]
    piece = item.piece
    assert piece.status == PieceStatus.APPROVED and piece.unit == item.unit and piece.title == item.title
    assert piece.created_by == staff["liaison_a"] and piece.reviewed_by == staff["editor"]
    pub = item.publication
    assert pub.outlet.is_own_website and pub.url == URL and pub.date == dt.date(2011, 3, 5)
    assert [a.name for a in piece.authors.all()] == ["李晓梅", "王强"]
    assert piece.characters == item.characters > 0
    kinds = list(item.steps.values_list("kind", "actor__username"))
    assert kinds == [
        (StepKind.SUBMIT, "liaison_a"),
        (StepKind.HEAD, "head_a"),
        (StepKind.PUBLISH, "editor"),
    ]


def test_published_item_counts_and_is_rewarded_like_any_piece(staff, draft, units, year):
    before = score_year(year, unit_ids=[units["a"].pk]).unit(units["a"].pk)
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    item = _publish(item, staff)
    after = score_year(year, unit_ids=[units["a"].pk])
    c1 = next(i for i in after.unit(units["a"].pk).indicators if i.code == "C1")
    assert c1.achieved == next(i for i in before.indicators if i.code == "C1").achieved + 1
    assert after.pieces[item.piece_id].amount == Decimal("10.00")  # 局网站: 10 元 (seed 004 §6)


def test_major_item_needs_the_deputy_after_the_head(staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True, is_major=True))
    assert item.status == ItemStatus.DEPUTY
    with pytest.raises(ValidationError, match="尚未签发完毕"):
        services.item_publish(actor=staff["editor"], item=item, url=URL, date=dt.date(2011, 3, 5))
    item = services.item_sign(actor=staff["deputy"], item=item)
    assert item.status == ItemStatus.EDITOR and item.deputy_signed_by == staff["deputy"]


def test_named_deputy_of_the_year_is_the_only_one_who_signs(staff, draft, units, year):
    DeputyInCharge.objects.create(year=year, unit=units["a"], user=staff["deputy2"])
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True, is_major=True))
    with pytest.raises(PermissionDenied, match="deputy2"):
        services.item_sign(actor=staff["deputy"], item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.DEPUTY and item.deputy_signed_by is None
    assert services.item_sign(actor=staff["deputy2"], item=item).status == ItemStatus.EDITOR


def test_wrong_people_cannot_take_a_step(staff, draft, units):
    item = draft(submit=True)
    for who in ("liaison_a", "liaison_b", "reviewer", "bureau_admin", "editor", "deputy", "leader"):
        with pytest.raises(PermissionDenied):
            services.item_sign(actor=staff[who], item=item)
    head_b = type(staff["head_a"]).objects.create_user(username="head_b", unit=units["b"], is_unit_head=True)
    with pytest.raises(PermissionDenied):
        services.item_sign(actor=head_b, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.HEAD and item.steps.count() == 1


def test_the_drafter_never_signs_or_publishes_their_own_item(staff, draft):
    both = staff["liaison_a"]
    both.is_unit_head = True
    both.save()
    item = draft(submit=True)
    with pytest.raises(PermissionDenied, match="起草人"):
        services.item_sign(actor=both, item=item)


def test_a_refused_step_returns_the_item_with_its_reason(staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    with pytest.raises(ValidationError) as exc:
        services.item_return(actor=staff["editor"], item=item, reason="  ")
    assert "退回原因" in str(exc.value)
    item = services.item_return(actor=staff["editor"], item=item, reason="标题与正文不符")
    assert item.status == ItemStatus.RETURNED and item.return_reason == "标题与正文不符"
    step = item.steps.last()
    assert (step.kind, step.actor, step.reason, step.from_status) == (
        StepKind.RETURN,
        staff["editor"],
        "标题与正文不符",
        ItemStatus.EDITOR,
    )
    # Edited and sent again, it starts over at the head: the old signature is void.
    item = services.item_save(
        actor=staff["liaison_a"], unit=item.unit, year=item.year, item=item,
        data=services.ItemInput("汉滨区春风行动招聘会", item.body, item.authors), submit=True,
    )  # fmt: skip
    assert item.status == ItemStatus.HEAD and item.head_signed_by is None and item.return_reason == ""


def test_signed_original_upload_stands_for_the_head(staff, draft, png_upload):
    with pytest.raises(ValidationError) as exc:
        draft(submit=True, signoff_mode="scan")
    assert "签字原件" in str(exc.value)
    assert not WebsiteItem.objects.exists()  # all or nothing
    item = services.item_save(
        actor=staff["liaison_a"], unit=staff["liaison_a"].unit, year=draft().year,
        data=services.ItemInput("旬阳无网站单位来稿", "正文", "刘芳", signoff_mode="scan"),
        scan=png_upload("签字件.png"), submit=True,
    )  # fmt: skip
    assert item.status == ItemStatus.EDITOR and item.scan_name == "签字件.png" and len(item.scan_sha256) == 64
    assert [s.kind for s in item.steps.all()] == [StepKind.SUBMIT, StepKind.SCAN]


def test_a_forged_scan_is_refused_and_nothing_is_written(staff, draft):
    fake = SimpleUploadedFile("scan.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.item_save(
            actor=staff["liaison_a"], unit=staff["liaison_a"].unit, year=draft().year,
            data=services.ItemInput("伪造", "正文", "甲", signoff_mode="scan"), scan=fake, submit=True,
        )  # fmt: skip
    assert "领导签字原件" in str(exc.value)
    assert WebsiteItem.objects.filter(title="伪造").count() == 0


def test_bad_input_names_the_field_and_writes_nothing(staff, units, year):
    bad = services.ItemInput(title="", body="正文\x00", authors="甲", source_url="ftp://x")
    with pytest.raises(ValidationError) as exc:
        services.item_save(actor=staff["liaison_a"], unit=units["a"], year=year, data=bad)
    errors = exc.value.message_dict
    assert "请填写标题。" in errors["title"]
    assert "控制字符" in errors["body"][0]
    assert "http://" in errors["source_url"][0]
    assert not WebsiteItem.objects.exists()


def test_only_the_units_liaison_drafts(staff, units, year, item_input):
    for who in ("liaison_b", "head_a", "reviewer", "bureau_admin", "editor"):
        with pytest.raises(PermissionDenied):
            services.item_save(actor=staff[who], unit=units["a"], year=year, data=item_input())
    assert not WebsiteItem.objects.exists()


def test_publishing_checks_the_url_and_the_date(staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    with pytest.raises(ValidationError) as exc:
        services.item_publish(
            actor=staff["editor"], item=item, url="http://www.example.com/a", date=dt.date(2011, 3, 5)
        )
    assert "不是局网站的地址" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.item_publish(actor=staff["editor"], item=item, url=URL, date=dt.date(2012, 1, 2))
    assert "不在2011年度内" in str(exc.value)
    item.refresh_from_db()
    assert item.status == ItemStatus.EDITOR and not Piece.objects.filter(title=item.title).exists()


def test_publishing_adds_to_the_units_unapproved_piece_of_the_same_title(staff, draft, make_piece, units):
    piece = make_piece(units["a"], "汉滨区启动春风行动", [("安康日报", "2011-03-04")], status=PieceStatus.SUBMITTED)
    item = _publish(services.item_sign(actor=staff["head_a"], item=draft(submit=True)), staff)
    assert item.piece_id == piece.pk
    assert sorted(piece.publications.values_list("outlet__name", flat=True)) == ["安康日报", "局网站"]
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED  # still the reviewer's to approve


def test_closed_year_accepts_no_step(staff, draft, year):
    item = draft(submit=True)
    year.status = YearStatus.CLOSED
    year.save()
    with pytest.raises(ValidationError, match="已结账"):
        services.item_sign(actor=staff["head_a"], item=item)


def test_every_step_is_in_the_audit_trail(staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    labels = set(AuditEvent.objects.values_list("model", flat=True))
    assert {"website.websiteitem", "website.websitestep"} <= labels
    assert AuditEvent.objects.filter(model="website.websiteitem", object_id=str(item.pk)).count() >= 2


def test_withdraw_and_delete(staff, draft):
    item = services.item_withdraw(actor=staff["liaison_a"], item=draft(submit=True))
    assert item.status == ItemStatus.DRAFT
    services.item_delete(actor=staff["liaison_a"], item=item)
    assert not WebsiteItem.objects.exists()
