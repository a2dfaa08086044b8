"""The liaison's phone (390×844): 月度报送, the piece list and the piece form lay out without horizontal
scroll and without any badge, button or date narrower than its text; file buttons are finger-sized; the
piece list searches, sorts and counts by status. Screenshots: test-artifacts/screenshots/phone-liaison-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from publicity.models import PeriodReport
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Elements whose text must stay on one line: a wrapped badge, button or date is "narrower than its text".
ONE_LINE = ".badge, .btn, button, .nowrap, input[type=file]"
CHECK = """(selector) => {
  const bad = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.tagName !== 'INPUT') {
      const range = document.createRange();
      range.selectNodeContents(el);
      // Text on one line: every text box overlaps the first one vertically (a smaller font sits a little lower).
      const rects = [...range.getClientRects()].filter(r => r.width > 1);
      if (rects.length && rects.some(r => r.top >= rects[0].bottom - 2)) bad.push(el.outerHTML.slice(0, 120));
    }
    if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'INPUT') bad.push('overflow ' + el.outerHTML.slice(0, 120));
  }
  return bad;
}"""


@pytest.fixture
def reload_preset_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


@pytest.fixture
def phone(reload_preset_after, transactional_db, browser, live_server, users):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "liaison_dept")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.base = live_server.url
    yield page
    page.close()


def check_layout(page, name):
    page.screenshot(path=str(SHOTS / f"phone-liaison-{name}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, f"{name}: horizontal scroll"
    assert page.evaluate(CHECK, ONE_LINE) == [], name


def test_monthly_reports_on_a_phone(phone, units, make_piece, users, year):
    make_piece(units["dept"], "办公室二月信息", [("局网站", "2011-02-10")])
    PeriodReport.objects.create(year=year, unit=units["dept"], month=2, piece_count=1, filed_by=users["liaison_dept"])
    PeriodReport.objects.filter(month=2).update(filed_at=dt.datetime(2011, 3, 8, tzinfo=dt.UTC))
    phone.goto(f"{phone.base}{reverse('publicity:unit-reports')}?year=2011&as_of=2011-04-20")
    refile = phone.locator("button", has_text="更新报送").first
    assert refile.bounding_box()["width"] > 60  # not one character wide
    badge = phone.locator(".badge.filed").first
    box = badge.bounding_box()
    assert box["height"] < 30 and box["width"] < 200  # a pill, not a stretched oval
    check_layout(phone, "reports")


def test_piece_list_on_a_phone_searches_sorts_and_counts(phone, units, make_piece):
    make_piece(units["dept"], "办公室春风行动信息", [("局网站", "2011-02-10")], authors=("杨一帆",))
    make_piece(units["dept"], "办公室招聘会简报", [("市委市政府简报", "2011-03-02")], status="submitted")
    make_piece(units["dept"], "办公室调研报告", kind="research", status="draft")
    phone.goto(f"{phone.base}{reverse('publicity:piece-list')}?year=2011")
    tabs = phone.locator(".status-tabs").inner_text()
    assert "全部 3" in tabs and "待审核 1" in tabs and "草稿 1" in tabs
    check_layout(phone, "pieces")
    phone.fill("#piece-q", "招聘")
    phone.click(".piece-search button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("table.stack tbody tr").count() == 1
    assert "办公室招聘会简报" in phone.locator("table.stack").inner_text()
    phone.goto(f"{phone.base}{reverse('publicity:piece-list')}?year=2011&sort=title")
    titles = phone.locator("table.stack tbody tr td:first-child a").all_inner_texts()
    assert titles == sorted(titles)


def test_piece_form_on_a_phone(phone):
    phone.goto(f"{phone.base}{reverse('publicity:piece-create')}")
    check_layout(phone, "piece-form")
    for button in phone.locator("input[type=file]").all():
        if button.is_visible():
            assert button.bounding_box()["height"] >= 40
    # The only publication row offers no 删除; 字数 has no default 0.
    assert not phone.locator(".delete-row").first.is_visible()
    assert phone.locator("#id_characters").input_value() == ""


def test_piece_form_on_a_desktop_shows_one_file_picker(
    reload_preset_after, transactional_db, browser, live_server, users
):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "liaison_dept")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('publicity:piece-create')}")
    visible = [b for b in page.locator(".pub-row input[type=file]").all() if b.is_visible()]
    assert len(visible) == 1
    page.screenshot(path=str(SHOTS / "desktop-liaison-piece-form.png"), full_page=True)
    page.close()
