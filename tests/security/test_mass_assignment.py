"""Mass assignment: extra fields posted to every form (status, unit, reviewer, reward, score,
role flags …) change nothing; only the form's own fields are read."""

import pytest
from django.urls import reverse

from publicity.models import PeriodReport, Piece, PieceStatus, Reminder
from tests.web.conftest import piece_post
from units.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(units, users):
    """Fields a tampering client adds to any form."""
    return {
        "status": PieceStatus.APPROVED,
        "unit": units["b"].pk,
        "unit_id": units["b"].pk,
        "year": 1999,
        "year_id": 999,
        "reviewed_by": users["reviewer"].pk,
        "reviewed_at": "2011-01-01T00:00:00",
        "submitted_at": "2011-01-01T00:00:00",
        "created_by": users["liaison_b"].pk,
        "reject_reason": "",
        "reward": "9999.00",
        "amount": "9999.00",
        "points": "100",
        "score": "100",
        "piece_count": "999",
        "filed_by": users["liaison_b"].pk,
        "sent_by": users["liaison_a"].pk,
        "read_at": "2011-01-01T00:00:00",
        "is_superuser": "on",
        "is_staff": "on",
        "is_bureau_admin": "on",
        "is_reviewer": "on",
        "is_auditor": "on",
        "is_active": "",
        "must_change_password": "",
        "sha256": "0" * 64,
    }


def _same_user(user):
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.roles, fresh.is_superuser, fresh.is_staff, fresh.is_active, fresh.unit_id) == (
        user.roles,
        user.is_superuser,
        user.is_staff,
        user.is_active,
        user.unit_id,
    )


def test_piece_create_ignores_status_unit_and_reviewer(client, users, units, hostile):
    client.force_login(users["liaison_a"])
    response = client.post(reverse("publicity:piece-create"), {**piece_post(action="save"), **hostile})
    assert response.status_code == 302, response.content.decode()[:2000]
    piece = Piece.objects.get(title="汉滨区举办春风行动招聘会")
    assert piece.status == PieceStatus.DRAFT and piece.unit == units["a"] and piece.year.year == 2011
    assert piece.reviewed_by is None and piece.reviewed_at is None and piece.submitted_at is None
    assert piece.created_by == users["liaison_a"]
    _same_user(users["liaison_a"])


def test_piece_submit_through_the_form_is_submitted_not_approved(client, users, units, hostile):
    client.force_login(users["liaison_a"])
    client.post(reverse("publicity:piece-create"), {**piece_post(action="submit"), **hostile})
    piece = Piece.objects.get(title="汉滨区举办春风行动招聘会")
    assert piece.status == PieceStatus.SUBMITTED and piece.unit == units["a"] and piece.reviewed_by is None


def test_piece_edit_ignores_status_and_unit(client, users, units, make_piece, hostile):
    piece = make_piece(units["a"], "原标题", [("安康日报", "2011-03-05")], status=PieceStatus.REJECTED)
    client.force_login(users["liaison_a"])
    response = client.post(
        reverse("publicity:piece-edit", args=[piece.pk]),
        {**piece_post(title="改后的标题", action="save", version=piece.version), **hostile},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    piece.refresh_from_db()
    assert piece.title == "改后的标题"
    assert piece.status == PieceStatus.REJECTED and piece.unit == units["a"] and piece.reviewed_by is None


def test_review_approve_and_reject_take_nothing_but_the_reason(client, users, units, make_piece, hostile):
    one = make_piece(units["a"], "待审一", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    two = make_piece(units["a"], "待审二", [("安康日报", "2011-03-06")], status=PieceStatus.SUBMITTED)
    client.force_login(users["reviewer"])
    client.post(
        reverse("publicity:review-approve", args=[one.pk]),
        {**hostile, "title": "篡改", "status": "rejected", "version": one.version},
    )
    client.post(
        reverse("publicity:review-reject", args=[two.pk]),
        {**hostile, "reason": "版面照片不清晰", "version": two.version},
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.title, one.unit, one.reviewed_by) == (
        PieceStatus.APPROVED,
        "待审一",
        units["a"],
        users["reviewer"],
    )
    assert (two.status, two.reject_reason, two.unit) == (PieceStatus.REJECTED, "版面照片不清晰", units["a"])
    _same_user(users["reviewer"])


def test_review_batch_takes_only_the_selected_ids(client, users, units, make_piece, hostile):
    mine = make_piece(units["a"], "批量一", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    draft = make_piece(units["b"], "草稿不能批量通过", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    client.force_login(users["reviewer"])
    client.post(
        reverse("publicity:review-batch"),
        {
            **hostile,
            "ids": [f"{mine.pk}:{mine.version}", f"{draft.pk}:{draft.version}"],
            "pk": draft.pk,
            "confirm_noproof": "1",
        },
    )
    assert Piece.objects.get(pk=mine.pk).status == PieceStatus.APPROVED
    assert Piece.objects.get(pk=draft.pk).status == PieceStatus.DRAFT


def test_period_report_is_filed_for_the_liaisons_own_unit_only(client, users, units, hostile):
    client.force_login(users["liaison_a"])
    # Naming another unit is not a way in: 404, nothing filed.
    response = client.post(reverse("publicity:unit-reports"), {**hostile, "month": 3, "is_zero": "on"})
    assert response.status_code == 404
    assert not PeriodReport.objects.exists()
    fields = {k: v for k, v in hostile.items() if k not in ("unit", "unit_id")}
    response = client.post(reverse("publicity:unit-reports"), {**fields, "month": 3, "is_zero": "on"})
    assert response.status_code == 302
    report = PeriodReport.objects.get()
    assert (report.unit, report.month, report.piece_count, report.filed_by) == (units["a"], 3, 0, users["liaison_a"])


def test_reminder_sender_and_read_state_come_from_the_server(client, users, units, hostile):
    client.force_login(users["reviewer"])
    client.post(
        reverse("publicity:reminder-send"),
        {**hostile, "unit": units["a"].pk, "month": 3, "message": "请尽快报送"},
    )
    reminder = Reminder.objects.get()
    assert (reminder.sent_by, reminder.read_at, reminder.unit) == (users["reviewer"], None, units["a"])


def test_password_change_form_cannot_grant_anything(client, users, hostile):
    from tests.conftest import PASSWORD

    liaison = users["liaison_a"]
    client.force_login(liaison)
    response = client.post(
        reverse("audit:password-change"),
        {**hostile, "old_password": PASSWORD, "new_password1": "Hanbin#2011x", "new_password2": "Hanbin#2011x"},
    )
    assert response.status_code == 302
    _same_user(liaison)


def test_admin_forms_ignore_fields_they_do_not_show(client, users, units, make_piece, hostile):
    """The admin's user form for the secadmin has role fields only; for the sysadmin account fields only."""
    target = users["liaison_b"]
    client.force_login(users["sysadmin"])
    client.post(
        reverse("admin:units_user_change", args=[target.pk]),
        {**hostile, "username": target.username, "display_name": "新名字", "is_active": "on", "unit": units["a"].pk},
    )
    fresh = User.objects.get(pk=target.pk)
    assert fresh.display_name == "新名字"  # the sysadmin's field
    assert (fresh.roles, fresh.unit_id, fresh.is_superuser, fresh.is_staff) == (
        ["liaison"],
        units["b"].pk,
        False,
        False,
    )
