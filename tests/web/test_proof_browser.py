"""The piece form's suggestions in a real browser: a liaison attaches a photo of a clipping, the real
OCR engine reads it, the form offers title, outlet, date, placement, page and length, nothing is filled
until the liaison taps, and the saved piece keeps the photo. Screenshots go to test-artifacts/."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from proof import engine, samples
from publicity.models import Evidence, EvidenceReading, Piece, ReadingStatus
from tests.conftest import PASSWORD, skip_or_fail

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reload_preset_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


@pytest.fixture
def clipping(tmp_path):
    if samples.font_path() is None:
        skip_or_fail("no CJK TrueType font (apt-get install fonts-wqy-zenhei)")
    try:
        engine.get_engine()
    except engine.EngineUnavailable as exc:
        skip_or_fail(f"OCR engine missing: {exc}")
    clip = samples.Clipping(
        outlet="安康日报",
        title="汉滨区开展春风行动送岗位进村入户",
        date=dt.date(2011, 3, 5),
        page=1,
        headline=True,
        date_style="cn",
        rotation=1.5,
        quality=75,
    )
    path = tmp_path / "IMG_0305.jpg"
    path.write_bytes(samples.render(clip))
    return path


def test_suggestions_are_offered_and_taken_with_one_tap(
    reload_preset_after, transactional_db, browser, live_server, users, clipping
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "liaison_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/p/pieces/new/")

    page.set_input_files("#id_pub-0-evidence", str(clipping))
    title_offer = page.locator(".proof-box li[data-field=title]")
    title_offer.wait_for(timeout=90_000)
    page.screenshot(path=str(SHOTS / "proof-suggestions-phone.png"), full_page=True)
    # Offered, not filled: the form is untouched until the liaison taps.
    assert page.input_value("#id_title") == ""
    assert page.input_value("#id_pub-0-outlet") == ""
    assert "汉滨区开展春风行动送岗位进村入户" in title_offer.inner_text()

    title_offer.locator("button.accept").click()
    assert page.input_value("#id_title") == "汉滨区开展春风行动送岗位进村入户"
    assert page.input_value("#id_pub-0-date") == ""  # only the tapped suggestion
    page.click(".proof-box button.accept-all")
    assert page.input_value("#id_pub-0-outlet") == "安康日报"
    assert page.input_value("#id_pub-0-date") == "2011-03-05"
    assert page.input_value("#id_pub-0-placement") == "headline"
    assert page.input_value("#id_pub-0-page") == "第1版"
    assert int(page.input_value("#id_characters")) >= 100
    # The file went up already: the form posts its token, not the file again.
    assert page.input_value("#id_pub-0-evidence") == ""
    assert page.input_value("input[name='pub-0-staged']") != ""

    page.fill("#id_authors", "张三")
    page.click("button[value=submit]")
    page.wait_for_url("**/p/pieces/*/")
    page.screenshot(path=str(SHOTS / "proof-saved-phone.png"), full_page=True)
    piece = Piece.objects.get(title="汉滨区开展春风行动送岗位进村入户")
    evidence = Evidence.objects.get(publication__piece=piece)
    assert evidence.original_name == "IMG_0305.jpg"
    assert EvidenceReading.objects.get(sha256=evidence.sha256).status == ReadingStatus.DONE
    page.close()
