"""A unit's own reward schedule (奖励资金自筹, seed 004 §6): the unit's head or liaison edits its rules,
sees what they pay for its pieces, and downloads its own payout list. Not the bureau's: bureau roles get a
403 here, and another unit's rule is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from publicity.models import AssessmentYear, Outlet, PieceKind, Placement
from reports.own_payout import own_payout_pdf, write_own_payout
from scoring import own_schedule as services
from scoring.models import AuthorSplit, Payout, RewardRule

from .access import UNIT_READERS, require_roles, scoped_or_404, user_unit
from .common import current_year, frozen_notice
from .reports import PDF, XLSX, _download


class ScheduleForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"), max_length=100, error_messages={"required": gettext_lazy("请填写名称。")}
    )
    payout = forms.ChoiceField(label=gettext_lazy("一稿多投奖励方式"), choices=Payout.choices)
    top_n = forms.IntegerField(label=gettext_lazy("N(取最高N档时)"), min_value=1, max_value=10, initial=2)
    author_split = forms.ChoiceField(
        label=gettext_lazy("作者分配方式"),
        choices=AuthorSplit.choices,
        initial=AuthorSplit.EQUAL,
        required=False,  # not sent: equal, as before weights could be set here
        widget=forms.RadioSelect,
    )
    weights = forms.CharField(
        label=gettext_lazy("作者权重(按署名顺序)"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "按权重分配时填写,如“0.5, 0.3, 0.2”:第1、2、3作者各得奖励的50%、30%、20%;之后的作者按最后一个权重。"
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class RuleForm(forms.Form):
    outlets = forms.ModelMultipleChoiceField(
        label=gettext_lazy("媒体"),
        queryset=Outlet.objects.filter(is_active=True).select_related("level"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一家媒体。")},
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("稿件类型(不选为不限)"),
        choices=PieceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    placement = forms.ChoiceField(
        label=gettext_lazy("版面位置"), choices=[("", gettext_lazy("不限"))] + list(Placement.choices), required=False
    )
    min_characters = forms.CharField(label=gettext_lazy("最少字数(不填为不限)"), required=False, max_length=10)
    amount = forms.CharField(
        label=gettext_lazy("奖励金额(元)"), max_length=20, error_messages={"required": gettext_lazy("请填写奖励金额。")}
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _rule_for_user(user, pk: int) -> RewardRule:
    """A rule of the user's own unit's schedule; the bureau's or another unit's is a 404."""
    unit = user_unit(user)
    rules = RewardRule.objects.select_related("schedule__year", "schedule__owner_unit").filter(
        schedule__owner_unit=unit
    )
    return scoped_or_404(user, rules, pk=pk)


@require_roles(*UNIT_READERS)
def own_schedule(request):
    unit = user_unit(request.user)
    year = current_year(request)
    schedule = services.schedule_of(unit, year)
    allowed = services.may_keep(unit)  # the unit's kind funds its own rewards (data, seed 004 §6)
    form = None
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                schedule = services.own_schedule_save(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    name=d["name"],
                    payout=d["payout"],
                    top_n=d["top_n"],
                    author_split=d["author_split"] or AuthorSplit.EQUAL,
                    weights=d["weights"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存本单位自筹奖励标准“%(name)s”。") % {"name": schedule.name})
                return redirect(f"{request.path}?year={year.year}")
    if form is None:
        initial = (
            {
                "name": schedule.name,
                "payout": schedule.payout,
                "top_n": schedule.top_n,
                "author_split": schedule.author_split,
                "weights": ", ".join(f"{w.normalize():f}" for w in services.weights_of(schedule)),
            }
            if schedule
            else {"name": _("%(unit)s%(year)s年度宣传稿件奖励标准") % {"unit": unit.name, "year": year.year}}
        )
        form = ScheduleForm(initial=initial)
    rules = list(schedule.rules.prefetch_related("outlets").order_by("order", "id")) if schedule else []
    own = services.own_rewards(year, unit) if schedule else None
    return render(
        request,
        "scoring/own_schedule.html",
        {
            "unit": unit,
            "year": year,
            "schedule": schedule,
            "rules": rules,
            "form": form,
            "own": own,
            "editable": not year.is_frozen and allowed,
            "allowed": allowed,
            "refusal": "" if allowed else services.refusal(unit),
            "weights": services.weights_of(schedule),
            "frozen_notice": frozen_notice(year),
            "kinds": dict(PieceKind.choices),
        },
    )


@require_roles(*UNIT_READERS)
def own_rule_form(request, pk: int | None = None):
    unit = user_unit(request.user)
    rule = _rule_for_user(request.user, pk) if pk is not None else None
    year = rule.schedule.year if rule else current_year(request)
    schedule = rule.schedule if rule else services.schedule_of(unit, year)
    if not services.may_keep(unit):
        messages.error(request, services.refusal(unit))
        return redirect("own-rewards:schedule")
    if schedule is None:
        messages.error(request, _("请先保存本单位自筹奖励标准的名称和一稿多投方式,再添加规则。"))
        return redirect("own-rewards:schedule")
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            data = services.RuleInput(
                outlets=list(d["outlets"]),
                amount=d["amount"],
                kinds=d["kinds"],
                placement=d["placement"],
                min_characters=d["min_characters"],
                note=d["note"],
            )
            try:
                services.own_rule_save(actor=request.user, schedule=schedule, data=data, rule=rule)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存奖励规则。"))
                return redirect(f"{_schedule_url()}?year={year.year}")
    elif rule is not None:
        form = RuleForm(
            initial={
                "outlets": list(rule.outlets.all()),
                "kinds": rule.kinds,
                "placement": rule.placement,
                "min_characters": rule.min_characters or "",
                "amount": f"{rule.amount:.2f}",
                "note": rule.note,
            }
        )
    else:
        form = RuleForm()
    return render(
        request,
        "scoring/own_rule_form.html",
        {
            "unit": unit,
            "year": year,
            "schedule": schedule,
            "rule": rule,
            "form": form,
            "frozen_notice": frozen_notice(year),
        },
    )


def _schedule_url() -> str:
    from django.urls import reverse

    return reverse("own-rewards:schedule")


@require_POST
@require_roles(*UNIT_READERS)
def own_rule_delete(request, pk: int):
    rule = _rule_for_user(request.user, pk)
    year = rule.schedule.year
    try:
        services.own_rule_delete(actor=request.user, rule=rule)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已删除奖励规则。"))
    return redirect(f"{_schedule_url()}?year={year.year}")


@require_roles(*UNIT_READERS)
def own_payout(request, year: int, fmt: str):
    """The unit's own payout list, for that unit only (a unit without its own schedule: 404)."""
    unit = user_unit(request.user)
    year_obj = get_object_or_404(AssessmentYear, year=year)
    if services.schedule_of(unit, year_obj) is None:
        from django.http import Http404

        raise Http404(_("本单位本年度没有自筹奖励标准。"))
    own = services.own_rewards(year_obj, unit)
    today = timezone.localdate()
    filename = f"{unit.name}{year}年度自筹奖励发放表.{fmt}"
    if fmt == "pdf":
        return _download(lambda fh: own_payout_pdf(unit, year_obj, own, fh, today=today), filename, PDF)
    return _download(lambda fh: write_own_payout(unit, year_obj, own, fh, today=today), filename, XLSX)
