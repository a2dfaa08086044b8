"""A liaison reports the unit's subscriptions on a phone: the home page lists the task, the form refuses a
missing receipt with a Chinese error, then takes the figure and the photo; a reviewer approves it and the
figure counts on the liaison's home."""

import pytest

from figures.models import FigureReport, ReportStatus
from tests.browser_kit import Session
from tests.web.conftest import png_bytes

pytestmark = [pytest.mark.browser]


def test_liaison_reports_on_a_phone(reload_preset_after, transactional_db, browser, live_server, users, task, tmp_path):
    base = live_server.url
    liaison = Session(browser, base, "phone", "figures").login("liaison_a")
    liaison.go("/p/unit/")
    page = liaison.page
    assert "安康日报征订" in page.inner_text("#figure-tasks")
    liaison.shot("01-home")
    liaison.go("/f/")
    page.click(f"#report-{task.pk}")
    page.wait_for_load_state("networkidle")
    page.fill("#id_value", "53")
    page.click("#submit-report")
    page.wait_for_load_state("networkidle")
    assert "请上传佐证材料" in page.content()
    liaison.shot("02-missing-receipt")
    receipt = tmp_path / "征订回执.png"
    receipt.write_bytes(png_bytes(40, 30))
    page.set_input_files("#id_evidence", str(receipt))
    page.fill("#id_value", "53")
    page.click("#submit-report")
    page.wait_for_load_state("networkidle")
    assert "待审核" in page.inner_text(f'[data-task="{task.pk}"]')
    liaison.shot("03-reported")
    report = FigureReport.objects.get()
    assert (report.value, report.status) == (53, ReportStatus.SUBMITTED)

    reviewer = Session(browser, base, "phone", "figures").login("reviewer")
    reviewer.go(f"/f/tasks/{task.pk}/")
    reviewer.page.click(f"#approve-{report.pk}")
    reviewer.page.wait_for_load_state("networkidle")
    assert "已通过" in reviewer.page.inner_text('[data-unit="汉滨区人社局"]')
    reviewer.shot("04-approved")

    liaison.go("/p/unit/")
    assert "已通过 53 / 任务 50 份" in page.inner_text("#figure-tasks")
    liaison.shot("05-home-approved")
    for s in (liaison, reviewer):
        s.close()
