from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Logins from other platforms")

    def ready(self) -> None:
        from core.mypage import register_section
        from core.navigation import register_page_part
        from core.privacy import register_personal_data
        from identity import selectors, views

        register_page_part("login", "platforms", views.login_buttons, order=10)
        register_page_part("signup", "platforms", views.signup_buttons, order=10)
        register_section("library_login", views.my_page_section, order=85)
        register_personal_data("identity", export=selectors.export_platform_links, order=5)
