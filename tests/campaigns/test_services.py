"""campaigns.services: setting a campaign up, uploads checked by content, completion (done / late / missing),
the zip and the reminders."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaigns import services
from campaigns.archive import stream_zip
from campaigns.models import Campaign, CampaignFile, Deliverable
from publicity.models import Reminder, ReminderKind, YearStatus
from publicity.reminders import overdue_all, remind
from tests.campaigns.conftest import MP4, PDF_BYTES, WEBM, at, docx_bytes, upload

pytestmark = pytest.mark.django_db
APRIL_9 = dt.date(2011, 4, 9)


def test_bureau_admin_sets_up_a_campaign_with_units_and_deliverables(campaign, units):
    assert set(campaign.units.all()) == {units["a"], units["b"]}
    assert {d.kind: d.count for d in campaign.deliverables.all()} == {"photo": 2, "video": 1, "summary": 1}
    assert campaign.deadline == APRIL_9 and campaign.created_by.username == "bureau_admin"


@pytest.mark.parametrize("role", ["liaison_a", "reviewer", "leader", "head_a"])
def test_only_the_bureau_admin_sets_campaigns_up(users, units, year, campaign_input, role):
    with pytest.raises(PermissionDenied):
        services.campaign_save(actor=users[role], year=year, data=campaign_input([units["a"]]))
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "over, field, text",
    [
        ({"title": "  "}, "title", "请填写活动名称"),
        ({"ends_on": dt.date(2011, 3, 1)}, "ends_on", "活动结束日期不能早于开始日期"),
        ({"deadline": dt.date(2011, 3, 1)}, "deadline", "材料报送截止日期不能早于活动开始日期"),
        ({"starts_on": dt.date(2012, 3, 1), "ends_on": dt.date(2012, 3, 2)}, "starts_on", "须在2011年内"),
        ({"unit_ids": ()}, "units", "请至少选择一个参加单位"),
        ({"deliverables": {"photo": 0}}, "deliverables", "请至少要求一种报送材料"),
        ({"deliverables": {"photo": 51}}, "photo", "照片的要求数量应在0到50之间"),
        ({"deadline": None}, "deadline", "请填写材料报送截止日期"),
    ],
)
def test_bad_campaign_input_names_the_field_and_writes_nothing(users, units, year, campaign_input, over, field, text):
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(actor=users["bureau_admin"], year=year, data=campaign_input([units["a"]], **over))
    assert any(text in m for m in exc.value.message_dict[field])
    assert not Campaign.objects.exists() and not Deliverable.objects.exists()


def test_a_unit_that_sent_something_stays_in_and_its_kind_stays_asked(
    campaign, users, units, year, photo, campaign_input
):
    services.files_add(actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()])
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(
            actor=users["bureau_admin"], year=year, data=campaign_input([units["b"]]), campaign=campaign
        )
    assert "汉滨区人社局已上传材料" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(
            actor=users["bureau_admin"],
            year=year,
            data=campaign_input([units["a"]], deliverables={"video": 1}),
            campaign=campaign,
        )
    assert "不能取消这项要求" in str(exc.value)
    changed = services.campaign_save(
        actor=users["bureau_admin"],
        year=year,
        data=campaign_input([units["a"]], deliverables={"photo": 3}),
        campaign=campaign,
    )
    assert list(changed.units.all()) == [units["a"]]
    assert {d.kind: d.count for d in changed.deliverables.all()} == {"photo": 3}


def test_uploads_are_checked_by_content(campaign, users, units, photo):
    add = lambda kind, *files, text="": services.files_add(  # noqa: E731
        actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind=kind, uploads=list(files), text=text
    )
    first = add("photo", photo("a.png"), photo("b.jpg"))[0]
    assert first.content_type == "image/png"
    with first.file.open("rb") as stored:  # stored as re-encoded (no metadata), recorded by what is stored
        assert hashlib.sha256(stored.read()).hexdigest() == first.sha256
    assert add("video", upload("clip.mp4", MP4))[0].content_type == "video/mp4"
    assert add("video", upload("clip.webm", WEBM))[0].content_type == "video/webm"
    assert add("summary", upload("总结.pdf", PDF_BYTES))[0].content_type == "application/pdf"
    assert add("summary", upload("总结.docx", docx_bytes()))[0].content_type == services.DOCX
    assert add("summary", text="本次活动共发放资料500份。")[0].text.startswith("本次活动")
    before = CampaignFile.objects.count()
    bad = [
        ("photo", upload("photo.png", PDF_BYTES), "照片须是 JPEG、PNG 或 WebP 图片"),
        ("photo", upload("x.jpg", b"not an image at all"), "文件内容不是"),
        ("video", upload("fake.mp4", b"<html><script>alert(1)</script></html>"), "不是 MP4 或 WebM"),
        (
            "video",
            upload("movie.mkv", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska" + b"\0" * 50),
            "不是 MP4 或 WebM",
        ),
        ("summary", upload("macro.docx", docx_bytes(macro=True)), "含有宏"),
        ("summary", upload("broken.docx", b"PK\x03\x04garbage"), "已损坏"),
        ("summary", photo("scan.png"), "书面总结须是 PDF 或 Word"),
    ]
    for kind, bad_file, text in bad:
        with pytest.raises(ValidationError) as exc:
            add(kind, bad_file)
        assert text in str(exc.value), (kind, exc.value)
    # One bad file among good ones: nothing is kept, and every bad file is named at once (QA: only the first was).
    with pytest.raises(ValidationError) as exc:
        add("photo", upload("empty.jpg", b""), photo("good.png"), upload("evil.jpg", b"MZ\x90\x00" + b"\0" * 60))
    text = " ".join(exc.value.messages)
    assert "empty.jpg" in text and "evil.jpg" in text and "good.png" not in text
    assert CampaignFile.objects.count() == before


def test_video_size_limit_comes_from_settings(campaign, users, units, settings):
    settings.CAMPAIGN_VIDEO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        services.files_add(
            actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind="video", uploads=[upload("v.mp4", MP4)]
        )
    assert "超过上限" in str(exc.value) and not CampaignFile.objects.exists()


def test_upload_rules_who_what_and_when(campaign, users, units, photo, year):
    with pytest.raises(PermissionDenied):  # another unit's liaison
        services.files_add(
            actor=users["liaison_b"], campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()]
        )
    with pytest.raises(PermissionDenied):  # a unit not taking part
        services.files_add(
            actor=users["liaison_dept"], campaign=campaign, unit=units["dept"], kind="photo", uploads=[photo()]
        )
    with pytest.raises(ValidationError) as exc:
        services.files_add(actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind="photo", text="文字")
    assert "只有书面总结可以直接填写文字" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.files_add(actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind="summary")
    assert "请上传书面总结文件,或直接填写总结正文" in str(exc.value)
    year.status = YearStatus.CLOSED
    year.save()
    with pytest.raises(ValidationError):
        services.files_add(
            actor=users["liaison_a"], campaign=campaign, unit=units["a"], kind="photo", uploads=[photo()]
        )
    assert not CampaignFile.objects.exists()


def _complete(campaign, users, unit, liaison, photo, day):
    rows = services.files_add(actor=liaison, campaign=campaign, unit=unit, kind="photo", uploads=[photo(), photo()])
    rows += services.files_add(
        actor=liaison, campaign=campaign, unit=unit, kind="video", uploads=[upload("v.mp4", MP4)]
    )
    rows += services.files_add(actor=liaison, campaign=campaign, unit=unit, kind="summary", text="总结")
    at(rows, day)
    return rows


def test_completion_done_late_pending_missing(campaign, users, units, photo, year, kinds):
    from units.models import Unit

    c = Unit.objects.create(name="紫阳县人社局", kind=kinds["county"], order=3)
    d = Unit.objects.create(name="石泉县人社局", kind=kinds["county"], order=4)
    campaign.units.add(c, d)
    _complete(campaign, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 8))
    late = _complete(campaign, users, units["b"], users["liaison_b"], photo, dt.date(2011, 4, 8))
    at(late[-1:], dt.date(2011, 4, 12))  # the summary came three days late
    one = services.files_add(actor=None, campaign=campaign, unit=c, kind="photo", uploads=[photo()])
    at(one, dt.date(2011, 4, 1))
    before = {r.unit.name: r for r in services.completion(campaign, dt.date(2011, 4, 9))}
    assert before["紫阳县人社局"].state == "pending" and before["汉滨区人社局"].state == "done"
    rows = {r.unit.name: r for r in services.completion(campaign, dt.date(2011, 4, 20))}
    assert rows["汉滨区人社局"].state == "done"
    assert rows["旬阳县人社局"].state == "late" and rows["旬阳县人社局"].completed_at.day == 12
    assert rows["紫阳县人社局"].state == "missing" and rows["紫阳县人社局"].missing == {
        "photo": 1,
        "video": 1,
        "summary": 1,
    }
    assert rows["石泉县人社局"].state == "missing" and rows["石泉县人社局"].missing_total == 4
    assert services.summary(list(rows.values())) == {"done": 1, "late": 1, "pending": 0, "missing": 2}


def test_completion_is_three_queries_whatever_the_units(
    campaign, users, units, photo, kinds, django_assert_num_queries
):
    from units.models import Unit

    extra = [Unit.objects.create(name=f"单位{i}", kind=kinds["dept"], order=10 + i) for i in range(15)]
    campaign.units.add(*extra)
    for u in extra[:8]:
        services.files_add(actor=None, campaign=campaign, unit=u, kind="photo", uploads=[photo()])
    campaign = Campaign.objects.get(pk=campaign.pk)
    with django_assert_num_queries(3):
        rows = services.completion(campaign, APRIL_9)
    assert len(rows) == 17


def test_deleting_a_file_removes_it_and_the_unit_is_incomplete_again(campaign, users, units, photo, media_tmp):
    rows = _complete(campaign, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 8))
    path = media_tmp / rows[0].file.name
    assert path.exists()
    with pytest.raises(PermissionDenied):
        services.file_delete(actor=users["liaison_b"], item=rows[0])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.file_delete(actor=users["liaison_a"], item=rows[0])
    assert not path.exists()
    assert services.completion(campaign, APRIL_9, unit_ids=[units["a"].pk])[0].state == "pending"


def test_zip_holds_everything_the_unit_sent_and_streams_in_small_chunks(campaign, users, units, photo):
    big = MP4 + b"\x01" * (600 * 1024)
    services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo("现场.png")] * 1)
    services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo("现场.png")])
    services.files_add(
        actor=None, campaign=campaign, unit=units["a"], kind="video", uploads=[upload("../../etc/v.mp4", big)]
    )
    services.files_add(actor=None, campaign=campaign, unit=units["a"], kind="summary", text="活动总结正文")
    services.files_add(actor=None, campaign=campaign, unit=units["b"], kind="photo", uploads=[photo("旬阳.png")])
    files = list(CampaignFile.objects.filter(campaign=campaign, unit=units["a"]).order_by("kind", "uploaded_at", "id"))
    chunks = list(stream_zip(files))
    assert max(len(c) for c in chunks) <= 80 * 1024  # never the whole 600 KB video at once
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(
            ["照片/01-现场.png", "照片/02-现场.png", "视频/01-v.mp4", "书面总结/01-总结正文.txt"]
        )
        assert zf.read("视频/01-v.mp4") == big
        assert zf.read("书面总结/01-总结正文.txt").decode("utf-8-sig") == "活动总结正文"
        assert zf.testzip() is None


def test_reminders_cover_units_missing_deliverables(campaign, users, units, photo, year, mailoutbox):
    _complete(campaign, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 8))
    users["liaison_b"].email = "xunyang@example.cn"
    users["liaison_b"].save()
    assert not services.overdue_deliverables(year, APRIL_9)  # not yet past the deadline
    dues = [d for d in overdue_all(year, dt.date(2011, 4, 10)) if d.kind == ReminderKind.CAMPAIGN]
    assert [(d.unit, d.deadline) for d in dues] == [(units["b"], APRIL_9)]
    assert "社会工作主题宣传活动" in dues[0].text and "照片2份" in dues[0].text
    result = remind(actor=None, year=year, dues=dues, only_new=True)
    assert [r.unit for r in result.reminded] == [units["b"]]
    assert len(mailoutbox) == 1 and "照片2份" in mailoutbox[0].body
    again = remind(actor=None, year=year, dues=services.overdue_deliverables(year, dt.date(2011, 4, 11)), only_new=True)
    assert not again.reminded and again.already_reminded == 1 and len(mailoutbox) == 1
    assert Reminder.objects.filter(kind=ReminderKind.CAMPAIGN).count() == 1


def test_two_campaigns_due_the_same_day_make_one_reminder_per_unit(campaign, users, units, year, campaign_input):
    services.campaign_save(actor=None, year=year, data=campaign_input([units["b"]], title="民生工程宣传月"))
    dues = services.overdue_deliverables(year, dt.date(2011, 4, 10))
    by_unit = {d.unit.name: d for d in dues}
    assert len(dues) == 2 and "民生工程宣传月" in by_unit["旬阳县人社局"].text
    assert "社会工作主题宣传活动" in by_unit["旬阳县人社局"].text
    remind(actor=None, year=year, dues=dues)  # no clash on the one-e-mail-per-deadline constraint
