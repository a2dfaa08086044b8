from django import forms as dj_forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models as dj_models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publicity.admin import FrozenYearAdminMixin, ReportingRuleInline
from publicity.models import AssessmentYear

from .admin_year import YearClosingAdminMixin
from .models import (
    AuthorSplit,
    AuthorWeight,
    PersonResult,
    RewardRule,
    RewardSchedule,
    ScoringPolicy,
    UnitResult,
    UnitYearSetting,
    YearSnapshot,
    YearStatusLog,
)

CHECKBOX_M2M = {dj_models.ManyToManyField: {"widget": dj_forms.CheckboxSelectMultiple}}


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "full_score",
        "bonus_per_piece",
        "bonus_cap_ratio",
        "penalty_per_piece",
        "floor",
        "duplicate_claims",
        "timeliness",
    ]
    list_select_related = ["year"]
    # Plain checkboxes: the two-box filter widget spoke English ("Choose 专题…") and hides what is chosen.
    formfield_overrides = CHECKBOX_M2M
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "year",
                    "full_score",
                    "bonus_per_piece",
                    "bonus_cap_ratio",
                    "penalty_per_piece",
                    "floor",
                    "bonus_min_level",
                    "bonus_categories",
                ]
            },
        ),
        (_("重复报送与报送时限"), {"fields": ["duplicate_claims", "timeliness", "timeliness_days"]}),
    ]


class AuthorWeightFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        positions = sorted(r["position"] for r in rows if r.get("position"))
        if positions != list(range(1, len(positions) + 1)):
            raise ValidationError(gettext("作者权重的署名顺序须从1开始连续填写(1、2、3……)。"))
        if getattr(self.instance, "author_split", None) == AuthorSplit.WEIGHTS and not rows:
            raise ValidationError(gettext("按权重分配时至少要填写第1作者的权重。"))


class OwnScheduleReadOnly:
    """A unit's own schedule (奖励资金自筹, seed 004 §6) is edited by that unit on its own page
    (desk.own_rewards), never by the bureau: in the admin it is read-only."""

    def _own(self, obj) -> bool:
        return obj is not None and getattr(obj, "owner_unit_id", None) is not None

    def has_change_permission(self, request, obj=None):
        return False if self._own(obj) else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False if self._own(obj) else super().has_delete_permission(request, obj)


class OwnScheduleInline(OwnScheduleReadOnly):
    def has_add_permission(self, request, obj=None):
        return False if self._own(obj) else super().has_add_permission(request, obj)


class AuthorWeightInline(OwnScheduleInline, admin.TabularInline):
    """DOMAIN §10: weights for the authors in order, e.g. 3, 2 (an author beyond the list takes the last)."""

    model = AuthorWeight
    formset = AuthorWeightFormSet
    extra = 0


@admin.register(UnitYearSetting)
class UnitYearSettingAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "year", "coefficient"]
    list_filter = ["year", "unit__kind"]
    list_select_related = ["unit", "year"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]


class RewardRuleInline(OwnScheduleInline, admin.StackedInline):
    model = RewardRule
    extra = 0
    # Plain checkboxes: the two-box filter widget spoke English ("Choose 专题…") and hides what is chosen.
    formfield_overrides = CHECKBOX_M2M


@admin.register(RewardSchedule)
class RewardScheduleAdmin(OwnScheduleReadOnly, FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "owner_unit", "payout", "author_split"]
    list_select_related = ["year", "owner_unit"]
    inlines = [AuthorWeightInline, RewardRuleInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ScheduleForm(form_class):
            def clean_owner_unit(form):
                unit = form.cleaned_data.get("owner_unit")
                if unit is not None:
                    raise ValidationError(
                        gettext(
                            "单位自筹的奖励标准由该单位负责人或联络员在“自筹奖励”页面自行维护,市局不在后台代为设置。"
                        )
                    )
                return unit

        return ScheduleForm


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
