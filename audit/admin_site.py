import functools

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .permissions import may_use_admin


class RoleAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: opened by role (audit/permissions.py), not by the is_staff flag."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("请输入正确的用户名和密码。注意两者都区分大小写。"),
        "no_admin_role": _("该账号没有后台管理权限。"),
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
    site_header = _("宣传任务分配与积分管理系统")
    site_title = _("宣传积分管理")
    index_title = _("后台管理")

    def has_permission(self, request):
        user = request.user
        # is_superuser opens nothing: see units.models.User.has_perm.
        return may_use_admin(user)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, admin_class, **options)
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            if model in self._registry:  # swapped models (auth.User) are skipped by Django
                _permission_first_history(self._registry[model])


def _permission_first_history(model_admin) -> None:
    """Django's history page looks the object up before checking permissions, so a user without
    any right on the model could learn which ids exist (302 "does not exist" vs 403). Check the
    model-level view permission first, like the change and delete pages do."""
    view = model_admin.history_view

    @functools.wraps(view)
    def history_view(request, object_id, extra_context=None):
        if not model_admin.has_view_or_change_permission(request):
            raise PermissionDenied
        return view(request, object_id, extra_context)

    model_admin.history_view = history_view
