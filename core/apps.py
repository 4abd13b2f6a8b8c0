from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Libraries and accounts")

    def ready(self) -> None:
        from core import privacy, views_privacy
        from core.mypage import register_section

        privacy.register_personal_data("core", export=privacy.export_account, order=0)
        register_section("privacy", views_privacy.my_page_section, order=95)
