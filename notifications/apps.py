from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.demo import register_loader
        from core.mypage import register_section
        from notifications import demo, receivers, views

        receivers.connect()
        register_section("notifications", views.my_page_section, order=80)
        register_loader("notifications", demo.load, order=70)
