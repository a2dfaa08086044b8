"""Bureau-website submissions (局网站信息发布): the unit drafts, its head signs, the deputy director signs
a 重大事项, the website editor publishes with the URL (website.services does every step)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from publicity.models import PieceKind
from units.models import Role
from website import services
from website.models import WAITING, DeputyInCharge, ItemStatus, SignoffMode, WebsiteItem

from . import deadlines
from .access import (
    PIECE_WRITERS,
    WEBSITE_READERS,
    WEBSITE_STAFF,
    get_website_item_for_user,
    require_roles,
    user_unit,
)
from .common import PAGE_SIZE, current_year, error_messages, frozen_notice
from .forms import EVIDENCE_ACCEPT


class ItemForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=300,
        error_messages={"required": gettext_lazy("请填写标题。"), "max_length": gettext_lazy("标题不能超过300字。")},
    )
    body = forms.CharField(
        label=gettext_lazy("正文"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": gettext_lazy("请填写正文。"), "max_length": gettext_lazy("正文太长。")},
    )
    authors = forms.CharField(
        label=gettext_lazy("作者"),
        max_length=300,
        help_text=gettext_lazy("多位作者按署名顺序填写,用顿号、逗号或空格分隔"),
        error_messages={"required": gettext_lazy("请至少填写一位作者。")},
    )
    kind = forms.ChoiceField(label=gettext_lazy("稿件类型"), choices=PieceKind.choices, initial=PieceKind.NEWS)
    is_major = forms.BooleanField(label=gettext_lazy("重大事项(须经分管领导签发)"), required=False)
    signoff_mode = forms.ChoiceField(
        label=gettext_lazy("签发方式"),
        choices=SignoffMode.choices,
        initial=SignoffMode.IN_APP,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("没有本单位网站的单位,可上传领导签字原件或传真件代替负责人在系统中签发"),
    )
    source_url = forms.CharField(
        label=gettext_lazy("本单位网站原文链接(有网站的单位先在本单位网站刊登)"), max_length=500, required=False
    )
    scan = forms.FileField(
        label=gettext_lazy("领导签字原件或传真件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=gettext_lazy("JPEG、PNG、WebP 图片或 PDF"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("退回稿件必须填写退回原因。")},
    )


class PublishForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("局网站链接"),
        max_length=500,
        error_messages={"required": gettext_lazy("请填写稿件在局网站上的链接。")},
    )
    date = forms.DateField(
        label=gettext_lazy("发布日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写发布日期。"),
            "invalid": gettext_lazy("发布日期格式应为 年-月-日。"),
        },
    )


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _my_queue(user, year) -> list[WebsiteItem]:
    """Items waiting for this user's step: the head's unit items, the deputy's 重大事项, the editor's queue."""
    qs = WebsiteItem.objects.filter(year=year, status__in=WAITING).select_related("unit")
    wanted = []
    if user.is_unit_head and user.unit_id:
        wanted.append(ItemStatus.HEAD)
    if user.is_deputy_director:
        wanted.append(ItemStatus.DEPUTY)
    if user.is_website_editor:
        wanted.append(ItemStatus.EDITOR)
    if not wanted:
        return []
    items = list(qs.filter(status__in=wanted).order_by("waiting_since", "id"))
    deputies = {}
    if ItemStatus.DEPUTY in wanted:
        deputies = {d.unit_id: d.user for d in DeputyInCharge.objects.filter(year=year).select_related("user")}
    return [i for i in items if services.can_act(user, i, deputies.get(i.unit_id))]


@require_roles(*WEBSITE_READERS)
def item_list(request):
    year = current_year(request)
    user = request.user
    qs = WebsiteItem.objects.visible_to(user).filter(year=year).select_related("unit", "created_by")
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "website/list.html",
        {
            "year": year,
            "page": page,
            "queue": _my_queue(user, year),
            "status": status,
            "statuses": ItemStatus.choices,
            "can_draft": user.has_role(*PIECE_WRITERS) and bool(user.unit_id) and not year.is_frozen,
            "frozen_notice": frozen_notice(year) if user.unit_id else "",
            "today": timezone.localdate(),
            # The deputy director's and the website editor's home: their waiting items, due by the year's limits.
            "deadlines": deadlines.for_website_staff(user, year, timezone.localdate())
            if user.has_role(*WEBSITE_STAFF)
            else [],
        },
    )


@require_roles(Role.LIAISON)
def item_form(request, pk=None):
    unit = user_unit(request.user)
    item = None
    if pk is not None:
        item = get_website_item_for_user(request.user, pk)
        if not item.is_editable:
            messages.error(request, _("稿件当前状态为“%(status)s”,不能修改。") % {"status": item.get_status_display()})
            return redirect("website:detail", item.pk)
    year = item.year if item else current_year(request)
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            data = services.ItemInput(
                d["title"], d["body"], d["authors"], d["kind"], d["is_major"], d["signoff_mode"], d["source_url"]
            )
            try:
                item = services.item_save(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    data=data,
                    item=item,
                    scan=d.get("scan"),
                    submit=request.POST.get("action") == "submit",
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if item.status == ItemStatus.DRAFT or item.status == ItemStatus.RETURNED:
                    messages.success(request, _("已保存草稿。"))
                else:
                    messages.success(request, _("已提交,当前环节:%(status)s。") % {"status": item.get_status_display()})
                return redirect("website:detail", item.pk)
    elif item is not None:
        form = ItemForm(
            initial={
                "title": item.title,
                "body": item.body,
                "authors": item.authors,
                "kind": item.kind,
                "is_major": item.is_major,
                "signoff_mode": item.signoff_mode,
                "source_url": item.source_url,
            }
        )
    else:
        form = ItemForm()
    return render(
        request,
        "website/form.html",
        {"form": form, "item": item, "unit": unit, "year": year, "frozen_notice": frozen_notice(year)},
    )


def _publish_day(item: WebsiteItem):
    """Today, or the year's last day when the item belongs to a past year (the date must fall in its year)."""
    today = timezone.localdate()
    return min(max(today, dt.date(item.year.year, 1, 1)), dt.date(item.year.year, 12, 31))


def _render_detail(request, item: WebsiteItem, *, return_form=None, publish_form=None, status=200):
    user = request.user
    deputy = services.deputy_for(item)
    can_draft = services.can_draft(user, item.unit_id) and not item.year.is_frozen
    acting = item.status in WAITING and services.can_act(user, item, deputy) and not item.year.is_frozen
    return render(
        request,
        "website/detail.html",
        {
            "item": item,
            "steps": list(item.steps.select_related("actor")),
            "deputy": deputy,
            "can_edit": can_draft and item.is_editable,
            "can_withdraw": can_draft and item.status in WAITING,
            "can_sign": acting and item.status in (ItemStatus.HEAD, ItemStatus.DEPUTY),
            "can_publish": acting and item.status == ItemStatus.EDITOR,
            "return_form": return_form or ReturnForm(),
            "publish_form": publish_form or PublishForm(initial={"date": _publish_day(item)}),
            "frozen_notice": frozen_notice(item.year),
        },
        status=status,
    )


@require_roles(*WEBSITE_READERS)
def item_detail(request, pk):
    return _render_detail(request, get_website_item_for_user(request.user, pk))


def _act(request, pk, fn, done: str, form_class=None):
    """Take a step; a form's or the service's error is shown on the item's page with what was typed."""
    item = get_website_item_for_user(request.user, pk)
    form, kwargs = None, {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _render_detail(request, item, **{_form_key(form_class): form})
        kwargs = form.cleaned_data
    try:
        item = fn(actor=request.user, item=item, **kwargs)
    except ValidationError as exc:
        if form is None:
            for msg in error_messages(exc):
                messages.error(request, msg)
            return redirect("website:detail", item.pk)
        _apply_errors(form, exc)
        item.refresh_from_db()
        return _render_detail(request, item, **{_form_key(form_class): form})
    messages.success(request, done % {"title": item.title})
    return redirect("website:detail", item.pk)


def _form_key(form_class) -> str:
    return "publish_form" if form_class is PublishForm else "return_form"


@require_POST
@require_roles(Role.LIAISON)
def item_submit(request, pk):
    return _act(request, pk, services.item_submit, _("“%(title)s”已提交签发。"))


@require_POST
@require_roles(Role.LIAISON)
def item_withdraw(request, pk):
    return _act(request, pk, services.item_withdraw, _("“%(title)s”已撤回为草稿。"))


@require_POST
@require_roles(Role.LIAISON)
def item_delete(request, pk):
    item = get_website_item_for_user(request.user, pk)
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
        return redirect("website:detail", item.pk)
    messages.success(request, _("已删除“%(title)s”。") % {"title": item.title})
    return redirect("website:list")


@require_POST
@require_roles(Role.UNIT_HEAD, Role.DEPUTY_DIRECTOR)
def item_sign(request, pk):
    return _act(request, pk, services.item_sign, _("已签发“%(title)s”。"))


@require_POST
@require_roles(Role.UNIT_HEAD, Role.DEPUTY_DIRECTOR, Role.WEBSITE_EDITOR)
def item_return(request, pk):
    return _act(request, pk, services.item_return, _("已退回“%(title)s”。"), ReturnForm)


@require_POST
@require_roles(Role.WEBSITE_EDITOR)
def item_publish(request, pk):
    return _act(request, pk, services.item_publish, _("“%(title)s”已发布,并记入本单位稿件(局网站)。"), PublishForm)


@require_roles(*WEBSITE_READERS)
def item_scan(request, pk):
    """The signed original, to those who may read the item; never from a public URL."""
    item = get_website_item_for_user(request.user, pk)
    if not item.scan:
        raise Http404(_("该稿件没有上传签字原件。"))
    is_pdf = item.scan_type == "application/pdf"
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(item.scan_type, "pdf")
    response = FileResponse(
        item.scan.open("rb"), content_type=item.scan_type, as_attachment=is_pdf, filename=f"signed-{item.pk}.{ext}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
