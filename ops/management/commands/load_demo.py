"""Adds a believable demo on top of the 2011 preset: units, one login per role, a few hundred pieces.

Deterministic (fixed random seed) and idempotent: a second run changes nothing and prints the logins.
"""

import datetime as dt
import os
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from ops.demo_tasks import build as build_tasks
from publicity.models import (
    AssessmentYear,
    Outlet,
    PeriodReport,
    PieceKind,
    PieceStatus,
    Placement,
    ReportingRule,
    Topic,
)
from publicity.reporting import Rule, due_date
from publicity.services import PublicationInput, piece_create
from units.models import Unit, UnitKind, User

DEMO_PASSWORD = "Demo#2011pass"
CST = dt.timezone(dt.timedelta(hours=8))

UNITS = [
    # name, kind code, aliases, head, liaison, phone, short name for titles
    ("汉滨区人社局", "county", "汉滨区局、汉滨", "王建国", "李晓梅", "0915-3211001", "汉滨区"),
    ("旬阳县人社局", "county", "旬阳县局、旬阳", "陈志强", "刘芳", "0915-7211002", "旬阳县"),
    ("紫阳县人社局", "county", "紫阳县局、紫阳", "张立新", "周敏", "0915-4311003", "紫阳县"),
    ("石泉县人社局", "county", "石泉县局、石泉", "赵文华", "吴静", "0915-6311004", "石泉县"),
    ("平利县人社局", "county", "平利县局、平利", "孙海军", "郑丽", "0915-8411005", "平利县"),
    ("办公室", "dept", "局办公室", "钱明", "杨一帆", "0915-3181322", "市人社局办公室"),
    ("就业促进科", "dept", "就业科", "冯勋", "何琳", "0915-3181330", "市就业促进科"),
    ("社会保险科", "dept", "社保科", "谢淑桢", "许婷", "0915-3181331", "市社会保险科"),
    ("政策法规与信息化管理科", "dept", "政策法规科、法规科", "陈国华", "马骏", "0915-3181332", "市政策法规科"),
    ("市技工学校", "affiliated", "技工学校", "周育论", "黄磊", "0915-3261101", "市技工学校"),
    ("市社保中心", "affiliated", "社保中心", "林峰", "罗娟", "0915-3261102", "市社保中心"),
    ("市就业服务局", "affiliated", "就业局、就业服务局", "高翔", "宋佳", "0915-3261103", "市就业服务局"),
]

LOGINS = [
    # username, display name, unit name, roles
    ("admin", "陈国华", None, ["bureau_admin"]),
    ("reviewer", "孙丽华", None, ["reviewer"]),
    ("hanbin", "李晓梅", "汉滨区人社局", ["liaison"]),
    ("hanbin_head", "王建国", "汉滨区人社局", ["unit_head"]),
    ("xunyang", "刘芳", "旬阳县人社局", ["liaison"]),
    ("bangongshi", "杨一帆", "办公室", ["liaison"]),
    ("jigong", "黄磊", "市技工学校", ["liaison"]),
    ("leader", "赵良亭", None, ["leader"]),
    ("webeditor", "王颖", None, ["website_editor"]),
    ("deputy", "周育论", None, ["deputy_director"]),
    ("auditor", "何静", None, ["auditor"]),
    ("sysadmin", "刘涛", None, ["sysadmin"]),
    ("secadmin", "韩雪", None, ["secadmin"]),
]

# Pieces per unit: some units meet their quota, some fall short, so the ranking means something.
PIECES_PER_UNIT = {
    "汉滨区人社局": 50,
    "旬阳县人社局": 44,
    "紫阳县人社局": 38,
    "石泉县人社局": 31,
    "平利县人社局": 24,
    "办公室": 11,
    "就业促进科": 9,
    "社会保险科": 7,
    "政策法规与信息化管理科": 5,
    "市技工学校": 22,
    "市社保中心": 17,
    "市就业服务局": 12,
}

# Titles are built from an action, a subject and a setting, drawn without repetition within a unit,
# so no two demo titles look like duplicates to the duplicate check (title similarity >= 0.9).
ACTIONS = ["召开", "举办", "开展", "部署", "启动", "推进", "完成", "总结"]
SUBJECTS = [
    "就业创业工作推进会",
    "“春风行动”专场招聘会",
    "农民工技能培训",
    "城镇居民医疗保险扩面",
    "农村居民进城落户服务",
    "劳动保障监察专项执法检查",
    "高校毕业生就业服务",
    "小额担保贷款发放",
    "新型农村社会养老保险试点",
    "“人民满意的公务员”评选",
    "人力资源市场专场招聘",
    "事业单位岗位设置管理",
    "劳动合同制度实施情况检查",
    "机关效能建设",
    "技能人才表彰",
    "社会保险政策进社区宣传",
    "“双创”示范点创建",
    "党风廉政建设专题学习",
    "纪检监察业务培训",
    "工伤保险扩面专项行动",
    "农民工工资清欠",
    "基层社会保障服务平台建设",
    "社会保险基金稽核",
    "人才服务进园区",
]
SETTINGS = ["", "工作", "活动", "情况通报会", "现场会"]
RESEARCH_SUBJECTS = [
    "关于{u}农村劳动力转移就业情况的调研报告",
    "{u}城镇居民医疗保险扩面工作的调查与思考",
    "关于{u}技能人才队伍建设的调研",
    "{u}事业单位人事制度改革的实践与探索",
    "{u}返乡农民工创业情况调查",
    "关于{u}劳动争议调解仲裁工作的思考",
    "{u}新农保试点运行情况调研",
    "关于提升{u}公共就业服务水平的建议",
]
AUTHORS = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周杰",
    "吴敏",
    "徐强",
    "孙琳",
    "马超",
    "朱红",
    "胡军",
    "郭敏",
    "何平",
    "高峰",
    "林霞",
    "罗勇",
]

# Outlet mix by unit kind: mostly city level, some provincial and national (DOMAIN §3).
OUTLET_MIX = {
    "county": [
        ("局网站", 30),
        ("安康日报", 16),
        ("安康电视台", 10),
        ("安康市政府网站", 12),
        ("安康广播电台", 4),
        ("市委市政府简报", 5),
        ("陕西省人社厅网站", 6),
        ("陕西日报", 4),
        ("华商报", 3),
        ("人民网", 2),
        ("陕西电视台", 2),
        ("中国劳动保障报", 2),
        ("腾讯", 2),
    ],
    "dept": [
        ("局网站", 20),
        ("安康日报", 8),
        ("省厅简报", 6),
        ("陕西省人社厅网站", 6),
        ("省级会议经验交流材料", 3),
        ("市委市政府简报", 4),
        ("陕西日报", 2),
        ("中国组织人事报", 1),
    ],
    "affiliated": [
        ("局网站", 20),
        ("安康日报", 10),
        ("安康电视台", 6),
        ("市双创简报", 4),
        ("安康市纪委网站", 4),
        ("安康市政府网站", 6),
        ("陕西省人社厅网站", 3),
        ("陕西日报", 1),
    ],
}


class Command(BaseCommand):
    help = "在2011年预设之上加入演示单位、账号和稿件(可重复运行)"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2011)
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")

    def handle(self, *args, **opts):
        if not AssessmentYear.objects.filter(year=2011).exists():
            call_command("loaddata", "ankang_2011", verbosity=0)
            self.stdout.write("已载入2011年预设(ankang_2011)。")
        year = AssessmentYear.objects.get(year=2011)
        if Unit.objects.filter(name=UNITS[0][0]).exists():
            self.stdout.write("演示数据已存在,未重复添加。")
        else:
            created = self._build(year, random.Random(opts["seed"]))
            self.stdout.write(self.style.SUCCESS(f"已添加演示数据:{len(UNITS)}个单位,{created}篇稿件。"))
            clippings = self._clippings()
            if clippings:
                self.stdout.write(
                    f"已为{clippings}篇待审稿件附上生成的版面照片(后台任务识别后,审核页显示佐证核对结果)。"
                )
        self._build_tasks(year)
        self._build_console(year)
        if not opts["quiet_logins"]:
            self.stdout.write(f"\n演示账号(密码均为 {DEMO_PASSWORD}):")
            for username, display, unit, roles in LOGINS:
                labels = "、".join(str(User._meta.get_field(f"is_{r}").verbose_name) for r in roles)
                where = f" · {unit}" if unit else ""
                self.stdout.write(f"  {username:<12} {labels}{where}({display})")
            # `make demo PORT=8080` passes its port through the environment.
            port = os.environ.get("PORT", "8000")
            self.stdout.write(f"\n打开 http://127.0.0.1:{port}/ 登录;后台 http://127.0.0.1:{port}/admin/\n")

    def _build_console(self, year) -> None:
        """The bureau console's demo: a few units' own targets in the quota grid (the rest on the defaults),
        2011 open and ready to roll over into 2012, and the overdue reminders, one of them e-mailed (the
        console e-mail backend prints it here). Idempotent: targets and e-mail addresses only when missing,
        and a reminder is never sent twice for the same unit and deadline."""
        from django.utils import timezone

        from publicity.models import Indicator, UnitTarget
        from publicity.reminders import overdue_all, remind
        from publicity.services import target_set

        if year.is_frozen:
            return
        demo_targets = [("汉滨区人社局", "C1", 45), ("石泉县人社局", "C1", 35), ("市技工学校", "A1", 18)]
        for unit_name, code, target in demo_targets:
            unit = Unit.objects.filter(name=unit_name).first()
            ind = Indicator.objects.filter(year=year, unit_kind_id=getattr(unit, "kind_id", None), code=code).first()
            if unit and ind and not UnitTarget.objects.filter(unit=unit, indicator=ind).exists():
                target_set(actor=None, unit=unit, indicator=ind, target=target)
        User.objects.filter(username="bangongshi", email="").update(email="bangongshi@example.cn")
        result = remind(actor=None, year=year, dues=overdue_all(year, timezone.localdate()), only_new=True)
        if result.reminded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已发送催报提醒{len(result.reminded)}项(联络员首页可见);"
                    f"催报邮件{len(result.emailed_units)}封(演示环境打印在控制台)。"
                )
            )

    @transaction.atomic
    def _build_tasks(self, year) -> None:
        """局网站, campaigns, reported figures, a unit's own rewards: added to an older demo database too."""
        for username, display, unit, roles in LOGINS:
            if unit is None and not User.objects.filter(username=username).exists():
                user = User(username=username, display_name=display, **{f"is_{r}": True for r in roles})
                user.set_password(DEMO_PASSWORD)
                user.save()
        added = {k: v for k, v in build_tasks(year).items() if v}
        if added:
            self.stdout.write(self.style.SUCCESS("已添加演示工作流:" + "、".join(added)))

    @transaction.atomic
    def _build(self, year, rng: random.Random) -> int:
        kinds = {k.code: k for k in UnitKind.objects.all()}
        units = {}
        for order, (name, kind, aliases, head, liaison, phone, _short) in enumerate(UNITS, 1):
            units[name] = Unit.objects.create(
                name=name,
                kind=kinds[kind],
                aliases=aliases,
                head_name=head,
                liaison_name=liaison,
                phone=phone,
                order=order,
            )
        for username, display, unit, roles in LOGINS:
            user = User(
                username=username,
                display_name=display,
                unit=units.get(unit),
                is_staff=bool({"bureau_admin", "reviewer", "sysadmin", "secadmin", "auditor"} & set(roles)),
                **{f"is_{r}": True for r in roles},
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        admin = User.objects.get(username="admin")
        outlets = {o.name: o for o in Outlet.objects.all()}
        topics = {t.name: t for t in Topic.objects.all()}
        count = 0
        filed_counts: dict[tuple[int, int], int] = {}
        for name, kind, _aliases, _head, _liaison, _phone, short in UNITS:
            unit = units[name]
            mix = OUTLET_MIX[kind]
            names, weights = [m[0] for m in mix], [m[1] for m in mix]
            pool = rng.sample(AUTHORS, 5)
            n_research = {"county": 4, "dept": 1, "affiliated": 1}[kind] + rng.choice([-1, 0, 0, 1])
            research_titles = rng.sample(RESEARCH_SUBJECTS, len(RESEARCH_SUBJECTS))
            subjects = rng.sample(SUBJECTS, len(SUBJECTS))
            for i in range(PIECES_PER_UNIT[name] + max(n_research, 0)):
                research = i < n_research
                month = rng.randint(1, 11) if rng.random() < 0.9 else 12
                day = rng.randint(1, 28)
                if research:
                    title = research_titles[i].format(u=short)
                else:
                    # Each subject once per round; a second round adds the month, so titles never repeat.
                    n = i - n_research
                    subject = subjects[n % len(subjects)]
                    suffix = f"({month}月)" if n >= len(subjects) else ""
                    title = f"{short}{rng.choice(ACTIONS)}{subject}{rng.choice(SETTINGS)}{suffix}"
                pubs = []
                if not research or rng.random() < 0.5:
                    first = rng.choices(names, weights)[0]
                    chosen = [first]
                    if rng.random() < 0.2:  # 一稿多投
                        chosen += [o for o in rng.sample(names, 2) if o not in chosen][:1]
                    for j, oname in enumerate(chosen):
                        placement = Placement.OTHER
                        if oname in ("安康日报", "陕西日报") and rng.random() < 0.1:
                            placement = rng.choice([Placement.HEADLINE, Placement.FRONT])
                        pubs.append(
                            PublicationInput(
                                outlets[oname],
                                dt.date(2011, month, day) + dt.timedelta(days=j),
                                placement,
                                page=rng.choice(["第1版", "第2版", "第3版", "要闻", "工作动态", ""]),
                                url=f"http://www.akhrss.gov.cn/news/2011/{unit.pk:02d}{i:03d}{j}.html"
                                if outlets[oname].category.code == "website"
                                else "",
                            )
                        )
                piece_kind = (
                    PieceKind.RESEARCH
                    if research
                    else rng.choices(
                        [PieceKind.NEWS, PieceKind.INFO, PieceKind.FEATURE, PieceKind.EXPERIENCE], [80, 10, 6, 4]
                    )[0]
                )
                piece_topics = []
                if kind == "affiliated" and rng.random() < 0.3:
                    piece_topics.append(topics[rng.choice(["双创", "纪检监察"])])
                if rng.random() < 0.3:
                    piece_topics.append(topics[rng.choice(["就业创业", "社会保险", "人才人事", "劳动维权"])])
                roll = rng.random()
                status = (
                    PieceStatus.APPROVED
                    if roll < 0.80
                    else PieceStatus.SUBMITTED
                    if roll < 0.90
                    else PieceStatus.DRAFT
                    if roll < 0.95
                    else PieceStatus.REJECTED
                )
                piece = piece_create(
                    actor=None,
                    unit=unit,
                    year=year,
                    title=title,
                    kind=piece_kind,
                    characters=rng.choice([450, 600, 800, 950, 1200, 1500, 2600]),
                    authors=rng.sample(pool, rng.choice([1, 1, 1, 2, 3])),
                    topics=piece_topics,
                    report_date=None if pubs else dt.date(2011, month, day),
                    publications=pubs,
                    submit=status != PieceStatus.DRAFT,
                    approve=status == PieceStatus.APPROVED,
                    check_proof=False,  # demo data without files: the review queue flags missing proof
                )
                if status in (PieceStatus.SUBMITTED, PieceStatus.APPROVED):
                    key = (unit.pk, min(p.date for p in pubs).month if pubs else month)
                    filed_counts[key] = filed_counts.get(key, 0) + 1
                if status == PieceStatus.APPROVED:
                    piece.reviewed_by = admin
                    piece.save(update_fields=["reviewed_by"])
                elif status == PieceStatus.REJECTED:
                    piece.status, piece.reject_reason, piece.reviewed_by = (
                        status,
                        "佐证材料不清晰,请补充报纸版面照片",
                        admin,
                    )
                    piece.save(update_fields=["status", "reject_reason", "reviewed_by"])
                # Timestamps as in 2011 (auto_now fields): logged a day after publication, reviewed days later.
                base = dt.datetime.combine(
                    min(p.date for p in pubs) if pubs else dt.date(2011, month, day), dt.time(10, 0), tzinfo=CST
                )
                stamps = {"created_at": base + dt.timedelta(days=1), "updated_at": base + dt.timedelta(days=1)}
                if status != PieceStatus.DRAFT:
                    stamps["submitted_at"] = base + dt.timedelta(days=1, hours=1)
                if status in (PieceStatus.APPROVED, PieceStatus.REJECTED):
                    stamps["reviewed_at"] = stamps["updated_at"] = base + dt.timedelta(days=rng.randint(2, 6))
                type(piece).objects.filter(pk=piece.pk).update(**stamps)
                count += 1
        self._file_reports(year, units, filed_counts)
        return count

    @transaction.atomic
    def _clippings(self) -> int:
        """Generated clippings (proof.samples) on a few submitted newspaper pieces, so the review queue
        shows the proof check: most agree with the claim, one is dated a day later, one shows another
        story, and one photo is claimed by pieces of two units. Read by the worker (`db_worker`)."""
        import dataclasses

        from django.core.files.uploadedfile import SimpleUploadedFile

        from proof import samples
        from proof.check import Claim, claimed_page
        from publicity.models import Publication
        from publicity.services import evidence_attach

        if samples.font_path() is None:
            return 0
        pubs = list(
            Publication.objects.filter(
                piece__status=PieceStatus.SUBMITTED, outlet__category__code__in=["party_paper", "other_paper"]
            )
            .select_related("piece__year", "piece__unit", "outlet")
            .order_by("piece__unit__order", "piece_id")
        )
        seen_units, chosen = set(), []
        for pub in pubs:  # one per unit first, so the shared photo lands on two units
            if pub.piece.unit_id not in seen_units and pub.piece_id not in {p.piece_id for p in chosen}:
                seen_units.add(pub.piece.unit_id)
                chosen.append(pub)
        chosen = chosen[:8]
        shared = None
        rng = random.Random(16)
        for i, pub in enumerate(chosen):
            claim = Claim(pub.piece.title, pub.outlet.name, placement=pub.placement, page=pub.page)
            clip = samples.Clipping(
                outlet=pub.outlet.name,
                title=pub.piece.title,
                date=pub.date,
                page=claimed_page(claim) or 2,
                headline=pub.placement == Placement.HEADLINE,
                date_style=["cn", "iso", "cnnum"][i % 3],
                rotation=[1.5, -2.0, 0.8, -1.0][i % 4],
                quality=70,
            )
            if i == 1:
                clip = dataclasses.replace(clip, date=pub.date + dt.timedelta(days=1))
            elif i == 2:
                clip = dataclasses.replace(clip, title="全市社会保险扩面征缴工作会议召开")
            clip = dataclasses.replace(clip, body=samples.random_body(rng, clip.title))
            data = shared if i == len(chosen) - 1 and shared else samples.render(clip)
            if i == 0:
                shared = data  # the last chosen piece (another unit) reuses the first one's photo
            evidence_attach(actor=None, publication=pub, upload=SimpleUploadedFile(f"IMG_{pub.pk:04d}.jpg", data))
        return len(chosen)

    def _file_reports(self, year, units, filed_counts) -> None:
        """Period reports as a real year looks: departments file monthly, mostly on time, one has gaps
        and one filed late; most counties and affiliated units sent their annual table."""
        rules = {r.unit_kind_id: r for r in ReportingRule.objects.filter(year=year)}
        liaisons = {u.unit_id: u for u in User.objects.filter(is_liaison=True)}
        missing = {("就业促进科", 9), ("就业促进科", 10), ("平利县人社局", None), ("市就业服务局", None)}
        late = {("社会保险科", 6)}
        reports = []
        for name, unit in units.items():
            rule = rules.get(unit.kind_id)
            if rule is None or (name, None) in missing:
                continue
            months = range(1, 12) if rule.cadence == "monthly" else range(1, 13)
            for month in months:
                if (name, month) in missing:
                    continue
                due = due_date(Rule(rule.cadence, rule.day, rule.month), year.year, month)
                when = due + dt.timedelta(days=3 if (name, month) in late else -2)
                n = filed_counts.get((unit.pk, month), 0)
                reports.append(
                    PeriodReport(
                        year=year, unit=unit, month=month, is_zero=n == 0, piece_count=n, filed_by=liaisons.get(unit.pk)
                    )
                )
                reports[-1]._filed_on = when
        created = PeriodReport.objects.bulk_create(reports)
        for report in created:  # filed_at is auto_now_add: set the 2011 filing dates afterwards
            filed = dt.datetime.combine(report._filed_on, dt.time(9, 30), tzinfo=CST)
            PeriodReport.objects.filter(pk=report.pk).update(filed_at=filed)
