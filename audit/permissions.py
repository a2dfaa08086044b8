"""Separation of duties (三员分立): which role may do what in the admin, decided by role flags.

Django's per-user and per-group permission rows are not used: a role is a flag on the user
(units.User), and this table turns flags into model permissions. So a grant is one visible
flag, changed only by the security admin through ``audit.services.user_set_roles``.

- 市局管理员 bureau_admin: add / change / delete / view every business model.
- 审核员 reviewer, 领导 leader: view business models (reviews go through the review pages).
- 系统管理员 sysadmin: accounts (create, enable/disable, reset passwords), lockouts, health,
  backups — no business model, no role flag.
- 安全管理员 secadmin: grants and revokes roles — nothing else.
- 审计管理员 auditor: reads the audit trail and the login records — nothing else.
Unit liaisons and heads, the website editor (网站编辑) and the deputy director in charge (分管领导) use the
web pages, not the admin: they are business roles, so none of the three admins may hold them.
"""

from __future__ import annotations

from django.apps import apps

# Models that are not business data: accounts, the audit trail, login records, framework tables.
SECURITY_APPS = {"audit", "axes", "auth", "contenttypes", "sessions", "admin"}
ACCOUNT_MODEL = "units.user"
ADMIN_SITE_ROLES = ("bureau_admin", "reviewer", "leader", "sysadmin", "secadmin", "auditor")
THREE_ADMINS = ("sysadmin", "secadmin", "auditor")
BUSINESS_ROLES = (
    "bureau_admin",
    "reviewer",
    "liaison",
    "unit_head",
    "leader",
    "website_editor",
    "deputy_director",
)

ALL = ("add", "change", "delete", "view")


def is_business_model(model) -> bool:
    return model._meta.app_label not in SECURITY_APPS and model._meta.label_lower != ACCOUNT_MODEL


def _perms(label: str, actions) -> set[str]:
    app_label, model_name = label.split(".")
    return {f"{app_label}.{action}_{model_name}" for action in actions}


def role_permissions(user) -> set[str]:
    """The set of ``app_label.codename`` permissions the user's role flags grant."""
    if not user.is_active or user.is_anonymous:
        return set()
    perms: set[str] = set()
    business = [m._meta.label_lower for m in apps.get_models() if is_business_model(m)]
    if user.is_bureau_admin:
        for label in business:
            perms |= _perms(label, ALL)
    if user.is_reviewer or user.is_leader:
        for label in business:
            perms |= _perms(label, ("view",))
    if user.is_sysadmin:
        perms |= _perms(ACCOUNT_MODEL, ("add", "change", "view"))
        perms |= _perms("axes.accessattempt", ("view", "delete"))
        perms |= _perms("axes.accesslog", ("view",))
        perms |= _perms("axes.accessfailurelog", ("view",))
    if user.is_secadmin:
        perms |= _perms(ACCOUNT_MODEL, ("change", "view"))
    if user.is_auditor:
        perms |= _perms("audit.auditevent", ("view",))
        perms |= _perms("axes.accessattempt", ("view",))
        perms |= _perms("axes.accesslog", ("view",))
        perms |= _perms("axes.accessfailurelog", ("view",))
    return perms


def may_use_admin(user) -> bool:
    return bool(user.is_active and user.is_authenticated and user.has_role(*ADMIN_SITE_ROLES))
