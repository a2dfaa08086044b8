"""Campaigns in Chromium: the bureau admin sets one up at a desktop size, the liaison uploads photos, a video and
a typed summary on a phone (a wrong file first: the error names it, nothing is kept), the bureau sees the unit
complete and the other one overdue, and the liaison's home lists nothing left for the campaign."""

import pytest

from campaigns.models import Campaign, CampaignFile
from tests.browser_kit import Session
from tests.campaigns.conftest import MP4
from tests.web.conftest import png_bytes

pytestmark = [pytest.mark.browser]


def test_set_up_upload_on_a_phone_and_follow_completion(
    reload_preset_after, transactional_db, browser, live_server, users, units, tmp_path
):
    base = live_server.url
    admin = Session(browser, base, "desktop", "campaigns").login("bureau_admin")
    admin.go("/c/")
    admin.page.click("#new-campaign")
    page = admin.page
    page.fill("#id_title", "社会工作主题宣传活动")
    page.fill("#id_theme", "推进五社联动 关爱一小一老")
    page.fill("#id_starts_on", "2011-03-28")
    page.fill("#id_ends_on", "2011-03-01")  # before the start: refused, nothing saved
    page.fill("#id_deadline", "2011-04-09")
    page.fill("#id_photo", "2")
    page.fill("#id_video", "1")
    page.fill("#id_summary", "1")
    page.check(f"#units input[value='{units['a'].pk}']")
    page.check(f"#units input[value='{units['b'].pk}']")
    page.click("#save")
    page.wait_for_load_state("networkidle")
    assert "活动结束日期不能早于开始日期。" in page.content() and not Campaign.objects.exists()
    admin.shot("01-form-error")
    page.fill("#id_ends_on", "2011-04-07")
    page.click("#save")
    page.wait_for_load_state("networkidle")
    campaign = Campaign.objects.get()
    admin.shot("02-created")

    photo, other, clip, bad = (tmp_path / n for n in ("现场1.png", "现场2.png", "活动.mp4", "假视频.mp4"))
    photo.write_bytes(png_bytes(rgb=(30, 120, 200)))
    other.write_bytes(png_bytes(rgb=(200, 120, 30)))
    clip.write_bytes(MP4)
    bad.write_bytes(b"<html>not a video</html>")

    liaison = Session(browser, base, "phone", "campaigns").login("liaison_a")
    liaison.go(f"/c/{campaign.pk}/?as_of=2011-04-01")
    lp = liaison.page
    assert "未完成" in lp.inner_text("#unit-state")
    liaison.shot("03-unit-page")
    lp.set_input_files("#id_video_files", str(bad))
    lp.click("#upload-video")
    lp.wait_for_load_state("networkidle")
    assert "假视频.mp4" in lp.inner_text("#kind-video") and "不是 MP4 或 WebM 视频" in lp.inner_text("#kind-video")
    assert not CampaignFile.objects.exists()
    liaison.shot("04-bad-video")
    lp.set_input_files("#id_photo_files", [str(photo), str(other)])
    lp.click("#upload-photo")
    lp.wait_for_load_state("networkidle")
    lp.set_input_files("#id_video_files", str(clip))
    lp.click("#upload-video")
    lp.wait_for_load_state("networkidle")
    lp.fill("#id_summary_text", "活动期间发放宣传资料500份,悬挂横幅12条。")
    lp.click("#upload-summary")
    lp.wait_for_load_state("networkidle")
    assert "逾期完成" in lp.inner_text("#unit-state")  # sent today, long after the 2011 deadline
    assert "现场1.png" in lp.inner_text("#kind-photo")
    liaison.shot("05-all-sent")
    assert CampaignFile.objects.filter(unit=units["a"]).count() == 4

    admin.go(f"/c/{campaign.pk}/?as_of=2011-04-20")
    assert admin.page.locator("#completion tr[data-state='late']").count() == 1
    assert admin.page.locator("#completion tr[data-state='missing']", has_text="旬阳县人社局").count() == 1
    admin.shot("06-completion")
    for s in (admin, liaison):
        s.close()
