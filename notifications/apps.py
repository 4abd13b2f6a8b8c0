from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.demo import register_loader
        from core.mypage import register_section
        from core.navigation import register_page_part
        from core.privacy import register_personal_data
        from notifications import demo, privacy, receivers, views

        receivers.connect()
        register_section("notifications", views.my_page_section, order=80)
        # The calendar-feed links on core's branch page and on events' event page.
        register_page_part("branch-detail", "notifications-feeds", views.branch_feed_part)
        register_page_part("event-detail", "notifications-feeds", views.event_feed_part)
        register_page_part("event-calendar", "notifications-feeds", views.calendar_feed_part)
        register_loader("notifications", demo.load, order=70)
        # Last: the other apps' cancellations write messages that go with the account.
        register_personal_data(
            "notifications", export=privacy.export, erase=privacy.erase, order=90
        )
