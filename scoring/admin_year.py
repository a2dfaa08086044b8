"""Closing, publishing and reopening a year from the admin (DOMAIN §8). Mixed into the
AssessmentYearAdmin registered in scoring/admin.py; every act goes through ``scoring.services`` (bureau admin only)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publicity.models import YearStatus

from .services import year_reopen


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重新开放原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("重新开放年度必须填写原因。")},
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    return str(exc) or _("无权操作。")


class YearClosingAdminMixin:
    actions = ["close_years", "publish_years"]
    readonly_fields = ["closing_links"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Closing and publishing are acts with a snapshot and a log, never a plain field edit.
        if db_field.name == "status":
            kwargs["choices"] = [(YearStatus.DRAFT, YearStatus.DRAFT.label), (YearStatus.OPEN, YearStatus.OPEN.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A frozen year's settings (and its reporting rules inline) stay as they were closed.
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def _to_console(self, request, queryset, url_name: str):
        """Closing and publishing are never one click in an action dropdown beside 删除: the action only
        opens the console's confirmation page for the year, which says exactly what will happen."""
        years = list(queryset.order_by("year")[:2])
        if len(years) != 1:
            self.message_user(request, _("请只选择一个年度,在随后的确认页上操作。"), messages.WARNING)
            return None
        return redirect(url_name, year=years[0].year)

    def close_years(self, request, queryset):
        return self._to_console(request, queryset, "console:year-close")

    close_years.short_description = gettext_lazy("结账…(打开确认页)")
    close_years.allowed_permissions = ("change",)  # offered to the bureau admin only

    def publish_years(self, request, queryset):
        return self._to_console(request, queryset, "console:year-publish")

    publish_years.short_description = gettext_lazy("发布结果…(打开确认页)")
    publish_years.allowed_permissions = ("change",)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path("<int:pk>/reopen/", self.admin_site.admin_view(self.reopen_view), name=f"{info[0]}_{info[1]}_reopen")
        ]
        return extra + super().get_urls()

    # A plain method with admin.display: a description set on a staticmethod object never reached the
    # admin, which then labelled the row "Closing links" in English.
    @admin.display(description=gettext_lazy("结账/发布/重新开放/结转"))
    def closing_links(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("console:year", args=[obj.year])
        return format_html('<a href="{}">{}</a>', url, _("在年度管理页操作(先显示确认页,说明将发生什么)"))

    def reopen_view(self, request, pk: int):
        year = get_object_or_404(self.model, pk=pk)
        if not request.user.is_bureau_admin:
            raise PermissionDenied(_("只有市局管理员可以重新开放年度。"))
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                year_reopen(actor=request.user, year=year, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request, _("%(year)s年度已重新开放,原因已记录。") % {"year": year.year}, messages.SUCCESS
                )
                return redirect("admin:publicity_assessmentyear_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("重新开放%(year)s年度") % {"year": year.year},
            "year": year,
            "form": form,
        }
        return render(request, "scoring/admin_reopen.html", context)
