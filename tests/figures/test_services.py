"""figures.services: report with evidence, review like pieces, and the scored item in the unit's score."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from figures import services
from figures.models import FigureReport, FigureTarget, ReportStatus
from scoring.services import score_year, year_close

pytestmark = pytest.mark.django_db


def test_liaison_reports_with_evidence_and_it_waits_for_review(task, users, units, upload):
    report = services.report_submit(
        actor=users["liaison_a"], task=task, unit=units["a"], value="47", note="已交邮局", evidence=upload()
    )
    assert (report.value, report.status, report.version, report.submitted_by) == (
        47,
        ReportStatus.SUBMITTED,
        1,
        users["liaison_a"],
    )
    assert report.evidence_type == "image/png" and len(report.evidence_sha256) == 64
    assert report.evidence_name == "征订单.png"


def test_bad_input_names_the_field_and_writes_nothing(task, users, units, upload):
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value="四十", evidence=upload())
    assert "完成数“四十”不是整数" in exc.value.message_dict["value"][0]
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=-1, evidence=upload())
    assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=47)
    assert "请上传佐证材料" in exc.value.message_dict["evidence"][0]
    fake = SimpleUploadedFile("征订单.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=47, evidence=fake)
    assert "佐证材料" in exc.value.message_dict["evidence"][0]
    assert not FigureReport.objects.exists()


def test_only_the_units_own_liaison_reports(task, users, units, upload):
    for who in ("liaison_b", "head_a", "reviewer", "bureau_admin"):
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=users[who], task=task, unit=units["a"], value=47, evidence=upload())
    # 办公室 is a department: the task is for county bureaus only
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=users["liaison_dept"], task=task, unit=units["dept"], value=5, evidence=upload())
    assert not FigureReport.objects.exists()


def test_review_approve_and_reject_with_reason(reported, users):
    report = reported("a")
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=users["reviewer"], report=report, approve=False, reason="  ")
    assert "退回原因" in exc.value.message_dict["reason"][0]
    report = services.report_review(actor=users["reviewer"], report=report, approve=False, reason="发票模糊")
    assert report.status == ReportStatus.REJECTED and report.reject_reason == "发票模糊"
    with pytest.raises(ValidationError):  # already handled
        services.report_review(actor=users["reviewer"], report=report, approve=True)


def test_a_rejected_figure_is_corrected_keeping_its_evidence(reported, users, units, task):
    report = reported("a")
    services.report_review(actor=users["reviewer"], report=report, approve=False, reason="数字与发票不符")
    again = services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=52)
    assert (again.pk, again.value, again.status, again.version) == (report.pk, 52, ReportStatus.SUBMITTED, 2)
    assert again.evidence.name == report.evidence.name and again.reject_reason == ""


def test_review_checks_the_version_it_was_shown(reported, users, units, task):
    report = reported("a")
    services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=55)  # version 2
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=users["reviewer"], report=report, approve=True, expected_version=1)
    assert "重新审核" in exc.value.messages[0]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    services.report_review(actor=users["reviewer"], report=report, approve=True, expected_version=2)


def test_not_own_unit_and_not_a_liaison(reported, users, units):
    from units.models import User

    report = reported("a")
    own = User.objects.create_user(username="rev_a", password="x", unit=units["a"], is_reviewer=True)
    with pytest.raises(PermissionDenied):
        services.report_review(actor=own, report=report, approve=True)
    with pytest.raises(PermissionDenied):
        services.report_review(actor=users["liaison_b"], report=report, approve=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_an_approved_figure_is_locked(reported, users, units, task, upload):
    reported("a", approve=True)
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=60, evidence=upload())
    assert "已审核通过" in exc.value.messages[0]


def test_the_scored_item_is_in_the_units_score_exact_to_the_fen(reported, year, units, task):
    before = score_year(year).unit(units["a"].pk)
    reported("a", 47, approve=True)
    reported("b", 62)  # waiting for review: counts as nothing yet
    FigureTarget.objects.create(task=task, unit=units["b"], target=40)
    after = score_year(year)
    a, b = after.unit(units["a"].pk), after.unit(units["b"].pk)
    assert a.figure_points == Decimal("0.85") and a.points == before.points + Decimal("0.85")
    assert [(f.target, f.reported, f.points) for f in a.figures] == [(50, 47, Decimal("0.85"))]
    # b: target 40 of its own, nothing approved → 1 − 40 × 0.05 = −1 → floor 0
    assert [(f.target, f.reported, f.points) for f in b.figures] == [(40, None, Decimal("0.00"))]
    # departments and affiliated units do not take part
    assert score_year(year).unit(units["dept"].pk).figures == []


def test_a_score_as_of_a_day_counts_figures_approved_by_then(reported, year, units):
    """QA: June's circular counted a subscription report approved in November. A figure approved after the
    as-of day counts as not yet reported, as a piece published later does not count."""
    import datetime as dt

    report = reported("a", 47, approve=True)
    FigureReport.objects.filter(pk=report.pk).update(reviewed_at=dt.datetime(2011, 11, 10, 9, tzinfo=dt.UTC))
    june = score_year(year, as_of=dt.date(2011, 6, 30)).unit(units["a"].pk)
    november = score_year(year, as_of=dt.date(2011, 11, 30)).unit(units["a"].pk)
    # June: nothing approved yet → 1 − 50 × 0.05 < 0 → floor 0; November: 47 of 50 → 1 − 3 × 0.05 = 0.85
    assert [(f.reported, f.points) for f in june.figures] == [(None, Decimal("0.00"))]
    assert [(f.reported, f.points) for f in november.figures] == [(47, Decimal("0.85"))]
    assert november.points - june.points == Decimal("0.85")


def test_an_approval_moves_the_stored_score_at_once(client, reported, year, units, users):
    from scoring.models import StoredUnitScore
    from scoring.stored import ensure_stored

    ensure_stored(year)
    before = StoredUnitScore.objects.get(year=year, unit=units["a"]).points
    reported("a", 60, approve=True)  # 1 + 10 × 0.02 = 1.20, against 0 before (50 short, floored)
    assert StoredUnitScore.objects.get(year=year, unit=units["a"]).points == before + Decimal("1.20")


def test_an_unscored_task_adds_nothing(reported, year, units, task):
    task.is_scored = False
    task.save()
    reported("a", 60, approve=True)
    assert score_year(year).unit(units["a"].pk).figures == []


def test_year_close_waits_for_pending_figures(reported, year, users):
    reported("a")
    with pytest.raises(ValidationError) as exc:
        year_close(actor=users["bureau_admin"], year=year)
    assert "报送数据" in exc.value.messages[0]


def test_a_closed_year_accepts_no_report(reported, year, users, units, task, upload):
    reported("a", 50, approve=True)
    year_close(actor=users["bureau_admin"], year=year)
    with pytest.raises(ValidationError):
        services.report_submit(actor=users["liaison_b"], task=task, unit=units["b"], value=50, evidence=upload())
    from scoring.services import year_results

    year.refresh_from_db()
    snap = year_results(year)
    assert snap.source == "snapshot" and snap.unit(units["a"].pk).figure_points == Decimal("1.00")


def test_summaries_take_a_fixed_number_of_queries(reported, year, task, units, kinds, django_assert_num_queries):
    from units.models import Unit

    reported("a", 47, approve=True)
    reported("b", 55)
    FigureTarget.objects.create(task=task, unit=units["b"], target=40)
    with django_assert_num_queries(5):
        [s] = services.year_summaries(year)
    county = Unit.objects.filter(kind=kinds["county"], is_active=True).count()
    assert (s.units, s.approved, s.approved_units, s.pending, s.missing) == (county, 47, 1, 1, county - 2)
    assert s.target == 50 * (county - 1) + 40
    for i in range(5):
        Unit.objects.create(name=f"新县{i}", kind=kinds["county"], order=50 + i)
    with django_assert_num_queries(5):
        services.year_summaries(year)
