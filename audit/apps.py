from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "安全审计"

    def ready(self):
        # Connect the audit recorder (see audit/recorder.py for why these are signals).
        from . import recorder

        recorder.connect()


class RoleAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a role-based site (三员分立): see audit/admin_site.py.
    Named explicitly in INSTALLED_APPS, never picked as this module's default."""

    default = False
    default_site = "audit.admin_site.RoleAdminSite"
