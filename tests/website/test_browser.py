"""The website workflow in Chromium at a phone and a desktop size: the liaison drafts a 重大事项, the head
signs it from the home page, the deputy director signs, the editor publishes with the URL, and the unit's
piece list shows the piece in 局网站."""

import pytest

from tests.browser_kit import Session
from website.models import ItemStatus, WebsiteItem

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_draft_sign_sign_publish(reload_preset_after, transactional_db, browser, live_server, staff, device):
    base = live_server.url
    title = f"汉滨区春风行动招聘月成效明显({device})"

    liaison = Session(browser, base, device, "website").login("liaison_a")
    liaison.go("/w/")
    liaison.page.click("#new-item")
    page = liaison.page
    page.fill("#id_title", title)
    page.fill("#id_authors", "李晓梅、王强")
    page.fill("#id_body", "3月以来举办专场招聘会21场,\n达成就业意向3200人。")
    page.check("#id_is_major")
    liaison.shot("01-draft")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert "待负责人签发" in page.inner_text("#item-status")
    liaison.shot("02-submitted")

    head = Session(browser, base, device, "website").login("head_a")
    assert head.page.url.endswith("/p/unit/")
    head.page.locator("#website-queue a", has_text=title).click()
    head.page.wait_for_load_state("networkidle")
    head.shot("03-head-detail")
    head.page.click("#sign")
    head.page.wait_for_load_state("networkidle")
    assert "待分管领导签发" in head.page.inner_text("#item-status")

    deputy = Session(browser, base, device, "website").login("deputy")
    assert deputy.page.url.endswith("/w/")
    deputy.page.locator("#my-queue a", has_text=title).click()
    deputy.page.wait_for_load_state("networkidle")
    deputy.page.click("#sign")
    deputy.page.wait_for_load_state("networkidle")
    assert "待网站编辑发布" in deputy.page.inner_text("#item-status")
    deputy.shot("04-deputy-signed")

    editor = Session(browser, base, device, "website").login("editor")
    editor.page.locator("#my-queue a", has_text=title).click()
    editor.page.wait_for_load_state("networkidle")
    editor.page.fill("#id_url", "http://www.example.com/1.html")
    editor.page.fill("#id_date", "2011-03-08")
    editor.page.click("#publish")
    editor.page.wait_for_load_state("networkidle")
    assert "不是局网站的地址" in editor.page.content()
    editor.shot("05-editor-wrong-url")
    editor.page.fill("#id_url", "http://www.akhrss.gov.cn/xxgk/2011/0308/12.html")
    editor.page.fill("#id_date", "2011-03-08")
    editor.page.click("#publish")
    editor.page.wait_for_load_state("networkidle")
    assert "已发布" in editor.page.inner_text("#item-status")
    assert editor.page.locator("#steps li").count() == 4
    editor.shot("06-published")

    item = WebsiteItem.objects.get(title=title)
    assert item.status == ItemStatus.PUBLISHED and item.piece.status == "approved"
    liaison.go(f"/p/pieces/{item.piece_id}/")
    assert "局网站" in liaison.page.content() and "akhrss.gov.cn" in liaison.page.content()
    liaison.shot("07-piece")
    for s in (liaison, head, deputy, editor):
        s.close()
