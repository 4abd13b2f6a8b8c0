from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from core.demo import register_loader
        from core.mypage import register_staff_count
        from core.navigation import for_staff, register_nav_link
        from core.privacy import register_personal_data
        from plans import demo, privacy, selectors

        register_loader("plans", demo.load, order=60)
        register_nav_link("plans", _("Plan"), "plans:dashboard", order=60, visible=for_staff)
        register_staff_count(
            "plans-gaps",
            _("open gaps in the plan this quarter"),
            count=selectors.staff_count_gaps,
            url_name="plans:dashboard",
            order=60,
        )
        register_personal_data("plans", export=privacy.export, order=60)
