"""Forms of the web app. Validation messages are Chinese and name the row and the field."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publicity.models import OutletLevel, PieceKind, PieceStatus, Placement, Topic
from publicity.outlets import OutletIndex
from publicity.uploads import validate_evidence
from units.models import Unit
from units.validators import reject_control_chars

EVIDENCE_ACCEPT = "image/*,application/pdf"
CORRECTION_STATUS = "correction"  # the queue's pseudo-status: approved pieces with an addition waiting (补登待审)


def _month_label(month: int) -> str:
    return gettext("%(month)s月") % {"month": month}


MONTH_CHOICES = [(m, lazy(_month_label, str)(m)) for m in range(1, 13)]


class PieceForm(forms.Form):
    title = forms.CharField(
        label=_("标题"),
        max_length=300,
        error_messages={"required": _("请填写标题。"), "max_length": _("标题不能超过300字。")},
        validators=[reject_control_chars],
    )
    kind = forms.ChoiceField(label=_("稿件类型"), choices=PieceKind.choices, initial=PieceKind.NEWS)
    authors = forms.CharField(
        label=_("作者"),
        max_length=300,
        help_text=_("多位作者按署名顺序填写,用顿号、逗号或空格分隔"),
        error_messages={"required": _("请至少填写一位作者。")},
        validators=[reject_control_chars],
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("专题"), queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    characters = forms.IntegerField(
        label=_("字数"),
        min_value=1,
        max_value=1_000_000,
        help_text=_("稿件正文的字数:奖励标准按字数区分(如头版头条须满800字)"),
        error_messages={
            "invalid": _("字数必须是整数。"),
            "min_value": _("请填写稿件的字数(1到1000000之间的整数),奖励标准按字数区分。"),
            "max_value": _("字数应为1到1000000之间的整数。"),
            "required": _("请填写字数。"),
        },
    )
    report_date = forms.DateField(
        label=_("报送日期"),
        required=False,
        help_text=_("未刊发的调研文章填写报送日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("报送日期格式应为 年-月-日。")},
    )
    confirm_duplicate = forms.BooleanField(label=_("我已核对,确认不是重复稿件,仍然保存"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update({"autocomplete": "off", "placeholder": _("稿件标题")})
        self.fields["authors"].widget.attrs.update({"placeholder": _("如:张三、李四")})
        self.fields["characters"].widget.attrs.update({"inputmode": "numeric"})


class PublicationForm(forms.Form):
    outlet = forms.CharField(
        label=_("媒体"),
        max_length=100,
        help_text=_("输入媒体名称、简称或网址,从提示中选择"),
        error_messages={"required": _("请填写媒体。")},
        validators=[reject_control_chars],
    )
    date = forms.DateField(
        label=_("刊发日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写刊发日期。"), "invalid": _("刊发日期格式应为 年-月-日。")},
    )
    placement = forms.ChoiceField(label=_("版面位置"), choices=Placement.choices, initial=Placement.OTHER)
    page = forms.CharField(label=_("版面/栏目"), max_length=100, required=False, validators=[reject_control_chars])
    url = forms.URLField(
        label=_("链接"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("链接格式不正确,应以 http:// 或 https:// 开头。")},
    )
    photo = forms.FileField(
        label=_("拍照上传"),
        required=False,
        allow_empty_file=True,  # an empty file is refused by validate_evidence, naming the row
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT, "capture": "environment"}),
    )
    evidence = forms.FileField(
        label=_("选择文件"),
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    # A proof already uploaded from this form (the page's script uploads it at once so it can be read
    # and offered as suggestions); attached to the publication when the form is saved.
    staged = forms.UUIDField(required=False, widget=forms.HiddenInput(attrs={"class": "staged-input"}))

    def __init__(self, *args, outlet_index: OutletIndex | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.outlet_index = outlet_index
        self.fields["outlet"].widget.attrs.update(
            {"class": "outlet-input", "autocomplete": "off", "placeholder": _("如:安康日报 / akxw.cn")}
        )
        self.fields["url"].widget.attrs.update({"class": "url-input", "placeholder": "https://…", "inputmode": "url"})
        self.evidence_info = None

    def has_changed(self):
        """A row whose outlet, date, page, URL and files are all blank is an unused row, whatever
        its placement select says (a research article may have no publication)."""
        if not self.is_bound:
            return False
        keys = ("outlet", "date", "page", "url")
        typed = any((self.data.get(self.add_prefix(k)) or "").strip() for k in keys)
        files = any(self.files.get(self.add_prefix(k)) for k in ("photo", "evidence"))
        staged = bool((self.data.get(self.add_prefix("staged")) or "").strip())
        return typed or files or staged

    @property
    def row_label(self) -> str:
        try:
            number = int((self.prefix or "0").rsplit("-", 1)[-1]) + 1
        except (TypeError, ValueError):
            number = 1
        return gettext("第%(number)s条刊发记录") % {"number": number}

    def clean_date(self):
        # Checked with the other fields (not after them, in the service), so every mistake shows in one round.
        date = self.cleaned_data["date"]
        years = getattr(self, "known_years", None)
        if date is not None and years is not None and date.year not in years:
            raise ValidationError(
                gettext("%(row)s:%(year)s年度尚未设立,不能登记该年度的稿件。")
                % {"row": self.row_label, "year": date.year}
            )
        return date

    def clean_outlet(self):
        text = self.cleaned_data["outlet"].strip()
        outlet = self.outlet_index.resolve(text) if self.outlet_index else None
        if outlet is None:
            raise ValidationError(
                gettext("%(row)s:找不到媒体“%(text)s”,请输入媒体名称、简称或网址并从提示中选择。")
                % {"row": self.row_label, "text": text}
            )
        return outlet

    def clean(self):
        data = super().clean()
        upload = data.get("photo") or data.get("evidence")
        if upload:
            try:
                self.evidence_info = validate_evidence(
                    upload, label=gettext("%(row)s的佐证材料") % {"row": self.row_label}
                )
            except ValidationError as exc:
                self.add_error("evidence", exc)
        data["upload"] = upload
        return data


class BasePublicationFormSet(forms.BaseFormSet):
    def __init__(self, *args, outlet_index: OutletIndex | None = None, known_years: set[int] | None = None, **kwargs):
        """``known_years``: the assessment years that exist, when a new piece's dates decide its year (a
        row dated in a year not set up is then an error on that row's date, with the others)."""
        self.outlet_index = outlet_index
        self.known_years = known_years
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["outlet_index"] = self.outlet_index
        return kwargs

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.known_years = self.known_years
        return form

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            outlet_index=self.outlet_index,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        seen: dict[int, str] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form) or not form.has_changed():
                continue
            outlet = form.cleaned_data.get("outlet")
            if outlet is None:
                continue
            if outlet.pk in seen:
                raise ValidationError(
                    gettext("%(row)s与%(other)s是同一媒体“%(outlet)s”:同一媒体只登记一次。")
                    % {"row": form.row_label, "other": seen[outlet.pk], "outlet": outlet}
                )
            seen[outlet.pk] = form.row_label

    def rows(self):
        """Filled rows that are kept (not deleted): (form, cleaned_data)."""
        return [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and form.cleaned_data
            and form.has_changed()
            and not self._should_delete_form(form)
        ]


PublicationFormSet = formset_factory(
    PublicationForm, formset=BasePublicationFormSet, extra=1, can_delete=True, max_num=20
)


VERSION_RE = re.compile(r"^\d{1,9}$")


def posted_version(data) -> int | None:
    """The piece version a review form carried (an integer), or None when missing or malformed."""
    value = (data.get("version") or "").strip()
    return int(value) if VERSION_RE.match(value) else None


def _reason_choices():
    from publicity.models import RejectionReason

    return [("", _("选择常用原因(可选)"))] + [
        (r.text, r.text) for r in RejectionReason.objects.filter(is_active=True).order_by("order", "id")
    ]


class RejectForm(forms.Form):
    """A reason from the common list (data: 常用退回原因), free text, or both; one of them is required."""

    preset = forms.ChoiceField(label=_("常用原因"), required=False, choices=_reason_choices)
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=500,
        required=False,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如:佐证材料不清晰,请重新上传版面照片")}),
        error_messages={"max_length": _("退回原因不能超过500字。")},
    )

    def clean(self):
        data = super().clean()
        parts = [(data.get("preset") or "").strip(), (data.get("reason") or "").strip()]
        reason = ";".join(p for p in parts if p)
        if "reason" in self.errors or "preset" in self.errors:
            return data
        if not reason:
            self.add_error("reason", _("退回稿件必须填写退回原因。"))
        elif len(reason) > 500:
            self.add_error("reason", _("退回原因不能超过500字。"))
        data["reason"] = reason
        return data


class QueueFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Unit.objects.active(), required=False, empty_label=_("全部单位")
    )
    month = forms.TypedChoiceField(
        label=_("月份"), choices=[("", _("全部月份")), *MONTH_CHOICES], coerce=int, required=False, empty_value=None
    )
    level = forms.ModelChoiceField(
        label=_("媒体级别"), queryset=OutletLevel.objects.all(), required=False, empty_label=_("全部级别")
    )
    kind = forms.ChoiceField(label=_("稿件类型"), choices=[("", _("全部类型")), *PieceKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *PieceStatus.choices, (CORRECTION_STATUS, _("补登待审"))],
        required=False,
        initial=PieceStatus.SUBMITTED,
    )
    dup = forms.BooleanField(label=_("只看疑似重复"), required=False)
    proof = forms.BooleanField(label=_("只看佐证存疑"), required=False)
    noproof = forms.BooleanField(label=_("只看缺佐证"), required=False)
    q = forms.CharField(label=_("关键词"), required=False, max_length=100, validators=[reject_control_chars])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": _("标题、单位、作者或媒体"), "type": "search"})


class ReportForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("月份"), choices=MONTH_CHOICES, coerce=int, error_messages={"invalid_choice": _("请选择1到12月。")}
    )
    is_zero = forms.BooleanField(label=_("本月无稿件(零报告)"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False, validators=[reject_control_chars])


class ReminderForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.active(),
        error_messages={"required": _("请选择单位。"), "invalid_choice": _("单位不存在。")},
    )
    month = forms.TypedChoiceField(
        label=_("月份"), choices=MONTH_CHOICES, coerce=int, error_messages={"invalid_choice": _("请选择1到12月。")}
    )
    message = forms.CharField(
        label=_("提醒内容"),
        max_length=300,
        error_messages={"required": _("请填写提醒内容。")},
        validators=[reject_control_chars],
    )
