"""The campaign pages: the bureau sets up and follows completion, the liaison uploads; another unit's submission
is a 404, the wrong role a 403, bad input a Chinese error with nothing written; zip and xlsx re-read."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, CampaignFile
from tests.campaigns.conftest import MP4, at, upload

pytestmark = pytest.mark.django_db


def form_data(chosen, **over):
    data = {
        "title": "社会工作主题宣传活动",
        "theme": "推进五社联动",
        "starts_on": "2011-03-28",
        "ends_on": "2011-04-07",
        "deadline": "2011-04-09",
        "units": [u.pk for u in chosen],
        "photo": "2",
        "video": "1",
        "summary": "1",
    }
    data.update(over)
    return data


def test_bureau_admin_creates_a_campaign_from_the_form(client, users, units):
    client.force_login(users["bureau_admin"])
    assert "新建2011年度专题活动" in client.get(reverse("campaigns:create")).content.decode()
    response = client.post(reverse("campaigns:create"), form_data([units["a"], units["b"]]))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.year.year == 2011 and campaign.units.count() == 2
    assert {d.kind: d.count for d in campaign.deliverables.all()} == {"photo": 2, "video": 1, "summary": 1}


@pytest.mark.parametrize(
    "over, text",
    [
        ({"title": ""}, "请填写活动名称。"),
        ({"deadline": "2011-02-30"}, "材料报送截止日期格式应为 年-月-日。"),
        ({"ends_on": "2011-03-01"}, "活动结束日期不能早于开始日期。"),
        ({"units": []}, "请至少选择一个参加单位。"),
        ({"units": ["999999"]}, "参加单位中有不存在或已停用的单位。"),
        ({"photo": "0", "video": "0", "summary": "0"}, "请至少要求一种报送材料"),
        ({"photo": "-1"}, "照片的数量不能是负数。"),
        ({"video": "x"}, "视频的数量须是整数。"),
    ],
)
def test_bad_campaign_form_shows_a_chinese_error_and_saves_nothing(client, users, units, over, text):
    client.force_login(users["bureau_admin"])
    response = client.post(reverse("campaigns:create"), form_data([units["a"]], **over))
    page = response.content.decode()
    assert response.status_code == 200 and text in page and "活动未保存" in page
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "leader", "liaison_a", "head_a", "outsider"])
def test_only_the_bureau_admin_opens_the_form(client, users, units, campaign, role):
    client.force_login(users[role])
    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.post(reverse("campaigns:create"), form_data([units["a"]])).status_code == 403
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code in (403, 404)
    assert Campaign.objects.count() == 1


def test_liaison_uploads_from_the_unit_page_and_sees_the_state(client, users, units, campaign, photo):
    client.force_login(users["liaison_a"])
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]) + "?as_of=2011-04-01").content.decode()
    assert "汉滨区人社局" in page and 'id="upload-photo"' in page and ">未完成<" in page
    url = reverse("campaigns:upload", args=[campaign.pk])
    assert client.post(url, {"kind": "photo", "files": [photo("1.png"), photo("2.png")]}).status_code == 302
    assert client.post(url, {"kind": "video", "files": [upload("v.mp4", MP4)]}).status_code == 302
    assert client.post(url, {"kind": "summary", "text": "共发放宣传资料500份。"}).status_code == 302
    assert CampaignFile.objects.filter(unit=units["a"]).count() == 4
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    # Uploaded today, long after the 2011 deadline: complete, but late.
    assert ">逾期完成<" in page and "1.png" in page and "全部材料于" in page
    # the upload time carries its year (QA: "11-30 21:12" read as before a 12-05 deadline of 2011)
    from django.utils import timezone

    assert f'<span class="when small">{timezone.localdate():%Y-%m-%d} ' in page


def test_bad_upload_shows_the_error_on_the_unit_page_and_keeps_nothing(client, users, units, campaign):
    client.force_login(users["liaison_a"])
    url = reverse("campaigns:upload", args=[campaign.pk])
    page = client.post(url, {"kind": "video", "files": [upload("v.mp4", b"<html>no video</html>")]}).content.decode()
    assert "视频文件“v.mp4”:文件内容不是 MP4 或 WebM 视频" in page
    page = client.post(url, {"kind": "photo"}).content.decode()
    assert "请选择要上传的照片文件。" in page
    page = client.post(url, {"kind": "summary", "text": ""}).content.decode()
    assert "请上传书面总结文件,或直接填写总结正文。" in page
    assert client.post(url, {"kind": "nonsense"}).status_code == 302
    assert not CampaignFile.objects.exists()


def test_another_units_submission_is_a_404(client, users, units, campaign, photo, year):
    [mine] = services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()])
    client.force_login(users["liaison_b"])
    assert client.get(reverse("campaigns:unit", args=[campaign.pk, units["a"].pk])).status_code == 404
    assert client.get(reverse("campaigns:unit-zip", args=[campaign.pk, units["a"].pk])).status_code == 404
    assert client.get(reverse("campaigns:file", args=[mine.pk])).status_code == 404
    assert client.post(reverse("campaigns:file-delete", args=[mine.pk])).status_code == 404
    assert CampaignFile.objects.filter(pk=mine.pk).exists()
    # A unit not taking part does not see the campaign at all.
    client.force_login(users["liaison_dept"])
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaigns:upload", args=[campaign.pk]), {"kind": "photo"}).status_code == 404
    assert "社会工作主题宣传活动" not in client.get(reverse("campaigns:list")).content.decode()


def test_wrong_role_is_a_403(client, users, units, campaign, photo):
    [mine] = services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()])
    client.force_login(users["head_a"])  # reads the unit's page, uploads nothing
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    assert client.post(reverse("campaigns:upload", args=[campaign.pk]), {"kind": "photo"}).status_code == 403
    assert client.post(reverse("campaigns:file-delete", args=[mine.pk])).status_code == 403
    assert client.get(reverse("campaigns:completion-xlsx", args=[campaign.pk])).status_code == 403
    client.force_login(users["reviewer"])
    assert client.post(reverse("campaigns:upload", args=[campaign.pk]), {"kind": "photo"}).status_code == 403
    client.force_login(users["outsider"])
    assert client.get(reverse("campaigns:list")).status_code == 403
    assert CampaignFile.objects.count() == 1


def test_bureau_completion_table_zip_and_xlsx(client, users, units, campaign, photo, django_assert_max_num_queries):
    rows = services.files_add(
        actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo("甲.png")] * 1
    )
    rows += services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo("乙.png")])
    rows += services.files_add(
        actor=None, campaign=campaign, unit=units["a"], kind="video", uploads=[upload("v.mp4", MP4)]
    )
    rows += services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="summary", text="总结")
    at(rows, dt.date(2011, 4, 11))  # two days late
    client.force_login(users["reviewer"])
    url = reverse("campaigns:detail", args=[campaign.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url + "?as_of=2011-04-20").content.decode()
    assert (
        'data-unit="汉滨区人社局" data-state="late"' in page and 'data-unit="旬阳县人社局" data-state="missing"' in page
    )
    assert "逾期未交" in page
    filtered = client.get(url + "?state=missing").content.decode()
    assert "旬阳县人社局" in filtered and 'data-unit="汉滨区人社局"' not in filtered

    response = client.get(reverse("campaigns:unit-zip", args=[campaign.pk, units["a"].pk]))
    assert response.status_code == 200 and response.streaming
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        assert sorted(zf.namelist()) == [
            "书面总结/01-总结正文.txt",
            "照片/01-甲.png",
            "照片/02-乙.png",
            "视频/01-v.mp4",
        ]
        assert zf.read("视频/01-v.mp4") == MP4
    assert client.get(reverse("campaigns:unit-zip", args=[campaign.pk, units["b"].pk])).status_code == 404

    from openpyxl import load_workbook

    response = client.get(reverse("campaigns:completion-xlsx", args=[campaign.pk]) + "?as_of=2011-04-20")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "社会工作主题宣传活动" and "材料截止 2011-04-09" in values[1][0]
    assert values[2][:6] == ["序号", "单位", "单位类型", "照片(要求2)", "视频(要求1)", "书面总结(要求1)"]
    body = {row[1]: row for row in values[3:]}
    assert body["汉滨区人社局"][3:7] == [2, 1, 1, "逾期完成"] and body["汉滨区人社局"][7].startswith("2011-04-11")
    assert body["旬阳县人社局"][3:7] == [0, 0, 0, "逾期未交"]


def test_the_liaison_downloads_own_file_with_its_checked_type(client, users, units, campaign, photo):
    [mine] = services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()])
    client.force_login(users["liaison_a"])
    response = client.get(reverse("campaigns:file", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.post(reverse("campaigns:file-delete", args=[mine.pk])).status_code == 302
    assert not CampaignFile.objects.exists()


def test_list_shows_each_audience_its_view(client, users, units, campaign):
    client.force_login(users["bureau_admin"])
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "社会工作主题宣传活动" in page and "2个单位" in page and 'id="new-campaign"' in page
    client.force_login(users["liaison_a"])
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "社会工作主题宣传活动" in page and 'id="new-campaign"' not in page


def test_admin_adds_a_campaign_through_the_service_and_shows_its_errors(client, users, units, year):
    client.force_login(users["bureau_admin"])
    url = reverse("admin:campaigns_campaign_add")
    data = {**form_data([units["a"]]), "year": year.pk, "summary": "0", "video": "0"}
    for prefix in ("deliverables", "files"):  # the read-only inlines' management forms
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    page = client.post(url, {**data, "deadline": "2011-03-01"}).content.decode()
    assert "材料报送截止日期不能早于活动开始日期。" in page and not Campaign.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S)
    campaign = Campaign.objects.get()
    assert campaign.created_by == users["bureau_admin"] and list(campaign.units.all()) == [units["a"]]
    assert {d.kind: d.count for d in campaign.deliverables.all()} == {"photo": 2}
    assert client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).status_code == 200
