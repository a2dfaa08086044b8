"""Account and role changes (三员分立). The admin, the pages and the commands all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from units.models import UNIT_ROLES, Role, Unit, User

from .models import AuditAction
from .permissions import BUSINESS_ROLES, THREE_ADMINS
from .recorder import record

ROLE_LABELS = dict(Role.choices)


def _role_names(roles: Iterable[str]) -> list[str]:
    return [str(ROLE_LABELS[r]) for r in Role.values if r in set(roles)]


def validate_roles(*, user: User, roles: Iterable[str], unit: Unit | None) -> None:
    """The rules of a role set, shared by the service and the admin form."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"未知角色:{'、'.join(sorted(unknown))}。"})
    admins = roles & set(THREE_ADMINS)
    if len(admins) > 1 or (admins and roles & set(BUSINESS_ROLES)):
        raise ValidationError(
            {
                "roles": "三员分立:系统管理员、安全管理员、审计管理员三者不能兼任,也不能兼任市局管理员、审核员等业务角色。"
            }
        )
    if roles & set(UNIT_ROLES) and unit is None:
        raise ValidationError({"unit": "单位联络员、单位负责人必须属于一个单位,请先选择所属单位。"})


def end_user_sessions(user: User) -> int:
    """Delete every stored session of ``user`` (logout everywhere), through the session engine so a
    cached copy (Redis, ``cached_db``) goes too."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session.session_key).delete()
            ended += 1
    return ended


def _ensure_secadmin(actor: User | None, user: User) -> None:
    if actor is None:
        return
    if not (actor.is_active and actor.is_secadmin):
        # Recorded before any transaction starts, so the refusal itself stays in the trail.
        record(AuditAction.ROLE_CHANGE, obj=user, outcome="denied", message="非安全管理员试图变更角色", user=actor)
        raise PermissionDenied("只有安全管理员可以分配或撤销角色。")
    if actor.pk == user.pk:
        record(AuditAction.ROLE_CHANGE, obj=user, outcome="denied", message="试图变更本人角色", user=actor)
        raise PermissionDenied("不能修改自己的角色,请由另一位安全管理员操作。")


def user_set_roles(*, actor: User | None, user: User, roles: Iterable[str], unit: Unit | None = ...) -> User:
    """Grant and revoke roles. Only the security admin may (``actor=None`` is a management command
    run by whoever holds the server); nobody changes their own roles."""
    _ensure_secadmin(actor, user)
    return _apply_roles(actor=actor, user=user, roles=set(roles), unit=unit)


@transaction.atomic
def _apply_roles(*, actor: User | None, user: User, roles: set[str], unit) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    new_unit = user.unit if unit is ... else unit
    validate_roles(user=user, roles=roles, unit=new_unit)
    old_roles, old_unit = user.roles, user.unit
    for role in Role.values:
        setattr(user, f"is_{role}", role in roles)
    user.unit = new_unit
    # The admin site is opened by role (audit.admin_site); is_staff follows so nothing else relies on a stale flag.
    user.is_staff = bool(roles & {"bureau_admin", "reviewer", "leader", *THREE_ADMINS})
    user._audit_skip = True
    user.save(update_fields=[*(f"is_{r}" for r in Role.values), "unit", "is_staff"])
    user.__dict__.pop("_role_perm_cache", None)
    changes = {}
    if set(old_roles) != roles:
        changes["roles"] = [_role_names(old_roles), _role_names(roles)]
    if (old_unit.pk if old_unit else None) != (new_unit.pk if new_unit else None):
        changes["unit"] = [str(old_unit or ""), str(new_unit or "")]
    if changes:
        record(AuditAction.ROLE_CHANGE, obj=user, changes=changes, user=actor)
        # New rights take effect on the next sign-in; revoked rights at once.
        end_user_sessions(user)
    return user


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    """Enable or disable an account (system admin). Disabling ends all the user's sessions at once."""
    if actor is not None:
        if not (actor.is_active and actor.is_sysadmin):
            raise PermissionDenied("只有系统管理员可以启用或停用账号。")
        if actor.pk == user.pk and not active:
            raise PermissionDenied("不能停用自己的账号。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user._audit_skip = True
    user.save(update_fields=["is_active"])
    ended = 0 if active else end_user_sessions(user)
    record(
        AuditAction.USER_ACTIVE,
        obj=user,
        changes={"is_active": [not active, active]},
        message="启用账号" if active else f"停用账号,结束会话{ended}个",
        user=actor,
    )
    return user


@transaction.atomic
def user_reset_password(*, actor: User | None, user: User, password: str) -> User:
    """Set an initial/temporary password (system admin); the user must change it at next sign-in."""
    if actor is not None and not (actor.is_active and actor.is_sysadmin):
        raise PermissionDenied("只有系统管理员可以重置密码。")
    user = User.objects.select_for_update().get(pk=user.pk)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user._audit_skip = True
    user.save(update_fields=["password", "must_change_password"])
    end_user_sessions(user)
    record(AuditAction.PASSWORD_RESET, obj=user, message="管理员重置密码,用户下次登录须修改", user=actor)
    return user


@transaction.atomic
def user_change_own_password(*, user: User, password: str, request=None) -> User:
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user._audit_skip = True
    user.save(update_fields=["password", "must_change_password"])
    record(AuditAction.PASSWORD_CHANGE, obj=user, message="用户修改本人密码", user=user, request=request)
    return user
