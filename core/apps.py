from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Libraries and accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from core import privacy, throttling, views, views_privacy
        from core.mypage import register_section, register_staff_link
        from core.navigation import for_staff, register_nav_link

        # Every failed password check counts, at every door (API, page, admin).
        user_login_failed.connect(throttling.on_user_login_failed, dispatch_uid="core-throttle")
        register_section("api_tokens", views.api_tokens_section, order=90)
        privacy.register_personal_data("core", export=privacy.export_account, order=0)
        register_section("privacy", views_privacy.my_page_section, order=95)
        register_nav_link("staff", _("Staff"), "staff-home", order=50, visible=for_staff)
        register_staff_link(
            "branch-settings",
            _("Opening hours, closures and the bookmobile's timetable"),
            "branch-settings-index",
            order=5,
        )
        register_staff_link(
            "partners", _("Partners, associations and their members"), "partner-list", order=60
        )
