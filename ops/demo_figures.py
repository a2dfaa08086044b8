"""The demo's reported-figure task and a unit's own reward schedule (issue 14 items 3 and 4), built through
the services the pages use.

- 安康日报征订 (county bureaus, 50 份 each, 汉滨区 60; scored: full 1, +0.02 per copy over up to 0.30, −0.05
  per copy short): 汉滨区 and 紫阳县 approved, 旬阳县 waiting for review, 石泉县 returned, 平利县 not reported.
- 汉滨区人社局 keeps its own reward schedule (奖励资金自筹): a few rules of its own, priced beside the bureau's.

Idempotent: each part is built only when its models are still empty.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from figures import services as figures
from figures.models import FigureReport, FigureTarget, FigureTask
from publicity.models import AssessmentYear, Outlet
from scoring import own_schedule
from scoring.models import RewardSchedule
from units.models import Unit, UnitKind, User

CST = dt.timezone(dt.timedelta(hours=8))


def _when(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=CST)


def build_subscription(year: AssessmentYear, png) -> int:
    if FigureTask.objects.exists():
        return 0
    county = UnitKind.objects.filter(code="county").first()
    units = {u.name: u for u in Unit.objects.filter(kind=county)} if county else {}
    people = {u.username: u for u in User.objects.filter(username__in=["hanbin", "xunyang", "reviewer"])}
    if len(units) < 5 or len(people) < 3:
        return 0
    task = FigureTask.objects.create(
        year=year,
        name="安康日报征订",
        unit_label="份",
        description="2012年度《安康日报》征订任务,以邮局征订回执为准。",
        default_target=50,
        due_date=dt.date(2011, 11, 30),
        is_scored=True,
        full_score=Decimal("1.00"),
        bonus_per_unit=Decimal("0.02"),
        bonus_cap=Decimal("0.30"),
        penalty_per_unit=Decimal("0.05"),
    )
    task.unit_kinds.set([county])
    FigureTarget.objects.create(task=task, unit=units["汉滨区人社局"], target=60)
    plan = [
        ("汉滨区人社局", people["hanbin"], 68, "approve", dt.date(2011, 11, 8)),
        ("紫阳县人社局", None, 45, "approve", dt.date(2011, 11, 12)),
        ("旬阳县人社局", people["xunyang"], 52, "", dt.date(2011, 11, 26)),
        ("石泉县人社局", None, 50, "reject", dt.date(2011, 11, 20)),
    ]
    for name, actor, value, review, day in plan:
        report = figures.report_submit(
            actor=actor,
            task=task,
            unit=units[name],
            value=value,
            note="邮局征订回执已扫描上传",
            evidence=SimpleUploadedFile("征订回执.png", png(), content_type="image/png"),
        )
        if review:
            figures.report_review(
                actor=people["reviewer"],
                report=report,
                approve=review == "approve",
                reason="" if review == "approve" else "回执上的份数看不清,请重新拍照上传",
            )
        FigureReport.objects.filter(pk=report.pk).update(
            submitted_at=_when(day), reviewed_at=_when(day + dt.timedelta(days=2), 15) if review else None
        )
    return 1


def build_own_schedule(year: AssessmentYear) -> int:
    unit = Unit.objects.filter(name="汉滨区人社局").first()
    if unit is None or RewardSchedule.objects.filter(owner_unit__isnull=False).exists():
        return 0
    outlets = {o.name: o for o in Outlet.objects.all()}
    schedule = own_schedule.own_schedule_save(
        actor=None, unit=unit, year=year, name="汉滨区人社局2011年度宣传稿件奖励标准", payout="highest"
    )
    rules = [
        (["安康日报"], "30", ["news"], "", None, "安康日报新闻稿件"),
        (["安康日报"], "150", ["research"], "", None, "安康日报调研文章"),
        (["安康日报"], "300", [], "headline", "1000", "安康日报头版头条千字以上"),
        (["陕西日报", "华商报"], "200", [], "", None, "省级报纸"),
        (["人民网", "新华网"], "150", [], "", None, "中央网站"),
        (["安康电视台", "安康广播电台"], "30", [], "", None, "市级广播电视"),
        (["局网站", "安康市政府网站"], "5", [], "", None, "市级网站"),
    ]
    for names, amount, kinds, placement, minimum, note in rules:
        data = own_schedule.RuleInput(
            outlets=[outlets[n] for n in names if n in outlets],
            amount=amount,
            kinds=kinds,
            placement=placement,
            min_characters=minimum,
            note=note,
        )
        own_schedule.own_rule_save(actor=None, schedule=schedule, data=data)
    return 1
