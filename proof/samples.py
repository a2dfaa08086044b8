"""Generated clippings with known answers: for the engine tests, the benchmark and the demo.

A clipping is drawn with Pillow in an embedded CJK TrueType font (WenQuanYi Zen Hei, Debian's
``fonts-wqy-zenhei``): masthead, a date line (年月日 with 星期, ISO, or Chinese numerals) with the page
label, a headline (sometimes on two lines), body text; then tilted slightly and saved as a JPEG of
modest quality, like a phone photo. A web screenshot has an address bar and a 发布时间 line instead.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
from dataclasses import dataclass
from pathlib import Path

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
WEEKDAY_NAMES = "一二三四五六日"
CN = "〇一二三四五六七八九"

TITLES = [
    "我市人社系统扎实推进就业再就业工作",
    "汉滨区开展春风行动送岗位进村入户",
    "旬阳县农民工返乡创业培训班开班",
    "市技工学校三百名毕业生实现高质量就业",
    "全市社会保险扩面征缴工作会议召开",
    "安康市养老保险待遇按时足额发放",
    "我市举办人力资源市场专场招聘会",
    "就业援助月活动帮扶困难群众就业",
    "市人社局深入开展作风建设年活动",
    "紫阳县加强劳动保障监察维护农民工权益",
    "双创工作推动我市城市面貌明显改善",
    "医疗保险市级统筹工作稳步推进",
    "石泉县技能培训助力群众增收致富",
    "人才引进政策吸引高校毕业生扎根基层",
    "全市人社系统纪检监察工作会议召开",
    "岚皋县创业担保贷款扶持小微企业发展",
]
BODY = (
    "本报讯 今年以来，市人社局围绕稳就业目标，积极开展春风行动，组织各类招聘会二十余场，"
    "帮助农民工实现转移就业。局党组把就业工作作为民生工程的头号任务，层层分解目标，落实责任，"
    "各县区人社部门主动深入乡镇村组，摸清劳动力底数，建立就业台账，实行动态管理。"
    "在技能培训方面，各地结合产业发展需要，开设电工、焊工、家政、电子商务等培训项目，"
    "培训合格后推荐就业。下一步，全市将继续加大政策落实力度，确保全年就业目标圆满完成。"
)


SENTENCES = [
    "今年以来，各县区人社部门主动深入乡镇村组，摸清劳动力底数，建立就业台账，实行动态管理。",
    "活动现场共有八十余家用人单位提供就业岗位两千余个，达成就业意向六百余人。",
    "会议总结了上一阶段的工作，分析了当前面临的形势，安排部署了下一步重点任务。",
    "与会人员认真听取了情况汇报，实地察看了基层服务平台建设情况，并进行了座谈交流。",
    "培训采取集中授课与现场实操相结合的方式，学员考核合格后由人社部门推荐上岗。",
    "下一步，将继续加大政策宣传和落实力度，确保各项目标任务按期完成。",
    "据统计，全年累计发放各类补贴资金三百余万元，惠及群众一万二千余人。",
    "该局坚持把作风建设作为推动工作落实的重要抓手，建立健全了限时办结等制度。",
    "现场还设立了政策咨询台，工作人员向群众发放宣传资料，解答社会保险等方面的问题。",
    "参加活动的企业代表表示，这样的活动为企业和求职者搭建了很好的对接平台。",
]
SUBTITLES = ["——全市就业工作综述", "——记市人社局就业服务窗口", "今年以来新增城镇就业一万二千人"]


def random_body(rng: random.Random, title: str) -> str:
    """A body of its own for each clipping (so two clippings share no more text than real ones do)."""
    return "本报讯 " + title + "。" + "".join(rng.sample(SENTENCES, 4))


def font_path() -> str | None:
    env = os.getenv("PROOF_FONT")
    for path in (env, *FONT_PATHS):
        if path and Path(path).exists():
            return path
    return None


@dataclass(frozen=True)
class Clipping:
    outlet: str
    title: str
    date: dt.date
    page: int | None
    headline: bool  # the headline is the page's lead
    date_style: str  # cn / iso / cnnum / web
    kind: str = "paper"  # paper / web
    url: str = ""
    body: str = BODY
    two_line_title: bool = False
    rotation: float = 0.0
    quality: int = 70
    subtitle: str = ""  # 副题 under the headline, smaller
    columns: int = 1  # body set in one or two columns


def date_line(c: Clipping) -> str:
    weekday = "星期" + WEEKDAY_NAMES[c.date.weekday()]
    if c.date_style == "iso":
        text = f"{c.date:%Y-%m-%d} {weekday}"
    elif c.date_style == "cnnum":
        year = "".join(CN[int(d)] for d in str(c.date.year))
        text = f"{year}年{_cn_small(c.date.month)}月{_cn_small(c.date.day)}日 {weekday}"
    else:
        text = f"{c.date.year}年{c.date.month}月{c.date.day}日 {weekday}"
    if c.page:
        text += f"    第{c.page}版"
    return text


def _cn_small(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def random_clipping(rng: random.Random, outlets: list[str], *, web_outlets: dict[str, str] | None = None) -> Clipping:
    """A random paper clipping (or, one time in five when ``web_outlets`` {name: domain} is given,
    a web screenshot), tilted up to ±3° and saved at JPEG quality 55–85."""
    date = dt.date(2011, 1, 1) + dt.timedelta(days=rng.randrange(365))
    title = rng.choice(TITLES)
    rotation = rng.uniform(-3, 3)
    quality = rng.randrange(55, 86)
    if web_outlets and rng.random() < 0.2:
        name = rng.choice(sorted(web_outlets))
        url = f"http://www.{web_outlets[name]}/news/{date:%Y%m}/{rng.randrange(1000, 9999)}.html"
        return Clipping(name, title, date, None, False, "web", "web", url, rotation=rotation, quality=quality)
    page = rng.choice([1, 1, 1, 2, 3, 4, 6])
    return Clipping(
        outlet=rng.choice(outlets),
        title=title,
        date=date,
        page=page,
        headline=page == 1 and rng.random() < 0.6,
        date_style=rng.choice(["cn", "cn", "iso", "cnnum"]),
        two_line_title=rng.random() < 0.25,
        rotation=rotation,
        quality=quality,
        subtitle=rng.choice(SUBTITLES) if rng.random() < 0.3 else "",
        columns=2 if rng.random() < 0.3 else 1,
    )


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def render(c: Clipping, *, fmt: str = "JPEG") -> bytes:
    """The clipping as image bytes (JPEG by default)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    path = font_path()
    if path is None:
        raise FileNotFoundError("找不到中文 TrueType 字体(apt-get install fonts-wqy-zenhei,或设置 PROOF_FONT)")

    def font(size):
        return ImageFont.truetype(path, size)

    image = Image.new("RGB", (900, 700), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    ink = (25, 25, 25)
    y = 20
    if c.kind == "web":
        draw.rectangle((0, 0, 900, 56), fill=(230, 230, 235))
        draw.rounded_rectangle((20, 10, 880, 46), radius=12, fill="white")
        draw.text((40, 16), c.url, font=font(20), fill=(60, 60, 60))
        y = 80
        draw.text((40, y), c.outlet, font=font(30), fill=(160, 20, 20))
        y += 70
        lines = _wrap(c.title, 16) if c.two_line_title else [c.title]
        for line in lines:
            draw.text((60, y), line, font=font(34), fill=ink)
            y += 50
        draw.text(
            (60, y + 6), f"发布时间:{c.date:%Y-%m-%d} 10:{c.date.day:02d}  来源:本站", font=font(20), fill=(90, 90, 90)
        )
        y += 60
    else:
        masthead = font(64)
        width = draw.textlength(c.outlet, font=masthead)
        draw.text(((900 - width) / 2, y), c.outlet, font=masthead, fill=(170, 20, 20))
        y += 90
        draw.text((40, y), date_line(c), font=font(22), fill=ink)
        y += 36
        draw.line((30, y, 870, y), fill=ink, width=2)
        y += 20
        if not c.headline:
            # Another story's end comes first on the page: ours is not the lead.
            for line in ("(上接第一版)各地各部门认真贯彻落实市委市政府决策部署，", "确保各项工作任务落到实处。"):
                draw.text((40, y), line, font=font(24), fill=ink)
                y += 36
            y += 14
        size = 40 if len(c.title) <= 18 else 34
        lines = _wrap(c.title, 12) if c.two_line_title else [c.title]
        if draw.textlength(c.title, font=font(size)) > 780:  # too long for one line: wrap as a paper would
            lines = _wrap(c.title, (len(c.title) + 1) // 2)
        for line in lines:
            draw.text((60, y), line, font=font(size), fill=ink)
            y += size + 16
        if c.subtitle:
            draw.text((80, y), c.subtitle, font=font(26), fill=ink)
            y += 40
        y += 10
    if c.columns == 2:
        left = _wrap(c.body, 15)
        half = (len(left) + 1) // 2
        for i, line in enumerate(left[:half]):
            if y + 36 * i > 660:
                break
            draw.text((40, y + 36 * i), line, font=font(24), fill=ink)
            if half + i < len(left):
                draw.text((470, y + 36 * i), left[half + i], font=font(24), fill=ink)
        y = 700
    for line in _wrap(c.body, 32) if c.columns == 1 else []:
        if y > 660:
            break
        draw.text((40, y), line, font=font(24), fill=ink)
        y += 36
    if c.rotation:
        image = image.rotate(c.rotation, expand=True, fillcolor=(250, 248, 240), resample=Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(0.4))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", quality=c.quality)
    else:
        image.save(out, format=fmt)
    return out.getvalue()
