"""QA: clicking a proof thumbnail in the review queue left the queue for the bare file (the links said
data-zoom but no script handled it). It opens over the page now; Esc or × closes it, the queue stays."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publicity.models import PieceStatus
from publicity.services import evidence_attach
from tests.browser_kit import Session, reload_preset_after  # noqa: F401
from tests.web.conftest import png_bytes

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_proof_opens_over_the_queue_and_closes(
    reload_preset_after,  # noqa: F811
    transactional_db,
    browser,
    live_server,
    users,
    units,
    make_piece,
    device,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    piece = make_piece(units["a"], "春风行动招聘会", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    evidence_attach(
        actor=None, publication=piece.publications.get(), upload=SimpleUploadedFile("clip.png", png_bytes(300, 200))
    )
    from publicity.services import piece_submit

    piece_submit(actor=users["liaison_a"], piece=piece)

    s = Session(browser, live_server.url, device, "review-zoom").login("reviewer")
    page = s.page
    s.go("/p/review/?q=春风")
    queue = page.url
    page.click("a[data-zoom]")
    overlay = page.locator(".zoom-overlay")
    overlay.wait_for(state="visible")
    assert page.url == queue  # still on the queue
    size = overlay.locator("img").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [300, 200]
    s.shot("open")
    page.keyboard.press("Escape")
    overlay.wait_for(state="detached")
    page.click("a[data-zoom]")
    page.click(".zoom-close")
    page.locator(".zoom-overlay").wait_for(state="detached")
    assert page.url == queue
    s.close()
