"""Admin import/export for outlets, targets (任务分解表) and pieces (刊发新闻稿件统计表).

The imports run ``publicity.imports`` — the functions behind ``manage.py import_quotas`` and
``import_pieces`` — so the admin's preview shows the same Chinese errors and the confirm step
writes all rows or none. Exports write the columns those imports read, so they re-import.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from import_export.forms import ConfirmImportForm

from publicity.table_resources import SizeLimitedImportForm, TableImportExportMixin, TableResource

from .imports import (
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
            sheets, year=self.options["year"], approve=self.options.get("approve", False), dry_run=dry_run, actor=user
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


class YearImportExportMixin(TableImportExportMixin):
    """Imports into one assessment year, chosen on the upload form and carried to the confirm step."""

    import_form_class = YearImportForm
    confirm_form_class = YearConfirmForm

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["year"] = import_form.cleaned_data["year"].pk
            initial["approve"] = import_form.cleaned_data.get("approve", False)
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        data = getattr(form, "cleaned_data", None) or {}
        return {"user": request.user, "year": data.get("year"), "approve": bool(data.get("approve"))}
