"""The demo's share of the rest of the publicity year (issue 14): one of each workflow, built through the
same services the pages use, so the demo shows what a real year looks like.

- 局网站: an item of 汉滨区人社局 waiting for its head, a 重大事项 waiting for the deputy director, and one
  sent with a signed original by 旬阳县人社局 and already published by the website editor.

- Campaigns: a running “春风行动” campaign of the five counties and 市技工学校 (photos 3, a video, a summary,
  due 5 December 2011): 汉滨 and 平利 sent everything on time, 旬阳 late, 紫阳 and 市技工学校 in part,
  石泉 nothing — so the completion table, the zip, the xlsx, the homes' deadlines and the reminders show.

Idempotent: each part is built only when its models are still empty.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from publicity.models import AssessmentYear
from units.models import Unit, User
from website import services as website
from website.models import DeputyInCharge, WebsiteItem, WebsiteRule

CST = dt.timezone(dt.timedelta(hours=8))


def png(text_rgb=(230, 230, 220), size=(240, 160)) -> bytes:
    """A small real PNG (a stand-in for a photo or a scanned signature page)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, text_rgb)
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, size[0] - 10, size[1] - 10], outline=(180, 30, 30), width=3)
    draw.line([30, size[1] - 40, size[0] - 30, size[1] - 50], fill=(20, 20, 120), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _at(item: WebsiteItem, day: dt.date, **extra) -> None:
    """Steps as they happened in 2011 (the services stamp today)."""
    when = dt.datetime.combine(day, dt.time(9, 30), tzinfo=CST)
    fields = {"waiting_since": when if item.waiting_since else None, "created_at": when, **extra}
    WebsiteItem.objects.filter(pk=item.pk).update(**fields)
    item.steps.update(at=when)


def build_website(year: AssessmentYear) -> int:
    if WebsiteItem.objects.exists():
        return 0
    units = {u.name: u for u in Unit.objects.filter(name__in=["汉滨区人社局", "旬阳县人社局"])}
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["hanbin", "hanbin_head", "xunyang", "webeditor", "deputy"])
    }
    if len(units) < 2 or len(people) < 5:
        return 0
    WebsiteRule.objects.get_or_create(year=year, defaults={"signoff_days": 3, "publish_days": 3})
    DeputyInCharge.objects.get_or_create(year=year, unit=units["汉滨区人社局"], defaults={"user": people["deputy"]})
    waiting = website.item_save(
        actor=people["hanbin"],
        unit=units["汉滨区人社局"],
        year=year,
        data=website.ItemInput(
            title="汉滨区“春风行动”招聘月累计达成就业意向3200人",
            body="3月以来,汉滨区人社局在城区和14个镇办举办专场招聘会21场,\n"
            "进场企业286家,提供岗位9100个,达成就业意向3200人。",
            authors="李晓梅、王建国",
        ),
        submit=True,
    )
    _at(waiting, dt.date(2011, 11, 28))
    major = website.item_save(
        actor=people["hanbin"],
        unit=units["汉滨区人社局"],
        year=year,
        data=website.ItemInput(
            title="汉滨区调整城乡居民最低工资标准的通知解读",
            body="经区政府研究,自2011年12月1日起调整全区最低工资标准。\n本文就调整范围、标准和执行时间作出解读。",
            authors="李晓梅",
            is_major=True,
        ),
        submit=True,
    )
    major = website.item_sign(actor=people["hanbin_head"], item=major)
    _at(major, dt.date(2011, 11, 25))
    scanned = website.item_save(
        actor=people["xunyang"],
        unit=units["旬阳县人社局"],
        year=year,
        data=website.ItemInput(
            title="旬阳县开展农民工工资清欠专项行动",
            body="旬阳县人社局联合住建、公安等部门开展农民工工资清欠专项行动,为412名农民工追回工资286万元。",
            authors="刘芳",
            signoff_mode="scan",
        ),
        scan=SimpleUploadedFile("领导签字件.png", png(), content_type="image/png"),
        submit=True,
    )
    website.item_publish(
        actor=people["webeditor"],
        item=scanned,
        url="http://www.akhrss.gov.cn/xxgk/gzdt/2011/1102/8841.html",
        date=dt.date(2011, 11, 2),
    )
    _at(scanned, dt.date(2011, 11, 1), published_at=dt.datetime(2011, 11, 2, 15, 0, tzinfo=CST))
    return 3


# A few bytes that read as an MP4 (an ftyp box): the demo's stand-in for a phone's video clip.
DEMO_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def build_campaign(year: AssessmentYear) -> int:
    from campaigns import services as campaigns
    from campaigns.models import Campaign, CampaignFile

    if Campaign.objects.exists():
        return 0
    names = ["汉滨区人社局", "旬阳县人社局", "紫阳县人社局", "石泉县人社局", "平利县人社局", "市技工学校"]
    units = {u.name: u for u in Unit.objects.filter(name__in=names)}
    admin = User.objects.filter(username="admin").first()
    if len(units) < len(names) or admin is None:
        return 0
    liaisons = {u.unit_id: u for u in User.objects.filter(is_liaison=True, unit__in=units.values())}
    campaign = campaigns.campaign_save(
        actor=admin,
        year=year,
        data=campaigns.CampaignInput(
            title="2011年“春风行动”冬季专场招聘专题宣传活动",
            theme="就业服务进万家 春风送岗暖人心",
            starts_on=dt.date(2011, 11, 15),
            ends_on=dt.date(2011, 11, 30),
            deadline=dt.date(2011, 12, 5),
            unit_ids=tuple(u.pk for u in units.values()),
            deliverables={"photo": 3, "video": 1, "summary": 1},
        ),
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=dt.datetime(2011, 11, 10, 9, tzinfo=CST))
    # unit → (photos sent, video, summary, the day it was sent)
    plan = {
        "汉滨区人社局": (3, True, True, dt.date(2011, 12, 2)),
        "平利县人社局": (3, True, True, dt.date(2011, 12, 5)),
        "旬阳县人社局": (3, True, True, dt.date(2011, 12, 8)),
        "紫阳县人社局": (2, False, False, dt.date(2011, 12, 1)),
        "市技工学校": (3, False, True, dt.date(2011, 12, 4)),
    }
    count = 0
    for name, (photos, video, summary, day) in plan.items():
        unit = units[name]
        actor = liaisons.get(unit.pk)
        short = name.replace("人社局", "")
        uploads = [
            SimpleUploadedFile(f"{short}招聘会现场{i + 1}.png", png((220 - 25 * i, 230, 210 + 10 * i)), "image/png")
            for i in range(photos)
        ]
        rows = campaigns.files_add(actor=actor, campaign=campaign, unit=unit, kind="photo", uploads=uploads)
        if video:
            clip = SimpleUploadedFile(f"{short}专场招聘会.mp4", DEMO_MP4, "video/mp4")
            rows += campaigns.files_add(actor=actor, campaign=campaign, unit=unit, kind="video", uploads=[clip])
        if summary:
            text = (
                f"{short}在活动期间举办冬季专场招聘会,组织用人单位进场招聘,现场发放政策宣传资料,"
                "并通过广播、电子屏和政务微博宣传春风行动各项就业扶持政策。"
            )
            rows += campaigns.files_add(actor=actor, campaign=campaign, unit=unit, kind="summary", text=text)
        when = dt.datetime.combine(day, dt.time(16, 0), tzinfo=CST)
        CampaignFile.objects.filter(pk__in=[r.pk for r in rows]).update(uploaded_at=when)
        count += len(rows)
    return count


def build(year: AssessmentYear) -> dict[str, int]:
    """Every part; returns how many objects each added (0 when it was already there)."""
    from .demo_figures import build_own_schedule, build_subscription

    return {
        "website": build_website(year),
        "campaigns": build_campaign(year),
        "figures": build_subscription(year, png),
        "own_rewards": build_own_schedule(year),
    }
