"""A synthetic assessment year of any size, for benchmarks and capacity planning (issue 13).

Deterministic: the same arguments on an empty database give the same rows (one seeded ``random.Random``,
drawn in a fixed order). Bulk-written in chunks (``bulk_create``), so a province-sized year
(2,000 units, 300,000 pieces, ≈ 450,000 publications) is written in minutes and never held whole in memory.

What it writes:
- the year (open), with the 2011 preset's indicators, scoring policy, bureau reward schedule and reporting
  rules copied onto it when it has none (the preset is loaded first if missing);
- ``units`` units of every unit kind (about 30 % counties, 20 % departments, 50 % affiliated units, each
  affiliated unit under a county as its parent), each with a target for every indicator of its kind
  (the default ± a few);
- ``pieces`` pieces spread over the units (bigger units write more), every kind and every status (about
  92 % approved, 6 % pending, 1 % rejected with a reason, 1 % drafts), 1–3 authors, a topic on one piece in
  seven, and 1–3 publications (60/30/10 %) in distinct outlets across the whole catalogue, dated in the year,
  some with URLs and front-page placements; one research article in three is unpublished (report date only).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from publicity.claims import normalise_title
from publicity.models import (
    AssessmentYear,
    Indicator,
    Outlet,
    Piece,
    PieceAuthor,
    PieceKind,
    PieceStatus,
    Placement,
    Publication,
    ReportingRule,
    Topic,
    UnitTarget,
    YearStatus,
)
from scoring.models import RewardRule, RewardSchedule, ScoringPolicy
from units.models import Unit, UnitKind

CHUNK = 5000
PRESET_YEAR = 2011

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "伟",
    "芳",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "丽",
    "建国",
    "晓梅",
    "志强",
    "海燕",
    "文华",
    "立新",
    "春霞",
    "国庆",
    "红梅",
    "卫东",
    "小龙",
    "佳",
    "婷",
    "鹏",
]
PLACES = "汉滨旬阳紫阳石泉平利汉阴宁陕岚皋镇坪白河西乡洋县城固勉县略阳留坝佛坪宁强南郑镇巴"
SUBJECTS = [
    "就业",
    "社保",
    "人才引进",
    "技能培训",
    "劳动维权",
    "创业担保贷款",
    "养老保险",
    "医疗保险",
    "农民工返乡创业",
    "双创",
    "工伤保险",
    "职称评审",
    "根治欠薪",
    "公共就业服务",
    "乡村振兴",
    "高校毕业生就业",
    "失业保险",
    "人事考试",
]
ACTIONS = ["扎实推进", "全面启动", "稳步提升", "创新开展", "持续深化", "圆满完成", "精准发力", "多措并举推动"]
STATUS_WEIGHTS = [
    (PieceStatus.APPROVED, 920),
    (PieceStatus.SUBMITTED, 60),
    (PieceStatus.REJECTED, 10),
    (PieceStatus.DRAFT, 10),
]
KIND_WEIGHTS = [
    (PieceKind.NEWS, 80),
    (PieceKind.INFO, 7),
    (PieceKind.RESEARCH, 5),
    (PieceKind.FEATURE, 5),
    (PieceKind.EXPERIENCE, 3),
]
KIND_SHARE = [("county", 30), ("dept", 20), ("affiliated", 50)]
REJECT_REASONS = ["佐证材料不清晰", "刊发日期与版面不符", "非本单位稿件", "重复报送"]


@dataclass
class Summary:
    year: int
    units: int
    targets: int
    pieces: int
    by_status: dict[str, int]
    publications: int
    authors: int
    topics: int
    seconds: float


def _weighted(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weights], weights=[w[1] for w in weights])[0]


def ensure_year(year: int) -> AssessmentYear:
    """The year, open, with the preset's rules copied onto it when it has none of its own."""
    if not AssessmentYear.objects.filter(year=PRESET_YEAR).exists():
        call_command("loaddata", "ankang_2011", verbosity=0)
    preset = AssessmentYear.objects.get(year=PRESET_YEAR)
    target, _ = AssessmentYear.objects.get_or_create(
        year=year,
        defaults={
            "title": f"{year}年度宣传工作考核(合成数据)",
            "status": YearStatus.OPEN,
            "issuing_office": preset.issuing_office,
        },
    )
    if target.pk != preset.pk and not Indicator.objects.filter(year=target).exists():
        copy_rules(preset, target)
    return target


def _copy(obj, **changes):
    """A saved copy of a model instance (every concrete field, so fields added later come along)."""
    m2m = {f.name: list(getattr(obj, f.name).all()) for f in obj._meta.many_to_many}
    obj._prefetched_objects_cache = {}  # else .set() below would compare with the original's rows
    obj.pk = None
    obj.id = None
    obj._state.adding = True
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    for name, values in m2m.items():
        getattr(obj, name).set(values)
    return obj


@transaction.atomic
def copy_rules(source: AssessmentYear, target: AssessmentYear) -> None:
    shift = target.year - source.year
    for ind in Indicator.objects.filter(year=source).prefetch_related("categories", "outlets", "topics"):
        _copy(ind, year=target)
    policy = ScoringPolicy.objects.filter(year=source).first()
    if policy is not None:
        _copy(policy, year=target)
    for schedule in RewardSchedule.objects.filter(year=source, owner_unit__isnull=True):
        rules = list(RewardRule.objects.filter(schedule=schedule).prefetch_related("outlets"))
        new_schedule = _copy(schedule, year=target, name=schedule.name.replace(str(source.year), str(target.year)))
        for rule in rules:
            _copy(rule, schedule=new_schedule)
    for rule in ReportingRule.objects.filter(year=source):
        _copy(rule, year=target)
    if source.roster_due:
        AssessmentYear.objects.filter(pk=target.pk).update(
            roster_due=source.roster_due.replace(year=source.roster_due.year + shift)
        )


def make_units(rng: random.Random, count: int, prefix: str) -> list[Unit]:
    """``count`` units of every kind; affiliated units hang under a county (the province's cities)."""
    kinds = {k.code: k for k in UnitKind.objects.all()}
    plan = [(code, count * share // 100) for code, share in KIND_SHARE if code in kinds]
    plan[0] = (plan[0][0], count - sum(n for _, n in plan[1:]))
    extra_kinds = [k for code, k in kinds.items() if code not in dict(KIND_SHARE)]
    names = set()
    rows: list[Unit] = []
    order = 0
    for code, n in plan:
        for i in range(n):
            order += 1
            place = PLACES[(i * 2) % len(PLACES) : (i * 2) % len(PLACES) + 2]
            name = f"{prefix}{place}{kinds[code].name}{i + 1:04d}"
            names.add(name)
            rows.append(
                Unit(name=name, kind=kinds[code], order=order, liaison_name=rng.choice(SURNAMES) + rng.choice(GIVEN))
            )
    for k in extra_kinds:  # kinds added by the bureau beyond the preset: one unit each
        order += 1
        rows.append(Unit(name=f"{prefix}{k.name}0001", kind=k, order=order))
    Unit.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    units = list(Unit.objects.filter(name__in=[u.name for u in rows]).select_related("kind").order_by("order", "id"))
    counties = [u for u in units if u.kind.code == "county"]
    if counties:
        children = [u for u in units if u.kind.code == "affiliated" and u.parent_id is None]
        for n, unit in enumerate(children):
            unit.parent_id = counties[n % len(counties)].pk
        Unit.objects.bulk_update(children, ["parent"], batch_size=CHUNK)
    return units


def make_targets(rng: random.Random, year: AssessmentYear, units: list[Unit]) -> int:
    indicators: dict[int, list[Indicator]] = {}
    for ind in Indicator.objects.filter(year=year).order_by("order", "id"):
        indicators.setdefault(ind.unit_kind_id, []).append(ind)
    UnitTarget.objects.filter(indicator__year=year, unit__in=units).delete()
    rows = [
        UnitTarget(indicator=ind, unit=unit, target=max(0, ind.default_target + rng.randint(-2, 3)))
        for unit in units
        for ind in indicators.get(unit.kind_id, ())
    ]
    UnitTarget.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def generate(
    *,
    year: int,
    units: int,
    pieces: int,
    seed: int = 1,
    prefix: str = "合成",
    echo: Callable[[str], None] = lambda s: None,
) -> Summary:
    started = time.perf_counter()
    rng = random.Random(seed)
    assessment_year = ensure_year(year)
    if Piece.objects.filter(year=assessment_year).exists():
        raise ValueError(f"{year}年度已有稿件;合成数据只写入空年度(先删除该年度的稿件,或换一个年度)。")
    unit_rows = make_units(rng, units, prefix)
    targets = make_targets(rng, assessment_year, unit_rows)
    echo(f"{len(unit_rows)} 个单位、{targets} 条任务")

    outlets = list(Outlet.objects.select_related("level", "category").order_by("id"))
    # Lower levels publish more: county/city outlets weigh more than national ones.
    top = max(o.level.rank for o in outlets)
    outlet_weights = [1 + top - o.level.rank for o in outlets]
    topics = list(Topic.objects.order_by("id"))
    # Bigger units write more: a fixed weight per unit (1–5).
    unit_weights = [rng.randint(1, 5) for _ in unit_rows]
    now = timezone.now()
    first = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - first).days + 1
    through = Piece.topics.through
    counts = {"publications": 0, "authors": 0, "topics": 0}
    by_status: dict[str, int] = {}
    made = 0
    while made < pieces:
        n = min(CHUNK, pieces - made)
        chosen_units = rng.choices(unit_rows, weights=unit_weights, k=n)
        batch: list[Piece] = []
        plans = []
        for k, unit in enumerate(chosen_units):
            serial = made + k + 1
            kind = _weighted(rng, KIND_WEIGHTS)
            status = _weighted(rng, STATUS_WEIGHTS)
            by_status[status] = by_status.get(status, 0) + 1
            unpublished = kind == PieceKind.RESEARCH and rng.random() < 1 / 3
            pub_count = 0 if unpublished else rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
            day = first + dt.timedelta(days=rng.randrange(days))
            subject, action = rng.choice(SUBJECTS), rng.choice(ACTIONS)
            title = f"{unit.name[len(prefix) : len(prefix) + 2]}{action}{subject}工作(第{serial}篇)"
            if kind == PieceKind.RESEARCH:
                title = f"关于{subject}工作的调研与思考(第{serial}篇)"
            piece = Piece(
                year=assessment_year,
                unit=unit,
                title=title,
                title_key=normalise_title(title),
                kind=kind,
                characters=rng.randrange(300, 5000),
                report_date=day if unpublished else None,
                status=status,
                reject_reason=rng.choice(REJECT_REASONS) if status == PieceStatus.REJECTED else "",
                submitted_at=now if status != PieceStatus.DRAFT else None,
                reviewed_at=now if status in (PieceStatus.APPROVED, PieceStatus.REJECTED) else None,
            )
            batch.append(piece)
            authors = rng.sample(range(len(SURNAMES) * len(GIVEN)), rng.choices((1, 2, 3), weights=(60, 30, 10))[0])
            pubs = []
            if pub_count:
                picked: list[Outlet] = []
                while len(picked) < pub_count:
                    outlet = rng.choices(outlets, weights=outlet_weights)[0]
                    if outlet not in picked:
                        picked.append(outlet)
                for j, outlet in enumerate(picked):
                    date = min(day + dt.timedelta(days=j * rng.randint(0, 5)), dt.date(year, 12, 31))
                    roll = rng.random()
                    placement = (
                        Placement.HEADLINE if roll < 0.03 else Placement.FRONT if roll < 0.10 else Placement.OTHER
                    )
                    url = ""
                    if outlet.category.code in ("website", "portal", "new_media") or rng.random() < 0.2:
                        url = f"https://news.example.cn/{year}/{serial}-{j}.html"
                    pubs.append((outlet.pk, date, placement, url))
            topic = rng.choice(topics).pk if topics and rng.random() < 1 / 7 else None
            plans.append((authors, pubs, topic))
        with transaction.atomic():
            Piece.objects.bulk_create(batch, batch_size=CHUNK)
            author_rows, pub_rows, topic_rows = [], [], []
            for piece, (authors, pubs, topic) in zip(batch, plans, strict=True):
                for pos, a in enumerate(authors, 1):
                    name = SURNAMES[a // len(GIVEN)] + GIVEN[a % len(GIVEN)]
                    author_rows.append(PieceAuthor(piece_id=piece.pk, position=pos, name=name))
                for outlet_id, date, placement, url in pubs:
                    pub_rows.append(
                        Publication(
                            piece_id=piece.pk,
                            outlet_id=outlet_id,
                            date=date,
                            placement=placement,
                            url=url,
                        )
                    )
                if topic is not None:
                    topic_rows.append(through(piece_id=piece.pk, topic_id=topic))
            PieceAuthor.objects.bulk_create(author_rows, batch_size=CHUNK)
            Publication.objects.bulk_create(pub_rows, batch_size=CHUNK)
            through.objects.bulk_create(topic_rows, batch_size=CHUNK)
        counts["publications"] += len(pub_rows)
        counts["authors"] += len(author_rows)
        counts["topics"] += len(topic_rows)
        made += n
        echo(f"{made}/{pieces} 篇稿件")
    return Summary(
        year=year,
        units=len(unit_rows),
        targets=targets,
        pieces=made,
        by_status=by_status,
        publications=counts["publications"],
        authors=counts["authors"],
        topics=counts["topics"],
        seconds=round(time.perf_counter() - started, 1),
    )
