"""The year's life (年度管理): status, what is pending, and the acts on a year — open, close, publish,
reopen, roll over — each behind a page that says exactly what will happen. Acts go through
``scoring.services``; closing runs as a background job (a province's year takes minutes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.models import JobStatus
from jobs.runner import job_start
from publicity.models import (
    AssessmentYear,
    Indicator,
    IndicatorMethod,
    Piece,
    PieceStatus,
    ReportingRule,
    UnitTarget,
    YearStatus,
)
from publicity.reporting import Rule, obligations
from scoring.models import AuthorSplit, RewardSchedule, ScoringPolicy, UnitYearSetting, YearStatusLog
from scoring.services import (
    payout_text,
    rollover_plan,
    split_text,
    timeliness_text,
    year_open,
    year_publish,
    year_reopen,
    year_rollover,
)
from scoring.tasks import year_close_job
from units.models import Role, Unit

from .access import require_roles
from .common import error_messages

BUREAU_ADMIN = (Role.BUREAU_ADMIN,)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重新开放原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("重新开放年度必须填写原因。")},
    )


@require_roles(*BUREAU_ADMIN)
def year_list(request):
    years = list(AssessmentYear.objects.order_by("-year"))
    return render(request, "console/year_list.html", {"years": years})


def _pending(year: AssessmentYear) -> dict:
    """Pieces by status, and the units with months past due and not filed (5 queries whatever the size)."""
    by_status = dict(Piece.objects.filter(year=year).values_list("status").annotate(n=Count("id")).order_by())
    today = timezone.localdate()
    rules = {r.unit_kind_id: Rule(r.cadence, r.day, r.month) for r in ReportingRule.objects.filter(year=year)}
    filed: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for unit_id, month, when in year.reports.values_list("unit_id", "month", "filed_at"):
        filed[unit_id][month] = timezone.localtime(when).date()
    unfiled = []
    for unit in Unit.objects.active().filter(kind_id__in=list(rules)).select_related("kind"):
        # An annual-reporting unit owes one report, due once (QA: it was listed as overdue for 1月…12月).
        late = [o for o in obligations(rules[unit.kind_id], year.year, today, filed[unit.pk]) if o.late]
        if late:
            unfiled.append({"unit": unit, "months": [o.month for o in late], "due": late[0].due})
    return {
        "submitted": by_status.get(PieceStatus.SUBMITTED, 0),
        "drafts": by_status.get(PieceStatus.DRAFT, 0),
        "rejected": by_status.get(PieceStatus.REJECTED, 0),
        "approved": by_status.get(PieceStatus.APPROVED, 0),
        "unfiled": unfiled,
    }


def _rules_summary(year: AssessmentYear) -> dict:
    return {
        "indicators": Indicator.objects.filter(year=year).count(),
        "targets": UnitTarget.objects.filter(indicator__year=year).count(),
        "policy": ScoringPolicy.objects.filter(year=year).exists(),
        "schedules": RewardSchedule.objects.filter(year=year).count(),
        "rules": ReportingRule.objects.filter(year=year).count(),
    }


def _num(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scoring_settings(year: AssessmentYear) -> list[dict]:
    """The year's scoring rules in words (DOMAIN §6, §7, §10), each with the admin page that edits it: at most
    7 queries (policy, bureau schedule and its weights, per-piece indicators with their level points and
    category factors, unit coefficients)."""
    rows: list[dict] = []
    policy = ScoringPolicy.objects.filter(year=year).select_related("bonus_min_level").first()
    if policy is None:
        rows.append({"label": _("计分规则"), "text": _("尚未设置"), "url": reverse("admin:scoring_scoringpolicy_add")})
    else:
        url = reverse("admin:scoring_scoringpolicy_change", args=[policy.pk])
        rows += [
            {
                "label": _("任务考核"),
                "text": _("单项满分%(s)s分,每少一篇扣%(p)s分,超额每篇加%(b)s分(不超过满分的%(cap)s%%),最低%(floor)s分")
                % {
                    "s": _num(policy.full_score),
                    "p": _num(policy.penalty_per_piece),
                    "b": _num(policy.bonus_per_piece),
                    "cap": _num(policy.bonus_cap_ratio * 100),
                    "floor": _num(policy.floor),
                },
                "url": url,
            },
            {"label": _("重复报送"), "text": policy.get_duplicate_claims_display(), "url": url},
            {"label": _("报送时限"), "text": timeliness_text(policy.timeliness, policy.timeliness_days), "url": url},
        ]
    schedule = RewardSchedule.objects.filter(year=year, owner_unit__isnull=True).first()
    if schedule is None:
        rows.append({"label": _("奖励标准"), "text": _("尚未设置"), "url": reverse("admin:scoring_rewardschedule_add")})
    else:
        url = reverse("admin:scoring_rewardschedule_change", args=[schedule.pk])
        weights = (
            list(schedule.author_weights.values_list("weight", flat=True))
            if schedule.author_split == AuthorSplit.WEIGHTS
            else []
        )
        rows += [
            {"label": _("一稿多投"), "text": payout_text(schedule.payout, schedule.top_n), "url": url},
            {"label": _("作者分配"), "text": split_text(schedule.author_split, weights), "url": url},
        ]
    per_piece = (
        Indicator.objects.filter(year=year, method=IndicatorMethod.PER_PIECE)
        .select_related("unit_kind")
        .prefetch_related("level_points__level", "category_factors__category")
    )
    for ind in per_piece:
        parts = ["、".join(f"{lp.level.name}{_num(lp.points)}" for lp in ind.level_points.all())]
        parts += [f"{f.category.name}×{_num(f.factor)}" for f in ind.category_factors.all()]
        if ind.monthly_cap is not None:
            parts.append(_("每月上限%(cap)s") % {"cap": _num(ind.monthly_cap)})
        if ind.yearly_cap is not None:
            parts.append(_("全年上限%(cap)s") % {"cap": _num(ind.yearly_cap)})
        rows.append(
            {
                "label": _("按篇计分 %(code)s(%(kind)s)") % {"code": ind.code, "kind": ind.unit_kind.name},
                "text": ind.name + ":" + ";".join(p for p in parts if p),
                "url": reverse("admin:publicity_indicator_change", args=[ind.pk]),
            }
        )
    coefficients = UnitYearSetting.objects.filter(year=year).count()
    rows.append(
        {
            "label": _("单位系数"),
            "text": _("%(n)s个单位单设系数(其余单位为1)") % {"n": coefficients} if coefficients else _("所有单位均为1"),
            "url": reverse("admin:scoring_unityearsetting_changelist") + f"?year__id__exact={year.pk}",
        }
    )
    return rows


@require_roles(*BUREAU_ADMIN)
def year_page(request, year: int):
    year = get_object_or_404(AssessmentYear, year=year)
    return render(
        request,
        "console/year.html",
        {
            "year": year,
            "pending": _pending(year),
            "summary": _rules_summary(year),
            "scoring_settings": scoring_settings(year),
            "logs": YearStatusLog.objects.filter(year=year).select_related("actor")[:20],
            "next_exists": AssessmentYear.objects.filter(year=year.year + 1).exists(),
        },
    )


@require_roles(*BUREAU_ADMIN)
def year_close(request, year: int):
    """GET: what closing freezes and what blocks it. POST: close (as a background job)."""
    year = get_object_or_404(AssessmentYear, year=year)
    pending = _pending(year)
    blockers = []
    if year.status not in (YearStatus.OPEN, YearStatus.DRAFT):
        blockers.append(
            _("%(year)s年度当前状态为“%(status)s”,不能结账。")
            % {"year": year.year, "status": year.get_status_display()}
        )
    if pending["submitted"]:
        blockers.append(_("还有%(n)s篇稿件待审核,请审核完毕后再结账。") % {"n": pending["submitted"]})
    if request.method == "POST" and not blockers:
        job = job_start(
            owner=request.user,
            kind="year_close",
            title=_("%(year)s年度结账") % {"year": year.year},
            task=year_close_job,
            year_id=year.pk,
        )
        if job.status == JobStatus.DONE:
            messages.success(request, _("%(year)s年度已结账,各单位和个人结果已存档。") % {"year": year.year})
            return redirect("console:year", year=year.year)
        if job.status == JobStatus.FAILED:
            messages.error(request, _("%(year)s年度:%(error)s") % {"year": year.year, "error": job.error})
            return redirect("console:year-close", year=year.year)
        messages.info(request, _("%(year)s年度正在后台结账。") % {"year": year.year})
        return redirect(job)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "console/year_close.html",
        {"year": year, "pending": pending, "summary": _rules_summary(year), "blockers": blockers},
        status=status,
    )


@require_roles(*BUREAU_ADMIN)
def year_publish_view(request, year: int):
    year = get_object_or_404(AssessmentYear, year=year)
    errors = []
    if request.method == "POST":
        try:
            year_publish(actor=request.user, year=year)
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("%(year)s年度已发布。") % {"year": year.year})
            return redirect("console:year", year=year.year)
    elif year.status != YearStatus.CLOSED:
        errors = [
            _("%(year)s年度须先结账才能发布(当前状态:%(status)s)。")
            % {"year": year.year, "status": year.get_status_display()}
        ]
    return render(
        request,
        "console/year_publish.html",
        {"year": year, "errors": errors},
        status=400 if errors and request.method == "POST" else 200,
    )


@require_roles(*BUREAU_ADMIN)
def year_reopen_view(request, year: int):
    year = get_object_or_404(AssessmentYear, year=year)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year_reopen(actor=request.user, year=year, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, error_messages(exc))
        else:
            messages.success(request, _("%(year)s年度已重新开放,原因已记录。") % {"year": year.year})
            return redirect("console:year", year=year.year)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/year_reopen.html", {"year": year, "form": form}, status=status)


@require_roles(*BUREAU_ADMIN)
def year_open_view(request, year: int):
    year = get_object_or_404(AssessmentYear, year=year)
    errors = []
    if request.method == "POST":
        try:
            year_open(actor=request.user, year=year)
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("%(year)s年度已开放,联络员即可登记该年度稿件。") % {"year": year.year})
            return redirect("console:year", year=year.year)
    open_years = AssessmentYear.objects.filter(status=YearStatus.OPEN).exclude(pk=year.pk)
    return render(
        request,
        "console/year_open.html",
        {"year": year, "errors": errors, "open_years": open_years},
        status=400 if errors else 200,
    )


@require_roles(*BUREAU_ADMIN)
def year_rollover_view(request, year: int):
    """GET: the preview of what is copied. POST: create the next year."""
    year = get_object_or_404(AssessmentYear, year=year)
    plan = rollover_plan(year)
    if request.method == "POST" and plan.ok:
        try:
            new = year_rollover(actor=request.user, source=year)
        except ValidationError as exc:
            plan.problems += error_messages(exc)
        else:
            messages.success(
                request,
                _("已由%(old)s年度结转生成%(new)s年度(筹备中)。核对任务分解后开放该年度。")
                % {"old": year.year, "new": new.year},
            )
            return redirect("console:year", year=new.year)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/year_rollover.html", {"year": year, "plan": plan}, status=status)
