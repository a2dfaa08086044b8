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

from jobs.models import JobStatus
from jobs.runner import job_start
from publicity.models import YearStatus

from .services import year_publish, year_reopen
from .tasks import year_close_job


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

    def _run(self, request, queryset, service, done: str):
        for year in queryset.order_by("year"):
            try:
                service(actor=request.user, year=year)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(
                    request,
                    _("%(year)s年度:%(error)s") % {"year": year.year, "error": _error_text(exc)},
                    messages.ERROR,
                )
            else:
                self.message_user(request, done % {"year": year.year}, messages.SUCCESS)

    def close_years(self, request, queryset):
        """Closing scores the whole year and writes its snapshot: minutes for a province, so the
        background worker does it; the message links to the job's page (its progress, or its error)."""
        for year in queryset.order_by("year"):
            job = job_start(
                owner=request.user,
                kind="year_close",
                title=_("%(year)s年度结账") % {"year": year.year},
                task=year_close_job,
                year_id=year.pk,
            )
            if job.status == JobStatus.DONE:
                self.message_user(
                    request, _("%(year)s年度已结账,各单位和个人结果已存档。") % {"year": year.year}, messages.SUCCESS
                )
            elif job.status == JobStatus.FAILED:
                self.message_user(
                    request, _("%(year)s年度:%(error)s") % {"year": year.year, "error": job.error}, messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("%(year)s年度正在后台结账。") % {"year": year.year},
                        job.get_absolute_url(),
                        _("查看进度"),
                    ),
                    messages.INFO,
                )

    close_years.short_description = gettext_lazy("结账(冻结所选年度并存档结果)")
    close_years.allowed_permissions = ("change",)  # offered to the bureau admin only

    def publish_years(self, request, queryset):
        self._run(request, queryset, year_publish, _("%(year)s年度已发布。"))

    publish_years.short_description = gettext_lazy("发布所选已结账年度的结果")
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
