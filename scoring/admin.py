from django.contrib import admin

from publicity.admin import FrozenYearAdminMixin

from .models import RewardRule, RewardSchedule, ScoringPolicy


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
