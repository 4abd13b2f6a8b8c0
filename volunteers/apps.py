from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from core.demo import register_loader
        from core.mypage import register_section
        from volunteers import demo, views

        register_loader("volunteers", demo.load, order=40)
        register_section("volunteers", views.my_page_section, order=40)
