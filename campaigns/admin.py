from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from publicity.admin import FrozenYearAdminMixin

from . import services
from .models import MAX_COUNT, Campaign, CampaignFile, Deliverable, DeliverableKind


class CampaignAdminForm(forms.ModelForm):
    """The campaign's fields plus one count per kind of deliverable; checked and saved by campaigns.services."""

    photo = forms.IntegerField(label=_("照片(张)"), min_value=0, max_value=MAX_COUNT, initial=0)
    video = forms.IntegerField(label=_("视频(段)"), min_value=0, max_value=MAX_COUNT, initial=0)
    summary = forms.IntegerField(label=_("书面总结(份)"), min_value=0, max_value=MAX_COUNT, initial=0)

    class Meta:
        model = Campaign
        fields = [
            "year",
            "title",
            "theme",
            "starts_on",
            "ends_on",
            "deadline",
            "units",
            "is_scored",
            "full_score",
            "penalty_per_item",
            "floor",
        ]
        widgets = {"units": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_score", "penalty_per_item", "floor"):  # only a scored campaign needs them
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk:
            for d in self.instance.deliverables.all():
                self.fields[d.kind].initial = d.count

    def input(self) -> services.CampaignInput:
        d = self.cleaned_data
        return services.CampaignInput(
            d.get("title", ""),
            d.get("theme", ""),
            d.get("starts_on"),
            d.get("ends_on"),
            d.get("deadline"),
            tuple(u.pk for u in d.get("units") or ()),
            {k: d.get(k) or 0 for k in DeliverableKind.values},
            bool(d.get("is_scored")),
            d.get("full_score"),
            d.get("penalty_per_item"),
            d.get("floor"),
        )

    def clean(self):
        cleaned = super().clean()
        for name in ("full_score", "penalty_per_item", "floor"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = Decimal("0")
        year = self.instance.year if self.instance.pk else cleaned.get("year")
        if year is not None and not self.errors:
            try:
                services.clean_campaign_input(self.input(), year)
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    self.add_error(key if key in self.fields else None, msgs)
        return cleaned


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    fields = ["kind", "count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CampaignFileInline(admin.TabularInline):
    model = CampaignFile
    fields = ["unit", "kind", "name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    """Campaigns are written through campaigns.services (the same checks as the /c/ pages); what units sent
    is read-only here and deleted only by the unit."""

    form = CampaignAdminForm
    list_display = ["title", "year", "starts_on", "ends_on", "deadline", "is_scored"]
    list_filter = ["year"]
    list_select_related = ["year"]
    search_fields = ["title", "theme"]
    inlines = [DeliverableInline, CampaignFileInline]

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = services.campaign_save(
            actor=request.user, year=obj.year, data=form.input(), campaign=obj if change else None
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """The service already set the units and deliverables; the read-only inlines save nothing (their
        save() only tells the admin's change message so)."""
        for formset in formsets:
            formset.save()

    def has_delete_permission(self, request, obj=None):
        return False
