"""The bureau's three console workflows in headless Chromium: edit the quota grid in place, roll a year over,
close a year through its confirmation page. Screenshots: test-artifacts/screenshots/console-*.png."""

from pathlib import Path

import pytest
from django.core.management import call_command

from publicity.models import AssessmentYear, Indicator, UnitTarget, YearStatus
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def reload_preset_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


@pytest.fixture
def page(reload_preset_after, transactional_db, browser, live_server, users):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bureau_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.base = live_server.url
    yield page
    page.close()


def test_edit_the_quota_grid_in_place(page, units, kinds):
    from playwright.sync_api import expect

    c1 = Indicator.objects.get(year__year=2011, unit_kind=kinds["county"], code="C1")
    page.goto(f"{page.base}/b/2011/quotas/?kind={kinds['county'].pk}")
    cell = page.locator(f'input[name="t-{units["a"].pk}-{c1.pk}"]')
    total = page.locator(f'[data-total="{c1.pk}"]')
    expect(total).to_have_text(str(2 * c1.default_target))
    cell.fill("55")
    cell.press("Tab")
    expect(page.locator("#grid-status")).to_have_text("已保存")
    expect(total).to_have_text(str(55 + c1.default_target))
    expect(cell.locator("xpath=..")).to_have_class("num cell is-override")
    page.screenshot(path=str(SHOTS / "console-quota-grid.png"), full_page=True)
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 55
    # A bad value is refused on the spot and nothing changes.
    cell.fill("-3")
    cell.press("Tab")
    expect(page.locator("#grid-status")).to_contain_text("须为不小于0的整数")
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 55
    # Back to the default with one click.
    cell.fill("55")
    page.locator(f'td:has(input[name="t-{units["a"].pk}-{c1.pk}"]) [data-reset]').click()
    expect(total).to_have_text(str(2 * c1.default_target))
    expect(cell).to_have_value("")
    assert not UnitTarget.objects.filter(unit=units["a"]).exists()


def test_roll_the_year_over(page, units):
    from playwright.sync_api import expect

    page.goto(f"{page.base}/b/2011/")
    page.click("text=结转生成2012年度…")
    expect(page.locator("h1")).to_have_text("由2011年度结转生成2012年度")
    page.screenshot(path=str(SHOTS / "console-rollover-preview.png"), full_page=True)
    assert not AssessmentYear.objects.filter(year=2012).exists()
    page.click("#confirm-rollover")
    expect(page.locator("#year-status")).to_have_text("筹备中")
    page.screenshot(path=str(SHOTS / "console-rollover-done.png"), full_page=True)
    assert Indicator.objects.filter(year__year=2012).count() == Indicator.objects.filter(year__year=2011).count()


def test_close_the_year_with_confirmation(page, units, make_piece):
    from playwright.sync_api import expect

    make_piece(units["a"], "汉滨区招聘会", [("安康日报", "2011-03-05")])
    page.goto(f"{page.base}/b/2011/")
    page.click("text=结账…")
    expect(page.locator("h1")).to_have_text("确认结账:2011年度")
    expect(page.locator("body")).to_contain_text("计入 1 篇审核通过的稿件")
    page.screenshot(path=str(SHOTS / "console-close-confirm.png"), full_page=True)
    assert AssessmentYear.objects.get(year=2011).status == YearStatus.OPEN  # nothing happens before confirming
    page.click("#confirm-close")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#year-status")).to_have_text("已结账")
    assert AssessmentYear.objects.get(year=2011).status == YearStatus.CLOSED
