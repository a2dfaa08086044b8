from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from audit.admin import SeparationOfDutiesUserAdminMixin
from scoring.admin_links import unit_score_link

from .models import Unit, UnitKind, User
from .resources import TableImportExportMixin, UnitResource


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code"]


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


@admin.register(User)
class UserAdmin(SeparationOfDutiesUserAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "unit", "roles_display", "is_active", "last_login"]
    list_filter = [
        "is_active",
        "is_bureau_admin",
        "is_reviewer",
        "is_liaison",
        "is_unit_head",
        "is_leader",
        "is_auditor",
        "unit__kind",
    ]
    list_select_related = ["unit"]
    search_fields = ["username", "display_name", "unit__name", "phone"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "unit", "phone", "email")}),
        (
            _("角色"),
            {
                "fields": (
                    "is_bureau_admin",
                    "is_reviewer",
                    "is_liaison",
                    "is_unit_head",
                    "is_leader",
                    "is_auditor",
                    "is_sysadmin",
                    "is_secadmin",
                )
            },
        ),
        (_("账号状态"), {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password", "groups")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "unit", "password1", "password2")}),
    )

    @admin.display(description=_("角色"))
    def roles_display(self, obj):
        return "、".join(str(User._meta.get_field(f"is_{r}").verbose_name) for r in obj.roles) or "—"
