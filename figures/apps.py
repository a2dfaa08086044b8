from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "figures"
    verbose_name = _("报送数据任务")

    def ready(self):
        # Figures past their task's due date join the overdue reports in every reminder door (the overview's
        # 催报 button, send_reminders): publicity cannot import this app, so it asks.
        from publicity.reminders import register_due_source

        from .services import overdue_figures

        register_due_source(overdue_figures)
