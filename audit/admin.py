import axes.admin as axes_admin  # registers axes' admins first, so AccessAttempt's can be replaced below
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Role, User

from .models import AuditAction, AuditEvent
from .recorder import record
from .services import user_set_active, user_set_roles, validate_roles

# Roles are flags on the user (三员分立, audit/permissions.py); groups are not used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# Unlocking an account early (the sysadmin deletes its django-axes attempt record) is recorded.


def _record_unlock(request, attempt) -> None:
    record(
        AuditAction.UNLOCK,
        request=request,
        model=User,
        object_id=getattr(User._default_manager.filter(username=attempt.username).first(), "pk", ""),
        object_repr=attempt.username or "",
        message=f"删除登录失败记录(连续失败{attempt.failures_since_start}次),提前解锁",
    )


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    def delete_model(self, request, obj):
        _record_unlock(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            _record_unlock(request, attempt)
        super().delete_queryset(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)

ROLE_FIELDS = tuple(f"is_{r}" for r in Role.values)
# Never editable in the admin: superuser/staff/groups are not how rights are given here.
LOCKED_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")
ACCOUNT_FIELDS = ("username", "display_name", "phone", "email", "is_active", "must_change_password")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for the auditor; nobody can add, change or delete (see also AuditEvent.save/delete)."""

    list_display = [
        "local_time",
        "username",
        "user_display",
        "unit_name",
        "action",
        "model_name",
        "object_repr",
        "ip",
        "outcome",
    ]
    list_filter = ["action", "outcome", "model"]
    search_fields = ["username", "user_display", "object_repr", "message", "object_id", "unit_name"]
    date_hierarchy = "at"
    list_per_page = 100
    actions = None

    @admin.display(description="时间", ordering="at")
    def local_time(self, obj):
        return timezone.localtime(obj.at).isoformat(timespec="seconds")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set by the system admin is an initial password: the user must change it."""

    def save(self, commit=True):
        self.user.must_change_password = True
        user = super().save(commit=commit)
        record(AuditAction.PASSWORD_RESET, obj=user, message="系统管理员重置密码,用户下次登录须修改")
        return user


class SeparationOfDutiesUserAdminMixin:
    """Mixed into units.admin.UserAdmin.

    - 系统管理员 creates accounts, edits account details, enables/disables, resets passwords;
    - 安全管理员 grants and revokes roles and the unit a liaison/head belongs to;
    - nobody edits is_superuser / is_staff / groups / permissions here, nobody deletes accounts
      (disable instead, so the audit trail keeps its subject).
    Changes go through audit.services so they are checked and recorded the same way as elsewhere."""

    change_password_form = ResetPasswordForm

    def get_readonly_fields(self, request, obj=None):
        readonly = set(super().get_readonly_fields(request, obj)) | set(LOCKED_FIELDS)
        if obj is None:
            return sorted(readonly)
        actor = request.user
        if not actor.is_secadmin or actor.pk == obj.pk:
            readonly |= {*ROLE_FIELDS, "unit"}
        if not actor.is_sysadmin:
            readonly |= set(ACCOUNT_FIELDS)
        return sorted(readonly)

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_sysadmin:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form_class

        class RoleCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                roles = [r for r in Role.values if cleaned.get(f"is_{r}", getattr(obj, f"is_{r}"))]
                unit = cleaned["unit"] if "unit" in cleaned else obj.unit
                try:
                    validate_roles(user=obj, roles=roles, unit=unit)
                except ValidationError as exc:
                    raise forms.ValidationError(exc.messages) from exc
                return cleaned

        return RoleCheckedForm

    def save_model(self, request, obj, form, change):
        if not change:
            # Created by an administrator: the password is an initial one (等保: change at first login).
            obj.must_change_password = True
            for field in ROLE_FIELDS:
                setattr(obj, field, False)
            obj.is_staff = obj.is_superuser = False
            super().save_model(request, obj, form, change)
            return
        old = type(obj)._default_manager.get(pk=obj.pk)
        new_roles = {r for r in Role.values if getattr(obj, f"is_{r}")}
        new_unit, new_active = obj.unit, obj.is_active
        # Roles, unit and the active flag are written by the services below, not by the form.
        for field in ROLE_FIELDS:
            setattr(obj, field, getattr(old, field))
        obj.unit, obj.is_active = old.unit, old.is_active
        super().save_model(request, obj, form, change)
        if new_roles != set(old.roles) or new_unit != old.unit:
            user_set_roles(actor=request.user, user=obj, roles=new_roles, unit=new_unit)
        if new_active != old.is_active:
            user_set_active(actor=request.user, user=obj, active=new_active)
        obj.refresh_from_db()


# The user admin lives here, with the separation of duties it needs (units is the ground floor).
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
        "is_website_editor",
        "is_deputy_director",
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
                    "is_website_editor",
                    "is_deputy_director",
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
