from django import forms as dj_forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from units.models import Unit

from .models import (
    Evidence,
    EvidenceReading,
    HeaderAlias,
    Indicator,
    IndicatorCategoryFactor,
    IndicatorLevelPoints,
    IndicatorMethod,
    Outlet,
    OutletCategory,
    OutletLevel,
    ReadingStatus,
    RejectionReason,
    ReportingRule,
    ReviewEvent,
    Topic,
    UnitTarget,
    WordAlias,
)
from .resources import OutletResource, QuotaResource, YearImportExportMixin
from .services import target_set, year_frozen_error
from .table_resources import TableImportExportMixin, UnitResource

# Links from the admin's piece and unit lists to the score pages (no query per row). The pages belong to a
# higher floor, so they are reached by URL name only.

CHECKBOX_M2M = {models.ManyToManyField: {"widget": dj_forms.CheckboxSelectMultiple}}


@admin.display(description=gettext_lazy("奖励"))
def piece_reward_link(obj):
    return format_html('<a href="{}">{}</a>', reverse("scoring:piece-reward", args=[obj.pk]), gettext("奖励说明"))


@admin.display(description=gettext_lazy("得分"))
def unit_score_link(obj):
    return format_html('<a href="{}">{}</a>', reverse("scoring:unit-score-current", args=[obj.pk]), gettext("考核得分"))


class FrozenYearAdminMixin:
    """Objects of a closed/published year are read-only in the admin (DOMAIN §4).

    ``year_path`` is how to reach the AssessmentYear from the object; on an add form the
    year is checked in ``save_model`` because the object has none yet."""

    year_path: str = "year"

    def _year_of(self, obj):
        for part in self.year_path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def has_change_permission(self, request, obj=None):
        year = self._year_of(obj) if obj is not None else None
        if year is not None and year.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        year = self._year_of(obj) if obj is not None else None
        if year is not None and year.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A clear form error (not a server error) when an add or change form targets a frozen year."""
        form_class = super().get_form(request, obj, change=change, **kwargs)
        first, _, rest = self.year_path.partition("__")

        class FrozenYearForm(form_class):
            def clean(form):
                cleaned = super().clean()
                year = cleaned.get(first)
                for part in rest.split("__") if rest else ():
                    year = getattr(year, part, None)
                if year is not None and getattr(year, "is_frozen", False):
                    raise year_frozen_error(year)
                return cleaned

        return FrozenYearForm

    def save_model(self, request, obj, form, change):
        year = self._year_of(obj)
        if year is not None and year.is_frozen:
            raise year_frozen_error(year)
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        year = self._year_of(obj) if obj is not None else None
        if year is not None and year.is_frozen and request.method == "GET":
            messages.warning(
                request,
                gettext("%(year)s年度%(status)s,只读:该年度的数据不能再修改或删除。")
                % {"year": year.year, "status": year.get_status_display()},
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def delete_queryset(self, request, queryset):
        frozen = [self._year_of(o) for o in queryset if (y := self._year_of(o)) is not None and y.is_frozen]
        if frozen:
            self.message_user(request, year_frozen_error(frozen[0]).messages[0], messages.ERROR)
            return
        super().delete_queryset(request, queryset)


@admin.register(OutletLevel)
class OutletLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank"]


@admin.register(OutletCategory)
class OutletCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(Outlet)
class OutletAdmin(TableImportExportMixin, admin.ModelAdmin):
    resource_classes = [OutletResource]
    list_display = ["name", "level", "category", "aliases", "domains", "is_own_website", "is_active"]
    list_filter = ["level", "category", "is_own_website", "is_active"]
    list_select_related = ["level", "category"]
    search_fields = ["name", "aliases", "domains"]
    list_per_page = 100


@admin.register(HeaderAlias)
class HeaderAliasAdmin(admin.ModelAdmin):
    """How offices head columns; the import finds a column (and the header row) by any of these words."""

    list_display = ["word", "column", "table"]
    list_filter = ["table", "column"]
    search_fields = ["word", "column"]


@admin.register(WordAlias)
class WordAliasAdmin(admin.ModelAdmin):
    """Everyday wording of kinds (消息 → 新闻稿件) and placements (一版 → 头版) read by the piece import."""

    list_display = ["word", "value", "field"]
    list_filter = ["field", "value"]
    search_fields = ["word"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases", "order"]
    search_fields = ["name", "aliases"]


class ReportingRuleInline(admin.TabularInline):
    model = ReportingRule
    extra = 0


# AssessmentYear is registered by scoring/admin.py: closing, publishing and reopening are scoring's acts.


# A link typed without a scheme gets https://, as on the liaison's piece form (and Django 6's default).
LINKS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class LevelPointsFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if getattr(self.instance, "method", None) == IndicatorMethod.PER_PIECE and not rows:
            raise ValidationError(gettext("按篇计分的指标至少要填写一个媒体级别的每篇积分。"))


class LevelPointsInline(admin.TabularInline):
    """DOMAIN §10 per-piece points: e.g. 国家级 5, 省级 3, 市级 2, 县级 1."""

    model = IndicatorLevelPoints
    formset = LevelPointsFormSet
    extra = 0


class CategoryFactorInline(admin.TabularInline):
    """DOMAIN §10: e.g. 网站 × 0.5; a category not listed counts × 1."""

    model = IndicatorCategoryFactor
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    year_path = "year"
    inlines = [LevelPointsInline, CategoryFactorInline]
    list_display = [
        "code",
        "name",
        "unit_kind",
        "year",
        "method",
        "min_level",
        "max_level",
        "default_target",
        "requires_publication",
        "counts_for_penalty",
        "is_bonus_basis",
    ]
    list_filter = ["year", "unit_kind"]
    list_select_related = ["unit_kind", "year", "min_level", "max_level"]
    search_fields = ["code", "name"]
    # Plain checkboxes: the two-box filter widget spoke English ("Choose 专题…") and hides what is chosen.
    formfield_overrides = CHECKBOX_M2M


@admin.register(UnitTarget)
class UnitTargetAdmin(FrozenYearAdminMixin, YearImportExportMixin, admin.ModelAdmin):
    resource_classes = [QuotaResource]  # 导入/导出任务分解表, same as manage.py import_quotas
    year_path = "indicator__year"
    list_display = ["unit", "indicator", "target"]
    list_filter = ["indicator__year", "indicator__unit_kind", "indicator__code"]
    list_select_related = ["unit", "indicator", "indicator__unit_kind", "indicator__year"]
    search_fields = ["unit__name", "indicator__code", "indicator__name"]
    autocomplete_fields = ["unit"]
    list_per_page = 200

    def get_readonly_fields(self, request, obj=None):
        # A row is one unit × one indicator: change the number here, or delete it to go back to the default.
        return ["unit", "indicator"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # Through the same service as the quota grid: bureau admin, open year, an indicator of the unit's kind.
        saved = target_set(actor=request.user, unit=obj.unit, indicator=obj.indicator, target=obj.target)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        target_set(actor=request.user, unit=obj.unit, indicator=obj.indicator, target=None)


@admin.register(Unit)
class UnitAdmin(TableImportExportMixin, admin.ModelAdmin):
    resource_classes = [UnitResource]  # 导入/导出单位名单, same as manage.py import_units
    list_display = [
        "name",
        "kind",
        "parent",
        "head_name",
        "liaison_name",
        "phone",
        "order",
        "is_active",
        unit_score_link,
    ]
    list_filter = ["kind", "is_active"]
    list_select_related = ["kind", "parent"]
    search_fields = ["name", "aliases", "liaison_name", "head_name"]
    autocomplete_fields = ["parent"]
    list_per_page = 100


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    """The common rejection reasons the reviewer picks from (data; free text may be added)."""

    list_display = ["text", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["text"]


@admin.register(EvidenceReading)
class EvidenceReadingAdmin(admin.ModelAdmin):
    """What the proof reader saw in each file (by SHA-256), for support staff checking a disputed proof:
    written only by the reader; a failed or engine-less reading can be queued again."""

    list_display = ["short_hash", "status", "source", "found", "seconds", "read_at", "error"]
    list_filter = ["status", "source"]
    search_fields = ["sha256", "text"]
    fields = ["sha256", "status", "engine", "source", "fields", "text", "error", "seconds", "created_at", "read_at"]
    readonly_fields = fields
    actions = ["read_again"]

    @admin.display(description=gettext_lazy("SHA-256"))
    def short_hash(self, obj):
        return obj.sha256[:16] + "…"

    @admin.display(description=gettext_lazy("识别出的信息"))
    def found(self, obj):
        labels = {
            "outlet": "媒体",
            "title": "标题",
            "date": "日期",
            "page": "版面",
            "characters": "字数",
            "url": "链接",
        }
        found = obj.fields or {}
        return "、".join(label for key, label in labels.items() if found.get(key)) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("重新识别所选佐证(后台进行)"), permissions=["view"])
    def read_again(self, request, queryset):
        from .proofs import request_reading

        if not request.user.is_bureau_admin:
            self.message_user(request, gettext("只有市局管理员可以重新识别佐证。"), messages.ERROR)
            return
        hashes = list(queryset.values_list("sha256", flat=True)[:500])
        files = dict(Evidence.objects.filter(sha256__in=hashes).values_list("sha256", "file"))
        queued = 0
        for sha in hashes:
            if sha not in files:
                continue
            EvidenceReading.objects.filter(sha256=sha).update(status=ReadingStatus.PENDING, error="")
            request_reading(sha256=sha, file_name=files[sha])
            queued += 1
        missing = len(hashes) - queued
        text = gettext("已安排重新识别%(n)s份佐证。") % {"n": queued}
        if missing:
            text += gettext("另有%(n)s份已不在任何稿件上(预上传后未保存),无法重新识别。") % {"n": missing}
        self.message_user(request, text, messages.SUCCESS if queued else messages.WARNING)


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    """Each piece's review history: written only by the review services, never by hand."""

    list_display = ["piece", "kind", "actor_name", "at", "reason", "detail"]
    list_filter = ["kind", "piece__year"]
    list_select_related = ["piece"]
    search_fields = ["piece__title", "actor_name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Pieces, publications, evidence, period reports and reminders: saved through the services (no back door).
from .admin_pieces import PieceAdmin, PublicationAdmin, PublicationInline  # noqa: E402, F401
