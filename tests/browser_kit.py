"""Small helpers shared by the issue-14 browser scenarios (website, campaigns, figures, own rewards).

Screenshots go to test-artifacts/screenshots/ as ``<device>-<area>-<step>.png``; at the phone size every
page is also checked not to be wider than the screen.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def reload_preset_after(django_db_blocker):
    """A live server needs a transactional database, which is flushed afterwards: put the preset back."""
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


class Session:
    """One person in one browser context."""

    def __init__(self, browser, base: str, device: str, area: str):
        self.context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[device])
        self.page = self.context.new_page()
        self.base, self.device, self.area = base, device, area
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def login(self, username: str) -> "Session":
        page = self.page
        page.goto(f"{self.base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return self

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")

    def shot(self, step: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.device}-{self.area}-{step}.png"), full_page=True)
        if self.device == "phone":  # nothing may widen the page beyond the phone's screen
            width = self.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, (step, width)
        # No script refused by the content security policy, no broken page script.
        assert not self.errors, self.errors

    def close(self) -> None:
        self.context.close()
