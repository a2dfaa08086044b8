"""The quota grid (任务分解): one year, one unit kind at a time, units × that kind's indicators.

Every write goes through ``publicity.services.target_set`` / ``target_fill`` (bureau admin only, year not
frozen, indicator of the unit's own kind); the upload runs the allocation-table import
(``publicity.imports.import_quotas``) as a preview first, then for real on confirmation.
"""

from __future__ import annotations

import io
import re
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from publicity import services
from publicity.imports import QUOTA_UNIT, import_quotas
from publicity.models import AssessmentYear, Indicator, UnitTarget
from sheets.tabular import ACTION_LABELS, ImportAborted, read_workbook
from units.models import Role, Unit, UnitKind

from .access import _int_or_404, require_roles
from .common import error_messages

GRID_PAGE_SIZE = 200  # units per page within one kind (a province has ~2,000 county bureaus)
UPLOAD_DIR = services.QUOTA_UPLOAD_DIR
TOKEN = re.compile(r"^[0-9]+-[0-9a-f]{32}$")


def _grid(year: AssessmentYear, kind: UnitKind, search: str = ""):
    """Indicators of the kind, its active units and every target in force (5 queries whatever the size)."""
    indicators = list(Indicator.objects.filter(year=year, unit_kind=kind).order_by("order", "id"))
    units = Unit.objects.active().filter(kind=kind).order_by("order", "id")
    overrides = {
        (unit_id, ind_id): target
        for unit_id, ind_id, target in UnitTarget.objects.filter(
            indicator__year=year, indicator__unit_kind=kind, unit__is_active=True
        ).values_list("unit_id", "indicator_id", "target")
    }
    all_ids = list(units.values_list("id", flat=True))
    totals = []
    for ind in indicators:
        totals.append(sum(overrides.get((uid, ind.pk), ind.default_target) for uid in all_ids))
    if search:
        units = units.filter(name__icontains=search)
    return indicators, units, overrides, totals, len(all_ids)


@require_roles(Role.BUREAU_ADMIN)
def quota_grid(request, year: int):
    year = get_object_or_404(AssessmentYear, year=year)
    kinds = list(UnitKind.objects.order_by("order", "id"))
    if not kinds:
        return render(request, "console/quota_grid.html", {"year": year, "kinds": [], "kind": None})
    kind_id = request.GET.get("kind") or request.POST.get("kind")
    kind = next((k for k in kinds if str(k.pk) == str(kind_id)), kinds[0])
    search = (request.GET.get("q") or "").strip()
    status = 200
    if request.method == "POST":
        status = _post(request, year, kind)
        if status == 302:
            return redirect(_grid_url(year, kind, request.POST.get("q", ""), request.POST.get("page", "")))
    indicators, units, overrides, totals, unit_count = _grid(year, kind, search)
    page = Paginator(units, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for unit in page:
        cells = []
        for ind in indicators:
            value = overrides.get((unit.pk, ind.pk))
            cells.append({"ind": ind, "value": value, "in_force": ind.default_target if value is None else value})
        rows.append({"unit": unit, "cells": cells})
    return render(
        request,
        "console/quota_grid.html",
        {
            "year": year,
            "kinds": kinds,
            "kind": kind,
            "indicators": indicators,
            "columns": list(zip(indicators, totals, strict=True)),
            "rows": rows,
            "page": page,
            "unit_count": unit_count,
            "search": search,
            "query": f"kind={kind.pk}" + (f"&q={search}" if search else ""),
            "editable": not year.is_frozen,
        },
        status=status,
    )


def _grid_url(year, kind, search="", page="") -> str:
    url = f"{reverse('console:quota-grid', args=[year.year])}?kind={kind.pk}"
    if search:
        url += f"&q={search}"
    if page:
        url += f"&page={page}"
    return url


def _post(request, year: AssessmentYear, kind: UnitKind) -> int:
    """The grid's two forms without script: save the page's cells, or fill one column. 302 when done."""
    action = request.POST.get("action")
    try:
        if action == "fill":
            ind = get_object_or_404(Indicator, pk=_int_or_404(request.POST.get("indicator")), year=year)
            n = services.target_fill(actor=request.user, indicator=ind, target=request.POST.get("value", ""))
            messages.success(
                request,
                _("已为%(kind)s的%(n)s个单位改写指标 %(code)s。") % {"kind": kind.name, "n": n, "code": ind.code},
            )
            return 302
        if action == "save":
            n = _save_cells(request, year, kind)
            messages.success(request, _("已保存%(n)s处修改。") % {"n": n})
            return 302
    except ValidationError as exc:
        for text in error_messages(exc):
            messages.error(request, text)
        return 400
    messages.error(request, _("未知的操作。"))
    return 400


CELL = re.compile(r"^t-(\d+)-(\d+)$")


def _save_cells(request, year: AssessmentYear, kind: UnitKind) -> int:
    """Cells are named ``t-<unit>-<indicator>``; blank = the default. Only cells that differ are written,
    all of them or none (one transaction)."""
    wanted: dict[tuple[int, int], str] = {}
    for key, value in request.POST.items():
        m = CELL.match(key)
        if m:
            wanted[(int(m[1]), int(m[2]))] = value.strip()
    indicators = {i.pk: i for i in Indicator.objects.filter(year=year, pk__in={k[1] for k in wanted})}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={k[0] for k in wanted}).select_related("kind")}
    current = {
        (t.unit_id, t.indicator_id): t.target
        for t in UnitTarget.objects.filter(indicator__in=list(indicators), unit__in=list(units))
    }
    changed = 0
    errors = []
    with transaction.atomic():
        for (unit_id, ind_id), value in wanted.items():
            unit, ind = units.get(unit_id), indicators.get(ind_id)
            if unit is None or ind is None:
                continue
            old = current.get((unit_id, ind_id))
            if (value == "" and old is None) or (value.isdigit() and old == int(value)):
                continue
            try:
                services.target_set(actor=request.user, unit=unit, indicator=ind, target=value)
            except ValidationError as exc:
                errors += [f"{unit.name} {ind.code}:{m}" for m in exc.messages]
            else:
                changed += 1
        if errors:
            transaction.set_rollback(True)
            raise ValidationError([*errors, _("以上错误未改正前,本页的修改一处也没有保存。")])
    return changed


@require_roles(Role.BUREAU_ADMIN)
def quota_cell(request, year: int):
    """One cell, edited in place by static/js/quotas.js: JSON back with the cell and its column total."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    year = get_object_or_404(AssessmentYear, year=year)
    ind = get_object_or_404(
        Indicator.objects.select_related("unit_kind", "year"), pk=_int_or_404(request.POST.get("indicator")), year=year
    )
    unit = get_object_or_404(Unit.objects.select_related("kind"), pk=_int_or_404(request.POST.get("unit")))
    try:
        saved = services.target_set(actor=request.user, unit=unit, indicator=ind, target=request.POST.get("value", ""))
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": ";".join(exc.messages)}, status=400)
    total = _column_total(ind)
    return JsonResponse(
        {
            "ok": True,
            "override": saved is not None,
            "value": saved.target if saved else None,
            "in_force": saved.target if saved else ind.default_target,
            "default": ind.default_target,
            "total": total,
        }
    )


def _column_total(ind: Indicator) -> int:
    unit_ids = list(Unit.objects.active().filter(kind_id=ind.unit_kind_id).values_list("id", flat=True))
    overrides = dict(UnitTarget.objects.filter(indicator=ind, unit_id__in=unit_ids).values_list("unit_id", "target"))
    return sum(overrides.get(uid, ind.default_target) for uid in unit_ids)


# --- the allocation table: download, upload with preview -----------------------------------------


@require_roles(Role.BUREAU_ADMIN)
def quota_download(request, year: int):
    """任务分解表 as the import reads it: explicit targets as numbers, a blank cell = the kind's default
    (listed on the second sheet), so the file goes back in through the upload unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year = get_object_or_404(AssessmentYear, year=year)
    indicators = list(
        Indicator.objects.filter(year=year).select_related("unit_kind").order_by("unit_kind__order", "order", "id")
    )
    codes: list[str] = []
    for ind in indicators:
        if ind.code not in codes:
            codes.append(ind.code)
    kinds_with = {ind.unit_kind_id for ind in indicators}
    units = list(
        Unit.objects.active()
        .filter(kind_id__in=kinds_with)
        .select_related("kind")
        .order_by("kind__order", "order", "id")
    )
    overrides = {
        (t.unit_id, t.indicator.code): t.target
        for t in UnitTarget.objects.filter(indicator__year=year).select_related("indicator")
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解表"
    sheet.append([QUOTA_UNIT, "单位类型", *codes])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for unit in units:
        sheet.append([unit.name, unit.kind.name, *[overrides.get((unit.pk, c), None) for c in codes]])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 14
    sheet.freeze_panes = "C2"
    legend = book.create_sheet("默认任务数")
    legend.append(["类型", "指标代码", "指标名称", "默认任务数"])
    for cell in legend[1]:
        cell.font = Font(bold=True)
    for ind in indicators:
        legend.append([ind.unit_kind.name, ind.code, ind.name, ind.default_target])
    legend.append([])
    legend.append(["说明:第一张表中留空的格表示采用该类单位的默认任务数;单位不具有的指标须留空。"])
    legend.column_dimensions["C"].width = 40
    out = io.BytesIO()
    book.save(out)
    from urllib.parse import quote

    name = f"任务分解表-{year.year}.xlsx"
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_roles(Role.BUREAU_ADMIN)
def quota_upload(request, year: int):
    """Step 1: upload → the import's dry run (every change or every error); step 2: 确认导入 writes it."""
    year = get_object_or_404(AssessmentYear, year=year)
    report, token = None, ""
    status = 200
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        if not TOKEN.match(token) or not token.startswith(f"{request.user.pk}-"):
            messages.error(request, _("预览已失效,请重新上传。"))
            return redirect("console:quota-upload", year=year.year)
        path = f"{UPLOAD_DIR}/{token}.xlsx"
        if not default_storage.exists(path):
            messages.error(request, _("预览已失效,请重新上传。"))
            return redirect("console:quota-upload", year=year.year)
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
        report = _run_import(data, year, dry_run=False)
        if report.ok:
            default_storage.delete(path)
            messages.success(request, report.summary())
            return redirect("console:quota-grid", year=year.year)
        status = 400
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要上传的任务分解表(.xlsx 或 .xls)。"))
            status = 400
        else:
            data = upload.read()
            report = _run_import(data, year, dry_run=True)
            if report.ok:
                token = f"{request.user.pk}-{uuid.uuid4().hex}"
                default_storage.save(f"{UPLOAD_DIR}/{token}.xlsx", ContentFile(data))
            else:
                status = 400
    changes = [c for c in report.changes if c.action != "skip"] if report else []
    return render(
        request,
        "console/quota_upload.html",
        {
            "year": year,
            "report": report,
            "changes": [
                {"action": ACTION_LABELS[c.action], "row": c.row, "label": c.label, "detail": c.detail} for c in changes
            ],
            "token": token if report and report.ok else "",
        },
        status=status,
    )


def _run_import(data: bytes, year: AssessmentYear, *, dry_run: bool):
    from sheets.tabular import ImportReport

    try:
        sheets = read_workbook(data)
    except ImportAborted as exc:
        report = ImportReport("单位任务", dry_run=dry_run)
        report.error(str(exc))
        return report
    return import_quotas(sheets, year=year, dry_run=dry_run)
