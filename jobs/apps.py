from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = _("后台任务")

    def ready(self):
        # The queue's raw rows (task paths, arguments) are the worker's business; people follow their
        # work on the Job pages, so django-tasks-db's own admin stays off the role-based admin site.
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
