from django.contrib import admin

from publicity.admin import CHECKBOX_M2M, FrozenYearAdminMixin

from .models import FigureReport, FigureTarget, FigureTask


class FigureTargetInline(admin.TabularInline):
    model = FigureTarget
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(FigureTask)
class FigureTaskAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    """The bureau sets up a task per year: name, unit of measure, default target, per-unit targets, and
    whether it is scored as its own item (the parameters are data, read by scoring.rules.figure_score)."""

    list_display = ["name", "year", "unit_label", "default_target", "due_date", "is_scored", "full_score"]
    list_filter = ["year", "is_scored"]
    list_select_related = ["year"]
    formfield_overrides = CHECKBOX_M2M
    inlines = [FigureTargetInline]
    fieldsets = [
        (None, {"fields": ["year", "name", "unit_label", "description", "unit_kinds", "default_target", "due_date"]}),
        (
            "单独计分",
            {
                "fields": [
                    "is_scored",
                    "full_score",
                    "bonus_per_unit",
                    "bonus_cap",
                    "penalty_per_unit",
                    "floor",
                    "order",
                ]
            },
        ),
    ]


@admin.register(FigureReport)
class FigureReportAdmin(admin.ModelAdmin):
    """Read-only: figures are reported and reviewed on the web pages (figures.services)."""

    list_display = ["unit", "task", "value", "status", "submitted_at", "reviewed_by"]
    list_filter = ["task__year", "task", "status"]
    list_select_related = ["unit", "task__year", "reviewed_by"]
    search_fields = ["unit__name", "task__name"]
    exclude = ["evidence"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
