from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publicity"
    verbose_name = _("稿件与任务")

    def ready(self):
        from units.models import KIND_CHANGE_CHECKS

        from .models import refuse_kind_change_with_targets

        if refuse_kind_change_with_targets not in KIND_CHANGE_CHECKS:
            KIND_CHANGE_CHECKS.append(refuse_kind_change_with_targets)
