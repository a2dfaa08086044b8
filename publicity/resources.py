"""Admin import/export for outlets, targets (任务分解表) and pieces (刊发新闻稿件统计表).

The imports run ``publicity.imports`` — the functions behind ``manage.py import_quotas`` and
``import_pieces`` — so the admin's preview shows the same Chinese errors and the confirm step
writes all rows or none. Exports write the columns those imports read, so they re-import.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.forms import ConfirmImportForm

from publicity.table_resources import SizeLimitedImportForm, TableImportExportMixin, TableResource
from sheets.tabular import ImportAborted

from .imports import (
    ALIAS_KINDS,
    OUTLET_COLUMNS,
    PIECE_COLUMNS,
    QUOTA_UNIT,
    import_outlets,
    import_pieces,
    import_quotas,
    outlet_export_rows,
    piece_export_rows,
    with_export_relations,
)
from .models import AssessmentYear, Outlet, Piece, UnitTarget, YearStatus


class OutletResource(TableResource):
    display_name = "媒体目录"
    columns = OUTLET_COLUMNS

    def run(self, sheets, *, dry_run, user):
        return import_outlets(sheets, dry_run=dry_run)

    def get_queryset(self):
        return Outlet.objects.all()

    def export_rows(self, queryset):
        return outlet_export_rows(queryset)


class QuotaResource(TableResource):
    """The allocation table: one row per unit, one column per indicator code."""

    display_name = "任务分解表"
    columns = [QUOTA_UNIT, "指标代码(C1、R……)或指标名称,每个指标一列"]

    @classmethod
    def template_headers(cls) -> list[str]:
        """单位, then every indicator code of the latest open year (one column per code)."""
        from .models import Indicator

        year = AssessmentYear.objects.filter(status=YearStatus.OPEN).order_by("-year").first()
        codes = (
            Indicator.objects.filter(year=year)
            .order_by("unit_kind__order", "order", "id")
            .values_list("code", flat=True)
        )
        return [QUOTA_UNIT, *dict.fromkeys(codes)]

    def run(self, sheets, *, dry_run, user):
        return import_quotas(sheets, year=self.options["year"], dry_run=dry_run)

    def get_queryset(self):
        return UnitTarget.objects.all()

    def export(self, queryset=None, **kwargs):
        """Explicit targets only (a blank cell = the kind's default, as the import reads it).
        Filter the list by one year before exporting: the table has no year column."""
        import tablib

        if queryset is None:
            queryset = self.get_queryset()
        targets = list(
            queryset.select_related("unit", "unit__kind", "indicator", "indicator__year").order_by(
                "indicator__year__year", "unit__kind__order", "unit__order", "unit_id"
            )
        )
        codes: list[str] = []
        for t in sorted(targets, key=lambda t: (t.indicator.unit_kind_id, t.indicator.order, t.indicator_id)):
            if t.indicator.code not in codes:
                codes.append(t.indicator.code)
        several_years = len({t.indicator.year_id for t in targets}) > 1
        headers = ["年度"] * several_years + [QUOTA_UNIT, "单位类型", *codes]
        rows: dict[tuple, dict[str, int]] = defaultdict(dict)
        names: dict[tuple, list] = {}
        for t in targets:
            key = (t.indicator.year.year, t.unit_id)
            rows[key][t.indicator.code] = t.target
            names[key] = [t.indicator.year.year] * several_years + [t.unit.name, t.unit.kind.name]
        dataset = tablib.Dataset(headers=headers)
        for key, values in rows.items():
            dataset.append(names[key] + [values.get(c, "") for c in codes])
        dataset.title = self.display_name
        return dataset


class PieceResource(TableResource):
    display_name = "刊发新闻稿件统计表"
    columns = PIECE_COLUMNS

    def run(self, sheets, *, dry_run, user):
        return import_pieces(
            sheets,
            year=self.options["year"],
            approve=self.options.get("approve", False),
            dry_run=dry_run,
            actor=user,
            add_aliases=self.options.get("aliases", ()),
            expected_fingerprint=self.options.get("fingerprint", ""),
        )

    def get_queryset(self):
        return Piece.objects.all()

    def export_rows(self, queryset):
        return piece_export_rows(with_export_relations(queryset).order_by("unit__kind__order", "unit__order", "id"))


# ---------------------------------------------------------------- forms


def _default_year():
    year = AssessmentYear.objects.filter(status=YearStatus.OPEN).order_by("-year").first()
    return year.pk if year else None


class YearImportForm(SizeLimitedImportForm):
    year = forms.ModelChoiceField(AssessmentYear.objects.all(), label="考核年度", empty_label=None)
    field_order = ["resource", "year", "import_file", "format"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = _default_year()


class PieceImportForm(YearImportForm):
    approve = forms.BooleanField(label="导入后直接审核通过", required=False)
    field_order = ["resource", "year", "approve", "import_file", "format"]


class YearConfirmForm(ConfirmImportForm):
    year = forms.ModelChoiceField(AssessmentYear.objects.all(), widget=forms.HiddenInput())
    approve = forms.BooleanField(required=False, widget=forms.HiddenInput())
    # What the preview showed: the aliases chosen there (one "unit|word|name" a line) and a digest of the
    # plan. Confirm writes only if its own plan has the same digest.
    aliases = forms.CharField(required=False, widget=forms.HiddenInput())
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput())


def parse_aliases(text: str) -> list[tuple[str, str, str]]:
    out = []
    for line in (text or "").splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0] in ALIAS_KINDS and parts[1].strip() and parts[2].strip():
            out.append((parts[0], parts[1].strip(), parts[2].strip()))
    return out


def may_add_alias(user, kind: str) -> bool:
    """Adding an alias changes the unit or outlet: the admin's change permission on it is needed."""
    model = ALIAS_KINDS[kind][0]
    return user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


def alias_lines(aliases) -> str:
    return "\n".join("|".join(a) for a in aliases)


class YearImportExportMixin(TableImportExportMixin):
    """Imports into one assessment year, chosen on the upload form and carried to the confirm step."""

    import_form_class = YearImportForm
    confirm_form_class = YearConfirmForm

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["year"] = import_form.cleaned_data["year"].pk
            initial["approve"] = import_form.cleaned_data.get("approve", False)
        report = getattr(request, "import_report", None)
        if report is not None:
            initial["fingerprint"] = report.fingerprint
            initial["aliases"] = getattr(request, "import_aliases", "")
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        data = getattr(form, "cleaned_data", None) or {}
        return {
            "user": request.user,
            "year": data.get("year"),
            "approve": bool(data.get("approve")),
            "aliases": [a for a in parse_aliases(data.get("aliases", "")) if may_add_alias(request.user, a[0])],
            "fingerprint": data.get("fingerprint", ""),
        }

    def process_import(self, request, **kwargs):
        """Confirm. A big statistics table (more rows than IMPORT_INLINE_MAX_ROWS) is written by the background
        worker with visible progress instead of during the request; smaller ones as before."""
        from django.conf import settings
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect

        from jobs.runner import job_start

        from .tasks import import_pieces_job, stash_upload

        if not self.has_import_permission(request):
            raise PermissionDenied
        if not self.confirm_input_ok(request):
            return self.upload_expired(request)
        form = self.create_confirm_form(request)
        if not (self.model is Piece and form.is_valid()):
            return super().process_import(request, **kwargs)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        tmp_storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            data = tmp_storage.read()
            dataset = input_format.create_dataset(data)
        except (OSError, ImportAborted):
            return super().process_import(request, **kwargs)
        rows = sum(len(sheet.rows) for sheet in getattr(dataset, "sheets", []))
        if rows <= settings.IMPORT_INLINE_MAX_ROWS:
            return super().process_import(request, **kwargs)
        kw = self.get_import_resource_kwargs(request, form=form)
        year = form.cleaned_data["year"]
        name = form.cleaned_data["original_file_name"]
        job = job_start(
            owner=request.user,
            kind="import_pieces",
            title=f"导入稿件表 {name}({year.year}年度)",
            task=import_pieces_job,
            upload=stash_upload(data),
            file_name=name,
            year_id=year.pk,
            approve=kw["approve"],
            aliases=[list(a) for a in kw["aliases"]],
            fingerprint=kw["fingerprint"],
        )
        tmp_storage.remove()
        return redirect(job)

    def get_urls(self):
        from django.urls import path

        info = self.get_model_info()
        extra = [
            path(
                "import/recheck/",
                self.admin_site.admin_view(self.import_recheck),
                name="{}_{}_import_recheck".format(*info),
            )
        ]
        return extra + super().get_urls()

    def import_recheck(self, request):
        """The preview again, on the same uploaded file, with the names the clerk ticked "加为别名".

        Nothing is written here: the aliases travel in the confirm form and are saved by the confirm
        step in the same transaction as the rows."""
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse

        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        if not self.confirm_input_ok(request):
            return self.upload_expired(request)
        data = request.POST.copy()
        data["aliases"] = alias_lines(parse_aliases("\n".join(request.POST.getlist("alias"))))
        form = self.confirm_form_class(data)
        if not form.is_valid():
            raise PermissionDenied
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        tmp_storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        context = self.get_import_context_data()
        try:
            dataset = input_format.create_dataset(tmp_storage.read())
        except (OSError, ImportAborted):
            messages.error(request, "上传的文件已失效,请重新上传。")
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        resource = self.choose_import_resource_class(form, request)(
            **self.get_import_resource_kwargs(request, form=form)
        )
        request.import_aliases = data["aliases"]
        result = resource.import_data(
            dataset, dry_run=True, file_name=form.cleaned_data["original_file_name"], request=request, user=request.user
        )
        context["result"] = result
        request.import_upload = {k: form.cleaned_data[k] for k in ("import_file_name", "original_file_name", "format")}
        request.import_upload |= {
            "resource": form.cleaned_data.get("resource", "0"),
            "year": form.cleaned_data["year"].pk,
            "approve": form.cleaned_data["approve"],
        }
        if not result.has_errors() and not result.has_validation_errors():
            initial = {
                k: form.cleaned_data[k] for k in ("import_file_name", "original_file_name", "format", "resource")
            }
            initial |= {
                "year": form.cleaned_data["year"].pk,
                "approve": form.cleaned_data["approve"],
                "aliases": data["aliases"],
                "fingerprint": result.report.fingerprint,
            }
            context["confirm_form"] = self.confirm_form_class(initial=initial)
        context.update(self.admin_site.each_context(request))
        context["title"] = "导入"
        context["opts"] = self.model._meta
        context["media"] = self.media
        return TemplateResponse(request, [self.import_template_name], context)
