import datetime as dt

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction, AuditEvent, Outcome


class OwnPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("原密码不正确,请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password1"].help_text = _(
            "至少8位,须包含大写字母、小写字母、数字、符号中的至少三类,不能是常见密码,不能与账号信息相似。"
        )
        self.fields["new_password2"].label = _("确认新密码")

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("新密码不能与原密码相同。"))
        return cleaned


def _model_choices():
    from audit.display import model_verbose_name

    labels = AuditEvent.objects.order_by().values_list("model", flat=True).distinct()
    choices = []
    for label in sorted(set(labels) - {""}):
        # Only the Chinese name is shown; the value stays the app label ("publicity.assessmentyear").
        choices.append((label, model_verbose_name(label)))
    return [("", _("全部"))] + choices


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *AuditAction.choices])
    model = forms.ChoiceField(label=_("对象类型"), required=False)
    outcome = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部")), *Outcome.choices])
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    q = forms.CharField(label=_("关键字"), required=False, max_length=200, help_text=_("对象、说明、单位、账号或IP"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return cleaned

    def filter(self, qs):
        from django.utils import timezone

        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        since = data.get("since")
        until = data.get("until")
        return qs.search(
            user=data.get("user", ""),
            action=data.get("action", ""),
            model=data.get("model", ""),
            outcome=data.get("outcome", ""),
            since=dt.datetime.combine(since, dt.time.min, tzinfo=tz) if since else None,
            until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if until else None,
            text=data.get("q", "").strip(),
        )
