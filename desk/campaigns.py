"""Campaign tasks (专题宣传活动): the bureau sets a campaign up and follows completion per unit; each unit's
liaison uploads its photos, videos and summary (campaigns.services does every write)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns import services
from campaigns.models import MAX_COUNT, Campaign, CampaignFile, DeliverableKind
from units.models import Role, Unit

from .access import (
    BUREAU_READERS,
    CAMPAIGN_MANAGERS,
    CAMPAIGN_READERS,
    campaign_unit_for_user,
    get_campaign_file_for_user,
    get_campaign_for_user,
    require_roles,
    user_unit,
)
from .common import current_year, deadline_day, frozen_notice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = {
    DeliverableKind.PHOTO: "image/jpeg,image/png,image/webp",
    DeliverableKind.VIDEO: "video/mp4,video/webm",
    DeliverableKind.SUMMARY: "application/pdf,.docx",
}


def _date_field(label):
    return forms.DateField(
        label=label,
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写%(label)s。") % {"label": label},
            "invalid": gettext_lazy("%(label)s格式应为 年-月-日。") % {"label": label},
        },
    )


def _count_field(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        initial=0,
        error_messages={
            "required": gettext_lazy("请填写%(label)s的数量(不要求填 0)。") % {"label": label},
            "invalid": gettext_lazy("%(label)s的数量须是整数。") % {"label": label},
            "min_value": gettext_lazy("%(label)s的数量不能是负数。") % {"label": label},
            "max_value": gettext_lazy("%(label)s的数量不能超过%(max)s。") % {"label": label, "max": MAX_COUNT},
        },
    )


class CampaignForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("活动名称"), max_length=200, error_messages={"required": gettext_lazy("请填写活动名称。")}
    )
    theme = forms.CharField(label=gettext_lazy("宣传主题"), max_length=200, required=False)
    starts_on = _date_field(gettext_lazy("活动开始日期"))
    ends_on = _date_field(gettext_lazy("活动结束日期"))
    deadline = _date_field(gettext_lazy("材料报送截止日期"))
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("参加单位"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("请至少选择一个参加单位。"),
            "invalid_choice": gettext_lazy("参加单位中有不存在或已停用的单位。"),
            "invalid_pk_value": gettext_lazy("参加单位中有不存在或已停用的单位。"),
        },
    )
    photo = _count_field(gettext_lazy("照片"))
    video = _count_field(gettext_lazy("视频"))
    summary = _count_field(gettext_lazy("书面总结"))
    # Scored as its own item of the year's score: checked by campaigns.services (Chinese errors by field)
    is_scored = forms.BooleanField(label=gettext_lazy("计入年度考核得分(单独一项)"), required=False)
    full_score = forms.CharField(label=gettext_lazy("单项满分"), required=False, max_length=20)
    penalty_per_item = forms.CharField(label=gettext_lazy("每缺一项扣分"), required=False, max_length=20)
    floor = forms.CharField(label=gettext_lazy("最低得分"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.active().select_related("kind")
        for name in ("full_score", "penalty_per_item", "floor"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_input(self) -> services.CampaignInput:
        d = self.cleaned_data
        return services.CampaignInput(
            d["title"],
            d["theme"],
            d["starts_on"],
            d["ends_on"],
            d["deadline"],
            tuple(u.pk for u in d["units"]),
            {k: d[k] for k in DeliverableKind.values},
            d["is_scored"],
            d["full_score"],
            d["penalty_per_item"],
            d["floor"],
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=DeliverableKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=gettext_lazy("或直接填写总结正文"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


# --- list, set-up -------------------------------------------------------------------------------


@require_roles(*CAMPAIGN_READERS)
def campaign_list(request):
    year = current_year(request)
    user = request.user
    today = deadline_day(request, year)
    campaigns = list(
        Campaign.objects.visible_to(user)
        .filter(year=year)
        .prefetch_related("deliverables")
        .annotate(unit_count=Count("units", distinct=True))
        .order_by("-deadline", "-id")
    )
    rows = []
    if user.has_role(*BUREAU_READERS):
        table = services.completions(campaigns, today)
        rows = [(c, services.summary(table[c.pk]), None) for c in campaigns]
    else:
        unit = user_unit(user)
        table = services.completions(campaigns, today, unit_ids=[unit.pk])
        rows = [(c, None, table[c.pk][0]) for c in campaigns if table[c.pk]]
    return render(
        request,
        "campaigns/list.html",
        {
            "year": year,
            "rows": rows,
            "today": today,
            "can_manage": user.has_role(*CAMPAIGN_MANAGERS) and not year.is_frozen,
        },
    )


@require_roles(*CAMPAIGN_MANAGERS)
def campaign_form(request, pk=None):
    campaign = get_campaign_for_user(request.user, pk) if pk is not None else None
    year = campaign.year if campaign else current_year(request)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_save(
                    actor=request.user, year=year, data=form.to_input(), campaign=campaign
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存专题活动“%(title)s”。") % {"title": campaign.title})
                return redirect("campaigns:detail", campaign.pk)
    elif campaign is not None:
        initial = {
            "title": campaign.title,
            "theme": campaign.theme,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "deadline": campaign.deadline,
            "units": list(campaign.units.values_list("pk", flat=True)),
            "is_scored": campaign.is_scored,
            "full_score": f"{campaign.full_score:.2f}" if campaign.is_scored else "",
            "penalty_per_item": f"{campaign.penalty_per_item:.2f}" if campaign.is_scored else "",
            "floor": f"{campaign.floor:.2f}" if campaign.is_scored else "",
        }
        initial.update({d.kind: d.count for d in campaign.deliverables.all()})
        form = CampaignForm(initial=initial)
    else:
        form = CampaignForm()
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "campaign": campaign, "year": year, "frozen_notice": frozen_notice(year)},
    )


# --- completion (bureau) and one unit's submission ---------------------------------------------------


@require_roles(*CAMPAIGN_READERS)
def campaign_detail(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    if not request.user.has_role(*BUREAU_READERS):
        return _render_unit(request, campaign, campaign_unit_for_user(request.user, campaign, None))
    today = deadline_day(request, campaign.year)
    rows = services.completion(campaign, today)
    wanted = request.GET.get("state", "")
    shown = [r for r in rows if r.state == wanted] if wanted in services.State.LABELS else rows
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "rows": shown,
            "counts": services.summary(rows),
            "labels": services.State.LABELS,
            "state": wanted,
            "deliverables": [(d.get_kind_display(), d.count) for d in services.ordered(campaign.deliverables.all())],
            "today": today,
            "can_manage": request.user.has_role(*CAMPAIGN_MANAGERS) and not campaign.year.is_frozen,
        },
    )


def _render_unit(request, campaign: Campaign, unit: Unit, *, forms_by_kind=None, status=200):
    user = request.user
    today = deadline_day(request, campaign.year)
    row = services.completion(campaign, today, unit_ids=[unit.pk])[0]
    files = list(
        CampaignFile.objects.filter(campaign=campaign, unit=unit)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    can_upload = services.can_upload(user, unit.pk) and not campaign.year.is_frozen
    forms_by_kind = forms_by_kind or {}
    sections = []
    for d in services.ordered(campaign.deliverables.all()):
        form = forms_by_kind.get(d.kind) or UploadForm(initial={"kind": d.kind}, auto_id=f"id_{d.kind}_%s")
        sections.append(
            {
                "kind": d.kind,
                "label": d.get_kind_display(),
                "required": d.count,
                "sent": row.counts.get(d.kind, 0),
                "files": [f for f in files if f.kind == d.kind],
                "form": form,
                "accept": ACCEPT[d.kind],
            }
        )
    return render(
        request,
        "campaigns/unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "row": row,
            "sections": sections,
            "can_upload": can_upload,
            "is_bureau": user.has_role(*BUREAU_READERS),
            "has_files": bool(files),
            "frozen_notice": frozen_notice(campaign.year),
            "video_limit_mb": services.settings.CAMPAIGN_VIDEO_MAX_BYTES // 1048576,
        },
        status=status,
    )


@require_roles(*CAMPAIGN_READERS)
def campaign_unit(request, pk, unit_id):
    campaign = get_campaign_for_user(request.user, pk)
    return _render_unit(request, campaign, campaign_unit_for_user(request.user, campaign, unit_id))


@require_POST
@require_roles(Role.LIAISON)
def campaign_upload(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    unit = campaign_unit_for_user(request.user, campaign, None)
    kind = request.POST.get("kind", "")
    if kind not in DeliverableKind.values:
        messages.error(request, _("材料类型无效,请重新选择。"))
        return redirect("campaigns:detail", campaign.pk)
    form = UploadForm(request.POST, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        try:
            added = services.files_add(
                actor=request.user,
                campaign=campaign,
                unit=unit,
                kind=kind,
                uploads=request.FILES.getlist("files"),
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("已上传%(kind)s%(n)s份。") % {"kind": DeliverableKind(kind).label, "n": len(added)}
            )
            return redirect("campaigns:detail", campaign.pk)
    return _render_unit(request, campaign, unit, forms_by_kind={kind: form})


@require_POST
@require_roles(Role.LIAISON)
def file_delete(request, pk):
    item = get_campaign_file_for_user(request.user, pk)
    try:
        services.file_delete(actor=request.user, item=item)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已删除“%(name)s”。") % {"name": item})
    return redirect("campaigns:detail", item.campaign_id)
