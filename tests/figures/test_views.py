"""The reported-figure pages: report with evidence, review, other unit (404), wrong role (403), bad input."""

import pytest
from django.urls import reverse

from figures.models import FigureReport, FigureTask, ReportStatus

pytestmark = pytest.mark.django_db


def post_report(client, task, upload, **over):
    data = {"value": "47", "note": "", "evidence": upload()}
    data.update(over)
    return client.post(reverse("figures:report", args=[task.pk]), data)


def test_liaison_reports_from_the_form(client, users, task, upload):
    client.force_login(users["liaison_a"])
    page = client.get(reverse("figures:list")).content.decode()
    assert "安康日报征订" in page and "未报送" in page and f'id="report-{task.pk}"' in page
    page = client.get(reverse("figures:report", args=[task.pk])).content.decode()
    assert 'id="target">50<' in page
    response = post_report(client, task, upload)
    assert response.status_code == 302 and response.url == reverse("figures:list")
    report = FigureReport.objects.get()
    assert (report.value, report.status, report.unit.name) == (47, ReportStatus.SUBMITTED, "汉滨区人社局")


def test_bad_input_shows_chinese_errors_and_saves_nothing(client, users, task, upload):
    client.force_login(users["liaison_a"])
    page = post_report(client, task, upload, value="很多").content.decode()
    assert "完成数须是整数。" in page and "未报送" in page
    page = client.post(reverse("figures:report", args=[task.pk]), {"value": "47"}).content.decode()
    assert "请上传佐证材料" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.conftest import png_bytes

    bad = SimpleUploadedFile("征订单.png", png_bytes() + b"<script>alert(1)</script>", content_type="image/png")
    page = post_report(client, task, lambda: bad).content.decode()
    assert "佐证材料" in page and "不予上传" in page
    assert not FigureReport.objects.exists()


def test_another_units_task_and_report_are_404(client, users, task, reported, year, kinds):
    dept_task = FigureTask.objects.create(year=year, name="陕西日报征订", default_target=5)
    dept_task.unit_kinds.set([kinds["dept"]])
    report_b = reported("b")
    client.force_login(users["liaison_a"])
    assert client.get(reverse("figures:report", args=[dept_task.pk])).status_code == 404
    assert client.get(reverse("figures:evidence", args=[report_b.pk])).status_code == 404
    client.force_login(users["liaison_b"])
    assert client.get(reverse("figures:evidence", args=[report_b.pk])).status_code == 200


def test_wrong_roles_are_403(client, users, task, reported):
    report = reported("b")
    client.force_login(users["head_a"])  # a unit head reads, but does not report
    assert client.get(reverse("figures:list")).status_code == 200
    assert client.get(reverse("figures:report", args=[task.pk])).status_code == 403
    client.force_login(users["liaison_a"])
    assert client.get(reverse("figures:task", args=[task.pk])).status_code == 403
    assert client.post(reverse("figures:approve", args=[report.pk]), {"version": 1}).status_code == 403
    client.force_login(users["leader"])
    assert client.get(reverse("figures:task", args=[task.pk])).status_code == 200
    assert client.post(reverse("figures:approve", args=[report.pk]), {"version": 1}).status_code == 403
    client.force_login(users["auditor"])
    assert client.get(reverse("figures:list")).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_reviewer_approves_and_rejects_on_the_task_page(client, users, task, reported):
    a, b = reported("a"), reported("b", 30)
    client.force_login(users["reviewer"])
    page = client.get(reverse("figures:task", args=[task.pk])).content.decode()
    assert f'id="approve-{a.pk}"' in page and 'id="pending-count">2<' in page
    client.post(reverse("figures:approve", args=[a.pk]), {"version": a.version})
    page = client.post(reverse("figures:reject", args=[b.pk]), {"version": b.version, "reason": ""}, follow=True)
    assert "退回报送数据必须填写退回原因" in page.content.decode()
    client.post(reverse("figures:reject", args=[b.pk]), {"version": b.version, "reason": "回执不清"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status, b.reject_reason) == (ReportStatus.APPROVED, ReportStatus.REJECTED, "回执不清")


def test_stale_version_is_refused(client, users, task, reported, units):
    from figures import services

    a = reported("a")
    services.report_submit(actor=users["liaison_a"], task=task, unit=units["a"], value=49)
    client.force_login(users["reviewer"])
    page = client.post(reverse("figures:approve", args=[a.pk]), {"version": 1}, follow=True).content.decode()
    assert "重新审核" in page
    a.refresh_from_db()
    assert a.status == ReportStatus.SUBMITTED


def test_home_dashboard_and_score_page_show_the_task(client, users, task, reported, units):
    reported("a", 47, approve=True)
    reported("b", 51)
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:unit-home")).content.decode()
    assert 'id="figure-tasks"' in page and "已通过 47 / 任务 50 份" in page
    client.force_login(users["leader"])
    page = client.get(reverse("publicity:dashboard")).content.decode()
    assert 'id="figure-tasks"' in page and "安康日报征订" in page and "待审核 1" in page
    page = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert 'id="figure-points">0.85<' in page


def test_task_page_queries_do_not_grow(client, users, task, reported, units, kinds, django_assert_max_num_queries):
    from units.models import Unit

    reported("a")
    client.force_login(users["reviewer"])
    url = reverse("figures:task", args=[task.pk])
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        Unit.objects.create(name=f"新县{i}", kind=kinds["county"], order=50 + i)
    reported("b")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
    client.force_login(users["liaison_a"])
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("figures:list")).status_code == 200
    FigureTask.objects.create(year=task.year, name="中国劳动保障报征订", default_target=3)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("figures:list")).status_code == 200


def test_probing_another_units_report_is_a_404_and_recorded(client, users, reported):
    """Issue 11 item 11: another unit's report is a 404, and the probe is in the audit trail."""
    from audit.models import AuditAction, AuditEvent

    theirs = reported("b", 30)
    client.force_login(users["liaison_a"])
    assert client.get(reverse("figures:evidence", args=[theirs.pk])).status_code == 404
    probe = AuditEvent.objects.get(action=AuditAction.NOT_FOUND)
    assert (probe.username, probe.model, probe.object_id) == ("liaison_a", "figures.figurereport", str(theirs.pk))


def test_full_score_beside_points_includes_the_scored_task(client, users, reported, units):
    """QA: 3.76 shown "/ 满分 4.00" while the 发行征订 item (满分 1.00) was part of it: 满分 is 5.00 for a county
    bureau (which takes part), 4.00 for a department (which does not), on the score page and the dashboard."""
    reported("a", 47, approve=True)
    client.force_login(users["bureau_admin"])
    page = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert "满分 5.00" in page and "满分 4.00" not in page
    page = client.get(reverse("scoring:unit-score", args=[2011, units["dept"].pk])).content.decode()
    assert "满分 4.00" in page and "满分 5.00" not in page
    response = client.get(reverse("publicity:dashboard") + "?year=2011")
    full = {g["name"]: g.get("full_score") for g in response.context["groups"]}
    assert full["县区人社局"] == "5.00" and full["机关科室"] == "4.00", full
