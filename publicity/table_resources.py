"""django-import-export glue: the admin's dry-run → confirm import runs the same import functions
as the management commands (``publicity.unit_imports``, ``publicity.imports``), and exports write the same
columns those imports read.

- ``SafeXLSX`` reads with ``sheets.tabular.read_workbook`` (size cap, blank rows kept so row
  numbers are the ones Excel shows) and writes text cells as inert strings: a title such as
  ``=HYPERLINK("http://x","y")`` is kept verbatim and no spreadsheet evaluates it.
- ``TableResource`` turns an ``ImportReport`` into django-import-export's ``Result``: each
  error becomes an invalid row (Excel row, column, the same Chinese sentence as the command),
  each change a preview row.
- ``TableImportExportMixin`` is the admin side: xlsx only, an upload size cap, errors of the
  confirm step shown instead of a "finished" message.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from typing import Any
from urllib.parse import quote

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldError, PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.resources import Resource
from import_export.results import Result, RowResult

from sheets.tabular import ImportAborted, ImportReport, Sheet, check_size, display, read_workbook, sheets_from_rows
from units.models import Unit

from .models import AssessmentYear
from .unit_imports import UNIT_COLUMNS, import_units


class WorkbookDataset(tablib.Dataset):
    """A tablib Dataset that also carries every sheet as read, with its real row numbers."""

    sheets: list[Sheet]


CSV_LABEL = "表格"


class SafeXLSX(base_formats.XLSX):
    def get_title(self):
        return "xlsx / xls / csv"

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream.read() if hasattr(in_stream, "read") else in_stream
        is_workbook = data.startswith((b"PK", b"\xd0\xcf\x11\xe0"))
        # A CSV saved from Excel/WPS (GBK or UTF-8) comes through the same upload; its sheet is named after
        # the file once the import knows the name (TableResource.import_data).
        sheets = read_workbook(data, name="" if is_workbook else f"{CSV_LABEL}.csv")
        dataset = WorkbookDataset()
        dataset.sheets = sheets
        first = next((s for s in sheets if any(any(v not in (None, "") for v in r) for r in s.rows)), None)
        if first is not None:
            width = max(len(r) for r in first.rows)
            for r in first.rows:
                dataset.append(list(r) + [""] * (width - len(r)))
        return dataset

    def export_data(self, dataset, **kwargs):
        return write_xlsx(dataset.headers or [], dataset, title=getattr(dataset, "title", None) or "Sheet1")


def write_xlsx(headers, rows, *, title: str = "Sheet1") -> bytes:
    """A plain table: bold frozen header, dates as dates, every text cell an inert string."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(50, len(str(h)) * 2 + 4))
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws, value: Any):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        value = value.date()
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # openpyxl would make "=…" a formula; typed as a string it stays text in Excel, WPS and LibreOffice.
        cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


# ---------------------------------------------------------------- resources


class TableResource(Resource):
    """An import/export resource whose rows are a bureau table, not model fields."""

    display_name = ""
    columns: list[str] = []

    def __init__(self, **kwargs):
        super().__init__()
        self.options = kwargs

    @classmethod
    def get_display_name(cls):
        return cls.display_name or cls.__name__

    @classmethod
    def template_headers(cls) -> list[str]:
        """The header row of the empty table offered as a template on the import page."""
        return list(cls.columns)

    def get_user_visible_fields(self):
        return [Field(attribute=None, column_name=c) for c in self.columns]

    def run(self, sheets: list[Sheet], *, dry_run: bool, user) -> ImportReport:
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        sheets = getattr(dataset, "sheets", None) or sheets_from_rows(dataset.headers or [], dataset)
        file_name = kwargs.get("file_name") or ""
        for sheet in sheets:
            if sheet.name == CSV_LABEL and file_name.lower().endswith((".csv", ".txt")):
                sheet.name = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or CSV_LABEL
        self.import_kwargs = kwargs
        report = self.run(sheets, dry_run=dry_run, user=kwargs.get("user"))
        request = kwargs.get("request")
        if request is not None:
            request.import_report = report  # the confirm form carries what the preview showed
        return report_to_result(report)

    def export_rows(self, queryset) -> list[list[Any]]:
        raise NotImplementedError

    def export(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = self.get_queryset()
        dataset = tablib.Dataset(headers=list(self.columns))
        for row in self.export_rows(queryset):
            dataset.append(row)
        dataset.title = self.display_name
        return dataset


def report_to_result(report: ImportReport) -> Result:
    result = Result()
    result.report = report
    if report.errors:
        result.diff_headers = ["列", "内容"]
        for err in report.errors:
            key = err.column or NON_FIELD_ERRORS
            result.append_invalid_row(
                err.row if err.row is not None else "—",
                {"列": err.column or "", "内容": display(err.value)},
                ValidationError({key: [str(err)]}),
            )
        result.totals[RowResult.IMPORT_TYPE_INVALID] = len(report.errors)
        return result
    result.diff_headers = ["行", report.what, "说明"]
    for change in report.changes:
        rr = RowResult()
        rr.import_type = change.action
        where = (f"「{change.sheet}」" if change.sheet else "") + (f"第{change.row}行" if change.row else "")
        rr.diff = [where, change.label, change.detail]
        instance = change.instance if getattr(change.instance, "pk", None) else None
        rr.instance = instance
        rr.add_instance_info(instance)
        result.append_row_result(rr)
        result.increment_row_result_total(rr)
    result.total_rows = len(report.changes)
    return result


class UnitResource(TableResource):
    display_name = "单位名单"
    columns = UNIT_COLUMNS

    def run(self, sheets, *, dry_run, user):
        return import_units(sheets, dry_run=dry_run)

    def get_queryset(self):
        return Unit.objects.all()

    def export_rows(self, queryset):
        for u in queryset.select_related("kind", "parent"):
            yield [
                u.name,
                u.kind.name,
                u.parent.name if u.parent else "",
                u.head_name,
                u.liaison_name,
                u.phone,
                "、".join(u.alias_list),
                u.order,
            ]


# ---------------------------------------------------------------- admin


class SizeLimitedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportAborted as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def tmp_name_ok(name: str) -> bool:
    """The confirm step names the uploaded file kept by the first step: only a name that step can have made
    (TempFolderStorage: a NamedTemporaryFile directly in the temp folder; MediaStorage: a uuid4 hex) is read,
    so a tampered form can neither read nor later delete another file."""
    if re.fullmatch(r"[0-9a-f]{32}", name or ""):
        return True
    tmp = os.path.realpath(tempfile.gettempdir())
    full = os.path.realpath(os.path.join(tmp, name or ""))
    return os.path.dirname(full) == tmp and re.fullmatch(r"tmp\w{4,}", os.path.basename(full)) is not None


class TableImportExportMixin(ImportExportMixin):
    """Admin import/export through a TableResource: xlsx only, all or nothing, Chinese errors."""

    def confirm_input_ok(self, request) -> bool:
        fmt = request.POST.get("format", "")
        return (
            tmp_name_ok(request.POST.get("import_file_name", ""))
            and fmt.isascii()
            and fmt.isdigit()
            and int(fmt) < len(self.get_import_formats())
        )

    def upload_expired(self, request):
        messages.error(request, "上传的文件已失效,请重新上传。")
        return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))

    def process_import(self, request, **kwargs):
        # Rights first: someone who may not import is refused (403), never told their upload expired.
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not self.confirm_input_ok(request):
            return self.upload_expired(request)
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            return self.upload_expired(request)

    def export_action(self, request, *args, **kwargs):
        # A filter the list does not know (?year=abc) is the list's ?e=1 page, not a server error.
        from django.contrib.admin.options import IncorrectLookupParameters

        try:
            return super().export_action(request, *args, **kwargs)
        except (IncorrectLookupParameters, FieldError, ValueError, ValidationError):
            messages.error(request, "筛选条件无效,请在列表页重新筛选后再导出。")
            return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*self.get_model_info())))

    formats = [SafeXLSX]
    import_template_name = "admin/imports/import.html"
    import_form_class = SizeLimitedImportForm
    confirm_form_class = ConfirmImportForm
    export_form_class = ExportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportAborted):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", "无法读取该文件,请确认它是 Excel 表格(.xlsx 或 .xls)。")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        request, form = kwargs.get("request"), kwargs.get("form")
        out = {"request": request}
        import_file = getattr(form, "cleaned_data", {}).get("import_file")
        if request is not None and import_file is not None:
            # What a "re-check with these aliases" form needs to read the same uploaded file again.
            request.import_upload = {
                "import_file_name": getattr(import_file, "tmp_storage_name", ""),
                "original_file_name": import_file.name,
                "format": form.cleaned_data.get("format", "0"),
                "resource": form.cleaned_data.get("resource", "0"),
                "year": getattr(form.cleaned_data.get("year"), "pk", ""),
                "approve": bool(form.cleaned_data.get("approve")),
            }
        return out

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "import-template.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            )
        ]
        return extra + super().get_urls()

    def import_template_view(self, request):
        """An empty table with the columns the import reads, to fill in (instead of "see the README")."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]
        name = f"{resource.get_display_name()}（模板）.xlsx"
        response = HttpResponse(
            write_xlsx(resource.template_headers(), [], title=resource.get_display_name()[:31]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # The library writes filename="稿件-….xlsx" raw; Django then MIME-encodes the whole header
        # (=?utf-8?b?…?=), which browsers do not decode. RFC 6266 filename* carries the Chinese name.
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def get_export_filename(self, request, queryset, file_format):
        """稿件-2011-2026-11-30.xlsx (the Chinese name, the year the list is filtered by, the day), not the
        library's Piece-2026-11-30.xlsx."""
        name = str(self.model._meta.verbose_name)
        filters = request.GET.urlencode() + "&" + request.POST.get("_changelist_filters", "")
        match = re.search(r"year__id__exact(?:=|%3D)(\d+)", filters)
        if match:
            year = AssessmentYear.objects.filter(pk=int(match[1])).values_list("year", flat=True).first()
            if year:
                name = f"{name}-{year}"
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def generate_log_entries(self, result, request):
        # Deleted targets (a blank cell) and skipped rows have no object to log.
        if self.get_skip_admin_log():
            return
        rows: dict[str, list] = {}
        for row in result:
            if row.instance is not None and row.import_type in ("new", "update"):
                rows.setdefault(row.import_type, []).append(row.instance)
        self._create_log_entries(request.user.pk, rows)

    def add_success_message(self, result, request):
        report = getattr(result, "report", None)
        if report is None:
            return super().add_success_message(result, request)
        messages.success(request, report.summary())

    def process_result(self, result, request):
        report = getattr(result, "report", None)
        if report is not None and report.errors:
            # The file changed between the preview and the confirm step: nothing was written.
            for err in report.errors[:50]:
                messages.error(request, str(err))
            messages.error(request, report.summary())
            app_label, model_name = self.get_model_info()
            url = reverse(f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


def max_upload_help() -> str:
    return f"Excel 表格(.xlsx/.xls),不超过{settings.IMPORT_MAX_BYTES // 1024 // 1024}MB;全部行正确才会写入。"
