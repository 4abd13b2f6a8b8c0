from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from core.closure_apply import register_closure_apply
        from core.closure_impact import register_closure_impact
        from core.demo import register_loader
        from core.mypage import register_section, register_staff_count, register_staff_link
        from core.navigation import for_volunteers, register_nav_link
        from core.privacy import register_personal_data
        from volunteers import demo, privacy, selectors, views

        register_loader("volunteers", demo.load, order=40)
        register_section("volunteers", views.my_page_section, order=40)
        register_nav_link(
            "volunteers",
            _("Volunteering"),
            "volunteers:dashboard",
            order=40,
            visible=for_volunteers,
        )
        register_staff_count(
            "volunteers-proposals",
            _("activity proposals waiting"),
            count=selectors.staff_count_proposals,
            url_name="volunteers:staff-proposals",
            order=20,
        )
        register_staff_count(
            "volunteers-unfilled",
            _("shifts without enough volunteers in the next 14 days"),
            count=selectors.staff_count_unfilled,
            url_name="volunteers:staff-unfilled",
            order=30,
        )
        register_staff_count(
            "volunteers-certificates",
            _("volunteers whose child certificate is missing or runs out within 60 days"),
            count=selectors.staff_count_certificates,
            url_name="volunteers:staff-certificates",
            order=40,
        )
        register_staff_link(
            "volunteers-unfilled",
            _("Volunteer shifts without enough people"),
            "volunteers:staff-unfilled",
            order=40,
        )
        register_staff_link(
            "volunteers-certificates",
            _("Volunteers' child certificates"),
            "volunteers:staff-certificates",
            order=41,
        )
        register_staff_link(
            "volunteers-hours", _("Volunteer hours"), "volunteers:staff-hours", order=42
        )
        register_staff_link(
            "volunteers-proposals",
            _("Activity proposals from volunteers"),
            "volunteers:staff-proposals",
            order=43,
        )
        register_staff_link(
            "volunteers-profiles",
            _("Volunteers: profiles, new volunteers and child certificates"),
            "volunteers:staff-volunteers",
            order=39,
        )
        register_staff_link(
            "volunteers-activities",
            _("Volunteer activities"),
            "volunteers:staff-activities",
            order=44,
        )
        register_personal_data("volunteers", export=privacy.export, erase=privacy.erase, order=30)
        from volunteers.services.closures import closure_cancel_shifts

        register_closure_apply("volunteers", closure_cancel_shifts)
        register_closure_impact(
            "volunteers", _("Volunteer shifts"), selectors.closure_impact_shifts, order=30
        )
