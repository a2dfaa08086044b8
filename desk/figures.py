"""Reported-figure tasks (发行征订 and the like): the liaison reports the unit's number with evidence, a
reviewer approves it or returns it with a reason (figures.services does every write)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from figures import services
from figures.models import FigureReport, FigureTask, ReportStatus
from units.models import Role

from .access import BUREAU_READERS, REVIEWERS, UNIT_READERS, require_roles, scoped_or_404, user_unit
from .common import current_year, error_messages, frozen_notice
from .forms import EVIDENCE_ACCEPT

FIGURE_READERS = (*UNIT_READERS, *BUREAU_READERS)


class ReportForm(forms.Form):
    value = forms.IntegerField(
        label=gettext_lazy("完成数"),
        min_value=0,
        max_value=services.MAX_VALUE,
        error_messages={
            "required": gettext_lazy("请填写完成数。"),
            "invalid": gettext_lazy("完成数须是整数。"),
            "min_value": gettext_lazy("完成数不能小于0。"),
            "max_value": gettext_lazy("完成数太大。"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": gettext_lazy("说明不能超过500字。")},
    )
    evidence = forms.FileField(
        label=gettext_lazy("佐证材料(征订单、发票或回执的照片、扫描件)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=gettext_lazy("JPEG、PNG、WebP 图片或 PDF"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("退回原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _task_for_user(user, pk: int) -> FigureTask:
    """Bureau readers open any task; unit people only the tasks their unit takes part in (else 404)."""
    qs = FigureTask.objects.select_related("year")
    if not user.has_role(*BUREAU_READERS):
        qs = qs.for_unit(user_unit(user))
    return scoped_or_404(user, qs, pk=pk)


def _report_for_user(user, pk: int) -> FigureReport:
    # Another unit's report is a 404, and the probe is in the audit trail (issue 11 item 11).
    return scoped_or_404(user, FigureReport.objects.visible_to(user).select_related("task__year", "unit"), pk=pk)


@require_roles(*FIGURE_READERS)
def figure_list(request):
    """Unit people: their unit's tasks with target and report. Bureau readers: every task's completion."""
    year = current_year(request)
    user = request.user
    if user.has_role(*BUREAU_READERS):
        summaries = services.year_summaries(year)
        return render(request, "figures/list.html", {"year": year, "summaries": summaries, "bureau": True})
    unit = user_unit(user)
    lines = unit_lines(year, unit)
    return render(
        request,
        "figures/list.html",
        {"year": year, "unit": unit, "lines": lines, "frozen_notice": frozen_notice(year), "bureau": False},
    )


def unit_lines(year, unit) -> list[services.UnitLine]:
    """The unit's tasks of the year with target and report: three queries (the liaison's home uses it too)."""
    from figures.models import FigureTarget

    tasks = list(FigureTask.objects.filter(year=year).for_unit(unit).order_by("order", "id"))
    ids = [t.pk for t in tasks]
    targets = dict(FigureTarget.objects.filter(task_id__in=ids, unit=unit).values_list("task_id", "target"))
    reports = {r.task_id: r for r in FigureReport.objects.filter(task_id__in=ids, unit=unit)}
    return [services.UnitLine(unit, targets.get(t.pk, t.default_target), reports.get(t.pk), t) for t in tasks]


def summary(lines: list[services.UnitLine]) -> dict:
    status = [line.report.status if line.report else "" for line in lines]
    return {
        "units": len(lines),
        "target": sum(line.target for line in lines),
        "approved": sum(line.approved_value or 0 for line in lines),
        "approved_units": status.count(ReportStatus.APPROVED),
        "pending": status.count(ReportStatus.SUBMITTED),
        "rejected": status.count(ReportStatus.REJECTED),
        "missing": status.count(""),
        "short_units": sum(1 for line in lines if line.target and line.short),
    }


@require_roles(*BUREAU_READERS)
def task_detail(request, pk: int):
    task = _task_for_user(request.user, pk)
    query = request.GET.get("q", "").strip()
    lines = services.task_lines(task, unit_name=query)
    return render(
        request,
        "figures/task.html",
        {
            "task": task,
            "lines": lines,
            "summary": summary(lines),
            "query": query,
            "can_review": request.user.has_role(*REVIEWERS) and not task.year.is_frozen,
            "review_form": ReviewForm(),
        },
    )


@require_roles(Role.LIAISON)
def report_form(request, pk: int):
    """The liaison reports (or corrects) the unit's figure for a task."""
    unit = user_unit(request.user)
    task = _task_for_user(request.user, pk)
    report = FigureReport.objects.filter(task=task, unit=unit).first()
    target = services.target_for(task, unit)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = services.report_submit(
                    actor=request.user,
                    task=task,
                    unit=unit,
                    value=d["value"],
                    note=d["note"],
                    evidence=d.get("evidence"),
                    expected_version=d.get("version"),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已报送“%(task)s”:%(value)s%(label)s,等待审核。")
                    % {"task": task.name, "value": report.value, "label": task.unit_label},
                )
                return redirect("figures:list")
    else:
        initial = {"value": report.value, "note": report.note, "version": report.version} if report else {}
        form = ReportForm(initial=initial)
    return render(
        request,
        "figures/report_form.html",
        {
            "task": task,
            "unit": unit,
            "report": report,
            "target": target,
            "form": form,
            "locked": (report is not None and report.status == ReportStatus.APPROVED) or task.year.is_frozen,
            "frozen_notice": frozen_notice(task.year),
        },
    )


def _review(request, pk: int, approve: bool):
    report = _report_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核请求不完整,请刷新页面后重试。"))
        return redirect("figures:task", report.task_id)
    try:
        services.report_review(
            actor=request.user,
            report=report,
            approve=approve,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, f"{report.unit.name}:{msg}")
    else:
        done = _("已通过“%(unit)s”的报送数据。") if approve else _("已退回“%(unit)s”的报送数据。")
        messages.success(request, done % {"unit": report.unit.name})
    return redirect("figures:task", report.task_id)


@require_POST
@require_roles(*REVIEWERS)
def report_approve(request, pk: int):
    return _review(request, pk, True)


@require_POST
@require_roles(*REVIEWERS)
def report_reject(request, pk: int):
    return _review(request, pk, False)


@require_roles(*FIGURE_READERS)
def report_evidence(request, pk: int):
    """The evidence file, to those who may read the report; never from a public URL."""
    report = _report_for_user(request.user, pk)
    if not report.evidence:
        raise Http404(_("该报送数据没有佐证材料。"))
    is_pdf = report.evidence_type == "application/pdf"
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(report.evidence_type, "pdf")
    response = FileResponse(
        report.evidence.open("rb"),
        content_type=report.evidence_type,
        as_attachment=is_pdf,
        filename=f"figure-{report.pk}.{ext}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
