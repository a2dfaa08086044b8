"""Reminders that reach people: what is overdue, the in-app reminder on the liaison's home, and an e-mail
through Django's e-mail backend (console by default; SMTP by environment, see config/settings.py).

Generic on purpose: a reminder is about a unit, a deadline and a kind of task (``Due``), so other
workflows (campaign uploads, website submissions) can remind through the same door. An e-mail goes out
at most once per unit, kind and deadline, whoever asks and however often (a partial unique constraint on
Reminder backs it), so ``manage.py send_reminders`` can run from cron every day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit, User

from .models import AssessmentYear, PeriodReport, Reminder, ReminderKind, ReportingRule
from .reporting import Rule, obligations
from .services import ensure_year_editable


@dataclass(frozen=True)
class Due:
    """One overdue task of a unit: what (``kind``, ``text``) and by when (``deadline``). ``month`` is the
    reporting month it concerns (the deadline's month for tasks without one)."""

    unit: Unit
    deadline: dt.date
    kind: str
    text: str
    month: int


@dataclass
class RemindResult:
    reminded: list[Reminder] = field(default_factory=list)
    emailed_units: list[Unit] = field(default_factory=list)
    no_address: list[Unit] = field(default_factory=list)
    already_reminded: int = 0  # skipped by ``only_new``: reminded before


def overdue_reports(year: AssessmentYear, today: dt.date, *, units=None) -> list[Due]:
    """Every report past its deadline and not filed (3 queries): a monthly unit once per month, an
    annual-reporting unit once, at its deadline."""
    rules = {r.unit_kind_id: Rule(r.cadence, r.day, r.month) for r in ReportingRule.objects.filter(year=year)}
    filed: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for unit_id, month, when in PeriodReport.objects.filter(year=year).values_list("unit_id", "month", "filed_at"):
        filed[unit_id][month] = timezone.localtime(when).date()
    if units is None:
        units = Unit.objects.active().filter(kind_id__in=list(rules)).select_related("kind")
    dues = []
    for unit in units:
        rule = rules.get(unit.kind_id)
        if rule is None:
            continue
        for ob in obligations(rule, year.year, today, filed[unit.pk]):
            if ob.late:
                if ob.month is None:
                    text = _("%(year)s年度全年稿件明细(截止%(due)s)") % {"year": year.year, "due": f"{ob.due:%Y-%m-%d}"}
                else:
                    text = _("%(year)s年%(month)s月稿件报送(截止%(due)s)") % {
                        "year": year.year,
                        "month": ob.month,
                        "due": f"{ob.due:%Y-%m-%d}",
                    }
                dues.append(Due(unit, ob.due, ReminderKind.REPORT, text, ob.month or ob.due.month))
    return dues


# Other workflows' overdue tasks (campaign deliverables): an app above this floor registers a function
# ``(year, today) -> list[Due]`` in its AppConfig.ready(), so every reminder door covers it without publicity
# importing that app.
_DUE_SOURCES: list[Callable[[AssessmentYear, dt.date], list[Due]]] = []


def register_due_source(source: Callable[[AssessmentYear, dt.date], list[Due]]) -> None:
    if source not in _DUE_SOURCES:
        _DUE_SOURCES.append(source)


def overdue_all(year: AssessmentYear, today: dt.date) -> list[Due]:
    """Every overdue task of the year: reports, then each registered workflow's (a bounded number of queries
    per source), soonest deadline first within each unit's e-mail."""
    dues = overdue_reports(year, today)
    for source in _DUE_SOURCES:
        dues.extend(source(year, today))
    return dues


def _liaison_addresses(unit_ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for unit_id, email in (
        User.objects.filter(unit_id__in=unit_ids, is_liaison=True, is_active=True)
        .exclude(email="")
        .order_by("id")
        .values_list("unit_id", "email")
    ):
        out[unit_id].append(email)
    return out


def _mail(year: AssessmentYear, unit: Unit, dues: list[Due], addresses: list[str], note: str) -> None:
    office = year.issuing_office or _("市局")
    lines = [
        _("%(unit)s联络员:") % {"unit": unit.name},
        "",
        _("以下事项已过截止日期,尚未报送,请尽快登录宣传积分管理系统报送(没有稿件的月份请报送零报告):")
        if not note
        else note,
        "",
        *[f"· {d.text}" for d in dues],
        "",
        _("此邮件由系统发送,同一事项只提醒一次。"),
        office,
    ]
    send_mail(
        subject=_("【催报】%(year)s年度宣传稿件报送提醒 · %(unit)s") % {"year": year.year, "unit": unit.name},
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=addresses,
    )


@transaction.atomic
def remind(
    *, actor: User | None, year: AssessmentYear, dues: list[Due], note: str = "", only_new: bool = False
) -> RemindResult:
    """In-app reminders for ``dues`` and one e-mail per unit listing those of its dues never e-mailed before.
    ``only_new`` (the cron command): skip dues reminded before in any way, so cron never repeats itself. The year row is locked, so two
    runs at once cannot both e-mail the same deadline."""
    if actor is not None and not (actor.is_bureau_admin or actor.is_reviewer):
        raise PermissionDenied(_("只有市局管理员或审核员可以发送催报提醒。"))
    ensure_year_editable(year, lock=True)  # a closed year has nothing left to chase
    result = RemindResult()
    unit_ids = {d.unit.pk for d in dues}
    emailed, reminded = set(), set()
    for unit_id, kind, deadline, emailed_at in Reminder.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "kind", "deadline", "emailed_at"
    ):
        reminded.add((unit_id, kind, deadline))
        if emailed_at is not None:
            emailed.add((unit_id, kind, deadline))
    by_unit: dict[int, list[Due]] = defaultdict(list)
    for d in dues:
        key = (d.unit.pk, d.kind, d.deadline)
        if only_new and key in reminded:
            result.already_reminded += 1
            continue
        by_unit[d.unit.pk].append(d)
    addresses = _liaison_addresses(list(by_unit))
    now = timezone.now()
    for unit_id, unit_dues in by_unit.items():
        unit = unit_dues[0].unit
        to_mail = [d for d in unit_dues if (unit_id, d.kind, d.deadline) not in emailed]
        mails = addresses.get(unit_id, [])
        if to_mail and mails:
            _mail(year, unit, to_mail, mails, note)
            result.emailed_units.append(unit)
        elif to_mail:
            result.no_address.append(unit)
        mailed_now = {(d.kind, d.deadline) for d in to_mail} if mails else set()
        for d in unit_dues:
            sent = (d.kind, d.deadline) in mailed_now
            reminder = Reminder(
                year=year,
                unit=unit,
                month=d.month,
                kind=d.kind,
                deadline=d.deadline,
                message=(note or _("请尽快报送:%(what)s") % {"what": d.text})[:300],
                sent_by=actor,
                emailed_at=now if sent else None,
                emailed_to=",".join(mails)[:300] if sent else "",
            )
            reminder.full_clean(exclude=["year", "unit", "sent_by"], validate_constraints=False)
            reminder.save()
            result.reminded.append(reminder)
    return result
