from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The web layer: every page a person uses outside the Django admin (no models)."""

    name = "desk"
    verbose_name = "业务页面"
