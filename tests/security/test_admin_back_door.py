"""Issue 11 item 3: the admin is no back door. Status, reviewer, review time, unit and year are read-only there;
pieces and publications are saved through the same services as the web pages; rejecting needs a reason; period
reports and reminders of a closed year are frozen and their filed-by/sent-by cannot be set by hand."""

import datetime as dt

import pytest
from django.urls import reverse

from publicity.models import (
    AssessmentYear,
    PeriodReport,
    Piece,
    PieceStatus,
    Publication,
    Reminder,
    ReviewEvent,
    YearStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["bureau_admin"])
    return client


def change_url(piece):
    return reverse("admin:publicity_piece_change", args=[piece.pk])


def piece_form(piece, **overrides):
    """What the admin's change form posts for ``piece`` (its publications as inline rows)."""
    pubs = list(piece.publications.select_related("outlet"))
    data = {
        "title": piece.title,
        "kind": piece.kind,
        "authors_text": "、".join(a.name for a in piece.authors.all()),
        "characters": piece.characters,
        "report_date": "",
        "publications-TOTAL_FORMS": str(len(pubs)),
        "publications-INITIAL_FORMS": str(len(pubs)),
        "publications-MIN_NUM_FORMS": "0",
        "publications-MAX_NUM_FORMS": "1000",
    }
    for i, pub in enumerate(pubs):
        data.update(
            {
                f"publications-{i}-id": pub.pk,
                f"publications-{i}-piece": piece.pk,
                f"publications-{i}-outlet": pub.outlet_id,
                f"publications-{i}-date": pub.date.isoformat(),
                f"publications-{i}-placement": pub.placement,
                f"publications-{i}-page": pub.page,
                f"publications-{i}-url": pub.url,
            }
        )
    data.update(overrides)
    return data


def test_status_and_reviewer_cannot_be_set_in_the_admin(admin_client, users, units, make_piece):
    piece = make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    before = piece.version
    data = piece_form(
        piece,
        status=PieceStatus.APPROVED,
        reviewed_by=users["bureau_admin"].pk,
        reviewed_at_0="2011-03-06",
        reviewed_at_1="10:00:00",
        unit=units["b"].pk,
        characters="5000",
    )
    response = admin_client.post(change_url(piece), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    piece.refresh_from_db()
    # The change went through the service: a new submission (a new version), never an approval; unit unchanged.
    assert piece.status == PieceStatus.SUBMITTED and piece.reviewed_by is None and piece.reviewed_at is None
    assert piece.unit == units["a"] and piece.characters == 5000 and piece.version > before
    assert ReviewEvent.objects.filter(piece=piece, kind="resubmitted").exists()


def test_a_piece_added_in_the_admin_is_a_draft_whatever_is_posted(admin_client, users, units, preset, outlets):
    data = {
        "year": preset.pk,
        "unit": units["a"].pk,
        "title": "后台录入的稿件",
        "kind": "news",
        "authors_text": "张三",
        "characters": "800",
        "report_date": "",
        "status": PieceStatus.APPROVED,
        "reviewed_by": users["bureau_admin"].pk,
        "publications-TOTAL_FORMS": "1",
        "publications-INITIAL_FORMS": "0",
        "publications-MIN_NUM_FORMS": "0",
        "publications-MAX_NUM_FORMS": "1000",
        "publications-0-outlet": outlets["人民日报"].pk,
        "publications-0-date": "2011-04-01",
        "publications-0-placement": "headline",
        "publications-0-page": "",
        "publications-0-url": "",
    }
    response = admin_client.post(reverse("admin:publicity_piece_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    piece = Piece.objects.get(title="后台录入的稿件")
    assert piece.status == PieceStatus.DRAFT and piece.reviewed_by is None
    assert piece.created_by == users["bureau_admin"]
    assert list(piece.authors.values_list("name", flat=True)) == ["张三"]
    assert piece.publications.get().outlet == outlets["人民日报"]


def test_service_rules_hold_in_the_admin(admin_client, units, make_piece):
    piece = make_piece(units["a"], "草稿", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    # A publication dated in another year: the service's Chinese error, shown on the form, nothing saved.
    response = admin_client.post(change_url(piece), piece_form(piece, **{"publications-0-date": "2012-01-05"}))
    assert response.status_code == 200
    assert "不在2011年度内" in response.content.decode()
    piece.refresh_from_db()
    assert piece.publications.get().date == dt.date(2011, 3, 5)


def test_an_approved_piece_is_read_only_in_the_admin(admin_client, units, make_piece, outlets):
    piece = make_piece(units["a"], "已通过", [("安康日报", "2011-03-05")])
    page = admin_client.get(change_url(piece))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    data = piece_form(piece, unit=units["b"].pk, characters="5000", **{"publications-0-outlet": outlets["人民日报"].pk})
    assert admin_client.post(change_url(piece), data).status_code == 403
    piece.refresh_from_db()
    assert piece.unit == units["a"] and piece.characters == 500
    assert piece.publications.get().outlet.name == "安康日报"
    assert (
        admin_client.post(reverse("admin:publicity_piece_delete", args=[piece.pk]), {"post": "yes"}).status_code == 403
    )
    assert Piece.objects.filter(pk=piece.pk).exists()


def test_publications_are_not_written_outside_the_piece(admin_client, units, make_piece, outlets):
    piece = make_piece(units["a"], "已通过", [("安康日报", "2011-03-05")])
    pub = piece.publications.get()
    add = {"piece": piece.pk, "outlet": outlets["人民日报"].pk, "date": "2011-03-06", "placement": "headline"}
    assert admin_client.post(reverse("admin:publicity_publication_add"), add).status_code == 403
    change = reverse("admin:publicity_publication_change", args=[pub.pk])
    assert admin_client.post(change, {**add, "outlet": outlets["安康日报"].pk}).status_code == 403
    assert Publication.objects.filter(piece=piece).count() == 1


def test_reject_in_the_admin_needs_a_reason(admin_client, users, units, make_piece):
    piece = make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    changelist = reverse("admin:publicity_piece_changelist")
    response = admin_client.post(changelist, {"action": "reject_selected", "_selected_action": [piece.pk]})
    assert response.status_code == 200 and "退回原因" in response.content.decode()
    response = admin_client.post(
        changelist,
        {
            "action": "reject_selected",
            "_selected_action": [piece.pk],
            "apply": "1",
            f"version-{piece.pk}": piece.version,
            "reason": "",
        },
    )
    assert "退回稿件必须填写退回原因" in response.content.decode()
    assert "IntegrityError" not in response.content.decode() and "Constraint" not in response.content.decode()
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED
    admin_client.post(
        changelist,
        {
            "action": "reject_selected",
            "_selected_action": [piece.pk],
            "apply": "1",
            f"version-{piece.pk}": piece.version,
            "reason": "照片不清晰",
        },
    )
    piece.refresh_from_db()
    assert piece.status == PieceStatus.REJECTED and piece.reject_reason == "照片不清晰"
    assert piece.reviewed_by == users["bureau_admin"]


def test_approve_in_the_admin_goes_through_the_review_service(admin_client, users, units, make_piece, preset):
    piece = make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    own = Piece.objects.create(year=preset, unit=units["b"], title="本人录入", created_by=users["bureau_admin"])
    own.status = PieceStatus.SUBMITTED
    own.save()
    changelist = reverse("admin:publicity_piece_changelist")
    shown = piece.version
    services_edit = Piece.objects.filter(pk=piece.pk)
    services_edit.update(version=shown + 1)  # changed after the confirmation page was shown
    admin_client.post(
        changelist,
        {
            "action": "approve_selected",
            "_selected_action": [piece.pk, own.pk],
            "apply": "1",
            f"version-{piece.pk}": shown,
        },
    )
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SUBMITTED
    admin_client.post(
        changelist,
        {
            "action": "approve_selected",
            "_selected_action": [piece.pk, own.pk],
            "apply": "1",
            f"version-{piece.pk}": shown + 1,
            f"version-{own.pk}": own.version,
        },
    )
    piece.refresh_from_db()
    own.refresh_from_db()
    assert piece.status == PieceStatus.APPROVED and piece.reviewed_by == users["bureau_admin"]
    assert own.status == PieceStatus.SUBMITTED  # entered by the same person: another reviewer must approve it


def test_closed_year_reports_and_reminders_are_frozen(admin_client, users, units, preset):
    report = PeriodReport.objects.create(
        year=preset, unit=units["a"], month=2, is_zero=True, filed_by=users["liaison_a"]
    )
    reminder = Reminder.objects.create(
        year=preset, unit=units["a"], month=3, message="请报送", sent_by=users["reviewer"]
    )
    AssessmentYear.objects.filter(pk=preset.pk).update(status=YearStatus.CLOSED)
    r_url = reverse("admin:publicity_periodreport_change", args=[report.pk])
    m_url = reverse("admin:publicity_reminder_change", args=[reminder.pk])
    post = {"year": preset.pk, "unit": units["a"].pk, "month": 2, "note": "改", "piece_count": 9}
    assert admin_client.post(r_url, post).status_code == 403
    assert (
        admin_client.post(m_url, {"year": preset.pk, "unit": units["a"].pk, "month": 3, "message": "改"}).status_code
        == 403
    )
    assert (
        admin_client.post(reverse("admin:publicity_periodreport_delete", args=[report.pk]), {"post": "yes"}).status_code
        == 403
    )
    report.refresh_from_db()
    reminder.refresh_from_db()
    assert (report.note, report.piece_count, reminder.message) == ("", 0, "请报送")


def test_filed_by_and_sent_by_come_from_the_signed_in_user(admin_client, users, units, preset):
    response = admin_client.post(
        reverse("admin:publicity_periodreport_add"),
        {
            "year": preset.pk,
            "unit": units["a"].pk,
            "month": 4,
            "is_zero": "on",
            "note": "",
            "filed_by": users["liaison_b"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = PeriodReport.objects.get(month=4)
    assert report.filed_by == users["bureau_admin"]
    response = admin_client.post(
        reverse("admin:publicity_reminder_add"),
        {"year": preset.pk, "unit": units["a"].pk, "month": 4, "message": "请报送", "sent_by": users["liaison_b"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Reminder.objects.get(month=4).sent_by == users["bureau_admin"]
