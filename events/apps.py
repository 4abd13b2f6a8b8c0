from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from core.closure_apply import register_closure_apply
        from core.closure_impact import register_closure_impact
        from core.demo import register_loader
        from core.mypage import register_section, register_staff_count, register_staff_link
        from core.navigation import register_nav_link, register_page_part
        from core.privacy import register_personal_data
        from events import demo, privacy, selectors, views, views_associations

        register_loader("events", demo.load, order=30)
        register_section("events", views.my_registrations_section, order=10)
        register_section("associations", views_associations.my_page_section, order=25)
        register_nav_link("events", _("Events"), "events:calendar", order=10)
        register_page_part("branch-detail", "events", views.branch_events_part, order=10)
        register_staff_count(
            "events-week",
            _("events this week"),
            count=selectors.staff_count_this_week,
            url_name="events:staff-events",
            order=50,
        )
        register_staff_link("events", _("Events and check-in"), "events:staff-events", order=20)
        register_staff_link(
            "events-new", _("New event or series"), "events:series-create", order=21
        )
        register_staff_link(
            "association-events",
            _("Associations' event proposals"),
            "events:association-proposals",
            order=22,
        )
        register_personal_data("events", export=privacy.export, erase=privacy.erase, order=10)
        from events.services.closures import closure_cancel_events

        register_closure_apply("events", closure_cancel_events)
        from rooms.selectors import register_licence_course_finder

        register_licence_course_finder(selectors.next_licence_courses)
        register_closure_impact("events", _("Events"), selectors.closure_impact_events, order=20)
        from core.partner_links import register_partner_links
        from events import partner_links

        register_partner_links(
            "events",
            _("Events"),
            add_label=_("Link to an event"),
            groups=partner_links.groups,
            choices=partner_links.choices,
            link=partner_links.link,
            order=10,
        )
