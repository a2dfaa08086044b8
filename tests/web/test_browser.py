"""Browser scenario in headless Chromium (Debian's, driven by Playwright; never `playwright install`).

A liaison logs in, logs a piece published in two outlets with an uploaded image and submits it; a
reviewer approves it; the liaison's progress and the dashboard change. Run at a desktop and at a
phone viewport (390×844). Screenshots of each step go to test-artifacts/screenshots/.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD

from .conftest import png_bytes

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it through skip_or_fail
    expect = None


SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# A live server needs committed data, so these tests run on a transactional database (the same as
# ``django_db(transaction=True)``), requested as a fixture *after* ``reload_preset_after`` so that the
# preset is put back after the flush for the tests that follow (with the marker the flush would run last).
pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop in this thread; Django would refuse ORM calls.
    Set for these tests only: a process-wide setting leaks into `manage.py check --deploy` run by
    other tests (it warns about it)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reload_preset_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _achieved(page, code):
    return int(page.locator(f'[data-code="{code}"] .achieved').inner_text())


def _open_menu(page, device):
    if device == "phone":
        page.click("label.nav-burger")


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_liaison_logs_reviewer_approves_progress_moves(
    reload_preset_after, transactional_db, browser, live_server, users, units, tmp_path, device
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    image = tmp_path / "clipping.png"
    image.write_bytes(png_bytes(60, 40, (40, 90, 200)))
    base = live_server.url

    def shot(page, step):
        page.screenshot(path=str(SHOTS / f"{device}-{step}.png"), full_page=True)
        if device == "phone":  # nothing may widen the page beyond the phone's screen
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, step

    title = f"汉滨区开展春风行动专场招聘会({device})"

    # The Content-Security-Policy (django-csp, no 'unsafe-inline' for scripts) must refuse nothing the
    # pages need: every console error on any page of the scenario is collected and must be empty.
    console_errors: list[str] = []

    def watch(page):
        page.on("console", lambda m: m.type == "error" and console_errors.append(f"{page.url}: {m.text}"))
        return page

    liaison = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[device])
    page = watch(liaison.new_page())
    page.goto(f"{base}/accounts/login/")
    shot(page, "01-login")
    _login(page, base, "liaison_a")
    assert page.url.endswith("/p/unit/")
    assert _achieved(page, "C1") == 0
    shot(page, "02-liaison-home-before")

    # Log the piece: one form, two outlets, an uploaded clipping photo.
    _open_menu(page, device)
    page.click("text=登记稿件")
    page.fill("#id_title", title)
    page.fill("#id_authors", "李晓梅、王强")
    page.fill("#id_characters", "1200")
    page.check("text=就业创业")
    page.fill("#id_pub-0-outlet", "安康")
    page.wait_for_selector(".ac-list li")
    shot(page, "03-outlet-autocomplete")
    page.locator(".ac-list li", has_text="安康日报").first.dispatch_event("mousedown")
    assert page.input_value("#id_pub-0-outlet") == "安康日报"
    page.fill("#id_pub-0-date", "2011-03-05")
    page.select_option("#id_pub-0-placement", "front")
    page.set_input_files("#id_pub-0-evidence", str(image))
    page.click("#add-pub")
    page.fill("#id_pub-1-url", "http://www.people.com.cn/n/2011/0306/c1001.html")
    page.dispatch_event("#id_pub-1-url", "change")
    expect(page.locator("#id_pub-1-outlet")).to_have_value("人民网")
    page.fill("#id_pub-1-date", "2011-03-06")
    shot(page, "04-piece-form-filled")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert "已提交审核" in page.content()
    assert page.locator(".badge.submitted").count() >= 1
    assert page.locator(".evidence-big img").count() == 1
    shot(page, "05-piece-submitted")
    piece_url = page.url

    # The reviewer approves it from the queue, with the thumbnail in view.
    reviewer = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[device])
    rpage = watch(reviewer.new_page())
    _login(rpage, base, "reviewer")
    assert rpage.url.endswith("/p/review/")
    card = rpage.locator("article.qitem", has_text=title)
    assert card.locator(".thumbs img").count() == 1
    natural = card.locator(".thumbs img").evaluate("img => img.naturalWidth")
    assert natural == 60  # the image really came through the access-checked view
    shot(rpage, "06-review-queue")
    card.locator("button", has_text="通过").click()
    rpage.wait_for_load_state("networkidle")
    assert "已审核通过" in rpage.content()
    shot(rpage, "07-review-approved")

    # The liaison sees the outcome at once: the piece is approved and C1 moved.
    page.goto(piece_url)
    assert page.locator(".badge.approved").count() >= 1 and "只读" in page.content()
    page.goto(f"{base}/p/unit/")
    assert _achieved(page, "C1") == 1
    shot(page, "08-liaison-home-after")

    # The leadership dashboard counts it.
    leader = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[device])
    lpage = watch(leader.new_page())
    _login(lpage, base, "leader")
    assert lpage.url.endswith("/p/dashboard/")
    row = lpage.locator(f'tr[data-unit="{units["a"].pk}"]')
    assert re.search(r"1/40", row.inner_text())
    assert lpage.locator("#total-approved").inner_text() == "1"
    expect(lpage.locator("#monthly-chart")).to_have_attribute("width", re.compile(r"\d+"))
    shot(lpage, "09-dashboard")
    assert not console_errors, console_errors
    # The watch is real: an inline script injected into the page is refused by the policy and reported.
    lpage.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
    )
    lpage.wait_for_timeout(200)
    assert lpage.evaluate("() => window.x") is None
    assert any("Content Security Policy" in e for e in console_errors), console_errors
    for ctx in (liaison, reviewer, leader):
        ctx.close()
