"""Periodic reports: a unit files its months; the bureau's overview and reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractMonth
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity import services
from publicity.models import (
    AssessmentYear,
    Piece,
    PieceStatus,
    Reminder,
    ReportingRule,
)
from publicity.reminders import overdue_all, remind
from publicity.reporting import Rule, month_states, obligations
from units.models import Role, Unit

from .access import (
    BUREAU_READERS,
    REMINDER_SENDERS,
    UNIT_READERS,
    _int_or_404,
    require_roles,
    unit_for_user,
)
from .common import (
    current_year,
    deadline_day,
    error_messages,
    first_date_subquery,
    reporting_rule,
)
from .forms import (
    MONTH_CHOICES,
    ReminderForm,
    ReportForm,
)

# --- periodic reports ------------------------------------------------------------------------


@require_roles(*UNIT_READERS, Role.BUREAU_ADMIN)
def unit_reports(request):
    """A unit's months: deadline, filed or not, and the form to file a month or a zero report."""
    year = current_year(request)
    unit_id = request.GET.get("unit") or request.POST.get("unit")
    if not unit_id and not request.user.unit_id:
        return redirect(f"{reverse('publicity:reports-overview')}?year={year.year}")
    unit = unit_for_user(request.user, unit_id)
    can_file = request.user.is_bureau_admin or (request.user.is_liaison and request.user.unit_id == unit.pk)
    today = deadline_day(request, year)
    filed_months = set(year.reports.filter(unit=unit).values_list("month", flat=True))
    # Offer only the months that have begun and are not filed yet (a filed month is updated by 更新报送).
    open_months = [m for m in range(1, 13) if m not in filed_months and dt.date(year.year, m, 1) <= today]
    form = ReportForm(request.POST or None, initial={"month": _default_report_month(year)})
    form.fields["month"].choices = [(m, label) for m, label in MONTH_CHOICES if m in open_months]
    form.fields["month"].error_messages["invalid_choice"] = _(
        "请选择1到12月中已开始且未报送的月份(已报送的月份请用“更新报送”)。"
    )
    if request.method == "POST" and request.POST.get("action") == "refile":
        if not can_file:
            raise PermissionDenied(_("您无权为该单位报送。"))
        report = get_object_or_404(year.reports, unit=unit, month=_int_or_404(request.POST.get("month")))
        try:
            report = services.report_refile(actor=request.user, report=report)
        except ValidationError as exc:
            for text in error_messages(exc):
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("已更新报送%(year)s年%(month)s月:%(n)s篇稿件。")
                % {"year": year.year, "month": report.month, "n": report.piece_count},
            )
        return redirect(request.get_full_path())
    if request.method == "POST":
        if not can_file:
            raise PermissionDenied(_("您无权为该单位报送。"))
        if form.is_valid():
            try:
                report = services.report_file(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    month=form.cleaned_data["month"],
                    is_zero=form.cleaned_data["is_zero"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if report.is_zero:
                    done = _("已报送%(year)s年%(month)s月:零报告。")
                else:
                    done = _("已报送%(year)s年%(month)s月:%(n)s篇稿件。")
                messages.success(request, done % {"year": year.year, "month": report.month, "n": report.piece_count})
                return redirect(f"{reverse('publicity:unit-reports')}?year={year.year}")
    rule = reporting_rule(year, unit.kind_id)
    reports = {r.month: r for r in year.reports.filter(unit=unit).select_related("filed_by")}
    filed = {m: timezone.localtime(r.filed_at).date() for m, r in reports.items()}
    month_counts = _month_counts(year, unit_ids=[unit.pk]).get(unit.pk, {})
    rows = []
    for s in month_states(rule, year.year, today, filed):
        counts = month_counts.get(s.month, {})
        report = reports.get(s.month)
        current = counts.get(PieceStatus.SUBMITTED, 0) + counts.get(PieceStatus.APPROVED, 0)
        rows.append(
            {
                "state": s,
                "report": report,
                "counts": counts,
                "current": current,
                "outdated": report is not None and report.piece_count != current,
            }
        )
    return render(
        request,
        "publicity/unit_reports.html",
        {
            "year": year,
            "unit": unit,
            "rule": rule,
            "rows": rows,
            "form": form,
            "can_file": can_file and not year.is_frozen,
            "open_months": open_months,
            "frozen": year.is_frozen,
        },
        status=400 if request.method == "POST" else 200,
    )


def _default_report_month(year: AssessmentYear) -> int:
    today = timezone.localdate()
    if today.year != year.year:
        return 12
    return max(1, today.month - 1)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _month_counts(year: AssessmentYear, unit_ids=None) -> dict[int, dict[int, dict[str, int]]]:
    """{unit_id: {month: {status: n}}} in one query."""
    qs = Piece.objects.filter(year=year)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = (
        qs.annotate(m=ExtractMonth(Coalesce(first_date_subquery(), "report_date")))
        .values("unit_id", "m", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[int, dict[str, int]]] = {}
    for row in rows:
        if row["m"]:
            out.setdefault(row["unit_id"], {}).setdefault(row["m"], {})[row["status"]] = row["n"]
    return out


@require_roles(*BUREAU_READERS)
def reports_overview(request):
    """The bureau's view: per unit and month, filed / late / not yet due; send a reminder."""
    year = current_year(request)
    today = deadline_day(request, year)
    units = list(Unit.objects.active().select_related("kind"))
    rules = {r.unit_kind_id: Rule(r.cadence, r.day, r.month) for r in ReportingRule.objects.filter(year=year)}
    filed: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for unit_id, month, when in year.reports.values_list("unit_id", "month", "filed_at"):
        filed[unit_id][month] = timezone.localtime(when).date()
    reminded: dict[tuple[int, int], int] = defaultdict(int)
    for unit_id, month in Reminder.objects.filter(year=year).values_list("unit_id", "month"):
        reminded[(unit_id, month)] += 1
    table = []
    for unit in units:
        rule = rules.get(unit.kind_id)
        # A unit of an annual-reporting kind owes one report, due once at its deadline: one cell, not twelve.
        states = obligations(rule, year.year, today, filed[unit.pk])
        table.append(
            {
                "unit": unit,
                "rule": rule,
                "annual": bool(states) and states[0].month is None,
                "cells": [{"s": s, "reminded": reminded[(unit.pk, s.month or s.due.month)]} for s in states],
                "late": sum(1 for s in states if s.late),
                "filed": sum(1 for s in states if s.filed),
            }
        )
    overdue_units = sum(1 for row in table if row["late"])
    return render(
        request,
        "publicity/reports_overview.html",
        {
            "year": year,
            "table": table,
            "months": range(1, 13),
            "today": today,
            "can_remind": request.user.has_role(*REMINDER_SENDERS) and not year.is_frozen,
            "overdue_units": overdue_units,
            "form": ReminderForm(),
        },
    )


@require_roles(*REMINDER_SENDERS)
def reminder_send(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    year = current_year(request)
    form = ReminderForm(request.POST)
    back = f"{reverse('publicity:reports-overview')}?year={year.year}"
    if not form.is_valid():
        for field, errors in form.errors.items():
            for msg in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, _("%(field)s:%(error)s") % {"field": label, "error": msg})
        return redirect(back)
    try:
        services.reminder_send(
            actor=request.user,
            unit=form.cleaned_data["unit"],
            year=year,
            month=form.cleaned_data["month"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("已向%(unit)s发送%(month)s月催报提醒。")
            % {"unit": form.cleaned_data["unit"], "month": form.cleaned_data["month"]},
        )
    return redirect(back)


@require_roles(*REMINDER_SENDERS)
def reminders_overdue(request):
    """催报全部逾期单位: one in-app reminder per overdue report, and one e-mail per unit listing what it owes
    (never twice for the same unit and deadline)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    year = current_year(request)
    back = f"{reverse('publicity:reports-overview')}?year={year.year}"
    dues = overdue_all(year, deadline_day(request, year))
    if not dues:
        messages.info(request, _("没有逾期未报送的单位。"))
        return redirect(back)
    try:
        result = remind(actor=request.user, year=year, dues=dues, note=request.POST.get("message", "").strip()[:300])
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
        return redirect(back)
    except OSError:
        # The mail server refused or is unreachable: nothing was recorded (one transaction).
        messages.error(request, _("邮件服务器连接失败,提醒未发送,请稍后重试或联系系统管理员。"))
        return redirect(back)
    units = {r.unit_id for r in result.reminded}
    messages.success(
        request,
        _("已向%(n)s个单位发送%(m)s项催报提醒;其中%(e)s个单位已发邮件。")
        % {"n": len(units), "m": len(result.reminded), "e": len(result.emailed_units)},
    )
    if result.no_address:
        messages.warning(
            request,
            _("以下单位的联络员没有登记邮箱,只在系统首页提醒:%(units)s")
            % {"units": "、".join(u.name for u in result.no_address)},
        )
    return redirect(back)
