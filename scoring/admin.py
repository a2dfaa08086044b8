from django.contrib import admin

from publicity.admin import FrozenYearAdminMixin, ReportingRuleInline
from publicity.models import AssessmentYear

from .admin_year import YearClosingAdminMixin
from .models import PersonResult, RewardRule, RewardSchedule, ScoringPolicy, UnitResult, YearSnapshot, YearStatusLog


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["year", "full_score", "bonus_per_piece", "bonus_cap_ratio", "penalty_per_piece", "floor"]
    list_select_related = ["year"]
    filter_horizontal = ["bonus_categories"]


class RewardRuleInline(admin.StackedInline):
    model = RewardRule
    extra = 0
    filter_horizontal = ["outlets"]


@admin.register(RewardSchedule)
class RewardScheduleAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "owner_unit"]
    list_select_related = ["year", "owner_unit"]
    inlines = [RewardRuleInline]


@admin.register(AssessmentYear)
class AssessmentYearAdmin(YearClosingAdminMixin, admin.ModelAdmin):
    # close / publish actions and a reopen form with a reason (scoring.admin_year)
    list_display = ["year", "title", "status", "roster_due"]
    list_filter = ["status"]
    inlines = [ReportingRuleInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by year_close / year_reopen."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitResultInline(admin.TabularInline):
    model = UnitResult
    fields = ["rank", "unit_name", "kind_name", "points", "reward", "missing", "extra", "bonus_base"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(YearSnapshot)
class YearSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["year", "closed_at", "closed_by", "published_at"]
    list_select_related = ["year", "closed_by"]
    exclude = ["data"]
    inlines = [UnitResultInline]


@admin.register(PersonResult)
class PersonResultAdmin(ReadOnlyAdmin):
    list_display = ["position", "name", "unit_name", "reward", "piece_count", "snapshot"]
    list_filter = ["snapshot__year"]
    list_select_related = ["snapshot__year"]
    search_fields = ["name", "unit_name"]


@admin.register(YearStatusLog)
class YearStatusLogAdmin(ReadOnlyAdmin):
    list_display = ["year", "from_status", "to_status", "actor", "at", "reason"]
    list_filter = ["year", "to_status"]
    list_select_related = ["year", "actor"]
