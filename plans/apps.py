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
        from core.partner_links import register_partner_links
        from plans import partner_links

        register_partner_links(
            "initiatives",
            _("Initiatives"),
            add_label=_("Link to an initiative"),
            groups=partner_links.groups,
            choices=partner_links.choices,
            link=partner_links.link,
            order=20,
        )
