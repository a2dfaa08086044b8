"""The demo's share of the rest of the publicity year (issue 14): one of each workflow, built through the
same services the pages use, so the demo shows what a real year looks like.

- 局网站: an item of 汉滨区人社局 waiting for its head, a 重大事项 waiting for the deputy director, and one
  sent with a signed original by 旬阳县人社局 and already published by the website editor.

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


def build(year: AssessmentYear) -> dict[str, int]:
    """Every part; returns how many objects each added (0 when it was already there)."""
    return {"website": build_website(year)}
