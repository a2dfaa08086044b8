from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from publicity.admin import LINKS_ASSUME_HTTPS, FrozenYearAdminMixin

from .models import DeputyInCharge, WebsiteItem, WebsiteRule, WebsiteStep


@admin.register(WebsiteRule)
class WebsiteRuleAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["year", "signoff_days", "publish_days"]
    list_select_related = ["year"]


@admin.register(DeputyInCharge)
class DeputyInChargeAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    list_display = ["year", "unit", "user"]
    list_select_related = ["year", "unit", "user"]
    list_filter = ["year"]
    autocomplete_fields = ["unit"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class DeputyForm(form_class):
            def clean_user(form):
                user = form.cleaned_data.get("user")
                if user is not None and not user.is_deputy_director:
                    raise ValidationError(
                        gettext("%(user)s没有“分管领导”角色,请安全管理员先授予该角色。") % {"user": user}
                    )
                return user

        return DeputyForm


class WebsiteStepInline(admin.TabularInline):
    model = WebsiteStep
    fields = ["at", "kind", "from_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebsiteItem)
class WebsiteItemAdmin(admin.ModelAdmin):
    """Read-only: items move only through their steps on the web pages (website.services)."""

    list_display = ["title", "unit", "year", "status", "is_major", "waiting_since", "published_at"]
    list_filter = ["year", "status", "is_major", "unit__kind"]
    list_select_related = ["unit", "year"]
    search_fields = ["title", "unit__name", "authors"]
    inlines = [WebsiteStepInline]
    exclude = ["scan"]
    formfield_overrides = LINKS_ASSUME_HTTPS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
