"""The 中文 / English switcher in a real browser on a phone screen (Debian's Chromium).

A Chinese phone opens the login page in Chinese, taps "English" at the foot of the page, signs in and
gets the liaison's home and the piece form in English; "中文" brings Chinese back. Nothing may widen
the page beyond the phone's 390 px. Screenshots: test-artifacts/screenshots/i18n-phone-*.png."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported through skip_or_fail
    sync_playwright = None

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; Django would refuse ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reload_preset_after(django_db_blocker):
    # The live server needs a transactional database, flushed afterwards: put the preset back.
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


def test_phone_switches_to_english_and_back(reload_preset_after, transactional_db, browser, live_server, users):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()

    def shot(step):
        page.screenshot(path=str(SHOTS / f"i18n-phone-{step}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], step

    page.goto(f"{base}/accounts/login/")
    assert page.locator("h1").inner_text() == "宣传任务分配与积分管理"
    switch = page.locator("#lang-switch button[value=en]")
    assert switch.is_visible() and switch.bounding_box()["height"] >= 32  # a finger-sized target
    shot("01-login-zh")
    switch.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/accounts/login/")
    assert page.locator("h1").inner_text() == "Publicity Tasks and Credits"
    assert page.locator("#lang-switch button[value=en]").is_disabled()
    shot("02-login-en")

    page.fill("#id_username", "liaison_a")
    page.fill("#id_password", PASSWORD)
    page.click("form:not(#lang-switch) button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/p/unit/")
    assert "Publicity task progress" in page.locator("h1").inner_text()
    page.click("label.nav-burger")
    assert page.locator("nav.nav a", has_text="Log a piece").is_visible()
    shot("03-unit-home-en")
    page.locator("nav.nav a", has_text="Log a piece").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("label[for=id_title]").inner_text() == "Title"
    page.click("#add-pub")
    assert page.locator("#pub-rows [data-row] .row-no").nth(1).inner_text() == "No. 2"  # the script's text too
    shot("04-piece-form-en")

    page.locator("#lang-switch button[value=zh-hans]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/p/pieces/new/")
    assert page.locator("label[for=id_title]").inner_text() == "标题"
    page.click("#add-pub")
    assert page.locator("#pub-rows [data-row] .row-no").nth(1).inner_text() == "第2条"
