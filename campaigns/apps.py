from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("专题宣传活动")

    def ready(self):
        # Campaign deliverables past their deadline join the overdue reports in every reminder door
        # (the overview's 催报 button, send_reminders): publicity cannot import this app, so it asks.
        from publicity.reminders import register_due_source

        from .services import overdue_deliverables

        register_due_source(overdue_deliverables)
