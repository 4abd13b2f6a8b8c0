from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from core.demo import register_loader
        from plans import demo

        register_loader("plans", demo.load, order=60)
