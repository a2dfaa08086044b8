from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from .permissions import may_use_admin


class RoleAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: opened by role (audit/permissions.py), not by the is_staff flag."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "请输入正确的用户名和密码。注意两者都区分大小写。",
        "no_admin_role": "该账号没有后台管理权限。",
    }

    def confirm_login_allowed(self, user):
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        if not may_use_admin(user):
            raise forms.ValidationError(self.error_messages["no_admin_role"], code="no_admin_role")


class RoleAdminSite(admin.AdminSite):
    """The default admin site (installed through audit.apps.RoleAdminConfig).

    Who may enter is decided by role flags; what each may do there by the permissions that
    audit.backends.RoleBackend derives from the same flags (三员分立)."""

    login_form = RoleAdminAuthenticationForm
    site_header = "宣传任务分配与积分管理系统"
    site_title = "宣传积分管理"
    index_title = "后台管理"

    def has_permission(self, request):
        user = request.user
        # is_superuser opens nothing: see units.models.User.has_perm.
        return may_use_admin(user)
