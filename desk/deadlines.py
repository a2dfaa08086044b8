"""Upcoming deadlines on each person's home (issue 14 item 5), soonest first, overdue ones marked.

What is listed, from data of the year (never dates in code):
- the liaison roster (``AssessmentYear.roster_due``, 2011: 11 March): a unit is done once its liaison is
  recorded (``Unit.liaison_name``, kept by the bureau from the names units send);
- monthly and annual reports (``ReportingRule``): every overdue month and the next one due;
- campaign deliverables (``campaigns``): each campaign the unit has not completed;
- reported-figure tasks (``figures``, 发行征订) with a due date: each task the unit still owes (not reported,
  or returned), for the bureau each task some unit still owes;
- bureau-website sign-off waits (``WebsiteRule``): an item waiting for a step is due that many days after it
  entered the step.
Each list is built in a fixed number of queries, whatever the number of units, months or items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import services as campaigns
from figures import services as figures
from figures.models import ReportStatus
from publicity.models import AssessmentYear, ReportingRule
from publicity.reminders import overdue_reports
from publicity.reporting import Rule, due_date, obligations
from units.models import Unit, User
from website import services as website
from website.models import ItemStatus, WebsiteItem

LIMIT = 12  # a home lists at most this many; the pages behind the links have the rest


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    text: str
    url: str
    overdue: bool
    kind: str  # roster | report | campaign | figure | website


def _sorted(items: list[Deadline]) -> list[Deadline]:
    return sorted(items, key=lambda d: (d.due, d.kind, d.text))[:LIMIT]


def _campaign_text(campaign, row) -> str:
    what = "、".join(
        _("%(kind)s%(n)s份") % {"kind": campaigns.DeliverableKind(k).label, "n": n} for k, n in row.missing.items()
    )
    return _("专题活动“%(title)s”报送材料(还差%(what)s)") % {"title": campaign.title, "what": what}


def _website_due(item: WebsiteItem, days: tuple[int, int]) -> dt.date:
    wait = days[1] if item.status == ItemStatus.EDITOR else days[0]
    return timezone.localtime(item.waiting_since).date() + dt.timedelta(days=wait)


def _figure_lines(user: User, lines) -> list[Deadline]:
    out = []
    for line in lines:
        task, report = line.task, line.report
        if task.due_date is None or not line.target:
            continue
        if report is not None and report.status != ReportStatus.REJECTED:
            continue  # reported: waiting for review or approved
        values = {"task": task.name, "target": line.target, "label": task.unit_label}
        text = (
            _("重新报送“%(task)s”完成数(已退回)") % values
            if report is not None
            else _("报送“%(task)s”完成数(任务%(target)s%(label)s)") % values
        )
        url = reverse("figures:report", args=[task.pk]) if user.is_liaison else reverse("figures:list")
        out.append((task.due_date, text, url))
    return out


def for_unit(user: User, unit: Unit, year: AssessmentYear, today: dt.date, *, figure_lines=None) -> list[Deadline]:
    """A liaison's or unit head's deadlines: the unit's own tasks, and the head's sign-off queue.
    ``figure_lines``: the unit's reported-figure lines when the caller has them (else 3 more queries)."""
    if year.is_frozen:  # a closed year takes nothing more: no deadline is pending (QA: a signed item stayed "due")
        return []
    out: list[Deadline] = []
    if year.roster_due and (today <= year.roster_due or not unit.liaison_name):
        out.append(
            Deadline(
                year.roster_due,
                _("报送本单位信息宣传员(联络员)名单"),
                "",
                today > year.roster_due,
                "roster",
            )
        )
    row = ReportingRule.objects.filter(year=year, unit_kind_id=unit.kind_id).first()
    if row is not None:
        filed = {
            m: timezone.localtime(at).date()
            for m, at in year.reports.filter(unit=unit).values_list("month", "filed_at")
        }
        url = reverse("publicity:unit-reports")
        pending = [
            ob for ob in obligations(Rule(row.cadence, row.day, row.month), year.year, today, filed) if not ob.filed
        ]
        upcoming = [ob for ob in pending if not ob.late][:1]
        for ob in [ob for ob in pending if ob.late] + upcoming:
            text = (
                _("报送%(month)s月稿件") % {"month": ob.month}
                if ob.month is not None
                else _("报送%(year)s年度全年稿件明细") % {"year": year.year}
            )
            out.append(Deadline(ob.due, text, url, ob.late, "report"))
    for campaign, state in campaigns.unit_campaigns(unit, year, today):
        if state.completed_at is None:
            out.append(
                Deadline(
                    campaign.deadline,
                    _campaign_text(campaign, state),
                    reverse("campaigns:detail", args=[campaign.pk]),
                    today > campaign.deadline,
                    "campaign",
                )
            )
    if figure_lines is None:
        from .figures import unit_lines

        figure_lines = unit_lines(year, unit)
    for due, text, url in _figure_lines(user, figure_lines):
        out.append(Deadline(due, text, url, today > due, "figure"))
    statuses = [ItemStatus.HEAD, ItemStatus.DEPUTY, ItemStatus.EDITOR] if user.is_liaison else [ItemStatus.HEAD]
    items = list(
        WebsiteItem.objects.filter(year=year, unit=unit, status__in=statuses, waiting_since__isnull=False)
        .only("pk", "title", "status", "waiting_since")
        .order_by("waiting_since")[:LIMIT]
    )
    if items:
        days = website.wait_days(year)
        for item in items:
            due = _website_due(item, days)
            text = (
                _("签发局网站稿件“%(title)s”") % {"title": item.title}
                if user.is_unit_head and item.status == ItemStatus.HEAD
                else _("局网站稿件“%(title)s”%(status)s") % {"title": item.title, "status": item.get_status_display()}
            )
            out.append(Deadline(due, text, reverse("website:detail", args=[item.pk]), today > due, "website"))
    return _sorted(out)


def for_bureau(year: AssessmentYear, today: dt.date, *, figure_tasks=None) -> list[Deadline]:
    """The bureau's view of the same deadlines, one line per task across all units. ``figure_tasks``: the
    year's task summaries when the caller has them (no task with a due date: no further query)."""
    if year.is_frozen:  # a closed year takes nothing more: no deadline is pending (QA: a signed item stayed "due")
        return []
    out: list[Deadline] = []
    overview = reverse("publicity:reports-overview")
    if year.roster_due:
        missing = Unit.objects.active().filter(liaison_name="").count()
        if today <= year.roster_due or missing:
            text = _("各单位报送信息宣传员(联络员)名单")
            if missing:
                text += _("(%(n)s个单位未登记联络员)") % {"n": missing}
            out.append(Deadline(year.roster_due, text, "", today > year.roster_due and bool(missing), "roster"))
    late = overdue_reports(year, today)
    if late:
        units = {d.unit.pk for d in late}
        out.append(
            Deadline(
                min(d.deadline for d in late),
                _("%(n)s个单位稿件报送逾期未报") % {"n": len(units)},
                overview,
                True,
                "report",
            )
        )
    for row in ReportingRule.objects.filter(year=year).select_related("unit_kind").order_by("unit_kind__order"):
        rule = Rule(row.cadence, row.day, row.month)
        months = [m for m in range(1, 13) if due_date(rule, year.year, m) >= today]
        if months:
            due = min(due_date(rule, year.year, m) for m in months)
            if rule.cadence == "monthly":
                month = min(m for m in months if due_date(rule, year.year, m) == due)
                text = _("%(kind)s报送%(month)s月稿件") % {"kind": row.unit_kind, "month": month}
            else:
                text = _("%(kind)s报送全年稿件明细") % {"kind": row.unit_kind}
            out.append(Deadline(due, text, overview, False, "report"))
    year_campaigns = list(year.campaigns.prefetch_related("deliverables"))
    table = campaigns.completions(year_campaigns, today)
    for campaign in year_campaigns:
        counts = campaigns.summary(table[campaign.pk])
        open_units = counts["pending"] + counts["missing"]
        if open_units:
            text = _("专题活动“%(title)s”报送材料(%(done)s/%(all)s个单位已报齐)") % {
                "title": campaign.title,
                "done": counts["done"] + counts["late"],
                "all": len(table[campaign.pk]),
            }
            out.append(
                Deadline(
                    campaign.deadline,
                    text,
                    reverse("campaigns:detail", args=[campaign.pk]),
                    counts["missing"] > 0,
                    "campaign",
                )
            )
    if figure_tasks is None or any(f.task.due_date for f in figure_tasks):
        for row in figures.owing(year):  # five queries
            if row.units:
                done = row.of - len(row.units)
                text = _("报送数据任务“%(task)s”(%(done)s/%(all)s个单位已报送)") % {
                    "task": row.task.name,
                    "done": done,
                    "all": row.of,
                }
                due = row.task.due_date
                out.append(Deadline(due, text, reverse("figures:task", args=[row.task.pk]), today > due, "figure"))
    return _sorted(out)


def for_website_staff(user: User, year: AssessmentYear, today: dt.date) -> list[Deadline]:
    """The deputy director's and the website editor's waiting items, each due by the year's waiting limit."""
    if year.is_frozen:  # a closed year takes nothing more: no deadline is pending (QA: a signed item stayed "due")
        return []
    wanted = Q(pk__in=[])
    if user.is_deputy_director:
        wanted |= Q(status=ItemStatus.DEPUTY)
    if user.is_website_editor:
        wanted |= Q(status=ItemStatus.EDITOR)
    items = list(
        WebsiteItem.objects.filter(wanted, year=year, waiting_since__isnull=False)
        .select_related("unit")
        .order_by("waiting_since")[:LIMIT]
    )
    if not items:
        return []
    days = website.wait_days(year)
    out = []
    for item in items:
        due = _website_due(item, days)
        text = _("%(status)s:%(unit)s“%(title)s”") % {
            "status": item.get_status_display(),
            "unit": item.unit,
            "title": item.title,
        }
        out.append(Deadline(due, text, reverse("website:detail", args=[item.pk]), today > due, "website"))
    return _sorted(out)
